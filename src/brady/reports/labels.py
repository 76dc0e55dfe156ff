"""Printable label sheets: a QR code and the id in large type, for items and locations.

Laid out for common 3 x 10 address-label sheets (2.625 in x 1 in); the QR code
holds `brady:item:ID` or `brady:location:ID`, which a scanner reads back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import segno
from sqlalchemy.engine import Connection

from ..store import custody_queries as q
from ..store.location_queries import location_row


@dataclass(frozen=True)
class Label:
    code: str
    title: str
    lines: tuple[str, ...]
    qr_svg: str


def _qr(payload: str) -> str:
    svg: str = segno.make(payload, error="m").svg_inline(scale=2, border=1, omitsize=True)
    return svg


def item_labels(conn: Connection, item_ids: list[str]) -> list[Label]:
    labels = []
    for item_id in item_ids:
        view = q.item_view(conn, item_id)
        if view is None:
            raise ValueError(f"there is no item {item_id!r}")
        numbers = [n for c in view["cases"] for n in c["numbers"]]
        lines = (view["description"][:70], ", ".join(numbers)[:70] or view["category"])
        labels.append(Label(item_id, item_id, lines, _qr(f"brady:item:{item_id}")))
    return labels


def location_labels(conn: Connection, location_ids: list[str]) -> list[Label]:
    labels = []
    for location_id in location_ids:
        row = location_row(conn, location_id)
        if row is None:
            raise ValueError(f"there is no location {location_id!r}")
        labels.append(
            Label(
                location_id,
                location_id,
                (row["name"], row["kind"]),
                _qr(f"brady:location:{location_id}"),
            )
        )
    return labels


def case_item_ids(conn: Connection, case_id: str) -> list[str]:
    return [i["item_id"] for i in q.list_items(conn, case_id=case_id, limit=10_000)]


def context(labels: list[Label]) -> dict[str, Any]:
    return {"labels": labels}
