"""Seals on the rows that grant access (accounts, tokens, sessions, sealed keys) and a chain
over the stored checkpoints (store/row_seals.py). Rows already there are sealed now, which
takes the master key: `brady upgrade` passes it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from brady.store.sealed_rows import seal_all
from brady.store.sealing import MasterKey, SealingError

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_COLUMNS = {
    "account": "seal",
    "api_token": "seal",
    "web_session": "seal",
    "sealed_key": "seal",
    "ledger_checkpoint": "chain",
}


def upgrade() -> None:
    conn = op.get_bind()
    inspector = sa.inspect(conn)
    for table, column in _COLUMNS.items():
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            op.add_column(table, sa.Column(column, sa.String(64), nullable=True))
    held = conn.execute(sa.text("SELECT count(*) FROM sealed_key")).scalar()
    if not held:
        return  # a new, empty database: every row will be sealed as it is written
    master = context.config.attributes.get("master")
    if not isinstance(master, MasterKey):
        raise SealingError(
            "this upgrade seals the accounts, tokens and keys already stored, which takes the "
            "master key; run it as `brady upgrade` where the master key can be read"
        )
    seal_all(conn, master)


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
