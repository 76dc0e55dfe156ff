"""Database engines for the two supported stores: a SQLite file, or PostgreSQL.

Both are set up so that a write transaction holds the ledger's write lock from
its first statement: on SQLite, BEGIN IMMEDIATE; on PostgreSQL, a transaction
advisory lock taken by the ledger store. SQLite runs in WAL mode with full
fsync, so a committed append survives power loss and readers never block it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url

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
        return create_engine(parsed, pool_pre_ping=True)
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


_WRITERS: WeakKeyDictionary[Engine, threading.Lock] = WeakKeyDictionary()
_WRITERS_GUARD = threading.Lock()


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction. On SQLite the threads of this process also queue on one lock
    first: SQLite's own busy handler makes waiting writers sleep and poll (up to 100 ms a
    step), which under a server's concurrent requests turns into long tails."""
    if engine.dialect.name == "sqlite":
        with _WRITERS_GUARD:
            lock = _WRITERS.setdefault(engine, threading.Lock())
    else:
        lock = None
    with lock or nullcontext(), engine.connect().execution_options(**WRITE) as conn, conn.begin():
        yield conn
