"""An item's history with what each step said: the rows a reader is shown, and the signed
payloads the access rules decide on (which file, which lab request, which case)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.engine import Connection

from ..ledger.entry import parse_entry
from ._raw import fetch_all
from .ledger_store import LedgerStore

Step = tuple[dict[str, Any], str, dict[str, Any]]
"""(the history row, the event's kind, its payload)."""


def with_payloads(
    conn: Connection, ledger: LedgerStore, rows: Iterable[dict[str, Any]]
) -> list[Step]:
    """Each row with its entry's payload; a link decision also names the suggestion's case
    (its payload names only the suggestion)."""
    steps: list[Step] = []
    for row in rows:
        entry = parse_entry(ledger.entry(int(row["seq"])), int(row["seq"]))
        payload = dict(entry.payload)
        if entry.kind in ("link.accept", "link.reject") and "suggestion_id" in payload:
            found = fetch_all(
                conn,
                "SELECT case_id FROM link_suggestion WHERE suggestion_id = ?",
                (payload["suggestion_id"],),
            )
            payload["case_id"] = str(found[0][0]) if found else ""
        steps.append((row, entry.kind, payload))
    return steps
