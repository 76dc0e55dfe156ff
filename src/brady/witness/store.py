"""The witness's own SQLite file: per log its key and the latest checkpoint it cosigned,
and the evidence of any checkpoint the log signed that contradicts what it cosigned.

Nothing else: a witness holds no entries, so a court or a defense office can run one on
a laptop. The latest checkpoint moves only by a compare-and-swap on its size and root,
so two requests racing to advance a log cannot both win (tlog-witness requires the
check and the update to be one atomic step, or a late request could roll a log back).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
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
    update,
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


def open_engine(path: Path) -> Engine:
    """The witness database, created if missing; WAL, durable commits, writers queue."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy's BEGIN below starts transactions
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")  # a cosigned checkpoint survives a crash
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

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
_ADVANCE = (
    update(witness_log)
    .where(
        witness_log.c.origin == bindparam("held_origin"),
        witness_log.c.size == bindparam("held_size"),
        witness_log.c.root == bindparam("held_root"),
    )
    .values(
        size=bindparam("new_size"),
        root=bindparam("new_root"),
        note=bindparam("new_note"),
        cosigned_at=bindparam("new_time"),
    )
)


def _state(row: Any) -> LogState:
    return LogState(row.origin, row.vkey, row.size, row.root, row.note, row.cosigned_at)


class WitnessStore:
    """Typed reads and writes of the witness's tables."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = engine.execution_options(witness_write=True)

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

    def log(self, origin: str) -> LogState | None:
        with self.engine.connect() as conn:
            row = conn.execute(_LOG, {"origin": origin}).first()
        return None if row is None else _state(row)

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
        says (compare-and-swap on size and root). False: another request moved it first."""
        with self._writer.begin() as conn:
            done = conn.execute(
                _ADVANCE,
                {
                    "held_origin": held.origin,
                    "held_size": held.size,
                    "held_root": held.root,
                    "new_size": size,
                    "new_root": root,
                    "new_note": note,
                    "new_time": _now(),
                },
            )
            return done.rowcount == 1

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
