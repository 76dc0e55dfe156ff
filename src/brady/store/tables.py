"""SQLAlchemy Core tables. The schema itself is created by the Alembic migrations.

The ledger tables are insert-only: the migrations add database triggers that
refuse UPDATE and DELETE, and no code path in Brady issues either.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

ledger_entry = Table(
    "ledger_entry",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    # A copy of the entry's kind, so key events can be found without a full scan;
    # verification checks it against the signed bytes.
    Column("kind", String(100), nullable=False, index=True),
    Column("entry", LargeBinary, nullable=False),
)

ledger_node = Table(
    "ledger_node",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

ledger_checkpoint = Table(
    "ledger_checkpoint",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("note", Text, nullable=False),
    Column("created_at", String(32), nullable=False, index=True),
    # HMAC over the previous checkpoint's chain and this row (row_seals.py): a deleted
    # checkpoint between two others breaks it.
    Column("chain", String(64), nullable=True),
)

sealed_key = Table(
    "sealed_key",
    metadata,
    Column("key_id", String(64), primary_key=True),
    # 'log' for the checkpoint key, 'actor' for keys that sign entries.
    Column("role", String(16), nullable=False),
    Column("holder", Text, nullable=False),
    Column("public_key", LargeBinary(32), nullable=False),
    # The Ed25519 seed, encrypted (XSalsa20-Poly1305) under the operator's master key.
    Column("sealed", LargeBinary, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("seal", String(64), nullable=True),  # see row_seals.py
    # Every command that signs asks for its user's newest key: found by index, not by
    # reading every user's keys.
    Index("ix_sealed_key_role_holder", "role", "holder", "created_at"),
)

projection_version = Table(
    "projection_version",
    metadata,
    # Which version of each projector's rules built the state tables. The tables are
    # derived from the ledger; when the rules change, `brady upgrade` rebuilds them.
    Column("projector", String(100), primary_key=True),
    Column("version", SmallInteger, nullable=False),
)

APPEND_ONLY = ("ledger_entry", "ledger_node", "ledger_checkpoint", "sealed_key")
