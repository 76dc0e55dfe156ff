"""The record as it stood at a moment, rebuilt from part of the ledger, for as-of views.

Two views, because where they differ is itself evidence:

- **as recorded**: exactly what the record said then, the state of the ledger's first N
  entries (those recorded on or before the moment). It is what a checkpoint of that size
  signed, so a reader can hold it against a later checkpoint with a consistency proof.
- **as of**: what the State held, knew and had done by the moment, by when things
  happened: the events whose own time (`occurred_at`, else when recorded) is on or before
  it, in ledger order. History imported today (the Rust example) has a past here; a link
  accepted or a production made later is not there yet. Entries without a time of their
  own (users, agencies, keys, settings, places, people) are taken as they stand. Events
  dated before the moment but recorded after it are listed as recorded late.

Both are the same projections the live tables come from, replayed into an in-memory
database, so every query of the live record runs on them unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from ..domain.events import PAYLOADS, Occurred
from ..ledger.entry import Entry, format_time, parse_entry
from .ledger_store import LedgerStore
from .projection_check import apply, entries, in_memory, snapshot
from .tables import ledger_entry

DATED = frozenset(kind for kind, model in PAYLOADS.items() if issubclass(model, Occurred))
"""Kinds whose payload says when the thing happened; the others have no past of their own."""


@dataclass(frozen=True)
class Late:
    """An event that had happened by the moment but was recorded only after it."""

    seq: int
    kind: str
    subjects: tuple[str, ...]
    occurred_at: str
    recorded_at: str


@dataclass
class View:
    conn: Connection
    size: int
    """Entries of the ledger the view was built from (as recorded: its first `size`)."""
    late: list[Late] = field(default_factory=list)


def end_of_day(day: date) -> str:
    """A date as a moment: its last microsecond, UTC (the agency's time zone is to come)."""
    return format_time(datetime.combine(day, time.max, UTC))


@contextmanager
def viewed(
    store: LedgerStore, dated: date | None = None, recorded: int | None = None
) -> Iterator[View | None]:
    """The view a reader asked for: None for the live record, else as of the end of
    `dated` and/or as recorded at `recorded` entries."""
    if dated is None and recorded is None:
        yield None
    elif dated is None:
        assert recorded is not None
        with as_recorded(store, recorded) as view:
            yield view
    else:
        with as_of(store, end_of_day(dated), recorded) as view:
            yield view


def event_time(entry: Entry) -> str | None:
    """When the event happened; None for an entry without a time of its own."""
    if entry.kind not in DATED:
        return None
    occurred = entry.payload.get("occurred_at")
    return str(occurred) if occurred else entry.recorded_at


def recorded_size(store: LedgerStore, at: str) -> int:
    """How many entries had been recorded at `at` (ledger time): the size of the record
    then. Entries are appended in time order, so it is found by bisection."""
    with store.engine.connect() as conn:
        low, high = 0, store.size(conn)
        while low < high:
            mid = (low + high) // 2
            if parse_entry(store.entry(mid), mid).recorded_at > at:
                high = mid
            else:
                low = mid + 1
    return low


@contextmanager
def _memory(store: LedgerStore) -> Iterator[Connection]:
    tables = [t for p in store.projectors for t in getattr(p, "tables", ())]
    with in_memory([*tables, ledger_entry]) as conn:
        yield conn


def _apply(store: LedgerStore, target: Connection, batch: Sequence[Entry]) -> None:
    """The batch's entries kept beside the state they make, for queries that read them."""
    if not batch:
        return
    rows = [{"seq": e.seq, "kind": e.kind, "entry": e.raw} for e in batch]
    target.execute(insert(ledger_entry), rows)
    apply(target, store.projectors, list(batch))


@contextmanager
def as_recorded(store: LedgerStore, size: int) -> Iterator[View]:
    """The state of the ledger's first `size` entries, exactly as the record said then."""
    with snapshot(store) as source, _memory(store) as target:
        size = min(size, store.size(source))
        for batch in entries(source, size):
            _apply(store, target, batch)
        yield View(target, size)


@contextmanager
def as_of(store: LedgerStore, at: str, size: int | None = None) -> Iterator[View]:
    """The state by when things happened: every entry dated on or before `at` (ledger
    time), and every entry without a date of its own; those recorded after `at` but dated
    before it are listed as late. With `size`, only the ledger's first `size` entries are
    read: what was known of that day when the record held that many."""
    with snapshot(store) as source, _memory(store) as target:
        size = store.size(source) if size is None else min(size, store.size(source))
        late: list[Late] = []
        for batch in entries(source, size):
            taken = [e for e in batch if (event_time(e) or "") <= at]
            late += [
                Late(e.seq, e.kind, e.subjects, str(event_time(e)), e.recorded_at)
                for e in taken
                if e.kind in DATED and e.recorded_at > at
            ]
            _apply(store, target, taken)
        yield View(target, size, late)
