"""An item's history with what each step said: the rows a reader is shown, and the signed
payloads the access rules decide on (which file, which lab request, which case)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.engine import Connection

from ..ledger.entry import parse_entry
from .ledger_store import read_entries
from .raw_sql import fetch_in

Step = tuple[dict[str, Any], str, dict[str, Any]]
"""(the history row, the event's kind, its payload)."""


def with_payloads(conn: Connection, rows: Iterable[dict[str, Any]]) -> list[Step]:
    """Each row with its entry's payload, read on `conn` (one query for the entries, one for
    the cases of link decisions, whose payload names only the suggestion)."""
    rows = list(rows)
    raw = read_entries(conn, (int(row["seq"]) for row in rows))
    entries = {seq: parse_entry(data, seq) for seq, data in raw.items()}
    decided = sorted(
        {
            str(e.payload["suggestion_id"])
            for e in entries.values()
            if e.kind in ("link.accept", "link.reject") and "suggestion_id" in e.payload
        }
    )
    case_of = dict(
        fetch_in(
            conn,
            "SELECT suggestion_id, case_id FROM link_suggestion WHERE suggestion_id IN ({marks})",
            decided,
        )
    )
    steps: list[Step] = []
    for row in rows:
        entry = entries[int(row["seq"])]
        payload = dict(entry.payload)
        if entry.kind in ("link.accept", "link.reject") and "suggestion_id" in payload:
            payload["case_id"] = str(case_of.get(payload["suggestion_id"], ""))
        steps.append((row, entry.kind, payload))
    return steps
