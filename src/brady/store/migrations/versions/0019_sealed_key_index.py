"""An index on the sealed keys by role and holder: every command that signs reads its
user's newest key, and without it each read went through every user's keys.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    held = {i["name"] for i in sa.inspect(conn).get_indexes("sealed_key")}
    if "ix_sealed_key_role_holder" not in held:  # a ledger made with this Brady has it
        op.create_index("ix_sealed_key_role_holder", "sealed_key", ["role", "holder", "created_at"])


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
