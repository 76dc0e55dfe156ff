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
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from ..domain.errors import IntegrityError, InvalidInputError
from ..domain.events import PAYLOADS, Occurred
from ..domain.moments import as_datetime, local, moment
from ..ledger.checkpoint import open_checkpoint
from ..ledger.entry import Entry, parse_entry
from ..ledger.errors import LedgerError
from ..ledger.note import Verifier
from .ledger_store import LedgerStore, read_entries
from .projection_check import (
    BATCH,
    ProjectionMismatchError,
    apply,
    entries,
    in_memory,
    snapshot,
)
from .subject_scope import scope
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
    left_out: list[Late] = field(default_factory=list)
    """Events dated by the moment that the state then cannot take, because they are dated
    before what they act on (an inventory dated before the intakes it scanned): left out
    of the view and named, rather than the view refused."""


@contextmanager
def viewed(
    store: LedgerStore, asked: Asked | None, subject: str | None = None
) -> Iterator[View | None]:
    """The view a reader asked for: None for the live record. With `subject` ('case:ID',
    'item:ID'), a view only of it: what its own entries and those they refer to make."""
    if asked is None:
        yield None
    elif asked.at is None:
        with as_recorded(store, asked.size or 0, subject) as view:
            yield view
    else:
        with as_of(store, asked.at, asked.size, subject) as view:
            yield view


def event_time(entry: Entry) -> str | None:
    """When the event happened; None for an entry without a time of its own."""
    if entry.kind not in DATED:
        return None
    occurred = entry.payload.get("occurred_at")
    return str(occurred) if occurred else entry.recorded_at


def checkpoint_size(store: LedgerStore, note: str, vkey: str) -> int:
    """The size of a checkpoint someone kept, once it is shown to be this ledger's at
    that size: signed by its key, and its root the root of the entries held now."""
    try:
        given = open_checkpoint(note, Verifier.from_vkey(vkey))
    except LedgerError as exc:
        raise InvalidInputError(
            f"the checkpoint given is not one this ledger signed: {exc}", "as_recorded"
        ) from exc
    held = store.size()
    if not 1 <= given.size <= held:
        raise InvalidInputError(
            f"the checkpoint given is of {given.size} entries; this ledger holds {held}",
            "as_recorded",
        )
    if store.root(given.size) != given.root:
        raise IntegrityError(
            f"the checkpoint given (signed at {given.size} entries) does not match this "
            "ledger's first entries: what the record said then has been changed since",
            "as_recorded",
        )
    return given.size


def _day_of(store: LedgerStore, size: int, where: ZoneInfo) -> date:
    """The local day the record reached `size` entries: its last entry's recorded day."""
    last = parse_entry(store.entry(size - 1), size - 1)
    return as_datetime(last.recorded_at).astimezone(where).date()


@dataclass(frozen=True)
class Asked:
    """Which view a reader asked for, resolved against the ledger: as of a moment (`at`)
    or as recorded at `size` entries."""

    words: str
    at: str | None = None
    size: int | None = None
    day: date | None = None
    """The local day of the view, at which its deadlines are counted."""
    note: str | None = None
    """The checkpoint the reader gave, when they gave one."""


def _recorded(
    store: LedgerStore,
    where: ZoneInfo,
    recorded: str | None,
    note: str | None,
    vkey: str,
    name: str,
) -> Asked | None:
    """The record as recorded at a size, a checkpoint kept, or a date or time."""
    if note is not None:
        size = checkpoint_size(store, note, vkey)
        words = f"As recorded at the checkpoint given ({size} entries): what the record said then."
        return Asked(words, size=size, day=_day_of(store, size, where), note=note)
    if recorded is None:
        return None
    if recorded.strip().isdigit():
        size = min(int(recorded), store.size())
        if size < 1:
            raise InvalidInputError(f"{name} 0: give 1 entry or more", name)
        words = f"As recorded at the first {size} ledger entries."
        return Asked(words, size=size, day=_day_of(store, size, where))
    then = moment(recorded, where, name)
    cp = store.signed_by(then.at)
    if cp is None:
        words = f"As recorded at {then.said}: the ledger did not exist yet; it held nothing."
        return Asked(words, size=0, day=then.day)
    return Asked(
        f"As recorded at {then.said}: exactly what the record said then (its checkpoint of "
        f"{cp.size} entries, signed {local(cp.created_at, where)}).",
        size=cp.size,
        day=then.day,
    )


def asked(
    store: LedgerStore,
    where: ZoneInfo,
    dated: str | None = None,
    recorded: str | None = None,
    note: str | None = None,
    vkey: str = "",
    names: tuple[str, str] = ("as_of", "as_recorded"),
) -> Asked | None:
    """A reader's as-of and/or as-recorded moment (a date, a time, a ledger size, or a
    checkpoint they kept) as a view; None asks for the live record. Both together: what
    the record said at the second of what had happened by the first."""
    if recorded is not None and note is not None:
        raise InvalidInputError(f"give {names[1]} once", names[1])
    record = _recorded(store, where, recorded, note, vkey, names[1])
    if dated is None:
        return record
    then = moment(dated, where, names[0])
    words = f"As of {then.said}: what had happened by then, by when it happened."
    if record is None:
        return Asked(words, at=then.at, day=then.day)
    return Asked(
        f"{words} {record.words}", at=then.at, size=record.size, day=then.day, note=record.note
    )


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


def _apply_dated(store: LedgerStore, target: Connection, batch: Sequence[Entry]) -> list[Entry]:
    """As `_apply`, for events taken by their dates rather than in the order recorded:
    an event the state of then cannot take is left out (returned), the rest applied."""
    try:
        with target.begin_nested():
            _apply(store, target, batch)
        return []
    except ProjectionMismatchError:
        pass
    left_out = []
    for entry in batch:
        try:
            with target.begin_nested():
                _apply(store, target, [entry])
        except ProjectionMismatchError:
            left_out.append(entry)
    return left_out


def _read(source: Connection, size: int, subject: str | None) -> Iterator[list[Entry]]:
    """The entries a view replays, a batch at a time in ledger order: all of the first
    `size`, or only those a view of `subject` needs (store/subject_scope.py)."""
    if subject is None:
        yield from entries(source, size)
        return
    wanted = scope(source, subject, size)
    for start in range(0, len(wanted), BATCH):
        part = wanted[start : start + BATCH]
        raw = read_entries(source, part)
        yield [parse_entry(raw[seq], seq) for seq in part]


def _named(subject: str | None, steps: list[Entry]) -> list[Late]:
    """Steps left out of a view that matter to it: in a view of one subject, entries of
    others that cannot be placed without what the view leaves out are no loss."""
    return [_late(e) for e in steps if subject is None or subject in e.subjects]


@contextmanager
def as_recorded(store: LedgerStore, size: int, subject: str | None = None) -> Iterator[View]:
    """The state of the ledger's first `size` entries, exactly as the record said then
    (with `subject`, 'case:ID' or 'item:ID': as far as a view of it needs)."""
    with snapshot(store) as source, _memory(store) as target:
        size = min(size, store.size(source))
        left_out: list[Late] = []
        for batch in _read(source, size, subject):
            if subject is None:
                _apply(store, target, batch)
            else:
                left_out += _named(subject, _apply_dated(store, target, batch))
        yield View(target, size, left_out=left_out)


@contextmanager
def as_of(
    store: LedgerStore, at: str, size: int | None = None, subject: str | None = None
) -> Iterator[View]:
    """The state by when things happened: every entry dated on or before `at` (ledger
    time), and every entry without a date of its own; those recorded after `at` but dated
    before it are listed as late. With `size`, only the ledger's first `size` entries are
    read: what was known of that day when the record held that many. With `subject`
    ('case:ID' or 'item:ID'), only what a view of it needs."""
    with snapshot(store) as source, _memory(store) as target:
        size = store.size(source) if size is None else min(size, store.size(source))
        late: list[Late] = []
        left_out: list[Late] = []
        for batch in _read(source, size, subject):
            taken = [e for e in batch if (event_time(e) or "") <= at]
            late += [_late(e) for e in taken if e.kind in DATED and e.recorded_at > at]
            left_out += _named(subject, _apply_dated(store, target, taken))
        yield View(target, size, late, left_out)


def _late(entry: Entry) -> Late:
    return Late(entry.seq, entry.kind, entry.subjects, str(event_time(entry)), entry.recorded_at)
