"""Projection versions, the linking patterns an administrator records, and an index
on the cases a person is a party to (linking looks them up on every intake).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

from brady.linking.tables import linking_pattern
from brady.store.tables import projection_version

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `brady upgrade` rebuilds every state table after this, and records their version.
    projection_version.create(op.get_bind(), checkfirst=True)
    linking_pattern.create(op.get_bind(), checkfirst=True)
    op.create_index("ix_case_party_person", "case_party", ["person_id"], if_not_exists=True)


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
