"""Candidate search for linking: indexed lookups in the mention index, never a scan of cases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from . import name_search
from ._raw import fetch_all


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
    # People: the item names a case party (full-name variants or a surname).
    rows = fetch_all(
        conn,
        "SELECT cp.case_id, m1.kind, m1.key, m1.text, p.person_id, p.name, cp.role "
        "FROM mention_index m1 "
        "JOIN mention_index m2 ON m2.kind = m1.kind AND m2.key = m1.key "
        "AND m2.owner_kind = 'person' "
        "JOIN person p ON p.person_id = m2.owner_id "
        "JOIN case_party cp ON cp.person_id = p.person_id "
        "JOIN case_file c ON c.case_id = cp.case_id AND c.status <> 'closed' "
        "WHERE m1.owner_kind = 'item' AND m1.owner_id = ? AND m1.kind IN ('person', 'name_word')",
        (item_id,),
    )
    out += [Evidence(r[0], r[1], r[2], r[3], "party", r[4], f"{r[5]}, a {r[6]}") for r in rows]
    exact = {(r[1], r[2]) for r in rows}  # names matched as written
    # One-word aliases ("Smoke") written as a single capitalized word.
    rows = fetch_all(
        conn,
        "SELECT cp.case_id, m1.key, m1.text, p.person_id, p.name, cp.role "
        "FROM mention_index m1 "
        "JOIN mention_index m2 ON m2.kind = 'alias' AND m2.key = m1.key "
        "AND m2.owner_kind = 'person' "
        "JOIN person p ON p.person_id = m2.owner_id "
        "JOIN case_party cp ON cp.person_id = p.person_id "
        "JOIN case_file c ON c.case_id = cp.case_id AND c.status <> 'closed' "
        "WHERE m1.owner_kind = 'item' AND m1.owner_id = ? AND m1.kind = 'name_word'",
        (item_id,),
    )
    out += [Evidence(r[0], "person", r[1], r[2], "party", r[3], f"{r[4]}, a {r[5]}") for r in rows]
    # Spellings close to a party's name ("Seth Kenny" for Seth Kenney), from the text search.
    names = fetch_all(
        conn,
        "SELECT key, text FROM mention_index WHERE owner_kind = 'item' AND owner_id = ? "
        "AND kind = 'person' ORDER BY key",
        (item_id,),
    )
    for key, text in names:
        if ("person", key) in exact:
            continue
        for person_id, their_key, _ in name_search.similar_people(conn, key):
            parties = fetch_all(
                conn,
                "SELECT cp.case_id, p.name, cp.role FROM case_party cp "
                "JOIN person p ON p.person_id = cp.person_id "
                "JOIN case_file c ON c.case_id = cp.case_id AND c.status <> 'closed' "
                "WHERE cp.person_id = ?",
                (person_id,),
            )
            out += [
                Evidence(case_id, "person_like", key, text, "party", person_id, f"{name}, a {role}")
                for case_id, name, role in parties
            ]
            del their_key
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
        if _too_common(conn, kind, key, item_id):
            continue
        rows = fetch_all(
            conn,
            "SELECT ic.case_id, min(m.owner_id), count(*) FROM mention_index m "
            "JOIN item_case ic ON ic.item_id = m.owner_id "
            "JOIN case_file c ON c.case_id = ic.case_id AND c.status <> 'closed' "
            "WHERE m.kind = ? AND m.key = ? AND m.owner_kind = 'item' AND m.owner_id <> ? "
            "GROUP BY ic.case_id",
            (kind, key, item_id),
        )
        out += [Evidence(r[0], kind, key, text, "item", r[1], str(r[2])) for r in rows]
    for kind, key, text in [*mine, *_people_mentions(conn, item_id)]:
        rows = fetch_all(
            conn,
            "SELECT m.owner_id FROM mention_index m "
            "JOIN case_file c ON c.case_id = m.owner_id AND c.status <> 'closed' "
            "WHERE m.kind = ? AND m.key = ? AND m.owner_kind = 'case'",
            (kind, key),
        )
        out += [Evidence(r[0], kind, key, text, "case", r[0], "") for r in rows]
    return out


COMMON = 1000
"""A mention shared with more items than this (a busy road, 9mm) links nothing by
itself: it would flood the reviewers, and looking it up would grow with the ledger."""


def _too_common(conn: Connection, kind: str, key: str, item_id: str) -> bool:
    rows = fetch_all(
        conn,
        "SELECT count(*) FROM (SELECT 1 FROM mention_index WHERE kind = ? AND key = ? "
        "AND owner_kind = 'item' AND owner_id <> ? LIMIT ?) AS shared",
        (kind, key, item_id, COMMON + 1),
    )
    return int(rows[0][0]) > COMMON


def _people_mentions(conn: Connection, item_id: str) -> list[tuple[str, str, str]]:
    rows = fetch_all(
        conn,
        "SELECT kind, key, text FROM mention_index WHERE owner_kind = 'item' AND owner_id = ? "
        "AND kind = 'person' ORDER BY key",
        (item_id,),
    )
    return [(str(k), str(v), str(t)) for k, v, t in rows]


def already_linked(conn: Connection, item_id: str) -> set[str]:
    """Cases the item is filed under, or was already suggested for (open or decided)."""
    filed = fetch_all(conn, "SELECT case_id FROM item_case WHERE item_id = ?", (item_id,))
    suggested = fetch_all(conn, "SELECT case_id FROM link_suggestion WHERE item_id = ?", (item_id,))
    return {c for (c,) in filed} | {c for (c,) in suggested}


def next_suggestion_id(conn: Connection) -> str:
    n = fetch_all(conn, "SELECT count(*) FROM link_suggestion")[0][0] + 1
    return f"LNK-{n:06d}"
