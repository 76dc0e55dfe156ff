"""Linking: the mention index and link suggestions (projection tables).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from brady.linking.tables import mention_index
from brady.store.custody_tables import link_suggestion

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New projection tables; `brady upgrade` then fills the mention index from the ledger.
    mention_index.create(op.get_bind(), checkfirst=True)
    link_suggestion.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
