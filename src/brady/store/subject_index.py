"""Entries by subject: which entries name a case, an item, a person, a production.

An as-of view of one case need not replay the whole ledger, only the case's own entries
and what they refer to (store/as_of.py, `case_entries`). The subjects are in every signed
entry; this projection keeps them in a table with an index, rebuilt and compared by
`brady verify` like every other projection.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from sqlalchemy import BigInteger, Column, Index, String, Table
from sqlalchemy.engine import Connection

from ..ledger.entry import Entry
from .raw_sql import Batch, execute_batches
from .tables import metadata

entry_subject = Table(
    "entry_subject",
    metadata,
    Column("subject", String(200), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Index("ix_entry_subject_seq", "seq"),
)


class SubjectProjector:
    """Every entry's subjects, one row each."""

    tables: ClassVar[tuple[Table, ...]] = (entry_subject,)
    version: ClassVar[int] = 1

    def prepare(self, conn: Connection) -> None:
        """Nothing lives beside the table."""

    def check(self, conn: Connection) -> list[str]:
        return []

    def rows(self, entries: Sequence[Entry]) -> list[Batch]:
        """Written with the entries themselves (`RowsProjector`)."""
        rows = [(s, e.seq) for e in entries for s in sorted(set(e.subjects))]
        return [("INSERT INTO entry_subject (subject, seq) VALUES (?, ?)", rows)]

    def apply(self, conn: Connection, entries: Sequence[Entry]) -> None:
        execute_batches(conn, self.rows(entries))
