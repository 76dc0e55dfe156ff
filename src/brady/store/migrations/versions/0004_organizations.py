"""Organizations involved in cases (suppliers, labs, companies).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from brady.store.custody_tables import organization

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A projection table: empty until organization.add events exist, which are new too.
    organization.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
