"""Linking's own tables: what each record is known by, and the extra patterns recorded.

Projection tables like the custody ones (same metadata, created by the migrations,
rebuilt from the ledger); linking keeps them, so the store needs no idea of a mention.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from ..store.custody_tables import id_column, projections

mention_index = Table(
    "mention_index",
    projections,
    # owner: "item", "case", "person" or "organization"; key: a normalized mention key
    Column("owner_kind", String(20), primary_key=True),
    id_column("owner_id", primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("text", Text, nullable=False),
    # Lookups go by what is mentioned, then by whose mention it is.
    Index("ix_mention_kind_key", "kind", "key", "owner_kind", "owner_id"),
)
file_mention = Table(
    "file_mention",
    projections,
    # What a page of an attached file mentions (file.read): kept apart from the item's own
    # mentions so that re-reading the item's fields (a correction) keeps them.
    id_column("item_id", primary_key=True),
    Column("sha256", String(64), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("page", Integer, nullable=False),
    Column("text", Text, nullable=False),
)
linking_count = Table(
    "linking_count",
    projections,
    # How common things are in the record, kept as the ledger grows so that weighing a
    # suggestion reads a handful of rows, never counts a table: kind "given", "surname"
    # or "name" (a person's given name, surname, full name key), or "people",
    # "organizations", "open_cases" (key "").
    Column("kind", String(20), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("n", BigInteger, nullable=False),
)
linking_pattern = Table(
    "linking_pattern",
    projections,
    # The extra extraction patterns an administrator recorded (linking.patterns):
    # kind "case_number" (regex, key ""), "caliber" (key -> regex), "make" (written -> key).
    Column("kind", String(20), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("pattern", Text, primary_key=True),
)
linking_patterns_version = Table(
    "linking_patterns_version",
    projections,
    # One row: a hash chained over every change to what extraction looks for (an
    # agency's formats, recorded patterns and model, an organization, a town learned), so
    # a process reads the patterns again only when it moved (`known_patterns`).
    Column("chain", String(64), primary_key=True),
)
