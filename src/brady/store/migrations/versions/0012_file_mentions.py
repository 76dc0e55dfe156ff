"""Linking: what the pages of attached files mention, and how common names, people,
businesses and open cases are in the record (projection tables).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

from brady.linking.tables import file_mention, linking_count

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    file_mention.create(op.get_bind(), checkfirst=True)
    linking_count.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
