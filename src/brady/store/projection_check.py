"""Rebuild projections from the ledger alone and compare them with the stored ones.

The stored tables are a cache of the ledger; if anything changed them outside
an append (a hand edit, a bug, a half-applied migration), replaying every
entry into empty tables gives different rows, and the first difference of
each table is reported.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import MetaData, Table, create_engine, delete, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.pool import StaticPool

from ..domain.errors import IntegrityError
from ..ledger.entry import Entry, parse_entry
from ..ledger.errors import LedgerError
from .ledger_store import LedgerStore, Projector
from .raw_sql import fetch_all
from .tables import projection_version

BATCH = 4096


class ProjectionMismatchError(IntegrityError, LedgerError):
    advice = (
        "The stored state tables no longer match what the ledger says. The ledger itself "
        "verified, so it is the tables that were changed: keep a copy of the database and "
        "contact your Brady administrator, who can rebuild them from the ledger."
    )


def _tables(projectors: Sequence[Projector]) -> list[Table]:
    return [t for p in projectors for t in getattr(p, "tables", ())]


def entries(source: Connection, size: int) -> Iterator[list[Entry]]:
    """Entries [0, size) of the stored ledger, a batch at a time, in order."""
    for start in range(0, size, BATCH):
        rows = fetch_all(
            source,
            "SELECT seq, entry FROM ledger_entry WHERE seq >= ? AND seq < ? ORDER BY seq",
            (start, min(start + BATCH, size)),
        )
        yield [parse_entry(bytes(raw), seq) for seq, raw in rows]


def apply(target: Connection, projectors: Sequence[Projector], batch: list[Entry]) -> None:
    """One batch through every projector; a batch the state cannot take is named."""
    for projector in projectors:
        try:
            projector.apply(target, batch)
        except Exception as exc:
            raise ProjectionMismatchError(
                f"entries {batch[0].seq}-{batch[-1].seq}: the state cannot be rebuilt "
                f"from them: {exc}"
            ) from exc


def replay(
    source: Connection,
    target: Connection,
    projectors: Sequence[Projector],
    size: int,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Apply entries [0, size) from `source` to `target` through the projectors."""
    for batch in entries(source, size):
        if not batch:
            continue
        apply(target, projectors, batch)
        if progress is not None:
            progress(batch[-1].seq + 1)


_TEMPLATES: dict[tuple[str, ...], sqlite3.Connection] = {}
_TEMPLATE_LOCK = threading.Lock()


def _template(tables: Sequence[Table]) -> sqlite3.Connection:
    """The empty schema of `tables` in memory, made on first use (under the lock)."""
    key = tuple(t.name for t in tables)
    found = _TEMPLATES.get(key)
    if found is None:
        made = sqlite3.connect(":memory:", check_same_thread=False)
        engine = create_engine("sqlite://", creator=lambda: made, poolclass=StaticPool)
        meta = MetaData()
        for t in tables:
            t.to_metadata(meta)
        meta.create_all(engine)
        _TEMPLATES[key] = found = made
    return found


@contextmanager
def in_memory(tables: Sequence[Table]) -> Iterator[Connection]:
    """Empty copies of `tables` in a private in-memory SQLite, in one transaction. The
    schema is made once per set of tables and copied (SQLite's backup), since as-of views
    make many such databases and compiling the DDL each time is most of their cost."""
    db = sqlite3.connect(":memory:", check_same_thread=False)
    with _TEMPLATE_LOCK:
        _template(tables).backup(db)
    engine = create_engine("sqlite://", creator=lambda: db, poolclass=StaticPool)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


@contextmanager
def snapshot(store: LedgerStore) -> Iterator[Connection]:
    """A read transaction that sees one moment of the database."""
    with store.engine.connect() as plain:
        conn = (
            plain.execution_options(isolation_level="REPEATABLE READ")
            if plain.dialect.name == "postgresql"
            else plain
        )
        with conn.begin():
            yield conn


def compare(
    store: LedgerStore, progress: Callable[[int], None] | None = None
) -> list[ProjectionMismatchError]:
    tables = _tables(store.projectors)
    if not tables:
        return []
    problems: list[ProjectionMismatchError] = []
    with snapshot(store) as stored, in_memory(tables) as rebuilt:
        # The stored tables and the entries replayed must be read at one moment:
        # someone may be recording while verify runs.
        size = store.size(stored)
        replay(stored, rebuilt, store.projectors, size, progress)
        for table in tables:
            problem = _first_difference(table, stored, rebuilt)
            if problem is not None:
                problems.append(problem)
        for projector in store.projectors:
            problems.extend(ProjectionMismatchError(p) for p in projector.check(stored))
    return problems


def _rows(conn: Connection, table: Table) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Rows by primary key. Never the database's ORDER BY: collations differ between
    PostgreSQL and the SQLite the rebuild runs in."""
    keys = [list(table.columns).index(c) for c in table.primary_key.columns]
    rows = (tuple(r) for r in conn.execute(select(table)))
    return {tuple(r[i] for i in keys): r for r in rows}


def _first_difference(
    table: Table, stored: Connection, rebuilt: Connection
) -> ProjectionMismatchError | None:
    have, want = _rows(stored, table), _rows(rebuilt, table)
    if have == want:
        return None
    names = [c.name for c in table.columns]
    for k in sorted(set(have) | set(want), key=repr):
        a, b = have.get(k), want.get(k)
        label = "/".join(str(x) for x in k)
        if a is None:
            return ProjectionMismatchError(
                f"table {table.name}: row {label} is missing from the database"
            )
        if b is None:
            return ProjectionMismatchError(
                f"table {table.name}: row {label} is in the database but no entry made it"
            )
        for name, x, y in zip(names, a, b, strict=True):
            if x != y:
                return ProjectionMismatchError(
                    f"table {table.name}, row {label}: {name} is {x!r} in the database, "
                    f"the ledger says {y!r}"
                )
    return None


def rebuild(store: LedgerStore, progress: Callable[[int], None] | None = None) -> int:
    """Drop the projection tables and rebuild them from the ledger, under the write lock.

    The ledger is the record; the tables are a cache of it. This is how a new
    Brady version changes them, and how an administrator repairs them.
    """
    tables = _tables(store.projectors)
    meta = MetaData()
    for t in tables:
        t.to_metadata(meta)
    with store.transaction() as writer:
        conn = writer.conn
        meta.drop_all(conn, checkfirst=True)
        meta.create_all(conn)
        for projector in store.projectors:
            projector.prepare(conn)
        conn.info.pop("brady_actors", None)
        replay(conn, conn, store.projectors, writer.size, progress)
        record_versions(conn, store.projectors)
        return writer.size


def projector_versions(projectors: Sequence[Projector]) -> dict[str, int]:
    """The version of each projector's rules: bumped whenever the rows it derives from
    the same entries change (a new extraction pattern, a new column)."""
    return {type(p).__name__: int(getattr(p, "version", 1)) for p in projectors}


def record_versions(conn: Connection, projectors: Sequence[Projector]) -> None:
    conn.execute(delete(projection_version))
    conn.execute(
        insert(projection_version),
        [{"projector": k, "version": v} for k, v in projector_versions(projectors).items()],
    )


def stale_projectors(store: LedgerStore) -> list[str]:
    """Projectors whose tables were built by other rules than this Brady's."""
    with store.engine.connect() as conn:
        have = dict(fetch_all(conn, "SELECT projector, version FROM projection_version"))
    return sorted(k for k, v in projector_versions(store.projectors).items() if have.get(k) != v)


def missing_tables(store: LedgerStore) -> list[str]:
    from sqlalchemy import inspect

    have = set(inspect(store.engine).get_table_names())
    return sorted(t.name for t in _tables(store.projectors) if t.name not in have)
