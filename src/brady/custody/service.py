"""Custody commands: check the rules on current state, then record the event.

Each command runs inside a ledger write transaction: the state it checks is
read under the ledger's write lock, the event is signed by the acting user's
own key, and the projections change in the same commit. A refused command
raises RefusedError and writes nothing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..blobs.store import BlobStore, Staged
from ..domain import events as ev
from ..domain import rules, sampling
from ..domain.errors import RefusedError
from ..domain.vocabulary import UserRole
from ..ledger._ed25519 import Signer
from ..ledger.entry import Entry, format_time, parse_entry
from ..ledger.errors import EntryError
from ..ledger.keyring import register_event
from ..ledger_home import ADMIN_HOLDER, OpenLedger
from ..linking import candidates, match
from ..linking.names import fold
from ..linking.suggest import suggest
from ..store import custody_queries as q
from ..store._raw import fetch_all
from ..store.custody_projection import CORRECTABLE
from ..store.custody_tables import (
    agency,
    case_file,
    case_party,
    defendant,
    inventory,
    inventory_scan,
    item,
    item_file,
    lab_request,
    location,
    organization,
    person,
)
from ..store.keys import ACTOR, load_role, save_key
from ..store.ledger_store import Writer

CLOCK_SKEW = timedelta(minutes=5)

R = UserRole
STAFF = (R.PROPERTY_CLERK, R.OFFICER, R.SUPERVISOR, R.LAB_ANALYST, R.PROSECUTOR)
CASEWORK = (R.PROPERTY_CLERK, R.OFFICER, R.SUPERVISOR, R.PROSECUTOR)
CHARGING = (R.PROSECUTOR,)
PLACES = (R.PROPERTY_CLERK, R.SUPERVISOR)
FILES = (R.PROPERTY_CLERK, R.OFFICER, R.SUPERVISOR, R.LAB_ANALYST)
LAB_REQUESTERS = (R.PROPERTY_CLERK, R.OFFICER, R.SUPERVISOR, R.PROSECUTOR)
LAB = (R.LAB_ANALYST,)
CLOSING = (R.PROSECUTOR, R.SUPERVISOR)
REVIEWERS = (R.PROSECUTOR,)
LINKER = "brady-linker"


def user_holder(user_id: str) -> str:
    return f"user:{user_id}"


class Custody:
    """The custody services of one open ledger."""

    def __init__(self, led: OpenLedger) -> None:
        self.led = led

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Several commands in one transaction: all are recorded, or none."""
        with self.led.store.transaction() as writer:
            yield Session(self, writer)

    def signer(self, writer: Writer, user_id: str) -> Signer:
        """The user's newest key, opened from its sealed copy."""
        if self.led.master is None:
            raise RefusedError("this ledger was opened read-only")
        return load_role(writer.conn, self.led.master, ACTOR, user_holder(user_id))


class Session:
    def __init__(self, custody: Custody, writer: Writer) -> None:
        self.custody = custody
        self.w = writer
        self.conn = writer.conn
        # Opened keys and users live only as long as the transaction, so a rolled-back
        # session can never leave behind a key or a user that the ledger does not hold.
        self._signers: dict[str, Signer] = {}
        self._users: dict[str, rules.UserState] = {}

    def _signer(self, user_id: str) -> Signer:
        if user_id not in self._signers:
            self._signers[user_id] = self.custody.signer(self.w, user_id)
        return self._signers[user_id]

    # -- helpers -----------------------------------------------------------------

    def _user(self, user_id: str, field: str = "by") -> rules.UserState:
        user = self._known_user(user_id)
        if user is None:
            raise RefusedError(f"{user_id!r} is not a Brady user", field)
        self._users[user_id] = user
        return user

    def _known_user(self, user_id: str) -> rules.UserState | None:
        """The user, or None; for rules that say themselves what is wrong with a missing one."""
        return self._users.get(user_id) or q.user_state(self.conn, user_id)

    def _item(self, item_id: str) -> rules.ItemState:
        state = q.item_state(self.conn, item_id)
        if state is None:
            raise RefusedError(f"there is no item {item_id!r}", "item_id")
        return state

    def _need(self, table: Any, value: str | None, field: str, what: str) -> None:
        if value is not None and not q.exists(self.conn, table, value):
            raise RefusedError(f"there is no {what} {value!r}", field)

    def _record(self, by: str, kind: str, data: dict[str, Any], subjects: list[str]) -> Entry:
        payload = ev.parse_payload(kind, {k: v for k, v in data.items() if v is not None})
        occurred = getattr(payload, "occurred_at", None)
        if occurred is not None and occurred > format_time(datetime.now(UTC) + CLOCK_SKEW):
            raise RefusedError(f"occurred_at {occurred} is in the future", "occurred_at")
        item_id = getattr(payload, "item_id", None)
        if occurred is not None and item_id is not None:
            latest = q.latest_event_time(self.conn, item_id)
            if latest is not None and occurred < latest:
                raise RefusedError(
                    f"occurred_at {occurred} is before {item_id}'s last recorded step "
                    f"({latest}); steps of an item are recorded in the order they happened",
                    "occurred_at",
                )
        signer = self._signer(by)
        try:
            (entry,) = self.w.append(signer, [ev.to_event(payload, subjects)])
        except EntryError as exc:
            raise RefusedError(str(exc)) from exc
        return entry

    def _role(self, by: str, roles: tuple[UserRole, ...], action: str) -> rules.UserState:
        user = self._user(by)
        if not user.has(*roles):
            allowed = ", ".join(str(r).replace("_", " ") for r in roles)
            raise RefusedError(f"{by} may not {action} (that takes a {allowed})", "by")
        return user

    def _admin(self, by: str) -> None:
        if not self._user(by).has(UserRole.ADMIN):
            raise RefusedError(f"{by} is not an administrator")

    # The same checks and the one write path, for the other services (disclosure).
    def record(self, by: str, kind: str, data: dict[str, Any], subjects: list[str]) -> Entry:
        return self._record(by, kind, data, subjects)

    def require_role(self, by: str, roles: tuple[UserRole, ...], action: str) -> None:
        self._role(by, roles, action)

    def require_admin(self, by: str) -> None:
        self._admin(by)

    def require_case(self, case_id: str) -> None:
        self._case(case_id)

    def user(self, user_id: str) -> rules.UserState | None:
        return q.user_state(self.conn, user_id)

    def forget_signer(self, user_id: str) -> None:
        """After a key change: the user's next event opens their new key."""
        self._signers.pop(user_id, None)

    # -- people and places -----------------------------------------------------------

    def add_user(
        self,
        by: str | None,
        user_id: str,
        name: str,
        roles: list[str],
        agency_id: str | None = None,
    ) -> Entry:
        """A new user with a fresh key, sealed in the database and registered on the ledger.

        `by` None: the ledger administrator's own key (to create the first admin).
        """
        led = self.custody.led
        if led.master is None:
            raise RefusedError("this ledger was opened read-only")
        if q.user_state(self.conn, user_id) is not None:
            raise RefusedError(f"user {user_id!r} already exists", "user_id")
        if by is None:
            admin_signer = load_role(self.conn, led.master, ACTOR, ADMIN_HOLDER)
        else:
            self._admin(by)
            admin_signer = self._signer(by)
        payload = ev.parse_payload(
            "user.add",
            {
                "user_id": user_id,
                "name": name,
                "roles": roles,
                "agency_id": agency_id,
                "key_id": "0" * 32,
            },
        )
        key = Signer.generate()
        admin_role = str(UserRole.ADMIN) in {str(r) for r in payload.roles}  # type: ignore[attr-defined]
        save_key(self.conn, led.master, key, ACTOR, user_holder(user_id))
        reg = register_event(key.public_key, user_holder(user_id), key_admin=admin_role)
        self.w.append(admin_signer, [reg])
        data = payload.model_dump(mode="json", exclude_none=True)
        data["key_id"] = reg.payload["key_id"]
        (entry,) = self.w.append(
            admin_signer, [ev.to_event(ev.UserAdd.model_validate(data), [f"user:{user_id}"])]
        )
        return entry

    def _create(
        self,
        by: str,
        roles: tuple[UserRole, ...],
        what: str,
        table: Any,
        kind: str,
        data: dict[str, Any],
    ) -> Entry:
        """Record something new with an id of its own (a person, an organization, a place)."""
        self._role(by, roles, f"record {what}s")
        id_field = next(iter(table.primary_key.columns)).name
        if q.exists(self.conn, table, data[id_field]):
            raise RefusedError(f"{what} {data[id_field]!r} already exists", id_field)
        return self._record(by, kind, data, [f"{kind.split('.', maxsplit=1)[0]}:{data[id_field]}"])

    def add_person(
        self,
        by: str,
        person_id: str,
        name: str,
        aliases: list[str] | None = None,
        dob: str | None = None,
    ) -> Entry:
        return self._create(
            by,
            STAFF,
            "person",
            person,
            "person.add",
            {"person_id": person_id, "name": name, "aliases": aliases or [], "dob": dob},
        )

    def add_organization(
        self,
        by: str,
        org_id: str,
        name: str,
        aliases: list[str] | None = None,
        address: str | None = None,
    ) -> Entry:
        return self._create(
            by,
            STAFF,
            "organization",
            organization,
            "organization.add",
            {"org_id": org_id, "name": name, "aliases": aliases or [], "address": address},
        )

    def add_location(
        self, by: str, location_id: str, name: str, kind: str, parent_id: str | None = None
    ) -> Entry:
        self._need(location, parent_id, "parent_id", "location")
        return self._create(
            by,
            PLACES,
            "location",
            location,
            "location.add",
            {"location_id": location_id, "name": name, "kind": kind, "parent_id": parent_id},
        )

    # -- cases -----------------------------------------------------------------------

    def open_case(
        self,
        by: str,
        case_id: str,
        title: str,
        numbers: list[dict[str, str]] | None = None,
        agency_id: str | None = None,
        narrative: str | None = None,
        occurred_at: str | None = None,
    ) -> Entry:
        self._role(by, CASEWORK, "open cases")
        if q.exists(self.conn, case_file, case_id):
            raise RefusedError(f"case {case_id!r} already exists", "case_id")
        checked = ev.parse_payload(
            "case.open", {"case_id": case_id, "title": title, "numbers": numbers or []}
        )
        assert isinstance(checked, ev.CaseOpen)
        numbers = [{"kind": str(n.kind), "number": n.number} for n in checked.numbers]
        pairs = [(n["kind"], n["number"]) for n in numbers]
        if len(set(pairs)) != len(pairs):
            raise RefusedError("the same case number is given twice", "numbers")
        for n in numbers:
            self._check_number_format(agency_id, n.get("kind", ""), n.get("number", ""))
            other = q.case_for_number(self.conn, n.get("kind", ""), n.get("number", ""))
            if other is not None:
                raise RefusedError(
                    f"{n['kind']} case number {n['number']} is already case {other}", "numbers"
                )
        return self._record(
            by,
            "case.open",
            {
                "case_id": case_id,
                "title": title,
                "numbers": numbers or [],
                "agency_id": agency_id,
                "narrative": narrative,
                "occurred_at": occurred_at,
            },
            [f"case:{case_id}"],
        )

    def _case(self, case_id: str, open_only: bool = True) -> None:
        status = self.conn.execute(
            case_file.select()
            .with_only_columns(case_file.c.status)
            .where(case_file.c.case_id == case_id)
        ).scalar()
        if status is None:
            raise RefusedError(f"there is no case {case_id!r}", "case_id")
        if open_only and status == "closed":
            raise RefusedError(f"case {case_id} is closed", "case_id")

    def add_case_number(
        self, by: str, case_id: str, kind: str, number: str, occurred_at: str | None = None
    ) -> Entry:
        """Another number for a case (a re-indictment, a court's own number)."""
        self._role(by, CASEWORK, "number cases")
        self._case(case_id)
        agency_id = self.conn.execute(
            select(case_file.c.agency_id).where(case_file.c.case_id == case_id)
        ).scalar()
        self._check_number_format(agency_id, kind, number)
        other = q.case_for_number(self.conn, kind, number)
        if other is not None:
            raise RefusedError(f"{kind} case number {number} is already case {other}", "number")
        return self._record(
            by,
            "case.add_number",
            {
                "case_id": case_id,
                "number": {"kind": kind, "number": number},
                "occurred_at": occurred_at,
            },
            [f"case:{case_id}"],
        )

    def _check_number_format(self, agency_id: str | None, kind: str, number: str) -> None:
        """An agency's configured number format (agency.add case_number_formats) is enforced."""
        if agency_id is None:
            return
        formats = q.agency_formats(self.conn, agency_id)
        if formats is None:
            raise RefusedError(f"there is no agency {agency_id!r}", "agency_id")
        pattern = formats.get(kind)
        if pattern and not re.fullmatch(pattern, number):
            raise RefusedError(
                f"{kind} case number {number!r} does not follow {agency_id}'s format {pattern}",
                "numbers",
            )

    def add_party(
        self, by: str, case_id: str, person_id: str, role: str, occurred_at: str | None = None
    ) -> Entry:
        self._role(by, CASEWORK, "add case parties")
        self._case(case_id)
        self._need(person, person_id, "person_id", "person")
        if q.has_row(self.conn, case_party, case_id=case_id, person_id=person_id, role=role):
            raise RefusedError(f"{person_id} is already a {role} in case {case_id}", "person_id")
        entry = self._record(
            by,
            "case.add_party",
            {"case_id": case_id, "person_id": person_id, "role": role, "occurred_at": occurred_at},
            [f"case:{case_id}", f"person:{person_id}"],
        )
        self.link_party(case_id, person_id, occurred_at)
        return entry

    def charge(
        self,
        by: str,
        case_id: str,
        person_id: str,
        charges: list[str],
        charged_on: str,
        occurred_at: str | None = None,
    ) -> Entry:
        self._role(by, CHARGING, "record charges")
        self._case(case_id)
        self._need(person, person_id, "person_id", "person")
        return self._record(
            by,
            "case.charge",
            {
                "case_id": case_id,
                "person_id": person_id,
                "charges": charges,
                "charged_on": charged_on,
                "occurred_at": occurred_at,
            },
            [f"case:{case_id}", f"person:{person_id}"],
        )

    def arraign(
        self,
        by: str,
        case_id: str,
        person_id: str,
        arraigned_on: str,
        occurred_at: str | None = None,
    ) -> Entry:
        self._role(by, CHARGING, "record arraignments")
        self._case(case_id)
        if not q.has_row(self.conn, defendant, case_id=case_id, person_id=person_id):
            raise RefusedError(f"{person_id} has not been charged in case {case_id}", "person_id")
        return self._record(
            by,
            "case.arraign",
            {
                "case_id": case_id,
                "person_id": person_id,
                "arraigned_on": arraigned_on,
                "occurred_at": occurred_at,
            },
            [f"case:{case_id}", f"person:{person_id}"],
        )

    def close_case(
        self, by: str, case_id: str, reason: str, occurred_at: str | None = None
    ) -> Entry:
        self._role(by, CLOSING, "close cases")
        self._case(case_id)
        return self._record(
            by,
            "case.close",
            {"case_id": case_id, "reason": reason, "occurred_at": occurred_at},
            [f"case:{case_id}"],
        )

    # -- items -----------------------------------------------------------------------

    def intake(self, by: str, **fields: Any) -> Entry:
        actor = self._user(by)
        fields.setdefault("custodian", by)
        item_id = fields.get("item_id")
        if item_id is None:
            item_id = q.next_item_id(self.conn)  # free by construction
        elif q.exists(self.conn, item, item_id):
            raise RefusedError(f"item {item_id!r} already exists", "item_id")
        fields["item_id"] = item_id
        rules.check_intake(actor, self._known_user(str(fields["custodian"])))
        self._need(location, fields.get("location_id"), "location_id", "location")
        for case_id in fields.get("case_ids") or []:
            self._case(case_id)
        subjects = [f"item:{item_id}", *(f"case:{c}" for c in fields.get("case_ids") or [])]
        entry = self._record(by, "item.intake", fields, subjects)
        self.link_item(str(entry.payload["item_id"]), entry.payload.get("occurred_at"))
        return entry

    def transfer(
        self,
        by: str,
        item_id: str,
        to_user: str,
        reason: str | None = None,
        occurred_at: str | None = None,
    ) -> Entry:
        rules.check_transfer(self._item(item_id), self._user(by), self._known_user(to_user))
        return self._record(
            by,
            "item.transfer",
            {"item_id": item_id, "to_user": to_user, "reason": reason, "occurred_at": occurred_at},
            [f"item:{item_id}", f"user:{to_user}"],
        )

    def _step(
        self,
        by: str,
        kind: str,
        check: Callable[[rules.ItemState, rules.UserState], None],
        item_id: str,
        **fields: Any,
    ) -> Entry:
        """An item step whose rule needs only the item and the actor."""
        check(self._item(item_id), self._user(by))
        return self._record(by, kind, {"item_id": item_id, **fields}, [f"item:{item_id}"])

    def receive(self, by: str, item_id: str, occurred_at: str | None = None) -> Entry:
        return self._step(by, "item.receive", rules.check_receive, item_id, occurred_at=occurred_at)

    def cancel_transfer(
        self, by: str, item_id: str, reason: str, occurred_at: str | None = None
    ) -> Entry:
        """Take back a hand-over the receiver never acknowledged."""
        return self._step(
            by,
            "item.transfer_cancel",
            rules.check_transfer_cancel,
            item_id,
            reason=reason,
            occurred_at=occurred_at,
        )

    def withdraw_disposition(
        self, by: str, item_id: str, reason: str, occurred_at: str | None = None
    ) -> Entry:
        return self._step(
            by,
            "item.disposition_withdraw",
            rules.check_disposition_withdraw,
            item_id,
            reason=reason,
            occurred_at=occurred_at,
        )

    def checkout(
        self,
        by: str,
        item_id: str,
        to: str,
        purpose: str,
        due_back: str,
        occurred_at: str | None = None,
    ) -> Entry:
        payload = ev.parse_payload(
            "item.checkout",
            {
                "item_id": item_id,
                "to": to,
                "purpose": purpose,
                "due_back": due_back,
                "occurred_at": occurred_at,
            },
        )
        assert isinstance(payload, ev.ItemCheckout)
        when = payload.occurred_at or format_time(datetime.now(UTC))
        rules.check_checkout(self._item(item_id), self._user(by), payload.due_back, when)
        return self._record(
            by,
            "item.checkout",
            {
                "item_id": item_id,
                "to": to,
                "purpose": purpose,
                "due_back": due_back,
                "occurred_at": occurred_at,
            },
            [f"item:{item_id}"],
        )

    def checkin(
        self,
        by: str,
        item_id: str,
        location_id: str,
        condition: str,
        seal_intact: bool,
        occurred_at: str | None = None,
    ) -> Entry:
        rules.check_checkin(self._item(item_id), self._user(by))
        self._need(location, location_id, "location_id", "location")
        return self._record(
            by,
            "item.checkin",
            {
                "item_id": item_id,
                "location_id": location_id,
                "condition": condition,
                "seal_intact": seal_intact,
                "occurred_at": occurred_at,
            },
            [f"item:{item_id}"],
        )

    def move(
        self, by: str, item_id: str, location_id: str, occurred_at: str | None = None
    ) -> Entry:
        rules.check_move(self._item(item_id), self._user(by))
        self._need(location, location_id, "location_id", "location")
        return self._record(
            by,
            "item.move",
            {"item_id": item_id, "location_id": location_id, "occurred_at": occurred_at},
            [f"item:{item_id}"],
        )

    def split(
        self,
        by: str,
        item_id: str,
        quantity: int,
        description: str,
        new_item_id: str | None = None,
        occurred_at: str | None = None,
    ) -> Entry:
        checked = ev.parse_payload(
            "item.split",
            {
                "item_id": item_id,
                "new_item_id": "x",
                "quantity": quantity,
                "description": description,
            },
        )
        assert isinstance(checked, ev.ItemSplit)
        quantity = checked.quantity
        rules.check_split(self._item(item_id), self._user(by), quantity)
        new_id = new_item_id or q.next_item_id(self.conn)
        if q.item_state(self.conn, new_id) is not None:
            raise RefusedError(f"item {new_id!r} already exists", "new_item_id")
        return self._record(
            by,
            "item.split",
            {
                "item_id": item_id,
                "new_item_id": new_id,
                "quantity": quantity,
                "description": description,
                "occurred_at": occurred_at,
            },
            [f"item:{item_id}", f"item:{new_id}"],
        )

    def file_case(
        self, by: str, item_id: str, case_id: str, reason: str, occurred_at: str | None = None
    ) -> Entry:
        state = self._item(item_id)
        rules.check_file_case(state, self._user(by), q.case_is_open(self.conn, case_id))
        if case_id in state.case_ids:
            raise RefusedError(f"{item_id} is already filed under {case_id}", "case_id")
        return self._record(
            by,
            "item.file_case",
            {"item_id": item_id, "case_id": case_id, "reason": reason, "occurred_at": occurred_at},
            [f"item:{item_id}", f"case:{case_id}"],
        )

    def request_disposition(
        self, by: str, item_id: str, method: str, reason: str, occurred_at: str | None = None
    ) -> Entry:
        return self._step(
            by,
            "item.disposition_request",
            rules.check_disposition_request,
            item_id,
            method=method,
            reason=reason,
            occurred_at=occurred_at,
        )

    def approve_disposition(self, by: str, item_id: str, occurred_at: str | None = None) -> Entry:
        return self._step(
            by,
            "item.disposition_approve",
            rules.check_disposition_approve,
            item_id,
            occurred_at=occurred_at,
        )

    def dispose(
        self,
        by: str,
        item_id: str,
        method: str,
        to: str | None = None,
        occurred_at: str | None = None,
    ) -> Entry:
        state = self._item(item_id)
        rules.check_disposition(
            state, self._user(by), q.open_cases(self.conn, state.case_ids), method
        )
        return self._record(
            by,
            "item.disposition",
            {"item_id": item_id, "method": method, "to": to, "occurred_at": occurred_at},
            [f"item:{item_id}"],
        )

    def attach_file(
        self,
        by: str,
        item_id: str,
        sha256: str,
        size: int,
        name: str,
        media_type: str | None = None,
        occurred_at: str | None = None,
        staged: Staged | None = None,
    ) -> Entry:
        """Record a file's hash; the bytes must be staged (see custody/files.py) or kept."""
        self._role(by, FILES, "attach files")
        if not isinstance(sha256, str) or not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise RefusedError(f"{sha256!r} is not a SHA-256 hash", "sha256")
        if self._item(item_id).status == "disposed":
            raise RefusedError(f"{item_id} has been disposed of", "item_id")
        if q.has_row(self.conn, item_file, item_id=item_id, sha256=sha256):
            raise RefusedError(f"that file is already attached to {item_id}", "sha256")
        staged_here = staged is not None and staged.sha256 == sha256
        if not staged_here and not BlobStore(self.custody.led.config.blobs).has(sha256):
            raise RefusedError(
                f"no stored file has SHA-256 {sha256}; attach files with brady item attach",
                "sha256",
            )
        return self._record(
            by,
            "file.attach",
            {
                "item_id": item_id,
                "sha256": sha256,
                "size": size,
                "name": name,
                "media_type": media_type,
                "occurred_at": occurred_at,
            },
            [f"item:{item_id}", f"file:{sha256}"],
        )

    def add_agency(
        self, by: str, agency_id: str, name: str, case_number_formats: dict[str, str] | None = None
    ) -> Entry:
        self._admin(by)
        if q.exists(self.conn, agency, agency_id):
            raise RefusedError(f"agency {agency_id!r} already exists", "agency_id")
        return self._record(
            by,
            "agency.add",
            {
                "agency_id": agency_id,
                "name": name,
                "case_number_formats": case_number_formats or {},
            },
            [f"agency:{agency_id}"],
        )

    def set_linking_patterns(
        self,
        by: str,
        reason: str,
        case_numbers: list[str] | None = None,
        calibers: dict[str, str] | None = None,
        makes: dict[str, str] | None = None,
        places: list[str] | None = None,
    ) -> Entry:
        """Replace the extra patterns linking looks for; later intakes are read with them."""
        self._admin(by)
        return self._record(
            by,
            "linking.patterns",
            {
                "case_numbers": case_numbers or [],
                "calibers": calibers or {},
                "makes": makes or {},
                "places": sorted({fold(p).strip() for p in places or []}),
                "reason": reason,
            },
            ["linking:patterns"],
        )

    def train_linking(self, by: str, reason: str, queue_per_100: float | None = None) -> Entry:
        """Learn the linking weights from the suggestions reviewers decided, and record
        them: from now on suggestions are weighed with them. With a target queue load
        (suggestions per 100 intakes), also the least score that would have kept the
        record's own suggestions within it: the threshold rises to it, never falls."""
        self._admin(by)
        accepted, rejected, intakes = candidates.accepted_evidence(self.conn)
        m, prior = match.train(accepted, intakes)
        threshold = None
        if queue_per_100 is not None:
            if not 0 < queue_per_100 <= 1000:
                raise RefusedError(
                    f"a queue of {queue_per_100} per 100 intakes: expected a number above 0 "
                    "and at most 1000",
                    "queue_per_100",
                )
            scores = candidates.suggestion_scores(self.conn)
            threshold = match.queue_threshold(scores, intakes, queue_per_100)
        return self._record(
            by,
            "linking.model",
            {
                "m": m,
                "prior": prior,
                "accepted": len(accepted),
                "rejected": rejected,
                "intakes": intakes,
                "reason": reason,
                "queue_per_100": queue_per_100,
                "threshold": threshold,
            },
            ["linking:model"],
        )

    def lab_request(
        self,
        by: str,
        request_id: str,
        lab: str,
        item_ids: list[str],
        examinations: str,
        occurred_at: str | None = None,
    ) -> Entry:
        self._role(by, LAB_REQUESTERS, "request lab work")
        if q.exists(self.conn, lab_request, request_id):
            raise RefusedError(f"lab request {request_id!r} already exists", "request_id")
        checked = ev.parse_payload(
            "lab.request",
            {
                "request_id": request_id,
                "lab": lab,
                "item_ids": item_ids,
                "examinations": examinations,
            },
        )
        assert isinstance(checked, ev.LabRequest)
        item_ids = checked.item_ids
        if len(set(item_ids)) != len(item_ids):
            raise RefusedError("an item is named twice", "item_ids")
        for item_id in item_ids:
            if self._item(item_id).status == "disposed":
                raise RefusedError(f"{item_id} has been disposed of", "item_ids")
        return self._record(
            by,
            "lab.request",
            {
                "request_id": request_id,
                "lab": lab,
                "item_ids": item_ids,
                "examinations": examinations,
                "occurred_at": occurred_at,
            },
            [f"lab:{request_id}", *(f"item:{i}" for i in item_ids)],
        )

    def lab_result(
        self,
        by: str,
        request_id: str,
        findings: str,
        report_sha256: str | None = None,
        occurred_at: str | None = None,
    ) -> Entry:
        self._role(by, LAB, "record lab results")
        if not q.exists(self.conn, lab_request, request_id):
            raise RefusedError(f"there is no lab request {request_id!r}", "request_id")
        if q.lab_has_result(self.conn, request_id):
            raise RefusedError(
                f"lab request {request_id} already has a result; an amended report is a new "
                "lab request",
                "request_id",
            )
        if report_sha256 is not None and not q.has_row(self.conn, item_file, sha256=report_sha256):
            raise RefusedError(
                f"no file with SHA-256 {report_sha256} is attached to any item; attach the "
                "lab report first (brady item attach)",
                "report_sha256",
            )
        entry = self._record(
            by,
            "lab.result",
            {
                "request_id": request_id,
                "findings": findings,
                "report_sha256": report_sha256,
                "occurred_at": occurred_at,
            },
            [f"lab:{request_id}"],
        )
        for item_id in q.lab_request_items(self.conn, request_id):
            self.link_item(item_id, occurred_at)
        return entry

    def start_inventory(
        self,
        by: str,
        inventory_id: str,
        scope: str = "full",
        location_id: str | None = None,
        occurred_at: str | None = None,
    ) -> Entry:
        """Fix what the inventory expects to find: every item in scope, or a random sample
        of the high-risk ones sized for 95% confidence within 3%. Brady draws the seed,
        so no one can choose a favourable sample."""
        self._role(by, PLACES, "run an inventory")
        if q.exists(self.conn, inventory, inventory_id):
            raise RefusedError(f"inventory {inventory_id!r} already exists", "inventory_id")
        self._need(location, location_id, "location_id", "location")
        if scope not in {"full", "sample"}:
            raise RefusedError(f"scope must be full or sample, not {scope!r}", "scope")
        agency_id = q.user_agency(self.conn, by)
        pool = q.items_in_custody(
            self.conn, location_id, scope == "sample", agency_id, every_agency=agency_id is None
        )
        seed = secrets.token_hex(16) if scope == "sample" else None
        expected = sampling.expected_items(pool, scope, seed)
        return self._record(
            by,
            "inventory.start",
            {
                "inventory_id": inventory_id,
                "scope": scope,
                "location_id": location_id,
                "expected_count": len(expected),
                "expected_sha256": sampling.list_digest(expected),
                "population": len(pool),
                "seed": seed,
                "agency_id": agency_id,
                "occurred_at": occurred_at,
            },
            [f"inventory:{inventory_id}"],
        )

    def _open_inventory(self, inventory_id: str, by: str) -> None:
        """An inventory still open, and of the agency of `by` (another agency's inventory is
        answered as if it did not exist: its items are not theirs to see)."""
        exists, agency_id = q.inventory_agency(self.conn, inventory_id)
        if exists and q.user_agency(self.conn, by) != agency_id:
            exists = False
        if not exists:
            raise RefusedError(f"there is no inventory {inventory_id!r}", "inventory_id")
        row = self.conn.execute(
            inventory.select()
            .with_only_columns(inventory.c.closed_at)
            .where(inventory.c.inventory_id == inventory_id)
        ).first()
        if row is None:
            raise RefusedError(f"there is no inventory {inventory_id!r}", "inventory_id")
        if row.closed_at is not None:
            raise RefusedError(f"inventory {inventory_id} is closed", "inventory_id")

    def scan(
        self,
        by: str,
        inventory_id: str,
        item_id: str,
        location_id: str | None = None,
        occurred_at: str | None = None,
    ) -> Entry:
        self._role(by, PLACES, "scan inventories")
        self._open_inventory(inventory_id, by)
        self._need(location, location_id, "location_id", "location")
        if q.has_row(self.conn, inventory_scan, inventory_id=inventory_id, item_id=item_id):
            raise RefusedError(f"{item_id} was already scanned in {inventory_id}", "item_id")
        return self._record(
            by,
            "inventory.scan",
            {
                "inventory_id": inventory_id,
                "item_id": item_id,
                "location_id": location_id,
                "occurred_at": occurred_at,
            },
            [f"inventory:{inventory_id}", f"item:{item_id}"],
        )

    def close_inventory(self, by: str, inventory_id: str, occurred_at: str | None = None) -> Entry:
        self._role(by, PLACES, "close inventories")
        self._open_inventory(inventory_id, by)
        return self._record(
            by,
            "inventory.close",
            {"inventory_id": inventory_id, "occurred_at": occurred_at},
            [f"inventory:{inventory_id}"],
        )

    # -- linking ----------------------------------------------------------------------

    def suggest_links(self, item_id: str) -> list[match.Suggestion]:
        """Which open cases the item may bear on, and why (nothing is recorded)."""
        self._item(item_id)
        config = self.custody.led.config.linking
        return suggest(self.conn, item_id, config.weights, config.threshold)

    def link_item(self, item_id: str, occurred_at: str | None = None) -> list[Entry]:
        """Record a suggestion for every open case the item may bear on, signed by Brady's
        linking service. People decide; nothing is linked silently. `occurred_at`: when
        what prompted it happened (never before the item's last recorded step)."""
        suggestions = self.suggest_links(item_id)
        if not suggestions:
            return []
        linker = self._linker()
        if occurred_at is not None:
            latest = q.latest_event_time(self.conn, item_id)
            occurred_at = ev.ledger_time(occurred_at)
            occurred_at = max(occurred_at, latest) if latest else occurred_at
        return [
            self._record(
                linker,
                "link.suggest",
                {
                    "suggestion_id": candidates.next_suggestion_id(self.conn),
                    "item_id": item_id,
                    "case_id": sug.case_id,
                    "score": sug.score,
                    "reasons": list(sug.reasons),
                    "evidence": list(sug.evidence),
                    "occurred_at": occurred_at,
                },
                [f"item:{item_id}", f"case:{sug.case_id}"],
            )
            for sug in suggestions
        ]

    def record_file_text(
        self, item_id: str, sha256: str, reader: str, pages: int, mentions: list[ev.PageMention]
    ) -> list[Entry]:
        """What an attached file's pages mention, signed by Brady's linking service, then
        the item's link suggestions with that in hand."""
        if not q.has_row(self.conn, item_file, item_id=item_id, sha256=sha256):
            raise RefusedError(f"no file {sha256} is attached to {item_id}", "sha256")
        entry = self._record(
            self._linker(),
            "file.read",
            {
                "item_id": item_id,
                "sha256": sha256,
                "reader": reader,
                "pages": pages,
                "mentions": [m.model_dump() for m in mentions],
            },
            [f"item:{item_id}", f"file:{sha256}"],
        )
        return [entry, *self.link_item(item_id)]

    def link_party(
        self, case_id: str, person_id: str, occurred_at: str | None = None
    ) -> list[Entry]:
        """A new party: items already in custody that name them may bear on this case."""
        out = []
        for item_id in candidates.items_naming_person(self.conn, person_id):
            out += self.link_item(item_id, occurred_at)
        return out

    def _linker(self) -> str:
        if q.user_state(self.conn, LINKER) is None:
            self.add_user(None, LINKER, "Brady linking service", ["linker"])
        return LINKER

    def _open_suggestion(self, suggestion_id: str) -> tuple[str, str]:
        rows = fetch_all(
            self.conn,
            "SELECT item_id, case_id, status FROM link_suggestion WHERE suggestion_id = ?",
            (suggestion_id,),
        )
        if not rows:
            raise RefusedError(f"there is no link suggestion {suggestion_id!r}", "suggestion_id")
        item_id, case_id, status = rows[0]
        if status != "open":
            raise RefusedError(f"suggestion {suggestion_id} was already {status}", "suggestion_id")
        return str(item_id), str(case_id)

    def accept_link(
        self, by: str, suggestion_id: str, reason: str, occurred_at: str | None = None
    ) -> Entry:
        """The item joins the case: it becomes part of that case's discovery."""
        self._role(by, REVIEWERS, "decide link suggestions")
        item_id, case_id = self._open_suggestion(suggestion_id)
        if case_id in self._item(item_id).case_ids:
            raise RefusedError(
                f"{item_id} is already filed under {case_id}; reject the "
                "suggestion with that reason",
                "suggestion_id",
            )
        return self._record(
            by,
            "link.accept",
            {"suggestion_id": suggestion_id, "reason": reason, "occurred_at": occurred_at},
            [f"item:{item_id}", f"case:{case_id}"],
        )

    def reject_link(
        self, by: str, suggestion_id: str, reason: str, occurred_at: str | None = None
    ) -> Entry:
        self._role(by, REVIEWERS, "decide link suggestions")
        item_id, case_id = self._open_suggestion(suggestion_id)
        return self._record(
            by,
            "link.reject",
            {"suggestion_id": suggestion_id, "reason": reason, "occurred_at": occurred_at},
            [f"item:{item_id}", f"case:{case_id}"],
        )

    def correct(self, by: str, target_seq: int, field: str, value: Any, reason: str) -> Entry:
        """Supersede one field of an earlier intake; the original entry stays as it was."""
        self._role(by, PLACES, "correct records")
        if not 0 <= target_seq < self.w.size:
            raise RefusedError(f"there is no entry {target_seq}", "target_seq")
        target = parse_entry(self.custody.led.store.entry(target_seq), target_seq)
        if target.kind != "item.intake":
            raise RefusedError(
                f"entry {target_seq} is a {target.kind}; only intake details can be corrected "
                "(record a new event for anything else)",
                "target_seq",
            )
        if field not in CORRECTABLE:
            raise RefusedError(
                f"{field!r} cannot be corrected; one of {', '.join(sorted(CORRECTABLE))}", "field"
            )
        if field == "quantity":
            target_item = str(target.payload.get("item_id"))
            if q.has_row(self.conn, item, parent_id=target_item):
                raise RefusedError(
                    f"{target_item} has been split; its quantity can no longer be corrected "
                    "(the parts carry their own counts)",
                    "field",
                )
            try:
                value = int(value)
            except (TypeError, ValueError) as exc:
                raise RefusedError(
                    f"quantity must be a whole number, not {value!r}", "value"
                ) from exc
            if value < 1:
                raise RefusedError("quantity must be at least 1", "value")
        entry = self._record(
            by,
            "record.correct",
            {"target_seq": target_seq, "field": field, "value": value, "reason": reason},
            [f"entry:{target_seq}"],
        )
        self.link_item(str(target.payload["item_id"]))
        return entry
