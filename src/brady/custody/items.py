"""Items: intake and every custody step after it (transfer, check-out and in, moves,
splits, filing under cases, disposition, files)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from ..blobs.store import Staged
from ..domain import events as ev
from ..domain import rules
from ..domain.errors import NotFoundError, RefusedError
from ..ledger.entry import Entry, format_time
from ..ledger_home import OpenLedger, open_blobs
from ..store import custody_queries as q
from ..store import file_queries, intake_checks
from ..store.custody_tables import (
    item,
    location,
)
from ..store.engine import reading
from .commands_base import (
    FILES,
    SessionBase,
    held_to,
)


class ItemCommands(SessionBase):
    @staticmethod
    def stored_tag(conn: Connection, tag: str) -> str | None:
        """The item on the record that a scanned or typed tag names, whatever its case
        (`ww-0001` is the tag WW-0001): the tag as recorded, or None. Tags are kept as they
        were first recorded; one written the same way, all in upper or all in lower case is
        found. (A mixed-case variant such as `Ww-0001` needs a case-blind index in the store.)"""
        for candidate in dict.fromkeys((tag, tag.upper(), tag.lower())):
            if q.exists(conn, item, candidate):
                return candidate
        return None

    @held_to(("record", None), ("case", "case_ids"))
    def intake(self, by: str, **fields: Any) -> Entry:
        actor = self._user(by)
        fields.setdefault("custodian", by)
        item_id = fields.get("item_id")
        if item_id is not None and (taken := self.stored_tag(self.conn, str(item_id))):
            same = "" if taken == item_id else f" as {taken} (a tag is the same in any case)"
            raise RefusedError(f"item {item_id!r} already exists{same}", "item_id")
        rules.check_intake(actor, self._known_user(str(fields["custodian"])))
        place, case_ids = fields.get("location_id"), list(fields.get("case_ids") or [])
        placed, opened, numbered = intake_checks.place_and_cases(  # one round trip
            self.conn, place, case_ids, numbered=item_id is None
        )
        item_id = fields["item_id"] = item_id or numbered  # a number is free by construction
        if not placed:
            raise NotFoundError(f"there is no location {place!r}", "location_id")
        for case_id in case_ids:
            self._case_as(case_id, opened.get(case_id))
        subjects = [f"item:{item_id}", *(f"case:{c}" for c in case_ids)]
        entry = self._record(by, "item.intake", fields, subjects)
        seen, self.foreseen = self.foreseen, None
        linked = self.whole.link_item(str(item_id), entry.payload.get("occurred_at"), seen)
        self.suggested[str(item_id)] = linked
        return entry

    @held_to(("item", "item_id"))
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

    @held_to(("item", "item_id"))
    def receive(self, by: str, item_id: str, occurred_at: str | None = None) -> Entry:
        return self._step(by, "item.receive", rules.check_receive, item_id, occurred_at=occurred_at)

    @held_to(("item", "item_id"))
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

    @held_to(("item", "item_id"))
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

    @held_to(("item", "item_id"))
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

    @held_to(("item", "item_id"))
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

    @held_to(("item", "item_id"))
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

    @held_to(("item", "item_id"))
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

    @held_to(("item", "item_id"), ("case", "case_id"))
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

    @held_to(("item", "item_id"))
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

    @held_to(("item", "item_id"))
    def approve_disposition(self, by: str, item_id: str, occurred_at: str | None = None) -> Entry:
        return self._step(
            by,
            "item.disposition_approve",
            rules.check_disposition_approve,
            item_id,
            occurred_at=occurred_at,
        )

    @held_to(("item", "item_id"))
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
        entry = self._record(
            by,
            "item.disposition",
            {"item_id": item_id, "method": method, "to": to, "occurred_at": occurred_at},
            [f"item:{item_id}"],
        )
        led = self.custody.led
        self.after_commit.append(lambda: release_holds(led, item_id))
        return entry

    @held_to(("item", "item_id"))
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
        if q.has_file(self.conn, item_id, sha256):
            raise RefusedError(f"that file is already attached to {item_id}", "sha256")
        staged_here = staged is not None and staged.sha256 == sha256
        if not staged_here and not open_blobs(self.custody.led.config).has(sha256):
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


def release_holds(led: OpenLedger, item_id: str) -> None:
    """After a disposition is on the ledger: lift the evidence store's legal hold on each of
    the item's files that no item still in custody holds (the retention period stays)."""
    with reading(led.engine) as conn:
        loose = file_queries.files_only_disposed_items_hold(conn, item_id)
    if loose:
        store = open_blobs(led.config)
        for sha256 in loose:
            store.release_hold(sha256)
