"""What extraction looks for at a point of the ledger, read once per change, not per intake.

The patterns are the defaults plus what the record taught: the agencies' case-number
formats, the patterns and model an administrator recorded, the towns learned from
addresses and every organization's names. Reading them is three queries, one of which
returns every organization key: at 500 organizations that cost 0.8 ms a read, twice an
intake on PostgreSQL (before the ledger's lock and under it).

So every change to them also moves one hash, chained over the changes in ledger order
(`linking_patterns_version`), and a process keeps the patterns it compiled under the hash
it read them with. The hash names its patterns on any database and at any moment: it
commits to the changes that made them, each a pure function of what it hashes (an
entry's bytes, a learned town's name); a rebuild replays the same changes into the same
hash; a change rolled back takes its hash with it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection

from ..store.raw_sql import execute_batches, fetch_all, fetch_pipelined
from . import index
from .patterns import Patterns

_VERSION = "SELECT chain FROM linking_patterns_version"
_SOURCES = (
    ("SELECT formats FROM agency", ()),
    ("SELECT kind, key, pattern FROM linking_pattern", ()),
    (
        "SELECT DISTINCT key FROM mention_index WHERE owner_kind = 'organization' "
        "AND kind = 'organization' ORDER BY key",
        (),
    ),
)
KEPT = 32
"""Patterns kept per process: one per ledger it serves (tests open many), and a few
more for the as-of views that replay the record as it stood."""
_kept: OrderedDict[str, Patterns] = OrderedDict()
_lock = threading.Lock()


def changed(conn: Connection, what: bytes) -> None:
    """Record that the patterns changed, by `what` (an entry's bytes, a town's name):
    inside the transaction that changes them, so both stand or fall together."""
    rows = fetch_all(conn, _VERSION)
    before = str(rows[0][0]) if rows else ""
    after = hashlib.sha256(before.encode() + b"\n" + what).hexdigest()
    execute_batches(
        conn,
        [
            ("DELETE FROM linking_patterns_version", [()]),
            ("INSERT INTO linking_patterns_version (chain) VALUES (?)", [(after,)]),
        ],
    )


def read(
    conn: Connection, first: Sequence[tuple[str, Sequence[Any]]]
) -> tuple[Patterns, list[list[tuple[Any, ...]]]]:
    """The patterns, after the queries `first` (their rows), asked together: one round
    trip on PostgreSQL, two when the patterns changed since this process last read them.
    The server runs them in order, so the patterns are no older than what `first` read."""
    *before, version = fetch_pipelined(conn, [*first, (_VERSION, ())])
    # No row: nothing ever changed them (a change rolled back took its row with it), so
    # they are the defaults, the same on every ledger; kept as such only when the sources
    # say so (a ledger not yet rebuilt since the row was added has none either).
    chain = str(version[0][0]) if version else ""
    with _lock:
        found = _kept.get(chain)
        if found is not None:
            _kept.move_to_end(chain)
            return found, before
    agencies, recorded, organizations = fetch_pipelined(conn, list(_SOURCES))
    formats = sorted({f for (raw,) in agencies for f in json.loads(raw).values()})
    extra = sorted((str(k), str(key), str(p)) for k, key, p in recorded)
    found = _compiled(tuple(formats), tuple(extra), tuple(str(k) for (k,) in organizations))
    if chain or not (agencies or recorded or organizations):
        with _lock:
            _kept[chain] = found
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
    return found, before


@lru_cache(maxsize=16)
def _compiled(
    formats: tuple[str, ...],
    extra: tuple[tuple[str, str, str], ...],
    organizations: tuple[str, ...],
) -> Patterns:
    """One Patterns per configuration: its gazetteer expressions are compiled once."""
    return Patterns.with_extra(
        [*index.search_patterns(formats), *(p for k, _, p in extra if k == "case_number")],
        [(key, p) for k, key, p in extra if k == "caliber"],
        {key: p for k, key, p in extra if k == "make"},
        [key for k, key, _ in extra if k in {"place", "town"}],
        organizations,
    )
