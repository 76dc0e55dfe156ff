"""Accounts and access: case assignments (a projection), credentials, sessions, API
tokens, sign-in attempts and the hash-chained access log (insert-only).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from brady.store.account_tables import APPEND_ONLY, TABLES
from brady.store.append_only import protect
from brady.store.custody_tables import case_assignment

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    case_assignment.create(bind, checkfirst=True)  # `brady upgrade` fills it from the ledger
    for table in TABLES:
        table.create(bind, checkfirst=True)
    protect(bind, APPEND_ONLY)


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
