"""Cases: opening, numbers, parties, charges, arraignment, closing."""

from __future__ import annotations

import re

from ..domain import events as ev
from ..domain.errors import RefusedError
from ..ledger.entry import Entry
from ..store import custody_queries as q
from ..store.custody_tables import (
    case_file,
    case_party,
    defendant,
    person,
)
from .commands_base import (
    CASEWORK,
    CHARGING,
    CLOSING,
    SessionBase,
    held_to,
)


class CaseCommands(SessionBase):
    @held_to(("record", None))
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

    @held_to(("case", "case_id"))
    def add_case_number(
        self, by: str, case_id: str, kind: str, number: str, occurred_at: str | None = None
    ) -> Entry:
        """Another number for a case (a re-indictment, a court's own number)."""
        self._role(by, CASEWORK, "number cases")
        self._case(case_id)
        agency_id = q.case_agency(self.conn, case_id)
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

    @held_to(("case", "case_id"))
    def add_party(
        self,
        by: str,
        case_id: str,
        person_id: str,
        role: str,
        occurred_at: str | None = None,
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
        self.whole.link_party(case_id, person_id, occurred_at)
        return entry

    @held_to(("case", "case_id"))
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

    @held_to(("case", "case_id"))
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

    @held_to(("case", "case_id"))
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
