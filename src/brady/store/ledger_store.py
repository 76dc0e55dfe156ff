"""The ledger in a SQL database: append in one transaction, read, prove.

Each write transaction takes the ledger's write lock, numbers its entries
after the current tail, signs them, stores them with the new subtree hashes,
lets projections update their tables on the same connection, and signs one
checkpoint for the new size, all committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

import orjson
from sqlalchemy import Engine, Table, select
from sqlalchemy.engine import Connection

from ..ledger.checkpoint import Checkpoint, InclusionProofFile
from ..ledger.ed25519 import Signer
from ..ledger.entry import Entry, Event, make_entry, now, parse_entry
from ..ledger.errors import LedgerError
from ..ledger.hashing import leaf_hash
from ..ledger.keyring import GENESIS, KEY_KINDS, Keyring, genesis_payload
from ..ledger.note import Verifier
from ..ledger.ranges import consistency_ranges, inclusion_ranges
from ..ledger.tree import NodeId, append_nodes, frontier, hash_ranges, range_nodes
from .engine import OWN_BEGIN, ledger_writing
from .raw_sql import PENDING, Batch, execute_batches, fetch_all, fetch_in, fetch_pipelined
from .row_seals import chain_key, chain_link
from .tables import ledger_checkpoint, ledger_entry

_NEWEST_CHAIN = "SELECT chain FROM ledger_checkpoint ORDER BY size DESC LIMIT 1"
_PG_LOCK = 0x62726164  # "brad": the one advisory lock that serializes appends


_KEY_KIND_LIST = sorted(KEY_KINDS)
_KEY_EVENTS = (
    "SELECT seq, entry FROM ledger_entry WHERE kind IN ("
    + ", ".join("?" for _ in _KEY_KIND_LIST)
    + ") AND seq >= ? ORDER BY seq"
)


def _frontier(conn: Connection, size: int) -> dict[NodeId, bytes]:
    """The perfect subtrees an append builds on."""
    return _need(conn, frontier(size))


class StoreError(LedgerError):
    """A request the stored ledger cannot answer (no such entry, size, checkpoint)."""

    advice = "Check the number you gave against `brady ledger checkpoint`."


class Projector(Protocol):
    """Keeps state tables in step with the ledger, inside the append transaction.

    `tables` are the tables it maintains, which `brady verify` rebuilds from the
    ledger and compares; apply() must depend on nothing but the entries and them.
    """

    @property
    def tables(self) -> tuple[Table, ...]: ...

    def apply(self, conn: Connection, entries: Sequence[Entry]) -> None: ...

    def prepare(self, conn: Connection) -> None:
        """Before a rebuild, with its tables empty: reset what lives beside them."""

    def check(self, conn: Connection) -> list[str]:
        """What is wrong with the state it keeps beside its tables (a search index the
        database maintains), which a rebuild cannot compare row by row; [] if nothing."""
        return []


@runtime_checkable
class RowsProjector(Projector, Protocol):
    """A projector whose rows follow from the entries alone, with nothing to read: an
    append writes them with the entries themselves (one round trip on PostgreSQL)."""

    def rows(self, entries: Sequence[Entry]) -> list[Batch]: ...


Handler = Callable[[Connection, Entry], None]


class HandlerProjector:
    """A projector that hands each entry to the handler for its kind (others pass by).

    Subclasses name their tables and handlers, and a `version` to bump whenever the
    rows they derive from the same entries change (`brady upgrade` then rebuilds).
    """

    tables: ClassVar[tuple[Table, ...]]
    handlers: ClassVar[Mapping[str, Handler]]
    version: ClassVar[int] = 1

    def prepare(self, conn: Connection) -> None:
        """Nothing beside the tables, unless a subclass keeps something (a search index)."""

    def check(self, conn: Connection) -> list[str]:
        return []

    def apply(self, conn: Connection, entries: Sequence[Entry]) -> None:
        for entry in entries:
            handler = self.handlers.get(entry.kind)
            if handler is not None:
                handler(conn, entry)


_KEY_ROWS = (
    "SELECT seq, kind, entry FROM ledger_entry WHERE (seq = 0 OR kind IN ("
    + ", ".join("?" for _ in _KEY_KIND_LIST)
    + ")) AND seq < ? ORDER BY seq"
)


def key_rows(conn: Connection, below: int | None = None) -> list[tuple[int, str, bytes]]:
    """The genesis and every key event (before position `below`), in order: what a
    verifier replays to know which key was valid at each position."""
    limit = (1 << 62) if below is None else below
    rows = fetch_all(conn, _KEY_ROWS, (*_KEY_KIND_LIST, limit))
    return [(int(seq), str(kind), bytes(raw)) for seq, kind, raw in rows]


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    note: str
    created_at: str
    chain: str | None = None


def read_entries(conn: Connection, seqs: Iterable[int]) -> dict[int, bytes]:
    """Stored entries by position, for scattered positions, a few queries in all."""
    rows = fetch_in(
        conn, "SELECT seq, entry FROM ledger_entry WHERE seq IN ({marks})", sorted(set(seqs))
    )
    return {int(seq): bytes(raw) for seq, raw in rows}


def recorded_times(conn: Connection, seqs: Iterable[int]) -> dict[int, str]:
    """When each entry was recorded (ledger time), by position: the time the record
    learned of an event, beside the event's own time in its payload."""
    return {seq: parse_entry(raw, seq).recorded_at for seq, raw in read_entries(conn, seqs).items()}


def read_nodes(conn: Connection, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
    """Stored subtree hashes by (level, idx): one indexed lookup each, in one query.

    An OR of primary-key lookups, which both SQLite and PostgreSQL answer from
    the index (a row-value IN list makes SQLite scan the whole table).
    """
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    where = " OR ".join("(level = ? AND idx = ?)" for _ in wanted)
    rows = fetch_all(
        conn,
        f"SELECT level, idx, hash FROM ledger_node WHERE {where}",
        [x for n in wanted for x in n],
    )
    return {(int(lv), int(ix)): bytes(h) for lv, ix, h in rows}


def _need(conn: Connection, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
    found = read_nodes(conn, ids)
    missing = [n for n in ids if n not in found]
    if missing:
        raise StoreError(f"stored subtree hashes {missing[:3]} are missing; run `brady verify`")
    return found


class LedgerStore:
    """One log: its origin, its log key (for writers) and its projections."""

    def __init__(
        self,
        engine: Engine,
        origin: str,
        log_signer: Signer | None = None,
        projectors: Sequence[Projector] = (),
    ) -> None:
        self.engine = engine
        self.origin = origin
        self.log_signer = log_signer
        self.chain_key = None if log_signer is None else chain_key(log_signer.seed)
        self.projectors = tuple(projectors)
        # Told apart once (a protocol check is slow): those whose rows go with the entries.
        self.row_projectors = tuple(p for p in projectors if isinstance(p, RowsProjector))
        self.other_projectors = tuple(p for p in projectors if not isinstance(p, RowsProjector))
        self._tip: _Tip | None = None  # the ledger as this process last committed it

    # -- writing -----------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Writer]:
        """A write transaction holding the ledger lock; commits with a new checkpoint."""
        if self.log_signer is None:
            raise StoreError("this store was opened read-only (no log key)")
        with ledger_writing(self.engine) as conn:
            writer = Writer(self, conn, self._tip)
            yield writer
            if writer.broken:
                # An append failed part-way and the caller carried on: the database may
                # hold half of it, so nothing of this transaction may be committed.
                raise StoreError("a step of this transaction failed, so none of it was recorded")
            writer.finish()
        # Only after the commit: a tip describes a prefix the database really holds.
        if writer.appended:
            self._tip = writer.tip()

    def append(self, signer: Signer, events: Sequence[Event]) -> list[Entry]:
        with self.transaction() as writer:
            return writer.append(signer, events)

    def create(self, admin: Signer, holder: str) -> Entry:
        """Write the genesis entry: the log's origin and key, and the first admin key."""
        assert self.log_signer is not None
        log_vkey = Verifier(self.origin, self.log_signer.public_key).vkey()
        payload = genesis_payload(self.origin, log_vkey, admin.public_key, holder)
        with self.transaction() as writer:
            if writer.size:
                raise StoreError("this database already holds a ledger")
            (entry,) = writer.append(admin, [Event(GENESIS, (), payload)])
        return entry

    def _fresh_keyring(self, conn: Connection) -> Keyring:
        """The keyring of this process's tip brought up to date with the key events other
        writers added since."""
        tip = self._tip
        keyring = tip.keyring.copy() if tip else Keyring(self.origin)
        rows = fetch_all(conn, _KEY_EVENTS, (*_KEY_KIND_LIST, tip.size if tip else 0))
        for seq, raw in rows:
            keyring.check(parse_entry(bytes(raw), seq))
        return keyring

    # -- reading -----------------------------------------------------------

    def size(self, conn: Connection | None = None) -> int:
        if conn is None:
            with self.engine.connect() as c:
                return self.size(c)
        rows = fetch_all(conn, "SELECT seq FROM ledger_entry ORDER BY seq DESC LIMIT 1")
        return int(rows[0][0]) + 1 if rows else 0

    def entry(self, seq: int) -> bytes:
        with self.engine.connect() as conn:
            raw = conn.execute(
                select(ledger_entry.c.entry).where(ledger_entry.c.seq == seq)
            ).scalar()
        if raw is None:
            raise StoreError(f"there is no entry {seq} (the ledger holds {self.size()})")
        return bytes(raw)

    def checkpoint(self, size: int | None = None) -> StoredCheckpoint:
        """The checkpoint at `size`, or the latest one."""
        query = select(ledger_checkpoint)
        if size is None:
            query = query.order_by(ledger_checkpoint.c.size.desc()).limit(1)
        else:
            query = query.where(ledger_checkpoint.c.size == size)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            if size is None:
                raise StoreError("the ledger has no checkpoint yet; was it initialised?")
            raise StoreError(f"no checkpoint was signed at size {size}")
        return StoredCheckpoint(int(row.size), row.note, row.created_at, row.chain)

    def signed_by(self, at: str) -> StoredCheckpoint | None:
        """The last checkpoint signed on or before `at` (ledger time); None before the
        first. Checkpoints are signed in size order, so it is the largest such."""
        query = (
            select(ledger_checkpoint)
            .where(ledger_checkpoint.c.created_at <= at)
            .order_by(ledger_checkpoint.c.size.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return (
            None
            if row is None
            else StoredCheckpoint(int(row.size), row.note, row.created_at, row.chain)
        )

    def checkpoints(self, conn: Connection) -> Iterator[StoredCheckpoint]:
        for row in conn.execute(select(ledger_checkpoint).order_by(ledger_checkpoint.c.size)):
            yield StoredCheckpoint(int(row.size), row.note, row.created_at, row.chain)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """RFC 9162 inclusion proof of entry `index` in the tree of `size` leaves."""
        with self.engine.connect() as conn:
            self._check_size(conn, size)
            if not 0 <= index < size:
                raise StoreError(f"entry {index} is not in a tree of {size} entries")
            ranges = inclusion_ranges(index, size)
            return self._hash(conn, ranges)

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        """RFC 9162 consistency proof from the tree of `old` leaves to that of `new`."""
        with self.engine.connect() as conn:
            self._check_size(conn, new)
            if not 0 < old <= new:
                raise StoreError(f"no consistency proof from size {old} to size {new}")
            return self._hash(conn, consistency_ranges(old, new))

    def root(self, size: int) -> bytes:
        """The RFC 9162 root of the ledger's first `size` entries, as stored now."""
        with self.engine.connect() as conn:
            self._check_size(conn, size)
            return self._hash(conn, [(0, size)])[0]

    def inclusion_proof_file(self, index: int, size: int | None = None) -> InclusionProofFile:
        cp = self.checkpoint(size)
        return InclusionProofFile(index, tuple(self.inclusion_proof(index, cp.size)), cp.note)

    def _check_size(self, conn: Connection, size: int) -> None:
        have = self.size(conn)
        if not 0 < size <= have:
            raise StoreError(f"size {size} is outside the ledger (it holds {have} entries)")

    @staticmethod
    def _hash(conn: Connection, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        ids = [n for b, e in ranges for n in range_nodes(b, e)]
        return hash_ranges(ranges, _need(conn, ids).__getitem__)


@dataclass(frozen=True)
class Mark:
    """A savepoint and the writer's state there (entries and keyring are never changed in
    place, so references suffice)."""

    name: str
    size: int
    last_time: str
    known: dict[NodeId, bytes]
    keyring: Keyring


@dataclass(frozen=True)
class _Tip:
    """What an append builds on, as this process left the ledger at `size`: the entries
    are never changed, so while the database still holds exactly `size` entries (no
    other process wrote since), these need not be read again."""

    size: int
    last_time: str
    known: dict[NodeId, bytes]
    keyring: Keyring


class Writer:
    """Appends within one transaction; see LedgerStore.transaction."""

    def __init__(self, store: LedgerStore, conn: Connection, tip: _Tip | None) -> None:
        self.store = store
        self.conn = conn
        self.broken = False
        # One round trip on PostgreSQL: BEGIN, the ledger's lock, then (in that order, on
        # what the lock's last holder committed) the tail and the newest checkpoint's chain.
        lock: list[tuple[str, tuple[int, ...]]] = [("SELECT pg_advisory_xact_lock(?)", (_PG_LOCK,))]
        if conn.info.get(OWN_BEGIN):  # see engine.ledger_writing
            lock.insert(0, ("BEGIN ISOLATION LEVEL READ COMMITTED", ()))
        *_, tail, chain = fetch_pipelined(
            conn,
            [
                *(lock if conn.dialect.name == "postgresql" else []),
                ("SELECT seq FROM ledger_entry ORDER BY seq DESC LIMIT 1", ()),
                (_NEWEST_CHAIN, ()),
            ],
        )
        self.size = int(tail[0][0]) + 1 if tail else 0
        self._chain: str | None = chain[0][0] if chain else None
        self._start = self.size
        self._marks = 0
        if tip is not None and tip.size == self.size:
            self._keyring, self._last_time, self._known = tip.keyring, tip.last_time, tip.known
        else:
            self._keyring = store._fresh_keyring(conn)
            self._last_time = self._tail_time()
            self._known = _frontier(conn, self.size)

    @property
    def appended(self) -> bool:
        return self.size > self._start

    def savepoint(self) -> Mark:
        """Mark where the transaction stands, so that what follows can be undone alone
        (`rollback_to`) while what came before stays (group commit: one command refused
        among several in one transaction)."""
        if self.broken:
            raise StoreError("a step of this transaction failed; start a new one")
        self._marks += 1
        name = f"brady_{self._marks}"
        if self.conn.dialect.name == "postgresql":  # sent with the next statement (raw_sql)
            self.conn.info[PENDING] = f"SAVEPOINT {name}"
        else:
            self.conn.exec_driver_sql(f"SAVEPOINT {name}")
        return Mark(name, self.size, self._last_time, self._known, self._keyring)

    def rollback_to(self, mark: Mark) -> None:
        """Undo everything since `mark`, in the database and in what this writer knows of
        the tip; a writer broken since then is whole again."""
        if self.conn.info.pop(PENDING, None) != f"SAVEPOINT {mark.name}":  # else never sent
            self.conn.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {mark.name}")
        self.size, self._last_time = mark.size, mark.last_time
        self._known, self._keyring = mark.known, mark.keyring
        self.broken = False

    def tip(self) -> _Tip:
        return _Tip(self.size, self._last_time, self._known, self._keyring)

    def _tail_time(self) -> str:
        if self.size == 0:
            return ""
        rows = fetch_all(
            self.conn, "SELECT entry FROM ledger_entry WHERE seq = ?", (self.size - 1,)
        )
        return str(orjson.loads(bytes(rows[0][0]))["recorded_at"])

    def append(self, signer: Signer, events: Sequence[Event]) -> list[Entry]:
        """Sign and store events in order, with their projections.

        A refused event raises before anything is written. If anything fails after
        the first write, the writer is marked broken and its transaction cannot commit.
        """
        if self.broken:
            raise StoreError("a step of this transaction failed; start a new one")
        try:
            return self._append(signer, events)
        except BaseException:
            self.broken = True
            raise

    def _append(self, signer: Signer, events: Sequence[Event]) -> list[Entry]:
        # Never earlier than the entry before: recorded_at is monotonic on the ledger.
        stamp = max(now(), self._last_time)
        origin = self.store.origin
        entries: list[Entry] = []
        keyring = self._keyring.copy()
        for i, event in enumerate(events):
            entry = make_entry(
                origin, self.size + i, stamp, signer, event.kind, event.subjects, event.payload
            )
            keyring.admit(entry, signer.public_key)
            entries.append(entry)
        if not entries:
            return entries
        nodes = append_nodes(self.size, self._known, (leaf_hash(e.raw) for e in entries))
        execute_batches(
            self.conn,
            [
                (
                    "INSERT INTO ledger_entry (seq, kind, entry) VALUES (?, ?, ?)",
                    [(e.seq, e.kind, e.raw) for e in entries],
                ),
                ("INSERT INTO ledger_node (level, idx, hash) VALUES (?, ?, ?)", nodes),
                *(b for p in self.store.row_projectors for b in p.rows(entries)),
            ],
        )
        for projector in self.store.other_projectors:
            projector.apply(self.conn, entries)
        self._keyring = keyring
        self._last_time = stamp
        self.size += len(entries)
        new_frontier = frontier(self.size)
        made = {(lv, ix): h for lv, ix, h in nodes}
        self._known = {n: made.get(n) or self._known[n] for n in new_frontier}
        return entries

    def finish(self) -> None:
        """Sign and store the checkpoint for the new size (called at commit)."""
        if not self.appended:
            return
        signer = self.store.log_signer
        assert signer is not None
        root = hash_ranges([(0, self.size)], self._known.__getitem__)[0]
        note = Checkpoint(self.store.origin, self.size, root).sign(signer)
        # Never before the entries it covers, even if this host's clock is behind.
        created = max(now(), self._last_time)
        assert self.store.chain_key is not None
        # The chain read when the lock was taken: only a holder of the lock adds checkpoints.
        link = chain_link(self.store.chain_key, self._chain, self.size, note, created)
        execute_batches(
            self.conn,
            [
                (
                    "INSERT INTO ledger_checkpoint (size, note, created_at, chain) "
                    "VALUES (?, ?, ?, ?)",
                    [(self.size, note, created, link)],
                ),
                # With the checkpoint, in one round trip (see engine.ledger_writing).
                *([("COMMIT", [()])] if self.conn.info.get(OWN_BEGIN) else []),
            ],
        )
