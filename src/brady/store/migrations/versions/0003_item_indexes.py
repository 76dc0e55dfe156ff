"""Indexes for looking items up by parent (splits) and by status.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Ledgers created at 0002 after these were added to the table definitions have them already.
    op.create_index("ix_item_parent_id", "item", ["parent_id"], if_not_exists=True)
    op.create_index("ix_item_status", "item", ["status"], if_not_exists=True)


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
