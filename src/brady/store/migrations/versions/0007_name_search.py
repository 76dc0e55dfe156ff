"""Fuzzy name search: SQLite FTS5 trigram table, or PostgreSQL pg_trgm index.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from brady.linking import name_search

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # PostgreSQL: needs the pg_trgm extension (part of PostgreSQL's contrib package);
    # the database user must be allowed to create it, or a DBA creates it first.
    name_search.ensure(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
