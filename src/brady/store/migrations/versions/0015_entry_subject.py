"""Entries by subject (a projection), so that a view of one case as it stood replays only
its own entries; and checkpoints by the time they were signed, for views as recorded at
a date.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

from brady.store.subject_index import entry_subject

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    entry_subject.create(op.get_bind(), checkfirst=True)
    op.create_index(
        "ix_ledger_checkpoint_created_at", "ledger_checkpoint", ["created_at"], if_not_exists=True
    )


def downgrade() -> None:
    raise NotImplementedError("Brady never migrates a ledger downwards")
