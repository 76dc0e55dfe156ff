"""Printable label sheets: a QR code and the id in large type, for items and locations.

Laid out for common 3 x 10 address-label sheets (2.625 in x 1 in, Avery 5160 and the
like); the QR code holds `brady:item:ID` or `brady:location:ID`, which a scanner reads
back. An id or a case number is never cut short: the type shrinks to fit it, and a
description (which is not an identifier) is shortened at a word instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import segno
from sqlalchemy.engine import Connection

from ..store import custody_queries as q
from ..store.location_queries import location_row

PER_SHEET = 30
"""Labels on one sheet: 3 across, 10 down."""

TEXT_WIDTH = 104.0
"""Points of width right of the QR code that the text may use."""
TEXT_HEIGHT = 62.0
"""Points of height inside the label's padding."""
TITLE_PT = (12.0, 7.0)
"""The id's type size: as large as fits on one line, within these bounds."""
LINE_PT = (6.5, 6.0, 5.5, 5.0, 4.5)
"""Sizes tried, largest first, for the lines under the id."""
MONO, SANS, NUMBER = 0.602, 0.55, 0.6
"""Average advance of a character, in ems: DejaVu Sans Mono (the id), DejaVu Sans text,
and DejaVu Sans capitals and digits (case numbers)."""


@dataclass(frozen=True)
class Label:
    code: str
    title: str
    lines: tuple[str, ...]
    qr_svg: str
    numbers: tuple[str, ...] = ()
    """Case numbers ('court D-101-CR-2023-90041'), each printed whole on a line."""
    title_pt: float = TITLE_PT[0]
    text_pt: float = LINE_PT[0]

    @property
    def numbers_fit(self) -> bool:
        """Whether every case number fits on one line at the label's size (if not, a
        number wraps at its hyphens rather than being cut off at the label's edge)."""
        return all(_fits(n, self.text_pt) for n in self.numbers)


def _qr(payload: str) -> str:
    svg: str = segno.make(payload, error="m").svg_inline(scale=2, border=1, omitsize=True)
    return svg


def _fits(number: str, pt: float) -> bool:
    return len(number) * NUMBER * pt <= TEXT_WIDTH


def _rows(text: str, pt: float, em: float) -> int:
    """Lines `text` takes at `pt` points, wrapped at words (a little room for ragged ends)."""
    return max(1, math.ceil(len(text) * em * pt * 1.08 / TEXT_WIDTH)) if text else 0


def _shorten(text: str, rows: int, pt: float) -> str:
    """`text` cut at a word to fit `rows` lines at `pt` points, marked with an ellipsis."""
    if _rows(text, pt, SANS) <= rows:
        return text
    words, kept = text.split(), ""
    for word in words:
        longer = f"{kept} {word}".strip()
        if _rows(longer + " …", pt, SANS) > rows:
            break
        kept = longer
    return f"{kept} …" if kept else ""


def fitted(
    code: str, title: str, lines: tuple[str, ...], qr_svg: str, numbers: tuple[str, ...] = ()
) -> Label:
    """The label with its type sized to fit: the id on one line as large as it goes, the
    case numbers whole, each on its line; the first line (a description) shortened at a
    word only when the numbers would not fit under it even in the smallest type."""
    title_pt = max(TITLE_PT[1], min(TITLE_PT[0], TEXT_WIDTH / (MONO * max(len(title), 1))))
    title_rows = math.ceil(len(title) * MONO * title_pt / TEXT_WIDTH - 1e-6)  # 2+: a long id
    room = TEXT_HEIGHT - max(title_rows, 1) * title_pt * 1.2
    for pt in LINE_PT:
        if not all(_fits(n, pt) for n in numbers):
            continue
        used = sum(_rows(n, pt, NUMBER) for n in numbers)
        used += sum(_rows(line, pt, SANS) for line in lines)
        if used * pt * 1.2 <= room:
            return Label(code, title, lines, qr_svg, numbers, title_pt, pt)
    pt = LINE_PT[-1]
    left = int(room // (pt * 1.2)) - sum(_rows(n, pt, NUMBER) for n in numbers)
    short = [_shorten(lines[0], max(left - len(lines[1:]), 0), pt)] if lines else []
    kept = tuple(line for line in (*short, *lines[1:]) if line)
    return Label(code, title, kept, qr_svg, numbers, title_pt, pt)


def item_labels(conn: Connection, item_ids: list[str]) -> list[Label]:
    labels = []
    for item_id in item_ids:
        view = q.item_view(conn, item_id)
        if view is None:
            raise ValueError(f"there is no item {item_id!r}")
        numbers = tuple(dict.fromkeys(n for c in view["cases"] for n in c["numbers"]))
        lines = (str(view["description"]),) + (() if numbers else (str(view["category"]),))
        labels.append(fitted(item_id, item_id, lines, _qr(f"brady:item:{item_id}"), numbers))
    return labels


def location_labels(conn: Connection, location_ids: list[str]) -> list[Label]:
    labels = []
    for location_id in location_ids:
        row = location_row(conn, location_id)
        if row is None:
            raise ValueError(f"there is no location {location_id!r}")
        lines = (str(row["name"]), str(row["kind"]))
        labels.append(fitted(location_id, location_id, lines, _qr(f"brady:location:{location_id}")))
    return labels


def case_item_ids(conn: Connection, case_id: str) -> list[str]:
    return [i["item_id"] for i in q.list_items(conn, case_id=case_id, limit=10_000)]


def context(labels: list[Label]) -> dict[str, Any]:
    """The template's context: the labels, and the same in sheets of 30."""
    sheets = [labels[i : i + PER_SHEET] for i in range(0, len(labels), PER_SHEET)]
    return {"labels": labels, "sheets": sheets}
