"""What an intake must find before it is recorded: its place and its cases, asked together
(one round trip on PostgreSQL, under the ledger's lock)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

from .raw_sql import fetch_pipelined


def place_and_cases(
    conn: Connection, location_id: str | None, case_ids: list[str]
) -> tuple[bool, dict[str, bool]]:
    """Whether the location exists (True if none is named), and for each of the cases that
    exist whether it is open: an intake's checks, asked together (one round trip)."""
    queries: list[tuple[str, Sequence[Any]]] = []
    if location_id is not None:
        queries.append(("SELECT 1 FROM location WHERE location_id = ?", (location_id,)))
    if case_ids:
        marks = ", ".join("?" for _ in case_ids)
        sql = f"SELECT case_id, status FROM case_file WHERE case_id IN ({marks})"
        queries.append((sql, case_ids))
    found = fetch_pipelined(conn, queries)
    placed = bool(found.pop(0)) if location_id is not None else True
    opened = {str(c): status != "closed" for c, status in (found[0] if case_ids else [])}
    return placed, opened
