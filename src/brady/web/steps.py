"""An item's history in words: to whom, where and why each step was taken, read from the
step's own ledger entry (the history table keeps only who did what, and when)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.engine import Connection

from ..access.policy import Caller, Level
from ..store import access_queries as facts
from ..store.item_steps import with_payloads

Words = Callable[[Mapping[str, Any]], list[str]]


def _checkout(p: Mapping[str, Any]) -> list[str]:
    return [f"to {p.get('to')}", f"for {p.get('purpose')}", f"due back {p.get('due_back')}"]


def _checkin(p: Mapping[str, Any]) -> list[str]:
    seal = "seal intact" if p.get("seal_intact") else "seal broken"
    return [f"put at {p.get('location_id')}", f"condition: {p.get('condition')}", seal]


_WORDS: dict[str, Words] = {
    "item.intake": lambda p: [
        f"put at {p.get('location_id')}",
        *([f"received from {p['received_from']}"] if p.get("received_from") else []),
    ],
    "item.checkout": _checkout,
    "item.checkin": _checkin,
    "item.move": lambda p: [f"to {p.get('location_id')}"],
    "item.split": lambda p: [f"{p.get('quantity')} split off as {p.get('new_item_id')}"],
    "item.disposition_request": lambda p: [f"method: {p.get('method')}"],
    "item.disposition": lambda p: [
        f"method: {p.get('method')}",
        *([f"to {p['to']}"] if p.get("to") else []),
    ],
    "lab.request": lambda p: [f"to {p.get('lab')}", f"for {p.get('examinations')}"],
    "inventory.scan": lambda p: [f"in inventory {p.get('inventory_id')}"],
    "file.attach": lambda p: [str(p.get("name", ""))],
}


def words(kind: str, payload: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """What a step says beyond its kind: to whom (by name), where, and why."""
    said: list[str] = []
    if kind == "item.transfer" and payload.get("to_user"):
        user = str(payload["to_user"])
        name = names.get(user)
        said.append(f"to {name} ({user})" if name and name != user else f"to {user}")
    elif kind in _WORDS:
        said.extend(_WORDS[kind](payload))
    if payload.get("reason"):
        said.append(f"why: {payload['reason']}")
    return "; ".join(s for s in said if s)


def described(
    conn: Connection,
    caller: Caller,
    level: Level | None,
    rows: list[dict[str, Any]],
    names: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The history rows (already those this caller may see), each with `detail`: its
    step in words. Defense counsel reads each step as it was produced to them."""
    produced = facts.produced_to(conn, caller) if level is Level.DISCLOSED else None
    out = []
    for row, kind, payload in with_payloads(conn, rows):
        shown = produced.redact(kind, payload) if produced is not None else payload
        out.append({**row, "detail": words(kind, shown, names)})
    return out
