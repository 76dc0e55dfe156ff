"""Lab requests and results, as the item pages, productions and compliance read them."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Connection

from .raw_sql import fetch_all

_LAB_RECORD = (
    "request_id",
    "lab",
    "item_ids",
    "examinations",
    "requested_at",
    "result_at",
    "findings",
    "report_sha256",
)
"""The fields of a lab request's record, in the order a production's JSON lists them."""


def item_lab_requests(
    conn: Connection, item_id: str
) -> list[tuple[str, str, str, str, str | None, str | None]]:
    """(request, lab, examinations, requested at, result at, findings) of every request
    naming the item, by request id."""
    return fetch_all(
        conn,
        "SELECT request_id, lab, examinations, requested_at, result_at, findings "
        "FROM lab_request WHERE item_ids LIKE ? ORDER BY request_id",
        (f'%"{item_id}"%',),
    )


def lab_record(conn: Connection, request_id: str) -> dict[str, Any]:
    """The lab request and its result, item ids decoded (the request must exist)."""
    rows = fetch_all(
        conn,
        f"SELECT {', '.join(_LAB_RECORD)} FROM lab_request WHERE request_id = ?",
        (request_id,),
    )
    record: dict[str, Any] = dict(zip(_LAB_RECORD, rows[0], strict=True))
    record["item_ids"] = json.loads(record["item_ids"])
    return record


def lab_entries(conn: Connection, item_id: str) -> set[int]:
    """The ledger entries that requested lab work on the item or recorded its results."""
    rows = fetch_all(
        conn,
        "SELECT seq FROM item_event WHERE kind IN ('lab.request', 'lab.result') AND item_id = ?",
        (item_id,),
    )
    return {int(s) for (s,) in rows}


def lab_results(conn: Connection) -> list[tuple[str, str, list[str], str]]:
    """(request, lab, item ids, result at) of every request that has its result, by id."""
    rows = fetch_all(
        conn,
        "SELECT request_id, lab, item_ids, result_at FROM lab_request "
        "WHERE result_at IS NOT NULL ORDER BY request_id",
    )
    return [(r, lab, json.loads(ids), at) for r, lab, ids, at in rows]


def lab_requests_waiting(conn: Connection) -> list[tuple[str, str, list[str]]]:
    """(request, lab, item ids) of every request still without a result, by id."""
    rows = fetch_all(
        conn,
        "SELECT request_id, lab, item_ids FROM lab_request WHERE result_at IS NULL "
        "ORDER BY request_id",
    )
    return [(r, lab, json.loads(ids)) for r, lab, ids in rows]
