"""What each link suggestion rested on, so that a rejected one is raised again only when
new evidence appears.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("link_suggestion")}
    if "evidence" not in columns:  # a ledger made since 0006 has it already
        op.add_column(
            "link_suggestion",
            sa.Column("evidence", sa.Text(), nullable=False, server_default="[]"),
        )


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
