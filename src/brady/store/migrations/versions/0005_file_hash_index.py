"""Index item files by hash: fixity, dedupe and lab reports look files up by SHA-256.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_item_file_sha256", "item_file", ["sha256"], if_not_exists=True)


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
