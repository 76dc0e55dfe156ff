"""The witness's own SQLite file: per log its key and the latest checkpoint it cosigned,
and the evidence of any checkpoint the log signed that contradicts what it cosigned.

Nothing else: a witness holds no entries, so a court or a defense office can run one on
a laptop. The latest checkpoint moves only by a compare-and-swap on its size and root,
so two requests racing to advance a log cannot both win (tlog-witness requires the
check and the update to be one atomic step, or a late request could roll a log back).

Cosigning is bound by the disk: a cosignature may be answered only once the checkpoint it
covers is on disk, or a witness that lost power could be led to cosign a fork of it. So
the advances of concurrent requests (a witness serves many logs) share one transaction
and one fsync (`_GroupCommit`), and the latest state of each log is kept in memory by the
one process that writes it.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    create_engine,
    event,
    insert,
    select,
)

from ..ledger.hashing import EMPTY_ROOT

metadata = MetaData()

witness_log = Table(
    "witness_log",
    metadata,
    Column("origin", String, primary_key=True),
    Column("origin_hash", String(64), nullable=False, unique=True),
    Column("vkey", String, nullable=False),
    Column("size", Integer, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text),
    Column("cosigned_at", String),
    Column("added_at", String, nullable=False),
)

witness_evidence = Table(
    "witness_evidence",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin", String, nullable=False),
    Column("recorded_at", String, nullable=False),
    Column("proven", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("held_note", Text, nullable=False),
    Column("offered_note", Text, nullable=False),
    Column("proof", Text, nullable=False),
    UniqueConstraint("origin", "held_note", "offered_note", "proof"),
)


def origin_hash(origin: str) -> str:
    """Lower-case hex SHA-256 of the origin: the log's name in monitoring URLs."""
    return hashlib.sha256(origin.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class LogState:
    """A log the witness follows, and the latest checkpoint it cosigned (size 0 and the
    empty tree's root until the first one)."""

    origin: str
    vkey: str
    size: int
    root: bytes
    note: str | None
    cosigned_at: str | None


@dataclass(frozen=True)
class Evidence:
    """A checkpoint the log signed that the witness refused as inconsistent."""

    id: int
    origin: str
    recorded_at: str
    proven: bool
    reason: str
    held_note: str
    offered_note: str
    proof: str


def _configure(dbapi_conn: Any) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun explicitly
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # a cosigned checkpoint survives a crash
    cur.execute("PRAGMA busy_timeout=60000")
    cur.close()


def open_engine(path: Path) -> Engine:
    """The witness database, created if missing; WAL, durable commits, writers queue."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        _configure(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock before it reads, so its check and its update
        # see the same row; readers need no lock.
        write = conn.get_execution_options().get("witness_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    metadata.create_all(engine)
    return engine


# Built once: composing a statement costs more than running it on this small table.
_LOG = select(witness_log).where(witness_log.c.origin == bindparam("origin"))


_ADVANCE_SQL = (
    "UPDATE witness_log SET size = ?, root = ?, note = ?, cosigned_at = ? "
    "WHERE origin = ? AND size = ? AND root = ?"
)


def _state(row: Any) -> LogState:
    return LogState(row.origin, row.vkey, row.size, row.root, row.note, row.cosigned_at)


@dataclass
class _Advance:
    """One compare-and-swap waiting for a commit, and its outcome once committed."""

    held: LogState
    new: LogState
    done: bool = False
    moved: bool = False
    error: BaseException | None = field(default=None, repr=False)


class _GroupCommit:
    """The witness's one writer of advances: whoever finds the disk free commits every
    advance queued so far in one transaction (one fsync); the others wait for the commit
    that carries theirs. Alone, a request commits its own at once: no thread hand-over.

    Its own SQLite connection, outside SQLAlchemy: this is the hot path, and one
    statement per request does not need a pool or a compiled query."""

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, timeout=60, check_same_thread=False)
        _configure(self._conn)
        self._queued: list[_Advance] = []
        self._queue_lock = threading.Lock()
        self._disk = threading.Lock()
        self.commits = 0  # transactions committed: fewer than advances when requests overlap

    def run(self, advance: _Advance) -> bool:
        with self._queue_lock:
            self._queued.append(advance)
        with self._disk:
            if not advance.done:
                with self._queue_lock:
                    batch, self._queued = self._queued, []
                self._commit(batch)
        if advance.error is not None:
            raise advance.error
        return advance.moved

    def _commit(self, batch: list[_Advance]) -> None:
        cur = self._conn.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
            for a in batch:
                new, held = a.new, a.held
                cur.execute(
                    _ADVANCE_SQL,
                    (
                        new.size,
                        new.root,
                        new.note,
                        new.cosigned_at,
                        held.origin,
                        held.size,
                        held.root,
                    ),
                )
                a.moved = cur.rowcount == 1
            cur.execute("COMMIT")
            self.commits += 1
        except BaseException as exc:
            if self._conn.in_transaction:
                self._conn.rollback()
            for a in batch:
                a.moved, a.error = False, exc
        finally:
            cur.close()
            for a in batch:
                a.done = True

    def close(self) -> None:
        with self._disk:
            self._conn.close()


class WitnessStore:
    """Typed reads and writes of the witness's tables.

    The latest state of each log is cached: this store is the only writer of it (one
    `brady witness serve` per folder; `add-log` only adds logs). A caller that must not
    trust the cache (an answer of 409 names the size held) asks with `fresh=True`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = engine.execution_options(witness_write=True)
        self._held: dict[str, LogState] = {}
        self._group = _GroupCommit(str(engine.url.database))

    def close(self) -> None:
        self._group.close()
        self.engine.dispose()

    def add_log(self, origin: str, vkey: str) -> bool:
        """Follow a log; False when it was already followed with this very key.

        Raises ValueError when the origin is followed with another key: a log that
        changes its key is a new log to a witness, and a person must decide that.
        """
        with self._writer.begin() as conn:
            known = conn.execute(
                select(witness_log.c.vkey).where(witness_log.c.origin == origin)
            ).scalar()
            if known is not None:
                if known != vkey:
                    raise ValueError(
                        f"the witness already follows {origin} with another key ({known}); "
                        "it will not change a log's key"
                    )
                return False
            conn.execute(
                insert(witness_log).values(
                    origin=origin,
                    origin_hash=origin_hash(origin),
                    vkey=vkey,
                    size=0,
                    root=EMPTY_ROOT,
                    note=None,
                    cosigned_at=None,
                    added_at=_now(),
                )
            )
        return True

    def log(self, origin: str, fresh: bool = False) -> LogState | None:
        held = None if fresh else self._held.get(origin)
        if held is not None:
            return held
        with self.engine.connect() as conn:
            row = conn.execute(_LOG, {"origin": origin}).first()
        if row is None:
            return None
        self._held[origin] = state = _state(row)
        return state

    def log_by_hash(self, hashed: str) -> LogState | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(witness_log).where(witness_log.c.origin_hash == hashed)
            ).first()
        return None if row is None else _state(row)

    def logs(self) -> list[LogState]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(witness_log).order_by(witness_log.c.origin)).all()
        return [_state(r) for r in rows]

    def advance(self, held: LogState, size: int, root: bytes, note: str) -> bool:
        """Record a newly cosigned checkpoint, only if the log still stands where `held`
        says (compare-and-swap on size and root); True once it is on disk. False: another
        request moved it first."""
        new = LogState(held.origin, held.vkey, size, root, note, _now())
        try:
            moved = self._group.run(_Advance(held, new))
        except BaseException:
            self._held.pop(held.origin, None)
            raise
        if moved:
            self._held[held.origin] = new
        else:
            self._held.pop(held.origin, None)
        return moved

    def keep_evidence(
        self, origin: str, proven: bool, reason: str, held: str, offered: str, proof: str
    ) -> bool:
        """Keep a refused checkpoint beside the one it contradicts; False if already kept."""
        row = {"origin": origin, "held_note": held, "offered_note": offered, "proof": proof}
        with self._writer.begin() as conn:
            seen = conn.execute(
                select(witness_evidence.c.id).where(
                    *(witness_evidence.c[k] == v for k, v in row.items())
                )
            ).first()
            if seen is not None:
                return False
            conn.execute(
                insert(witness_evidence).values(
                    **row, recorded_at=_now(), proven=proven, reason=reason
                )
            )
        return True

    def evidence(self) -> list[Evidence]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(witness_evidence).order_by(witness_evidence.c.id)).all()
        return [
            Evidence(
                r.id,
                r.origin,
                r.recorded_at,
                r.proven,
                r.reason,
                r.held_note,
                r.offered_note,
                r.proof,
            )
            for r in rows
        ]
