"""Candidate search for linking: indexed lookups in the mention index, never a scan of cases."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy.engine import Connection

from ..store.numbering import next_number
from ..store.raw_sql import fetch_all, fetch_pipelined
from . import name_search
from .names import (
    Agreement,
    agreement,
    middle_agreement,
    ocr_shape,
    one_slip_keys,
    sound_key,
)


@dataclass(frozen=True)
class Evidence:
    """One shared mention between an item and something that belongs to an open case."""

    case_id: str
    kind: str
    key: str
    text: str
    via: str  # "party", "item" or "case"
    via_id: str  # the person, item or case it came through
    detail: str  # the person's name and role, or the number of items
    role: str = ""  # the party's role in the case
    dob: str | None = None  # the party's date of birth, if the record has it
    level: int = 0  # how closely a name agrees (names.Agreement)
    name: str = ""  # the party's name as the record holds it
    middle: int = 0  # whether the middle names agree (names.middle_agreement)


KEEP_TO_INDEXES = (
    "SELECT set_config('brady.seqscan', current_setting('enable_seqscan'), true), "
    "set_config('enable_seqscan', 'off', true)"
)
PUT_BACK_SCANS = "SELECT set_config('enable_seqscan', current_setting('brady.seqscan'), true)"
"""PostgreSQL's planner kept to the indexes for linking's lookups, and put back as it was:
the setting it had is kept in the transaction's own `brady.seqscan`, so putting it back
needs no answer from the first and both can go in pipelines of other reads."""
_MENTIONS = (
    "SELECT kind, key, text FROM mention_index WHERE owner_kind = 'item' AND owner_id = ? "
    "ORDER BY kind, key"
)
_SUGGESTED = (
    "SELECT case_id, status, evidence FROM link_suggestion WHERE item_id = ? ORDER BY suggested_seq"
)


@dataclass(frozen=True)
class ItemReading:
    """What scoring reads of the item first, asked together (one round trip on
    PostgreSQL): its mentions, the suggestions made for it before, and whether PostgreSQL
    was kept to its indexes for the lookups (KEEP_TO_INDEXES).

    The lookups must use the indexes: inside a long transaction (an import adds
    thousands of mentions) PostgreSQL's statistics still say the tables are empty, and
    it would scan them whole for every intake; the lookups are always selective. The
    setting is local to the transaction, and `model_and_record` puts it back."""

    mentions: list[tuple[str, str, str]]
    before: dict[str, tuple[str, set[str]]]
    indexed: bool


def read_item(conn: Connection, item_id: str) -> ItemReading:
    postgres = conn.dialect.name == "postgresql"
    queries: list[tuple[str, tuple[Any, ...]]] = [(_SUGGESTED, (item_id,)), (_MENTIONS, (item_id,))]
    if postgres:
        queries.insert(0, (KEEP_TO_INDEXES, ()))
    *_, suggested, mentions = fetch_pipelined(conn, queries)
    # In Python's order, not the database's collation: the same on every database, and
    # the same as an intake's reading made before it is stored (`new_item_reading`).
    mine = sorted((str(k), str(v), str(t)) for k, v, t in mentions)
    return ItemReading(mine, _before(suggested), postgres)


def new_item_reading(mentions: list[tuple[str, str, str]]) -> ItemReading:
    """The reading of an item about to be taken in, from its mentions as they will be
    stored (`index.stored_rows`): no suggestions yet. Read outside any write transaction,
    where PostgreSQL's statistics describe what is committed: its planner is left alone."""
    return ItemReading(sorted(mentions), {}, False)


PERSON_KINDS = ("person", "name_word", "officer", "born")
"""The item's mentions of people: looked up by name, never as things."""
NOT_LOOKED_UP = ("town@", "name_ocr~", "name_sound~")
"""Kept for learning (the towns addresses name) and for finding the items that name a
new party (`items_naming_person`), not for finding cases."""


Thing = tuple[str, str, str]  # a mention searched for as a thing: (kind, key, text)


@dataclass(frozen=True)
class EvidenceParts:
    """`evidence_for_item` in the parts an intake recorded since could change or not: the
    parties named, what other items share each thing (`per_thing`, in `things_of` order;
    the part a new item changes) and what open cases' own records mention."""

    named: tuple[Evidence, ...]
    per_thing: tuple[tuple[Evidence, ...], ...]
    cased: tuple[Evidence, ...]

    def flat(self) -> list[Evidence]:
        return [*self.named, *(e for part in self.per_thing for e in part), *self.cased]


def evidence_for_item(conn: Connection, item_id: str, mine: list[Thing]) -> list[Evidence]:
    """Everything in open cases that shares a mention with the item (`mine`: the item's
    own mentions, read by `read_item`, which also makes PostgreSQL use the indexes)."""
    return evidence_parts(conn, item_id, mine).flat()


def evidence_parts(
    conn: Connection, item_id: str, mine: list[Thing], things: list[Thing] | None = None
) -> EvidenceParts:
    """`evidence_for_item`, in parts (`things`: `things_of(mine)`, if read already)."""
    named = _named(conn, [(key, text) for kind, key, text in mine if kind == "person"])
    alone = _surnames(conn, [(key, text) for kind, key, text in mine if kind == "name_word"])
    out: list[Evidence] = []
    for kind, key, text in mine:
        out += named.get((key, text), []) if kind == "person" else []
        out += alone.get((key, text), []) if kind == "name_word" else []
    things = things_of(conn, mine) if things is None else things
    # Things: other items of open cases, and the cases' own files, mention the same.
    # One indexed lookup per mention of the item (a handful), grouped per case: a caliber
    # shared with 500 items is one piece of evidence with a count, not 500 rows.
    # All of these in one round trip on PostgreSQL (they depend on nothing read here).
    people = [(k, v, t) for k, v, t in mine if k == "person"]
    cased = [*things, *people]
    asks = [*_item_asks(item_id, things), *(Ask(_OPEN_CASES, k, v, "case") for k, v, _ in cased)]
    found = _capped_all(conn, asks)
    per_thing = _item_evidence(things, found[: len(things)])
    in_cases = [
        Evidence(r[0], kind, key, text, "case", r[0], str(r[1]))
        for (kind, key, text), rows in zip(cased, found[len(things) :], strict=True)
        for r in rows or []
    ]
    return EvidenceParts(tuple(out), per_thing, tuple(in_cases))


def item_evidence(
    conn: Connection, item_id: str, things: list[Thing]
) -> tuple[tuple[Evidence, ...], ...]:
    """What other items of open cases share each thing: `EvidenceParts.per_thing`."""
    asks = _item_asks(item_id, things)
    return _item_evidence(things, _capped_all(conn, asks) if asks else [])


def _item_asks(item_id: str, things: list[Thing]) -> list[Ask]:
    return [Ask(_ITEM_CASES, kind, key, "item", item_id) for kind, key, _ in things]


def _item_evidence(
    things: list[Thing], found: list[list[tuple[Any, ...]] | None]
) -> tuple[tuple[Evidence, ...], ...]:
    return tuple(
        tuple(Evidence(r[0], kind, key, text, "item", r[1], str(r[2])) for r in rows or [])
        for (kind, key, text), rows in zip(things, found, strict=True)
    )


def things_of(conn: Connection, mine: list[Thing]) -> list[Thing]:
    """The item's mentions searched for as things (not names): a registered organization
    under every one of its names."""
    things = [(k, v, t) for k, v, t in mine if k not in PERSON_KINDS + NOT_LOOKED_UP]
    for kind, key, text in list(things):
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
        things += [("organization", str(other), text) for (other,) in others if other != key]
    return things


Name = tuple[str, str]  # a name the item writes: (its key, the text as written)


def _named(conn: Connection, names: list[Name]) -> dict[Name, list[Evidence]]:
    """Parties of open cases whose names agree with each name as written: exactly, by a
    nickname or initial, or within a slip, a sound or a scanner's misreading. Indexed
    lookups, every name's in one round trip on PostgreSQL and all their parties in one
    more; how closely the names agree is judged here, the same way on both databases."""
    found = fetch_pipelined(conn, [_named_lookup(key) for key, _ in names]) if names else []
    people: dict[Name, set[str]] = {}
    for (key, text), rows in zip(names, found, strict=True):
        ids = [str(pid) for (pid,) in rows]
        if not ids:
            ids = [pid for pid, _, _ in name_search.fuzzy_people(conn, key)]
        people[(key, text)] = set(ids) if len(ids) <= COMMON else set()
    parties = _parties(conn, sorted(set().union(*people.values())))
    return {
        name: _agreeing(name, [r for r in parties if str(r[1]) in ids])
        for name, ids in people.items()
    }


def _named_lookup(key: str) -> tuple[str, tuple[Any, ...]]:
    probes = sorted({key, *one_slip_keys(key)})
    return (
        # `owner_kind || ''`: the lookup must go by (kind, key); a planner without fresh
        # statistics (right after a large import) otherwise walks the primary key from
        # owner_kind = 'person', that is, every person.
        "SELECT owner_id FROM mention_index WHERE kind IN ('person', 'name_slip') "
        f"AND key IN ({_marks(probes)}) AND (owner_kind || '') = 'person' "
        "UNION SELECT owner_id FROM mention_index WHERE kind = 'name_ocr' AND key = ? "
        "AND (owner_kind || '') = 'person' "
        "UNION SELECT owner_id FROM mention_index WHERE kind = 'name_sound' AND key = ? "
        "AND (owner_kind || '') = 'person' LIMIT ?",
        (*probes, ocr_shape(key), sound_key(key), COMMON + 1),
    )


def _agreeing(name: Name, parties: list[tuple[Any, ...]]) -> list[Evidence]:
    """The parties (`_parties` rows) whose recorded names agree closely with `name`."""
    key, text = name
    out = []
    for case_id, person_id, recorded, aliases, dob, role in parties:
        level = agreement(text, str(recorded), json.loads(aliases))
        if level >= Agreement.CLOSE:
            out.append(
                Evidence(
                    case_id,
                    "person",
                    key,
                    text,
                    "party",
                    person_id,
                    f"{recorded}, {_a(role)}",
                    role,
                    dob,
                    int(level),
                    str(recorded),
                    middle_agreement(text, str(recorded)),
                )
            )
    return out


def _a(role: str) -> str:
    """'a witness', 'an officer', 'a lab analyst': the role in words."""
    words = role.replace("_", " ")
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


def _surnames(conn: Connection, words: list[Name]) -> dict[Name, list[Evidence]]:
    """Parties whose surname (or one-word alias) is a word the item says alone; every
    word's lookups in one round trip on PostgreSQL."""
    kinds = ("name_word", "alias")
    asks = [Ask(_PARTIES_OF_OWNERS, k, key, "person") for key, _ in words for k in kinds]
    found = _capped_all(conn, asks) if asks else []
    out: dict[Name, list[Evidence]] = {}
    for n, (key, text) in enumerate(words):
        out[(key, text)] = []
        for as_kind, rows in zip(kinds, found[2 * n : 2 * n + 2], strict=True):
            level = Agreement.EXACT if as_kind == "alias" else Agreement.SURNAME
            out[(key, text)] += [
                Evidence(
                    r[0],
                    "person",
                    key,
                    text,
                    "party",
                    r[1],
                    f"{r[2]}, {_a(str(r[5]))}",
                    r[5],
                    r[4],
                    int(level),
                    str(r[2]),
                )
                for r in rows or []
            ]
    return out


def _marks(values: list[str]) -> str:
    return ", ".join("?" for _ in values)


def _parties(conn: Connection, people: list[str]) -> list[tuple[Any, ...]]:
    """(case, person, name, aliases, dob, role) for every open case these people are
    parties to."""
    if not people:
        return []
    return fetch_all(
        conn,
        "SELECT cp.case_id, p.person_id, p.name, p.aliases, p.dob, cp.role FROM case_party cp "
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
    "SELECT cp.case_id, p.person_id, p.name, p.aliases, p.dob, cp.role FROM case_party cp "
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
    "SELECT c.case_id, m.text FROM case_file c JOIN mention_index m ON m.owner_kind = 'case' "
    "AND m.owner_id = c.case_id AND m.kind = ? AND m.key = ? WHERE c.status <> 'closed' "
    f"AND c.case_id IN (SELECT owner_id FROM owner) AND {_WHEN_RARE}"
    ") hit ON 1 = 1 ORDER BY hit.case_id"
)


class Ask(NamedTuple):
    """One capped lookup: the owners of a mention (`owner_kind`, but `not_owner`) and what
    `sql` joins to them."""

    sql: str
    kind: str
    key: str
    owner_kind: str
    not_owner: str = ""


def _capped_all(conn: Connection, asks: Sequence[Ask]) -> list[list[tuple[Any, ...]] | None]:
    """The rows of each lookup, or None where the mention is too common; all sent at once
    (one round trip on PostgreSQL)."""
    queries = []
    for a in asks:
        params: tuple[Any, ...] = (a.kind, a.key, a.owner_kind, a.not_owner, COMMON + 1)
        if a.sql is _OPEN_CASES:
            params += (a.kind, a.key)
        queries.append((a.sql, (*params, COMMON)))
    out: list[list[tuple[Any, ...]] | None] = []
    for rows in fetch_pipelined(conn, queries):
        out.append(
            None if rows[0][0] > COMMON else [tuple(r[1:]) for r in rows if r[1] is not None]
        )
    return out


@dataclass(frozen=True)
class Trained:
    """What `brady links train` last recorded: m by factor, the prior, and the least
    score that keeps the queue within its target (0: no target)."""

    m: dict[str, float]
    prior: float | None = None
    threshold: float = 0.0


_TRAINED = "SELECT kind, key, pattern FROM linking_pattern WHERE kind IN ('m', 'prior', 'queue')"
_COUNTS = "SELECT kind, n FROM linking_count WHERE key = '' AND kind IN ({marks})"
_FILED = "SELECT case_id FROM item_case WHERE item_id = ?"


def trained_model(conn: Connection) -> Trained:
    return _trained(fetch_all(conn, _TRAINED))


def _trained(rows: list[tuple[Any, ...]]) -> Trained:
    m: dict[str, float] = {}
    prior, threshold = None, 0.0
    for kind, key, value in rows:
        if kind == "m":
            m[str(key)] = float(value)
        elif kind == "prior":
            prior = float(value)
        else:
            threshold = float(value)
    return Trained(m, prior, threshold)


def suggestion_scores(conn: Connection) -> list[float]:
    return [float(s) for (s,) in fetch_all(conn, "SELECT score FROM link_suggestion")]


def accepted_evidence(conn: Connection) -> tuple[list[list[str]], int, int]:
    """What each accepted suggestion rested on; how many were rejected; intakes so far."""
    rows = fetch_all(conn, "SELECT status, evidence FROM link_suggestion WHERE status <> 'open'")
    accepted = [list(json.loads(e)) for s, e in rows if s == "accepted"]
    (intakes,) = fetch_all(conn, "SELECT count(*) FROM item")[0]
    return accepted, sum(1 for s, _ in rows if s == "rejected"), int(intakes)


def record_count(conn: Connection, kind: str) -> int:
    """People, organizations or open cases in the record (kept as the ledger grows)."""
    rows = fetch_all(conn, "SELECT n FROM linking_count WHERE kind = ? AND key = ''", (kind,))
    return int(rows[0][0]) if rows else 0


def filed_under(conn: Connection, item_id: str) -> set[str]:
    return {str(c) for (c,) in fetch_all(conn, _FILED, (item_id,))}


def model_and_record(
    conn: Connection, item_id: str, kinds: tuple[str, ...], indexed: bool = False
) -> tuple[Trained, dict[str, int], set[str]]:
    """The trained model, the record's counts of `kinds` (0 where none is kept) and the
    cases the item is filed under: what scoring reads besides the evidence, asked together
    (one round trip on PostgreSQL, for a step taken under the ledger's lock), with
    PostgreSQL's planner put back as `read_item` found it (`indexed`)."""
    marks = ", ".join("?" for _ in kinds)
    queries = [(_TRAINED, ()), (_COUNTS.format(marks=marks), kinds), (_FILED, (item_id,))]
    if indexed:
        queries.insert(0, (PUT_BACK_SCANS, ()))
    *_, model, counts, filed = fetch_pipelined(conn, queries)
    have = {str(k): int(n) for k, n in counts}
    return _trained(model), {k: have.get(k, 0) for k in kinds}, {str(c) for (c,) in filed}


def _before(rows: list[tuple[Any, ...]]) -> dict[str, tuple[str, set[str]]]:
    out: dict[str, tuple[str, set[str]]] = {}
    for case_id, status, evidence in rows:
        held, seen = out.get(str(case_id), ("rejected", set()))
        state = held if held != "rejected" else str(status)
        out[str(case_id)] = (state, seen | set(json.loads(evidence)))
    return out


def next_suggestion_id(conn: Connection) -> str:
    return next_number(conn, "link_suggestion", "suggestion_id", "LNK")
