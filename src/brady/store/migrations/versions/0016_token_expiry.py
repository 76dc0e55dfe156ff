"""API tokens expire: `api_token.expires_at` (UTC, the ledger's time form; NULL: never).

Tokens made before this version keep working as they were made, with no expiry: their
seals hold, since a seal covers the expiry only when one is set (store/row_seals.py). An
administrator who wants them to expire revokes them and issues new ones.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A ledger made by this version has the column already (0010 creates api_token as
    # account_tables.py declares it now).
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("api_token")}
    if "expires_at" not in present:
        op.add_column("api_token", sa.Column("expires_at", sa.String(32), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
