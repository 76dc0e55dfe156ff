"""Custody projections: agencies, users, persons, locations, cases, items.

Projection tables are derived from the ledger; see store/custody_tables.py.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from brady.store.custody_tables import projections

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Derived tables: created from their current definition, and filled by
    # replaying the ledger (an upgraded ledger already holds events).
    projections.create_all(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
