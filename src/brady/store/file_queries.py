"""The files attached to items, as the record has them: names, sizes and hashes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from .custody_tables import item_file
from .raw_sql import fetch_all

_FILE_COLUMNS = ("sha256", "name", "size", "media_type", "seq")


def item_files(conn: Connection, item_id: str) -> list[dict[str, Any]]:
    """The item's files (sha256, name, size, media_type, seq), by name."""
    rows = fetch_all(
        conn,
        f"SELECT {', '.join(_FILE_COLUMNS)} FROM item_file WHERE item_id = ? ORDER BY name",
        (item_id,),
    )
    return [dict(zip(_FILE_COLUMNS, r, strict=True)) for r in rows]


def item_file_meta(
    conn: Connection, item_id: str, sha256: str
) -> tuple[str, int, str | None] | None:
    """(name, size, media type) of the file attached to the item, or None."""
    rows = fetch_all(
        conn,
        "SELECT name, size, media_type FROM item_file WHERE item_id = ? AND sha256 = ?",
        (item_id, sha256),
    )
    return rows[0] if rows else None


def recorded_hashes(conn: Connection) -> dict[str, int]:
    """Every attached file's SHA-256 and size (a file attached twice is one file)."""
    rows = conn.execute(select(item_file.c.sha256, item_file.c.size).distinct())
    return {r.sha256: int(r.size) for r in rows}


def production_bags(conn: Connection) -> list[str]:
    """The SHA-256 of every production's bag (its tag manifest), in ledger order."""
    return [str(r[0]) for r in fetch_all(conn, "SELECT bag_sha256 FROM production ORDER BY seq")]


def case_file_attachment(conn: Connection, case_id: str, sha256: str) -> tuple[str, int]:
    """(name, entry that attached it) of the file, as attached to the first of the case's
    items that holds it (the file must be one of the case's)."""
    rows = fetch_all(
        conn,
        "SELECT f.item_id, f.name, f.seq FROM item_file f "
        "JOIN item_case ic ON ic.item_id = f.item_id "
        "WHERE f.sha256 = ? AND ic.case_id = ? ORDER BY f.item_id",
        (sha256, case_id),
    )
    _, name, seq = rows[0]
    return str(name), int(seq)


def case_files_obtained(conn: Connection, case_id: str) -> list[tuple[str, str, str, str, int]]:
    """(item, sha256, name, when attached, its entry) of every file of the case's items."""
    return fetch_all(
        conn,
        "SELECT f.item_id, f.sha256, f.name, e.occurred_at, e.seq FROM item_case ic "
        "JOIN item_file f ON f.item_id = ic.item_id "
        "JOIN item_event e ON e.item_id = f.item_id AND e.seq = f.seq "
        "WHERE ic.case_id = ? ORDER BY f.item_id, f.name",
        (case_id,),
    )


def files_only_disposed_items_hold(conn: Connection, item_id: str) -> list[str]:
    """The item's files that no item still in custody holds (every item each is attached to
    has been disposed of): their legal hold may be lifted."""
    rows = fetch_all(
        conn,
        "SELECT f.sha256 FROM item_file f WHERE f.item_id = ? AND NOT EXISTS ("
        "SELECT 1 FROM item_file g JOIN item i ON i.item_id = g.item_id "
        "WHERE g.sha256 = f.sha256 AND i.status <> 'disposed') ORDER BY f.sha256",
        (item_id,),
    )
    return [str(r[0]) for r in rows]
