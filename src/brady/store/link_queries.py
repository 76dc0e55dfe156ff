"""Candidate search for linking: indexed lookups in the mention index, never a scan of cases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from . import name_search
from ._raw import fetch_all
from .numbering import next_number


@dataclass(frozen=True)
class Evidence:
    """One shared mention between an item and something that belongs to an open case."""

    case_id: str
    kind: str
    key: str
    text: str
    via: str  # "party", "item" or "case"
    via_id: str  # the person, item or case it came through
    detail: str  # the person's name and role, or ""


@contextmanager
def _indexed(conn: Connection) -> Iterator[None]:
    """Make PostgreSQL use the indexes for these lookups.

    Inside a long transaction (an import adds thousands of mentions) its table
    statistics still say the tables are empty, and it would scan them whole for
    every intake. The lookups below are always selective, so an index is right.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    before = fetch_all(conn, "SHOW enable_seqscan")[0][0]
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"SET LOCAL enable_seqscan = {'on' if before == 'on' else 'off'}")


def evidence_for_item(conn: Connection, item_id: str) -> list[Evidence]:
    """Everything in open cases that shares a mention with the item."""
    with _indexed(conn):
        return _evidence(conn, item_id)


def _evidence(conn: Connection, item_id: str) -> list[Evidence]:
    out: list[Evidence] = []
    # People: the item names a case party (full-name variants or a surname). One indexed
    # lookup per name the item mentions; a name shared by more than COMMON people (a
    # common surname in a big county) links nothing by itself.
    written = fetch_all(
        conn,
        "SELECT kind, key, text FROM mention_index WHERE owner_kind = 'item' AND owner_id = ? "
        "AND kind IN ('person', 'name_word') ORDER BY kind, key",
        (item_id,),
    )
    exact: set[tuple[str, str]] = set()  # names matched as written
    for kind, key, text in written:
        for as_kind in (kind, "alias") if kind == "name_word" else (kind,):
            rows = _parties_named(conn, as_kind, key)
            if rows is None:
                exact.add((kind, key))  # too common: nor is it looked for by spelling
                continue
            # A one-word alias ("Smoke") written as a single word counts as the person.
            shown = "person" if as_kind == "alias" else kind
            out += [
                Evidence(r[0], shown, key, text, "party", r[1], f"{r[2]}, a {r[3]}") for r in rows
            ]
            if rows and as_kind == kind:
                exact.add((kind, key))
    # Spellings close to a party's name ("Seth Kenny" for Seth Kenney), from the text search.
    for kind, key, text in written:
        if kind != "person" or ("person", key) in exact:
            continue
        similar = [pid for pid, _, _ in name_search.similar_people(conn, key)]
        out += [
            Evidence(r[0], "person_like", key, text, "party", r[1], f"{r[2]}, a {r[3]}")
            for r in _parties(conn, similar)
        ]
    # Things: other items of open cases, and the cases' own files, mention the same.
    # One indexed lookup per mention of the item (a handful), grouped per case: a caliber
    # shared with 500 items is one piece of evidence with a count, not 500 rows.
    mine = fetch_all(
        conn,
        "SELECT kind, key, text FROM mention_index WHERE owner_kind = 'item' AND owner_id = ? "
        "AND kind NOT IN ('person', 'name_word') ORDER BY kind, key",
        (item_id,),
    )
    # A registered organization is found under any of its names.
    for kind, key, text in list(mine):
        if kind != "organization":
            continue
        others = fetch_all(
            conn,
            "SELECT DISTINCT o2.key FROM mention_index o1 "
            "JOIN mention_index o2 ON o2.owner_kind = 'organization' "
            "AND o2.owner_id = o1.owner_id AND o2.kind = 'organization' "
            "WHERE o1.owner_kind = 'organization' AND o1.kind = 'organization' AND o1.key = ?",
            (key,),
        )
        mine += [("organization", other, text) for (other,) in others if other != key]
    for kind, key, text in mine:
        rows = _capped(conn, _ITEM_CASES, kind, key, "item", item_id) or []
        out += [Evidence(r[0], kind, key, text, "item", r[1], str(r[2])) for r in rows]
    people_named = [(k, v, t) for k, v, t in written if k == "person"]
    for kind, key, text in [*mine, *people_named]:
        rows = _capped(conn, _OPEN_CASES, kind, key, "case") or []
        out += [Evidence(r[0], kind, key, text, "case", r[0], "") for r in rows]
    return out


def _marks(values: list[str]) -> str:
    return ", ".join("?" for _ in values)


def _parties(conn: Connection, people: list[str]) -> list[tuple[Any, ...]]:
    """(case, person, name, role) for every open case these people are parties to."""
    if not people:
        return []
    return fetch_all(
        conn,
        "SELECT cp.case_id, p.person_id, p.name, cp.role FROM case_party cp "
        "JOIN person p ON p.person_id = cp.person_id "
        "JOIN case_file c ON c.case_id = cp.case_id AND c.status <> 'closed' "
        f"WHERE cp.person_id IN ({_marks(people)}) ORDER BY cp.case_id, p.person_id",
        tuple(people),
    )


COMMON = 1000
"""A mention shared with more items, people or case files than this (a busy road, 9mm,
a common surname) links nothing by itself: it would flood the reviewers, and looking
it up would grow with the ledger. (Below it, scoring counts a widely shared mention for
less: see brady.linking.match.)"""

# Who has one mention, at most COMMON + 1 of them (one indexed range of the mention
# index), then what those owners belong to, in the same statement: the owners' ids
# never travel to Python and back as a long IN list, which the database would have to
# parse and plan afresh for each intake. `total` tells "too common" from "nothing".
_OWNERS = (
    "WITH owner AS (SELECT owner_id FROM mention_index WHERE kind = ? AND key = ? "
    "AND owner_kind = ? AND owner_id <> ? LIMIT ?), "
    "total AS (SELECT count(*) AS n FROM owner) "
)
# The cutoff sits inside the joined query as a condition on nothing but `total`, which
# PostgreSQL checks once before running that query (a one-time filter): for a mention
# too common to count, the owners are counted and nothing is joined. `IN (SELECT owner_id
# ...)` rather than a join with `owner`: both databases then walk the owners and look
# each up by key, where SQLite would otherwise be free to scan item_case whole.
_WHEN_RARE = "(SELECT n FROM total) <= ?"
_PARTIES_OF_OWNERS = (
    _OWNERS + "SELECT total.n, hit.* FROM total LEFT JOIN ("
    "SELECT cp.case_id, p.person_id, p.name, cp.role FROM case_party cp "
    "JOIN person p ON p.person_id = cp.person_id "
    "JOIN case_file c ON c.case_id = cp.case_id AND c.status <> 'closed' "
    f"WHERE cp.person_id IN (SELECT owner_id FROM owner) AND {_WHEN_RARE}"
    ") hit ON 1 = 1 ORDER BY hit.case_id, hit.person_id"
)
_ITEM_CASES = (
    _OWNERS + "SELECT total.n, hit.* FROM total LEFT JOIN ("
    "SELECT ic.case_id, min(ic.item_id) AS first_item, count(*) AS items FROM item_case ic "
    "JOIN case_file c ON c.case_id = ic.case_id AND c.status <> 'closed' "
    f"WHERE ic.item_id IN (SELECT owner_id FROM owner) AND {_WHEN_RARE} GROUP BY ic.case_id"
    ") hit ON 1 = 1 ORDER BY hit.case_id"
)
_OPEN_CASES = (
    _OWNERS + "SELECT total.n, hit.* FROM total LEFT JOIN ("
    "SELECT c.case_id FROM case_file c WHERE c.status <> 'closed' "
    f"AND c.case_id IN (SELECT owner_id FROM owner) AND {_WHEN_RARE}"
    ") hit ON 1 = 1 ORDER BY hit.case_id"
)


def _capped(
    conn: Connection, sql: str, kind: str, key: str, owner_kind: str, not_owner: str = ""
) -> list[tuple[Any, ...]] | None:
    """The rows of `sql` for the owners of one mention, or None if it is too common."""
    rows = fetch_all(conn, sql, (kind, key, owner_kind, not_owner, COMMON + 1, COMMON))
    if rows[0][0] > COMMON:
        return None
    return [tuple(r[1:]) for r in rows if r[1] is not None]


def _parties_named(conn: Connection, kind: str, key: str) -> list[tuple[Any, ...]] | None:
    """(case, person, name, role) for every open case a person with this mention is a
    party to; None if too many people have it."""
    return _capped(conn, _PARTIES_OF_OWNERS, kind, key, "person")


def already_linked(conn: Connection, item_id: str) -> set[str]:
    """Cases the item is filed under, or was already suggested for (open or decided)."""
    filed = fetch_all(conn, "SELECT case_id FROM item_case WHERE item_id = ?", (item_id,))
    suggested = fetch_all(conn, "SELECT case_id FROM link_suggestion WHERE item_id = ?", (item_id,))
    return {c for (c,) in filed} | {c for (c,) in suggested}


def next_suggestion_id(conn: Connection) -> str:
    return next_number(conn, "link_suggestion", "suggestion_id", "LNK")
