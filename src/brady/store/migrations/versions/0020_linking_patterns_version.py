"""The hash of the changes to what extraction looks for (`linking_patterns_version`): a
server reads the patterns again only when it moved, instead of at every intake. A
projection table: the linking projector's version 5 rebuilds it from the ledger.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

from brady.linking.tables import linking_patterns_version

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    linking_patterns_version.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
