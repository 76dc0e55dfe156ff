"""Related cases: two open cases that share a party are suggested once, each side decided
once, and the link suggestions that rest only on that party follow the decision
(`case_relation`, `link_suggestion.relation_id`). Projection tables: the custody
projector's version 5 rebuilds them from the ledger.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from brady.store.custody_tables import case_relation

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    case_relation.create(conn, checkfirst=True)
    columns = {c["name"] for c in sa.inspect(conn).get_columns("link_suggestion")}
    if "relation_id" not in columns:  # a ledger made since 0006 with this Brady has it
        op.add_column("link_suggestion", sa.Column("relation_id", sa.String(80), nullable=True))
        op.create_index("ix_link_suggestion_relation_id", "link_suggestion", ["relation_id"])


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
