"""The places evidence is kept: shelves, rooms, lockers, as the record has them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from .custody_queries import row_dict
from .custody_tables import location
from .raw_sql import fetch_all

_LOCATION_COLUMNS = ("location_id", "name", "kind", "parent_id")


def location_choices(conn: Connection) -> list[tuple[str, str]]:
    """(id, name) of every location, by id: what a form offers to pick from."""
    return fetch_all(conn, "SELECT location_id, name FROM location ORDER BY location_id")


def locations(conn: Connection) -> list[dict[str, Any]]:
    """Every location (location_id, name, kind, parent_id), by id."""
    rows = fetch_all(
        conn, f"SELECT {', '.join(_LOCATION_COLUMNS)} FROM location ORDER BY location_id"
    )
    return [dict(zip(_LOCATION_COLUMNS, r, strict=True)) for r in rows]


def location_row(conn: Connection, location_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(location).where(location.c.location_id == location_id)).first()
    return None if row is None else row_dict(row)
