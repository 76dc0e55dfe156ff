"""The facts the access rules decide on, read from the projections."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy.engine import Connection

from ..access.policy import Caller, CaseFacts, ItemFacts
from ..access.produced import Produced
from ..ledger.entry import parse_entry
from . import custody_queries, disclosure_queries, link_queries
from .raw_sql import fetch_all, fetch_pipelined


def caller(conn: Connection, user_id: str, scope: str) -> Caller | None:
    # One statement for the user and their case assignments: asked on every request.
    rows = fetch_all(
        conn,
        "SELECT u.roles, u.agency_id, a.case_id, a.role FROM app_user u "
        "LEFT JOIN case_assignment a ON a.user_id = u.user_id WHERE u.user_id = ?",
        (user_id,),
    )
    if not rows:
        return None
    return Caller(
        user_id,
        frozenset(json.loads(rows[0][0])),
        rows[0][1],
        {str(c): str(r) for _, _, c, r in rows if c is not None},
        scope,
    )


def case_facts(conn: Connection, case_id: str) -> CaseFacts:
    rows = fetch_all(conn, "SELECT agency_id FROM case_file WHERE case_id = ?", (case_id,))
    return CaseFacts(case_id, bool(rows), rows[0][0] if rows else None)


def item_facts(conn: Connection, item_id: str) -> ItemFacts:
    # Read on every request about an item, and again by each command on it: the three
    # questions go together (one round trip on PostgreSQL).
    rows, cases, related = fetch_pipelined(
        conn,
        [
            (
                "SELECT u.agency_id FROM item i JOIN item_event e ON e.item_id = i.item_id "
                "AND e.seq = i.intake_seq LEFT JOIN app_user u ON u.user_id = e.actor "
                "WHERE i.item_id = ?",
                (item_id,),
            ),
            (
                "SELECT ic.case_id, c.agency_id FROM item_case ic "
                "JOIN case_file c ON c.case_id = ic.case_id WHERE ic.item_id = ?",
                (item_id,),
            ),
            # The cases it was produced in and those linking suggested it for.
            (
                "SELECT 'produced', case_id FROM production_unit WHERE unit = ? "
                "UNION SELECT 'suggested', case_id FROM link_suggestion WHERE item_id = ?",
                (f"item:{item_id}", item_id),
            ),
        ],
    )
    if not rows:
        return ItemFacts(item_id, False)
    return ItemFacts(
        item_id,
        True,
        rows[0][0],
        {str(c): a for c, a in cases},
        frozenset(str(c) for why, c in related if why == "produced"),
        frozenset(str(c) for why, c in related if why == "suggested"),
    )


def user_roles_and_key(conn: Connection, user_id: str) -> tuple[set[str], str] | None:
    """(the user's roles, the id of their signing key), or None for no such user."""
    rows = fetch_all(conn, "SELECT roles, key_id FROM app_user WHERE user_id = ?", (user_id,))
    return (set(json.loads(rows[0][0])), str(rows[0][1])) if rows else None


def user_key_id(conn: Connection, user_id: str) -> str:
    """The id of the user's signing key (the user must exist)."""
    rows = fetch_all(conn, "SELECT key_id FROM app_user WHERE user_id = ?", (user_id,))
    return str(rows[0][0])


def is_assigned(conn: Connection, case_id: str, user_id: str) -> bool:
    rows = fetch_all(
        conn,
        "SELECT 1 FROM case_assignment WHERE case_id = ? AND user_id = ?",
        (case_id, user_id),
    )
    return bool(rows)


def case_assignments(conn: Connection, case_id: str) -> list[tuple[str, str]]:
    """(user, role) of everyone assigned to the case, by role then user."""
    return fetch_all(
        conn,
        "SELECT user_id, role FROM case_assignment WHERE case_id = ? ORDER BY role, user_id",
        (case_id,),
    )


def file_disclosed_in(conn: Connection, sha256: str) -> frozenset[str]:
    rows = fetch_all(
        conn, "SELECT DISTINCT case_id FROM production_unit WHERE unit = ?", (f"file:{sha256}",)
    )
    return frozenset(str(c) for (c,) in rows)


def disclosed_units(conn: Connection, case_id: str) -> set[str]:
    rows = fetch_all(conn, "SELECT unit FROM production_unit WHERE case_id = ?", (case_id,))
    return {str(u) for (u,) in rows}


def visible_case_ids(conn: Connection, c: Caller) -> list[str] | None:
    """The cases a caller may list (None: every case)."""
    if c.has("auditor"):
        return None
    ids = set(c.assigned)
    if c.staff:
        if c.agency_id is None:
            rows = fetch_all(conn, "SELECT case_id FROM case_file WHERE agency_id IS NULL")
        else:
            sql = "SELECT case_id FROM case_file WHERE agency_id = ?"
            rows = fetch_all(conn, sql, (c.agency_id,))
        ids |= {str(r[0]) for r in rows}
    return sorted(ids)


def produced(conn: Connection, case_ids: Iterable[str]) -> Produced:
    """What was produced in these cases: each unit, with the entry of its last production."""
    cases = frozenset(case_ids)
    if not cases:
        return Produced(cases, {})
    marks = ", ".join("?" for _ in cases)
    rows = fetch_all(
        conn,
        "SELECT u.unit, max(p.seq) FROM production_unit u "
        "JOIN production p ON p.production_id = u.production_id "
        f"WHERE u.case_id IN ({marks}) GROUP BY u.unit",
        sorted(cases),
    )
    return Produced(cases, {str(u): int(s) for u, s in rows})


def counsel_cases(c: Caller) -> list[str]:
    """The cases a caller works as defense counsel."""
    return [k for k, r in c.assigned.items() if r == "defense_counsel" and c.has(r)]


def produced_to(conn: Connection, c: Caller) -> Produced:
    """What was produced to a caller in the cases they work as defense counsel."""
    return produced(conn, counsel_cases(c))


class RecordFacts:
    """The facts `access.decide` needs, read in the transaction that will write the event,
    so the decision and the write see the same record. An item's or a case's facts are read
    once: the session asks before the command and again for each event it records, and
    takes a new RecordFacts once anything was appended (what it wrote may change them)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._items: dict[str, ItemFacts] = {}
        self._cases: dict[str, CaseFacts] = {}

    def item(self, item_id: str) -> ItemFacts:
        if item_id not in self._items:
            self._items[item_id] = item_facts(self.conn, item_id)
        return self._items[item_id]

    def case(self, case_id: str) -> CaseFacts:
        if case_id not in self._cases:
            self._cases[case_id] = case_facts(self.conn, case_id)
        return self._cases[case_id]

    def lab_items(self, request_id: str) -> list[str]:
        return custody_queries.lab_request_items(self.conn, request_id)

    def inventory_agency(self, inventory_id: str) -> tuple[bool, str | None]:
        return custody_queries.inventory_agency(self.conn, inventory_id)

    def suggestion_case(self, suggestion_id: str) -> str | None:
        return link_queries.suggestion_case(self.conn, suggestion_id)

    def production_case(self, production_id: str) -> str | None:
        return disclosure_queries.production_case(self.conn, production_id)

    def entry_subjects(self, seq: int) -> list[str]:
        rows = fetch_all(self.conn, "SELECT entry FROM ledger_entry WHERE seq = ?", (seq,))
        if not rows:
            return []
        subjects = parse_entry(bytes(rows[0][0])).subjects
        return [str(s) for s in subjects]
