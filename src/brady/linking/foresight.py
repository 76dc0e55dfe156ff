"""An intake's link suggestions found before the ledger's write lock is taken, and only
checked under it.

Finding the open cases a new item may bear on is most of an intake's work: reading its
text, looking up each thing it mentions, weighing what is found. Under the ledger's lock
that work keeps every other writer waiting (on PostgreSQL, every server process). So it
is done first, on the record as committed at ledger size N, and under the lock it is only
checked: the suggestions still hold if nothing recorded since N can change them (custody
steps, other items' suggestions, intakes that share none of the item's things) and the
mentions stored for the item are the ones it was read with. Otherwise they are found
again under the lock, as without foresight. No link is missed: of two intakes that share
a thing, the one that takes the lock second finds the first among what was recorded since
its reading, and reads again.

What the suggestions rest on besides other items (the cases, their parties, the
organizations, the trained model, the record's counts) changes only by entries of other
kinds, and any of those since N means reading again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from ..domain import events as ev
from ..store.home import LinkingConfig
from ..store.raw_sql import fetch_pipelined
from . import candidates, index, known_patterns, match
from .candidates import KEEP_TO_INDEXES, PUT_BACK_SCANS
from .suggest import scored, suggest_new

QUIET = frozenset(
    {
        "item.intake",  # checked for shared things below
        "item.transfer",
        "item.receive",
        "item.transfer_cancel",
        "item.checkout",
        "item.checkin",
        "item.move",
        "inventory.scan",
        "link.suggest",
        "access.anchor",
    }
)
"""Kinds of entries that change no other item's suggestions (but an intake's shared
things): custody steps, inventory scans, suggestions for other items, the access log's
anchors. A suggestion that follows an accepted relation files its item under a case, but
it is only ever recorded beside what prompted it (an intake, checked for shared things, or
a lab result, a correction, a file's text, a new party: kinds that are not quiet)."""


class Tally:
    """How often foresight held and how often an intake read its suggestions again under
    the lock, in this process: what the benchmarks and tests report."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.held = 0
        self.partly = 0  # only the things an intake in between shares were read again
        self.read_again = 0

    def count(self, shared: frozenset[tuple[str, str]] | None) -> None:
        with self._lock:
            if shared is None:
                self.read_again += 1
            elif shared:
                self.partly += 1
            else:
                self.held += 1


TALLY = Tally()

_TIP = "SELECT seq FROM ledger_entry ORDER BY seq DESC LIMIT 1"

NUMBERED = ""
"""The item id a foresight is read under when Brady gives the number under the lock."""


@dataclass(frozen=True)
class Foresight:
    """An intake's suggestions as read at ledger size `size`, with what they rest on."""

    size: int
    item_id: str  # as the intake names it, or NUMBERED
    mentions: tuple[tuple[str, str, str], ...]  # as the mention index will store them
    suggestions: tuple[match.Suggestion, ...]
    things: tuple[candidates.Thing, ...]  # searched for as things: `candidates.things_of`
    evidence: candidates.EvidenceParts  # what the suggestions rest on


def foresee(conn: Connection, config: LinkingConfig, by: str, fields: dict[str, Any]) -> Foresight:
    """Read an intake's suggestions now, on `conn` (a read connection, no lock). The
    ledger's size is read first: whatever is committed after it is checked under the lock.
    Raises what the intake's own checks would raise for fields that are not an intake."""
    # The ledger's size is read first: every read after it sees at least what it counts.
    pats, (tip,) = known_patterns.read(conn, [(_TIP, ())])
    size = int(tip[0][0]) + 1 if tip else 0
    item_id = str(fields.get("item_id") or NUMBERED)
    data = {"custodian": by, **fields, "item_id": item_id or "ITM-000000"}
    payload = ev.parse_payload("item.intake", data)
    when = getattr(payload, "occurred_at", None)
    day = date.fromisoformat(str(when)[:10]) if when else datetime.now(UTC).date()
    found = index.item_mentions(payload.model_dump(), pats, day)
    mentions = index.stored_rows(found)
    cases = [str(c) for c in fields.get("case_ids") or []]
    things = candidates.things_of(conn, mentions)
    parts = candidates.evidence_parts(conn, item_id, mentions, things)
    w, t = config.weights, config.threshold
    made = suggest_new(conn, item_id, mentions, cases, w, t, parts.flat())
    return Foresight(size, item_id, tuple(mentions), tuple(made), tuple(things), parts)


def still_holds(
    conn: Connection, seen: Foresight, item_id: str, config: LinkingConfig
) -> list[match.Suggestion] | None:
    """The item's suggestions now, from `seen`, in the transaction that took it in (under
    the lock), or None if they must be read again. One round trip on PostgreSQL when they
    hold; when an intake in between shares some of the item's things, only those are
    looked up again (one more) and the suggestions weighed again. Counted in TALLY."""
    shared = _shared(conn, seen, item_id)
    TALLY.count(shared)
    if shared is None:
        return None
    if not shared:
        return list(seen.suggestions)
    again = [t for t in seen.things if (t[0], t[1]) in shared]
    fresh = iter(candidates.item_evidence(conn, item_id, again))
    per_thing = tuple(
        next(fresh) if (t[0], t[1]) in shared else kept
        for t, kept in zip(seen.things, seen.evidence.per_thing, strict=True)
    )
    evidence = replace(seen.evidence, per_thing=per_thing).flat()
    reading = candidates.new_item_reading(list(seen.mentions))
    return scored(conn, item_id, config.weights, config.threshold, (), reading, (), evidence)


def _shared(conn: Connection, seen: Foresight, item_id: str) -> frozenset[tuple[str, str]] | None:
    """The item's things an intake recorded since `seen` was read also names (empty: the
    reading holds), or None if anything else since could change the suggestions."""
    if seen.item_id not in (NUMBERED, item_id):
        return None
    things = sorted({(k, v) for k, v, _ in seen.things})
    queries: list[tuple[str, tuple[Any, ...]]] = [
        ("SELECT DISTINCT kind FROM ledger_entry WHERE seq >= ?", (seen.size,)),
        (
            "SELECT kind, key, text FROM mention_index WHERE owner_kind = 'item' AND owner_id = ?",
            (item_id,),
        ),
    ]
    if things:
        kinds = sorted({k for k, _ in things})
        keys = sorted({v for _, v in things})
        queries.append(
            (
                # From the entries since the reading (a range of the subjects' seq index),
                # their intakes' items, to those items' mentions of the same things.
                "SELECT m.kind, m.key FROM entry_subject s "
                "JOIN ledger_entry e ON e.seq = s.seq AND e.kind = 'item.intake' "
                "JOIN mention_index m ON m.owner_kind = 'item' "
                "AND m.owner_id = substr(s.subject, 6) "
                "WHERE s.seq >= ? AND s.subject LIKE ? AND m.owner_id <> ? "
                f"AND m.kind IN ({', '.join('?' for _ in kinds)}) "
                f"AND m.key IN ({', '.join('?' for _ in keys)})",
                (seen.size, "item:%", item_id, *kinds, *keys),
            )
        )
    postgres = conn.dialect.name == "postgresql" and bool(things)
    if postgres:  # the join kept to the indexes, as linking's lookups are, and put back after
        queries = [(KEEP_TO_INDEXES, ()), *queries, (PUT_BACK_SCANS, ())]
    found = fetch_pipelined(conn, queries)
    if postgres:
        found = found[1:-1]
    kinds_since, stored, *shared = found
    if not {str(k) for (k,) in kinds_since} <= QUIET:
        return None
    if sorted((str(k), str(v), str(t)) for k, v, t in stored) != list(seen.mentions):
        return None
    mine = set(things)
    return frozenset((str(k), str(v)) for k, v in (shared[0] if shared else [])) & mine
