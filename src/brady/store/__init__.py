"""Storage: SQLAlchemy Core tables, engines (SQLite, PostgreSQL), migrations, the ledger store.

Projections live here too.
"""

__all__ = [
    "access_log",
    "access_queries",
    "account_queries",
    "as_of",
    "audit",
    "cosignatures",
    "custody_projection",
    "custody_queries",
    "custody_tables",
    "disclosure_projection",
    "disclosure_queries",
    "engine",
    "export",
    "file_queries",
    "home",
    "intake_checks",
    "item_steps",
    "keys",
    "lab_queries",
    "ledger_store",
    "link_queries",
    "listing",
    "location_queries",
    "numbering",
    "planner_stats",
    "projection_check",
    "raw_sql",
    "relation_queries",
    "schema",
    "sealing",
    "subject_index",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
