"""Storage: SQLAlchemy Core tables, engines (SQLite, PostgreSQL), migrations, the ledger store.

Projections live here too.
"""
