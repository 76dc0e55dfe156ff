"""Related cases as the linking service and reviewers read them: which open cases share a
party, the relation of a pair of cases through one person, each side's state, and the
queue of sides waiting for a decision."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.engine import Connection

from ..domain.vocabulary import PROFESSIONAL_ROLES
from .link_queries import QueueScope
from .numbering import next_number
from .raw_sql import fetch_all

_CIVILIAN = f"role NOT IN ({', '.join(repr(str(r)) for r in sorted(PROFESSIONAL_ROLES))})"


@dataclass(frozen=True)
class Shared:
    """A person who is a party (not as an officer or analyst) of two open cases."""

    case_id: str
    role: str
    other_case_id: str
    other_role: str
    person_id: str
    name: str


def shared_parties(conn: Connection, case_id: str | None = None) -> list[Shared]:
    """Every pair of open cases sharing a civilian party (of `case_id` only, if given),
    each pair once (case_id < other_case_id unless `case_id` is given), one row per person;
    roles the smallest of each side's."""
    where = f"a.{_CIVILIAN} AND b.{_CIVILIAN}"
    params: list[Any] = []
    if case_id is None:
        where += " AND a.case_id < b.case_id"
    else:
        where += " AND a.case_id = ? AND b.case_id <> a.case_id"
        params.append(case_id)
    rows = fetch_all(
        conn,
        "SELECT a.case_id, min(a.role), b.case_id, min(b.role), a.person_id, p.name "
        "FROM case_party a JOIN case_party b ON b.person_id = a.person_id "
        "JOIN case_file ca ON ca.case_id = a.case_id AND ca.status <> 'closed' "
        "JOIN case_file cb ON cb.case_id = b.case_id AND cb.status <> 'closed' "
        "JOIN person p ON p.person_id = a.person_id "
        f"WHERE {where} GROUP BY a.case_id, b.case_id, a.person_id, p.name "
        "ORDER BY a.case_id, b.case_id, a.person_id",
        params,
    )
    return [Shared(*(str(v) for v in r)) for r in rows]


def related_people(conn: Connection, case_ids: Collection[str]) -> set[str]:
    """The shared parties the two cases were already related through, in any relation."""
    a, b = sorted(case_ids)
    rows = fetch_all(
        conn,
        "SELECT person_id FROM case_relation WHERE case_id = ? AND other_case_id = ?",
        (a, b),
    )
    return {str(r[0]) for r in rows}


def undecided_relation(conn: Connection, case_ids: Collection[str]) -> str | None:
    """The pair's relation that neither side has decided yet, if any: a party shared later
    joins it rather than making another."""
    a, b = sorted(case_ids)
    rows = fetch_all(
        conn,
        "SELECT relation_id FROM case_relation WHERE case_id IN (?, ?) "
        "AND other_case_id IN (?, ?) GROUP BY relation_id "
        "HAVING max(status) = 'open' AND min(status) = 'open' ORDER BY relation_id",
        (a, b, a, b),
    )
    return str(rows[0][0]) if rows else None


_SIDE = "SELECT relation_id, case_id, other_case_id, person_id, status FROM case_relation "


@dataclass(frozen=True)
class Side:
    """One side of a relation: may the other case's items that name the person bear on
    this case? With its state."""

    relation_id: str
    case_id: str
    other_case_id: str
    person_id: str
    status: str


def sides_for(
    conn: Connection, case_id: str, other_case_ids: Collection[str], person_ids: Collection[str]
) -> list[Side]:
    """The sides deciding whether items of `other_case_ids` naming these people bear on
    `case_id`."""
    others, people = sorted(other_case_ids), sorted(person_ids)
    if not others or not people:
        return []
    rows = fetch_all(
        conn,
        f"{_SIDE}WHERE case_id = ? AND other_case_id IN ({', '.join('?' for _ in others)}) "
        f"AND person_id IN ({', '.join('?' for _ in people)}) ORDER BY relation_id",
        [case_id, *others, *people],
    )
    return [Side(*(str(v) for v in r)) for r in rows]


def side(conn: Connection, relation_id: str, case_id: str) -> Side | None:
    """One side of a relation (its first shared party; every party's row has its state)."""
    rows = fetch_all(
        conn,
        f"{_SIDE}WHERE relation_id = ? AND case_id = ? ORDER BY person_id",
        (relation_id, case_id),
    )
    return Side(*(str(v) for v in rows[0])) if rows else None


def relation_people(conn: Connection, relation_id: str) -> list[str]:
    """The shared parties a relation is about."""
    return _distinct(conn, "person_id", relation_id)


def relation_cases(conn: Connection, relation_id: str) -> list[str]:
    """The two cases of a relation (none: there is no such relation)."""
    return _distinct(conn, "case_id", relation_id)


def _distinct(conn: Connection, column: Literal["person_id", "case_id"], rel: str) -> list[str]:
    rows = fetch_all(
        conn,
        f"SELECT DISTINCT {column} FROM case_relation WHERE relation_id = ? ORDER BY {column}",
        (rel,),
    )
    return [str(r[0]) for r in rows]


def open_under(conn: Connection, relation_id: str, case_id: str) -> list[tuple[str, str]]:
    """(suggestion, item) of the open link suggestions that follow this side."""
    return fetch_all(
        conn,
        "SELECT suggestion_id, item_id FROM link_suggestion WHERE relation_id = ? "
        "AND case_id = ? AND status = 'open' ORDER BY suggestion_id",
        (relation_id, case_id),
    )


def next_relation_id(conn: Connection) -> str:
    return next_number(conn, "case_relation", "relation_id", "REL")


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def relation_queue(
    conn: Connection,
    scope: QueueScope | None,
    status: str | None,
    *,
    limit: int,
    offset: int,
    case_ids: Sequence[str] = (),
) -> tuple[list[dict[str, Any]], int]:
    """A page of relation sides (for the cases in scope; None: all), with the person, both
    roles and the items that follow each side, and how many sides there are in all."""
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if scope is not None:
        limited = scope.clause("r.case_id")
        if limited is None:
            return [], 0
        where.append(limited[0])
        params += limited[1]
    if case_ids:
        where.append(f"r.case_id IN ({', '.join('?' for _ in case_ids)})")
        params += list(case_ids)
    if status is not None:
        where.append("r.status = ?")
        params.append(status)
    sql = f"FROM case_relation r WHERE {' AND '.join(where)}"
    side_sql = f"SELECT DISTINCT r.relation_id, r.case_id {sql}"
    total = int(fetch_all(conn, f"SELECT count(*) FROM ({side_sql}) sides", params)[0][0])
    sides = fetch_all(
        conn,
        f"{side_sql} ORDER BY r.relation_id, r.case_id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return _side_views(conn, [(str(r), str(c)) for r, c in sides]), total


def _side_views(conn: Connection, sides: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The sides as the queue shows them: the other case, the shared parties by name, why,
    the state, and the other case's items that follow each (two queries for the page)."""
    if not sides:
        return []
    ids = sorted({r for r, _ in sides})
    marks = ", ".join("?" for _ in ids)
    rows: dict[tuple[str, str], list[Any]] = {}
    for r in fetch_all(
        conn,
        "SELECT r.relation_id, r.case_id, r.other_case_id, r.person_id, p.name, r.reasons, "
        "r.status, r.decided_by, r.decision_reason FROM case_relation r "
        f"JOIN person p ON p.person_id = r.person_id WHERE r.relation_id IN ({marks}) "
        "ORDER BY r.person_id",
        ids,
    ):
        rows.setdefault((str(r[0]), str(r[1])), []).append(r[2:])
    items: dict[tuple[str, str], list[dict[str, str]]] = {}
    for relation_id, case_id, item_id, status in fetch_all(
        conn,
        "SELECT relation_id, case_id, item_id, status FROM link_suggestion "
        f"WHERE relation_id IN ({marks}) ORDER BY suggestion_id",
        ids,
    ):
        key = (str(relation_id), str(case_id))
        items.setdefault(key, []).append({"item_id": item_id, "status": status})
    out = []
    for key in sides:
        mine = rows[key]
        first = mine[0]
        out.append(
            {
                "relation_id": key[0],
                "case_id": key[1],
                "other_case_id": first[0],
                "person_ids": [r[1] for r in mine],
                "person": _joined([str(r[2]) for r in mine]),
                "reasons": list(dict.fromkeys(w for r in mine for w in json.loads(r[3]))),
                "status": first[4],
                "decided_by": first[5],
                "decision_reason": first[6],
                "items": items.get(key, []),
            }
        )
    return out
