"""Link suggestions as people review them: the queues, one suggestion's state and case,
and the extra patterns linking looks for. Linking itself keeps its own queries
(brady.linking); these are the reads of the faces and the services."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from .raw_sql import fetch_all

_LINK_COLUMNS = ("suggestion_id", "item_id", "case_id", "score", "status", "reasons")


@dataclass(frozen=True)
class QueueScope:
    """Whose suggestions a reviewer sees: those for the cases they prosecute, and those
    for their agency's cases when `agency_id` is given."""

    cases: tuple[str, ...] = ()
    agency_id: str | None = None

    def clause(self, column: str) -> tuple[str, list[Any]] | None:
        """The SQL condition on `column` (a case id) and its parameters; None when the
        scope holds no case at all."""
        clauses, params = [], []
        if self.cases:
            clauses.append(f"{column} IN ({', '.join('?' for _ in self.cases)})")
            params += list(self.cases)
        if self.agency_id is not None:
            clauses.append(f"{column} IN (SELECT case_id FROM case_file WHERE agency_id = ?)")
            params.append(self.agency_id)
        return ("(" + " OR ".join(clauses) + ")", params) if clauses else None


def review_queue(
    conn: Connection,
    scope: QueueScope | None,
    case_id: str | None,
    status: str | None,
    *,
    limit: int,
    offset: int,
    descending: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """A page of suggestions (reasons decoded) by id, and how many there are in all;
    `scope` None: every suggestion (an auditor's view)."""
    # Those waiting under related cases are listed and decided with them (relation_queue).
    where: list[str] = ["(s.relation_id IS NULL OR s.status <> 'open')"]
    params: list[Any] = []
    if scope is not None:
        limited = scope.clause("s.case_id")
        if limited is None:
            return [], 0
        where.append(limited[0])
        params += limited[1]
    if case_id is not None:
        where.append("s.case_id = ?")
        params.append(case_id)
    if status is not None:
        where.append("s.status = ?")
        params.append(status)
    sql = f"FROM link_suggestion s WHERE {' AND '.join(where)}"
    total = int(fetch_all(conn, f"SELECT count(*) {sql}", params)[0][0])
    rows = fetch_all(
        conn,
        f"SELECT {', '.join('s.' + x for x in _LINK_COLUMNS)} {sql} "
        f"ORDER BY s.suggestion_id {'DESC' if descending else 'ASC'} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    items = [dict(zip(_LINK_COLUMNS, r, strict=True)) for r in rows]
    for it in items:
        it["reasons"] = json.loads(it["reasons"])
    return items, total


def suggestion_case(conn: Connection, suggestion_id: str) -> str | None:
    """The case a suggestion is for (None: there is no such suggestion)."""
    rows = fetch_all(
        conn, "SELECT case_id FROM link_suggestion WHERE suggestion_id = ?", (suggestion_id,)
    )
    return str(rows[0][0]) if rows else None


def suggestion_state(conn: Connection, suggestion_id: str) -> tuple[str, str, str] | None:
    """(item, case, status: open, accepted or rejected) of a suggestion, or None."""
    rows = fetch_all(
        conn,
        "SELECT item_id, case_id, status FROM link_suggestion WHERE suggestion_id = ?",
        (suggestion_id,),
    )
    return rows[0] if rows else None


def item_suggestion_rows(conn: Connection, item_id: str) -> list[tuple[str, str, str, str, str]]:
    """(suggestion, case, score, status, reasons as JSON) for the item, by suggestion id."""
    return fetch_all(
        conn,
        "SELECT suggestion_id, case_id, score, status, reasons FROM link_suggestion "
        "WHERE item_id = ? ORDER BY suggestion_id",
        (item_id,),
    )


def open_in_cases(conn: Connection, case_ids: list[str]) -> list[tuple[str, str, str, str]]:
    """(suggestion, item, case, score) of the open suggestions for these cases, but those
    waiting under related cases (decided with them)."""
    if not case_ids:
        return []
    return fetch_all(
        conn,
        "SELECT suggestion_id, item_id, case_id, score FROM link_suggestion "
        f"WHERE status = 'open' AND relation_id IS NULL "
        f"AND case_id IN ({', '.join('?' for _ in case_ids)}) "
        "ORDER BY case_id, suggestion_id",
        case_ids,
    )


def case_queue(conn: Connection, case_id: str) -> list[tuple[str, str, str, str, str, str]]:
    """(suggestion, item, score, status, reasons as JSON, item description) of every
    suggestion for the case, the open ones first; but those waiting under related cases,
    which are decided with them (relation_queries.relation_queue lists them there)."""
    return fetch_all(
        conn,
        "SELECT s.suggestion_id, s.item_id, s.score, s.status, s.reasons, i.description "
        "FROM link_suggestion s JOIN item i ON i.item_id = s.item_id "
        "WHERE s.case_id = ? AND (s.relation_id IS NULL OR s.status <> 'open') "
        "ORDER BY s.status DESC, s.suggestion_id",
        (case_id,),
    )


def waiting(conn: Connection, case_id: str | None, decided_too: bool) -> list[dict[str, Any]]:
    """Suggestions not yet decided (with `decided_too`, all), of one case or every case,
    in the order they were suggested; score as a number, reasons decoded."""
    # The conditions are chosen here, not with `? IS NULL` in SQL: PostgreSQL cannot type
    # a parameter that is only compared with NULL.
    where = ["1 = 1"] if decided_too else ["status = 'open'"]
    params: list[Any] = []
    if case_id is not None:
        where.append("case_id = ?")
        params.append(case_id)
    rows = fetch_all(
        conn,
        "SELECT suggestion_id, item_id, case_id, score, status, reasons, relation_id "
        f"FROM link_suggestion WHERE {' AND '.join(where)} ORDER BY suggested_seq",
        params,
    )
    return [
        {
            "suggestion_id": r[0],
            "item_id": r[1],
            "case_id": r[2],
            "score": float(r[3]),
            "status": r[4],
            "reasons": json.loads(r[5]),
            "relation_id": r[6],
        }
        for r in rows
    ]


def open_for_case(conn: Connection, case_id: str) -> list[tuple[str, str]]:
    """(suggestion, item) of the case's suggestions not yet reviewed, by id."""
    return fetch_all(
        conn,
        "SELECT suggestion_id, item_id FROM link_suggestion WHERE case_id = ? AND status = 'open' "
        "ORDER BY suggestion_id",
        (case_id,),
    )


def case_suggestion_history(
    conn: Connection, case_id: str
) -> list[tuple[str, str, str, int, str | None]]:
    """(suggestion, item, status, entry that suggested it, when decided) of every
    suggestion for the case, in the order they were suggested."""
    return fetch_all(
        conn,
        "SELECT suggestion_id, item_id, status, suggested_seq, decided_at FROM link_suggestion "
        "WHERE case_id = ? ORDER BY suggested_seq",
        (case_id,),
    )


def linking_patterns(conn: Connection) -> list[tuple[str, str, str]]:
    """(kind, key, pattern) of every extra pattern linking looks for, in order."""
    return fetch_all(
        conn, "SELECT kind, key, pattern FROM linking_pattern ORDER BY kind, key, pattern"
    )


EVIDENCE_STEPS = ("item.intake", "item.split", "file.attach", "lab.result")
"""The steps of an item that give linking something to read."""


def item_evidence_time(conn: Connection, item_id: str) -> str | None:
    """When the last of the item's steps that linking reads happened (event time)."""
    marks = ", ".join("?" for _ in EVIDENCE_STEPS)
    rows = fetch_all(
        conn,
        f"SELECT max(occurred_at) FROM item_event WHERE item_id = ? AND kind IN ({marks})",
        (item_id, *EVIDENCE_STEPS),
    )
    return rows[0][0] if rows else None


def case_fact_times(conn: Connection, case_id: str, person_ids: Sequence[str]) -> list[str]:
    """When the case was opened, and when each of these people became a party to it."""
    opened = fetch_all(conn, "SELECT opened_at FROM case_file WHERE case_id = ?", (case_id,))
    times = [str(t) for (t,) in opened]
    if person_ids:
        marks = ", ".join("?" for _ in person_ids)
        times += [
            str(t)
            for (t,) in fetch_all(
                conn,
                f"SELECT added_at FROM case_party WHERE case_id = ? AND person_id IN ({marks})",
                (case_id, *person_ids),
            )
        ]
    return times
