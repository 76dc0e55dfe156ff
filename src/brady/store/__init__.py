"""Storage: SQLAlchemy Core tables, engines (SQLite, PostgreSQL), migrations, the ledger store, projections."""
