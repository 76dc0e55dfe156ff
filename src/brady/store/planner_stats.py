"""PostgreSQL's planner statistics, gathered again after a bulk load.

The planner chooses how to find rows from what it last learned of each table. After an
import of thousands of records it still believes the tables nearly empty, until
autovacuum gets to them (within a minute by default; never where it is turned off), and
meanwhile a name lookup may read every person's mention. SQLite plans without gathered
statistics unless ANALYZE was run once, so it is left as it is.
"""

from __future__ import annotations

from sqlalchemy import Engine


def after_bulk_load(engine: Engine) -> None:
    """Gather the statistics of every table now (PostgreSQL; nothing elsewhere)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
