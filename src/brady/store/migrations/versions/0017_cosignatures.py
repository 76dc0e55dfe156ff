"""Witnesses' cosignatures on the checkpoints (`ledger_cosignature`), written once each,
after the checkpoint they sign was committed, and never changed: the same triggers as on
the ledger's own tables refuse UPDATE and DELETE.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-09
"""

from __future__ import annotations

from alembic import op

from brady.store.append_only import protect
from brady.store.cosignatures import ledger_cosignature

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    ledger_cosignature.create(conn, checkfirst=True)
    protect(conn, ["ledger_cosignature"])


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
