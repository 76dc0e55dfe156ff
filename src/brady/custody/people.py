"""People, places and agencies: who may act, who is involved, where things are kept."""

from __future__ import annotations

from typing import Any

from ..domain import events as ev
from ..domain.errors import RefusedError
from ..domain.vocabulary import UserRole
from ..ledger.ed25519 import Signer
from ..ledger.entry import Entry
from ..ledger.keyring import register_event
from ..ledger_home import ADMIN_HOLDER
from ..store import custody_queries as q
from ..store.custody_tables import (
    agency,
    location,
    organization,
    person,
)
from ..store.keys import ACTOR, load_role, save_key
from .commands_base import (
    PLACES,
    STAFF,
    SessionBase,
    held_to,
    user_holder,
)


class PeopleCommands(SessionBase):
    @held_to(("admin", None))
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

    @held_to(("record", None))
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

    @held_to(("record", None))
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

    @held_to(("record", None))
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

    @held_to(("admin", None))
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
