"""Plain SQL on the driver's own cursor, inside the caller's SQLAlchemy transaction.

For the few statements run for every append and every audited row, building
SQLAlchemy statements and rows costs more than the database work itself. The
SQL here is fixed text with '?' placeholders (rewritten for drivers that use
'%s'); no value is ever formatted into it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.engine import Connection


def _sql(conn: Connection, sql: str) -> str:
    return sql if conn.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


PENDING = "brady_pending_savepoint"
"""conn.info key: a savepoint the ledger's writer marked on PostgreSQL but has not sent
(`Writer.savepoint`): it goes with the next statement, in the same round trip, and a
command refused before it sent anything never needs it."""


def _pending(conn: Connection) -> str | None:
    pending: str | None = conn.info.pop(PENDING, None)
    return pending


def fetch_all(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    if PENDING in conn.info:
        return fetch_pipelined(conn, [(sql, params)])[0]
    cursor = conn.connection.cursor()
    try:
        cursor.execute(_sql(conn, sql), tuple(params))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def fetch_in(
    conn: Connection, sql: str, keys: Sequence[Any], batch: int = 500
) -> list[tuple[Any, ...]]:
    """`sql` ending in `IN ({marks})`, run over `keys` a batch at a time (drivers cap how
    many parameters one statement takes)."""
    out: list[tuple[Any, ...]] = []
    for i in range(0, len(keys), batch):
        part = keys[i : i + batch]
        out += fetch_all(conn, sql.format(marks=", ".join("?" for _ in part)), part)
    return out


def execute_many(conn: Connection, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    if PENDING in conn.info:
        execute_batches(conn, [(sql, [tuple(r) for r in rows])])
        return
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(_sql(conn, sql), [tuple(r) for r in rows])
    finally:
        cursor.close()


Batch = tuple[str, list[tuple[Any, ...]]]
"""A statement and its rows, for `execute_batches`."""


def execute_batches(
    conn: Connection, batches: Sequence[tuple[str, Sequence[Sequence[Any]]]]
) -> None:
    """Several statements, each over its rows, that answer nothing: on PostgreSQL sent in
    one pipeline (one round trip for all, not one for each); elsewhere one after another.
    An error in any is raised here, before anything else is sent."""
    todo = [(sql, rows) for sql, rows in batches if rows]
    first = _pending(conn)
    if first is None and (conn.dialect.name != "postgresql" or len(todo) < 2):
        for sql, rows in todo:
            execute_many(conn, sql, rows)
        return
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.pipeline():
        if first is not None:
            driver.execute(first)
        for sql, rows in todo:
            with driver.cursor() as cursor:
                cursor.executemany(_sql(conn, sql), [tuple(r) for r in rows])


def fetch_pipelined(
    conn: Connection, queries: Sequence[tuple[str, Sequence[Any]]]
) -> list[list[tuple[Any, ...]]]:
    """The rows of several queries: on PostgreSQL sent in one pipeline, so they cost one
    round trip; the server still runs them in order, each on what was committed when it
    began (a query after a lock sees what the lock's previous holder committed)."""
    first = _pending(conn)
    if first is None and (conn.dialect.name != "postgresql" or len(queries) < 2):
        return [fetch_all(conn, sql, params) for sql, params in queries]
    driver = conn.connection.driver_connection
    assert driver is not None
    cursors = []
    with driver.pipeline():
        if first is not None:
            driver.execute(first)
        for sql, params in queries:
            cursor = driver.cursor()
            cursor.execute(_sql(conn, sql), tuple(params))
            cursors.append(cursor)
    try:
        return [list(c.fetchall()) if c.description is not None else [] for c in cursors]
    finally:
        for c in cursors:
            c.close()
