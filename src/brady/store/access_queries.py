"""The facts the access rules decide on, read from the projections."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy.engine import Connection

from ..access.policy import Caller, CaseFacts, ItemFacts
from ..access.produced import Produced
from ._raw import fetch_all


def caller(conn: Connection, user_id: str, scope: str) -> Caller | None:
    rows = fetch_all(conn, "SELECT roles, agency_id FROM app_user WHERE user_id = ?", (user_id,))
    if not rows:
        return None
    assigned = fetch_all(
        conn, "SELECT case_id, role FROM case_assignment WHERE user_id = ?", (user_id,)
    )
    return Caller(
        user_id,
        frozenset(json.loads(rows[0][0])),
        rows[0][1],
        {str(c): str(r) for c, r in assigned},
        scope,
    )


def case_facts(conn: Connection, case_id: str) -> CaseFacts:
    rows = fetch_all(conn, "SELECT agency_id FROM case_file WHERE case_id = ?", (case_id,))
    return CaseFacts(case_id, bool(rows), rows[0][0] if rows else None)


def item_facts(conn: Connection, item_id: str) -> ItemFacts:
    rows = fetch_all(
        conn,
        "SELECT u.agency_id FROM item i JOIN item_event e ON e.item_id = i.item_id "
        "AND e.seq = i.intake_seq LEFT JOIN app_user u ON u.user_id = e.actor "
        "WHERE i.item_id = ?",
        (item_id,),
    )
    if not rows:
        return ItemFacts(item_id, False)
    cases = fetch_all(
        conn,
        "SELECT ic.case_id, c.agency_id FROM item_case ic "
        "JOIN case_file c ON c.case_id = ic.case_id WHERE ic.item_id = ?",
        (item_id,),
    )
    # Read on every request about an item: the cases it was produced in and those linking
    # suggested it for, in one round trip.
    related = fetch_all(
        conn,
        "SELECT 'produced', case_id FROM production_unit WHERE unit = ? "
        "UNION SELECT 'suggested', case_id FROM link_suggestion WHERE item_id = ?",
        (f"item:{item_id}", item_id),
    )
    return ItemFacts(
        item_id,
        True,
        rows[0][0],
        {str(c): a for c, a in cases},
        frozenset(str(c) for why, c in related if why == "produced"),
        frozenset(str(c) for why, c in related if why == "suggested"),
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
