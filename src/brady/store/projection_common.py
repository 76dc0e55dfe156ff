"""What every custody projection handler shares: the actor, the time and payload of an
entry, and the item's history and columns, so each area's handlers read the same way."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Connection

from ..domain import events as ev
from ..ledger.entry import Entry
from .custody_tables import item
from .raw_sql import Batch, execute_many, fetch_all


def as_json(value: Any) -> str:
    """Canonical JSON for a column, so a rebuild writes byte-identical rows."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def actor_of(conn: Connection, entry: Entry) -> str:
    """The user (or key holder) who signed an entry.

    Once a key is bound to a user the binding never changes, so bound keys are
    remembered per database connection (conn.info lives with the DBAPI connection).
    """
    known: dict[str, str] = conn.info.setdefault("brady_actors", {})
    if entry.key_id in known:
        return known[entry.key_id]
    rows = fetch_all(
        conn, "SELECT user_id, holder FROM actor_key WHERE key_id = ?", (entry.key_id,)
    )
    if not rows:
        return f"key:{entry.key_id}"
    user_id, holder = rows[0]
    if user_id is not None:
        known[entry.key_id] = str(user_id)
    return str(user_id or holder)


def when_of(entry: Entry, payload: ev.Payload) -> str:
    """When it happened: the time the event names, else when it was recorded."""
    return getattr(payload, "occurred_at", None) or entry.recorded_at


def payload_of(entry: Entry) -> Any:
    """The entry's payload as its event model (the ledger stores plain JSON)."""
    return ev.PAYLOADS[entry.kind].model_validate(entry.payload)


_HISTORY = "INSERT INTO item_event (item_id, seq, kind, occurred_at, actor) VALUES (?, ?, ?, ?, ?)"


def history_row(conn: Connection, entry: Entry, item_id: str, when: str) -> Batch:
    """One line of an item's chain of custody, to write with the event's other rows."""
    return _HISTORY, [(item_id, entry.seq, entry.kind, when, actor_of(conn, entry))]


def record_history(conn: Connection, entry: Entry, item_id: str, when: str) -> None:
    """One line of an item's chain of custody."""
    execute_many(conn, *history_row(conn, entry, item_id, when))


_ITEM_COLUMNS = frozenset(c.name for c in item.columns)


def _item_columns(values: dict[str, Any]) -> list[str]:
    """The names, checked against the item table's own columns: they go into the SQL."""
    unknown = set(values) - _ITEM_COLUMNS
    if unknown:
        raise ValueError(f"item has no column {sorted(unknown)}")
    return sorted(values)


def item_change(entry: Entry, item_id: str, **values: Any) -> Batch:
    """The update of an item's columns, to write with the event's other rows."""
    values["last_seq"] = entry.seq
    names = _item_columns(values)
    assignments = ", ".join(f"{name} = ?" for name in names)
    return (
        f"UPDATE item SET {assignments} WHERE item_id = ?",
        [(*(values[n] for n in names), item_id)],
    )


def item_row(values: dict[str, Any]) -> Batch:
    """The insert of a new item, to write with the event's other rows."""
    names = _item_columns(values)
    marks = ", ".join("?" for _ in names)
    return f"INSERT INTO item ({', '.join(names)}) VALUES ({marks})", [
        tuple(values[n] for n in names)
    ]


def set_item(conn: Connection, entry: Entry, item_id: str, **values: Any) -> None:
    """Change an item's columns."""
    execute_many(conn, *item_change(entry, item_id, **values))
