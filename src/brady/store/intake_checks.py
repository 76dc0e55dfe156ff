"""What an intake must find before it is recorded: its place, its cases and, when Brady
numbers the item, the next free number, asked together (one round trip on PostgreSQL,
under the ledger's lock)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

from .numbering import NextNumber
from .raw_sql import fetch_pipelined


def item_numbers(conn: Connection) -> NextNumber:
    """ITM-000001, ITM-000002, ...: read under the write lock, so two intakes never collide."""
    return NextNumber(conn, "item", "item_id", "ITM")


def place_and_cases(
    conn: Connection, location_id: str | None, case_ids: list[str], numbered: bool = False
) -> tuple[bool, dict[str, bool], str | None]:
    """Whether the location exists (True if none is named), for each of the cases that
    exist whether it is open, and with `numbered` the number the item is given (else None):
    an intake's checks, asked together (one round trip)."""
    queries: list[tuple[str, Sequence[Any]]] = []
    numbers = item_numbers(conn) if numbered else None
    if numbers is not None:
        queries.append(numbers.probe())
    if location_id is not None:
        queries.append(("SELECT 1 FROM location WHERE location_id = ?", (location_id,)))
    if case_ids:
        marks = ", ".join("?" for _ in case_ids)
        sql = f"SELECT case_id, status FROM case_file WHERE case_id IN ({marks})"
        queries.append((sql, case_ids))
    found = fetch_pipelined(conn, queries)
    number = numbers.number(found.pop(0)) if numbers is not None else None
    placed = bool(found.pop(0)) if location_id is not None else True
    opened = {str(c): status != "closed" for c, status in (found[0] if case_ids else [])}
    return placed, opened, number
