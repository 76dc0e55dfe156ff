"""The ledger: entries, subtree hashes, checkpoints, sealed keys; all insert-only.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from brady.store.append_only import protect

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TABLES = ("ledger_entry", "ledger_node", "ledger_checkpoint", "sealed_key")


def upgrade() -> None:
    op.create_table(
        "ledger_entry",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("entry", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_ledger_entry_kind", "ledger_entry", ["kind"])
    op.create_table(
        "ledger_node",
        sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_table(
        "ledger_checkpoint",
        sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "sealed_key",
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("holder", sa.Text, nullable=False),
        sa.Column("public_key", sa.LargeBinary(32), nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    protect(op.get_bind(), _TABLES)


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
