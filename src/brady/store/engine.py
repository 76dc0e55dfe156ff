"""Database engines for the two supported stores: a SQLite file, or PostgreSQL.

Both are set up so that a write transaction holds the ledger's write lock from
its first statement: on SQLite, BEGIN IMMEDIATE; on PostgreSQL, a transaction
advisory lock taken by the ledger store. SQLite runs in WAL mode with full
fsync, so a committed append survives power loss and readers never block it.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import Connection, make_url

from .raw_sql import PENDING

WRITE = {"brady_write": True}
"""Execution options for a connection that will append (takes the write lock at BEGIN)."""


def open_engine(url: str) -> Engine:
    """An engine for a Brady store URL (sqlite:///path or postgresql+psycopg://...)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite(url)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return _postgres(create_engine(parsed, pool_size=POOL, max_overflow=OVERFLOW))
    raise ValueError(
        f"database URL {url!r} is neither SQLite (sqlite:///FILE) nor PostgreSQL "
        "(postgresql://USER@HOST/DB)"
    )


def _sqlite(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN (below) start transactions, not the driver.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("brady_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


POOL = 28
"""PostgreSQL connections a process keeps open: the server's route threads (24, see
`server.THREADS_POSTGRES`), the group commit writer and the access log's anchoring, with
room to spare (and at most OVERFLOW more at once, so that two server processes stay well
inside PostgreSQL's default of 100 connections). With SQLAlchemy's
default of 5, the connections beyond it were closed as each request gave them back and
opened again for the next: a new PostgreSQL backend (a process, its caches cold, its
prepared statements gone) for many requests under load."""
OVERFLOW = 8

PING_AFTER = 5.0
"""Seconds a pooled PostgreSQL connection may rest before its next use tests it first."""


def _postgres(engine: Engine) -> Engine:
    """Test a pooled connection before use only when it has rested a while. SQLAlchemy's
    pool_pre_ping tests it at every checkout: one more round trip for each of the three or
    four connections a request takes, while one used a moment ago is as good as proven.
    A connection that fails the test is replaced (DisconnectionError makes the pool
    retry), so a restarted database still costs no request an error."""

    @event.listens_for(engine, "checkin")
    def _rested(_dbapi_conn: Any, record: Any) -> None:
        record.info["brady_used"] = time.monotonic()
        record.info.pop(PENDING, None)  # a savepoint its transaction never needed

    @event.listens_for(engine, "before_cursor_execute")
    def _savepoint_first(conn: Any, cursor: Any, *_: Any) -> None:
        """A statement SQLAlchemy runs itself sends the writer's marked savepoint first
        (raw_sql's statements take it along in their own round trip)."""
        pending = conn.info.pop(PENDING, None)
        if pending is not None:
            cursor.execute(pending)

    @event.listens_for(engine, "checkout")
    def _test(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        used = record.info.get("brady_used")
        if used is not None and time.monotonic() - used < PING_AFTER:
            return
        try:
            dbapi_conn.execute(";")
            if not dbapi_conn.autocommit:
                dbapi_conn.rollback()
        except Exception as error:  # any failure: this connection is not to be used
            raise exc.DisconnectionError() from error

    return engine


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reads only. On PostgreSQL it runs without a transaction block: each
    statement sees what was committed when it began, as it would in a READ COMMITTED
    transaction, without the round trips for BEGIN and the ROLLBACK when it goes back to
    the pool. Nothing written on it is atomic; write in `writing` or `engine.begin()`."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            yield conn
    else:
        with engine.connect() as conn:
            yield conn


class _WriterQueue:
    """Where writers to one SQLite file wait their turn: first the threads of this
    process on a lock, then the processes (`brady serve --workers N`, a CLI command run
    beside the server) on an exclusive lock of a file next to the database. Both wake
    the next writer the moment the last one is done; SQLite's own busy handler instead
    makes a waiting writer sleep and poll, up to 100 ms a step, which under a server's
    concurrent requests turns into long tails."""

    def __init__(self, database: str | None) -> None:
        self.threads = threading.Lock()
        self.path = None if database in (None, "", ":memory:") else Path(database + ".writer")
        self._fd: int | None = None
        self._pid = 0

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self.threads:
            if self.path is None:
                yield
                return
            if self._pid != os.getpid():  # opened anew in a forked child: its own lock
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
                weakref.finalize(self, os.close, self._fd)  # closed with the engine's queue
            assert self._fd is not None
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


_WRITERS: WeakKeyDictionary[Engine, _WriterQueue] = WeakKeyDictionary()
_WRITERS_GUARD = threading.Lock()


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction; on SQLite, after waiting for its turn (see _WriterQueue)."""
    if engine.dialect.name == "sqlite":
        with _WRITERS_GUARD:
            queue = _WRITERS.get(engine)
            if queue is None:
                queue = _WRITERS[engine] = _WriterQueue(engine.url.database)
        turn: AbstractContextManager[None] = queue.turn()
    else:
        turn = nullcontext()
    with turn, engine.connect().execution_options(**WRITE) as conn, conn.begin():
        yield conn


OWN_BEGIN = "brady_own_begin"
"""conn.info key: the transaction's BEGIN is for its first pipeline to send (`ledger_writing`),
and its COMMIT may go with its last statements."""


@contextmanager
def ledger_writing(engine: Engine) -> Iterator[Connection]:
    """The ledger's write transaction. On PostgreSQL the driver would send BEGIN alone and
    wait for it, then COMMIT alone: two round trips of each transaction spent under the
    ledger's lock. Here the driver is left in autocommit, the writer sends BEGIN with the
    lock (one pipeline) and COMMIT with the checkpoint; the driver still rolls back a
    transaction left open by an error, and commits one the writer did not (it commits or
    rolls back whatever the server says is open)."""
    if engine.dialect.name != "postgresql":
        with writing(engine) as conn:
            yield conn
        return
    with engine.connect().execution_options(**WRITE) as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.autocommit = True
        conn.info[OWN_BEGIN] = True
        try:
            with conn.begin():
                yield conn
        finally:
            conn.info.pop(OWN_BEGIN, None)
            try:
                driver.autocommit = False
            except Exception:  # a connection left mid-transaction by a failure: not reused
                conn.invalidate()
