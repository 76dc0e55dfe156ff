"""A sign-in attempt is recorded before its password is checked (ok is NULL while it is
being checked), so that parallel guesses are counted before any of them is weighed.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A ledger made since 0010 was created from today's tables and has both already.
    inspector = sa.inspect(op.get_bind())
    ok = next(c for c in inspector.get_columns("signin_attempt") if c["name"] == "ok")
    if not ok["nullable"]:
        with op.batch_alter_table("signin_attempt") as batch:
            batch.alter_column("ok", existing_type=sa.Boolean(), nullable=True)
    if "ix_signin_attempt_source" not in {
        i["name"] for i in inspector.get_indexes("signin_attempt")
    }:
        op.create_index("ix_signin_attempt_source", "signin_attempt", ["source", "at"])


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
