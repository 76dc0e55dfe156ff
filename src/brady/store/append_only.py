"""Database triggers that refuse UPDATE and DELETE (and TRUNCATE) on insert-only tables.

Used by the migrations: the ledger's own tables and the access log are written once
and never changed, whatever code or hand at a SQL prompt tries. Safe to run twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection

_PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION brady_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'Brady table % is append-only: % refused', "
    "TG_TABLE_NAME, TG_OP; END $$"
)


def protect(conn: Connection, tables: Sequence[str]) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text(_PG_FUNCTION))
        for table in tables:
            for name in (f"{table}_append_only", f"{table}_no_truncate"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {name} ON {table}"))
            conn.execute(
                text(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION brady_append_only()"
                )
            )
            conn.execute(
                text(
                    f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION brady_append_only()"
                )
            )
        return
    for table in tables:
        for action in ("UPDATE", "DELETE"):
            conn.execute(
                text(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} "
                    f"BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'Brady table {table} is append-only: "
                    f"{action} refused'); END"
                )
            )


@contextmanager
def unprotected(conn: Connection, tables: Sequence[str]) -> Iterator[None]:
    """Lift the triggers for one migration step that must fill a new column of old rows,
    inside that migration's transaction; they are back before it commits."""
    for table in tables:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
        else:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))
    yield
    protect(conn, tables)
