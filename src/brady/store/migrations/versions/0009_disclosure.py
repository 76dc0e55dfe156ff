"""Disclosure: rule sets, case rules, requests, flags, withholdings, productions, receipts.
Also: PostgreSQL's fuzzy name index becomes a GiST trigram index (nearest-name search).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

from brady.linking import name_search
from brady.store.disclosure_tables import TABLES

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New projection tables; `brady upgrade` then fills them from the ledger.
    for table in TABLES:
        table.create(op.get_bind(), checkfirst=True)
    name_search.ensure(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
