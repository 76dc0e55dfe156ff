"""Printable labels for items and locations: a QR code, a Code 128 barcode of the id, the id
in large type, the case numbers whole and a short description.

Two formats, because property rooms own one of two printers: a thermal label printer with
2 x 1 inch labels (one label to a page) and an office printer with letter-size sheets of
3 x 10 address labels (2.625 x 1 inch, Avery 5160 and the like). The QR code holds
`brady:item:ID` or `brady:location:ID` for a phone camera; the Code 128 barcode holds the
id alone, for the 1-D scanners property rooms already have (both are read by the inventory
page). An id or a case number is never cut short: the type shrinks to fit it, and a
description (which is not an identifier) is shortened at a word instead. Nothing is printed
smaller than 6 pt, which a clerk can still read at arm's length.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import segno
from barcode.codex import Code128
from sqlalchemy.engine import Connection

from ..store import custody_queries as q
from ..store.location_queries import location_row

GAP = 0.06
"""Inches between the QR code and the text, and above the barcode."""
QUIET = 10
"""Modules of white either side of the Code 128 bars: the standard's quiet zone, which a
scanner needs to find where the code begins."""
MONO, SANS, NUMBER = 0.602, 0.55, 0.6
"""Average advance of a character, in ems: DejaVu Sans Mono (the id), DejaVu Sans text,
and DejaVu Sans capitals and digits (case numbers)."""


@dataclass(frozen=True)
class Format:
    """A label stock: its size, its page, and the room left for text beside the QR code
    and above the barcode (both laid out by the template from these numbers)."""

    name: str
    title: str
    hint: str
    per_page: int
    across: int
    page: str
    """The CSS @page rule's size and margin."""
    width: float
    height: float
    pad_x: float
    pad_y: float
    qr: float
    """Side of the QR code, inches."""
    bars: float
    """Height of the Code 128 strip, inches: the full inner width of the label."""
    title_pt: tuple[float, float]
    """The id's type size: as large as fits on one line, within these bounds."""
    line_pt: tuple[float, ...]
    """Sizes tried, largest first, for the lines under the id."""

    @property
    def text_width(self) -> float:
        """Points of width right of the QR code that the text may use."""
        return (self.width - 2 * self.pad_x - self.qr - GAP) * 72

    @property
    def top(self) -> float:
        """Inches of height above the barcode: the QR code and the text."""
        return self.height - 2 * self.pad_y - self.bars - GAP

    @property
    def text_height(self) -> float:
        """Points of height above the barcode that the text may use."""
        return self.top * 72


SHEET = Format(
    name="sheet",
    title="Letter-size sheet, 3 x 10 labels (Avery 5160)",
    hint="Print on letter-size sheets of 2⅝ x 1 inch labels (Avery 5160 or the like) at "
    "100% (actual size), with the browser's headers and footers turned off.",
    per_page=30,
    across=3,
    page="size: Letter; margin: 0.5in 0.1875in",
    width=2.625,
    height=1.0,
    pad_x=0.1,
    pad_y=0.05,
    qr=0.6,
    bars=0.24,
    title_pt=(12.0, 7.0),
    line_pt=(7.0, 6.5, 6.0),
)
THERMAL = Format(
    name="thermal",
    title="Thermal label printer, 2 x 1 inch",
    hint="Choose the label printer and the 2 x 1 inch label size, print at 100% (actual "
    "size) with no margins, and turn the browser's headers and footers off.",
    per_page=1,
    across=1,
    page="size: 2in 1in; margin: 0",
    width=2.0,
    height=1.0,
    pad_x=0.06,
    pad_y=0.05,
    qr=0.5,
    bars=0.26,
    title_pt=(12.0, 9.0),
    line_pt=(7.0, 6.5, 6.0),
)
FORMATS = {f.name: f for f in (SHEET, THERMAL)}

PER_SHEET = SHEET.per_page
"""Labels on one sheet: 3 across, 10 down."""
TITLE_PT = SHEET.title_pt
LINE_PT = SHEET.line_pt


def format_named(name: str) -> Format:
    """The format a person asked for by name, or a plain error naming the choices."""
    found = FORMATS.get(name)
    if found is None:
        raise ValueError(f"there is no label format {name!r}: choose {' or '.join(FORMATS)}")
    return found


def _css_class(pt: float) -> str:
    return "pt" + f"{pt:.1f}".replace(".", "_")


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
    bars_svg: str = ""
    """The Code 128 barcode of the id, drawn to stretch to the strip the template gives it."""
    fmt: Format = SHEET

    @property
    def numbers_fit(self) -> bool:
        """Whether every case number fits on one line at the label's size (if not, a
        number wraps at its hyphens rather than being cut off at the label's edge)."""
        return all(_fits(n, self.text_pt, self.fmt) for n in self.numbers)

    @property
    def title_class(self) -> str:
        """Type sizes go by class, not a style attribute: the pages' Content Security
        Policy lets no inline style through."""
        return _css_class(self.title_pt)

    @property
    def text_class(self) -> str:
        return _css_class(self.text_pt)

    @property
    def title_wraps(self) -> bool:
        """An id too long for one line even at the smallest size, broken over lines."""
        return len(self.title) * MONO * self.title_pt > self.fmt.text_width + 1e-6


def _qr(payload: str) -> str:
    svg: str = segno.make(payload, error="m").svg_inline(scale=2, border=1, omitsize=True)
    return svg


def code128_svg(text: str) -> str:
    """`text` as Code 128 bars with their quiet zones, one SVG unit to a module and one
    unit tall, so that CSS sets its size; edges kept crisp for a scanner."""
    modules: str = Code128(text).build()[0]
    width = len(modules) + 2 * QUIET
    bars = "".join(
        f"M{QUIET + m.start()} 0h{len(m.group())}v1h-{len(m.group())}z"
        for m in re.finditer("1+", modules)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 1" '
        f'preserveAspectRatio="none" shape-rendering="crispEdges" role="img" '
        f'aria-label="Barcode {text}"><rect width="{width}" height="1" fill="#fff"/>'
        f'<path d="{bars}" fill="#000"/></svg>'
    )


def _fits(number: str, pt: float, fmt: Format = SHEET) -> bool:
    return len(number) * NUMBER * pt <= fmt.text_width


def _rows(text: str, pt: float, em: float, fmt: Format = SHEET) -> int:
    """Lines `text` takes at `pt` points, wrapped at words (a little room for ragged ends)."""
    return max(1, math.ceil(len(text) * em * pt * 1.08 / fmt.text_width)) if text else 0


def _number_rows(number: str, pt: float, fmt: Format) -> int:
    """A case number that fits is printed on one line (it never wraps at a word)."""
    return 1 if _fits(number, pt, fmt) else _rows(number, pt, NUMBER, fmt)


def _shorten(text: str, rows: int, pt: float, fmt: Format = SHEET) -> str:
    """`text` cut at a word to fit `rows` lines at `pt` points, marked with an ellipsis."""
    if _rows(text, pt, SANS, fmt) <= rows:
        return text
    words, kept = text.split(), ""
    for word in words:
        longer = f"{kept} {word}".strip()
        if _rows(longer + " …", pt, SANS, fmt) > rows:
            break
        kept = longer
    return f"{kept} …" if kept else ""


def fitted(
    code: str,
    title: str,
    lines: tuple[str, ...],
    qr_svg: str,
    numbers: tuple[str, ...] = (),
    *,
    bars_svg: str = "",
    fmt: Format = SHEET,
) -> Label:
    """The label with its type sized to fit: the id on one line as large as it goes, the
    case numbers whole, each on its line; the first line (a description) shortened at a
    word only when the numbers would not fit under it even in the smallest type."""
    width = fmt.text_width
    low, high = fmt.title_pt[1], fmt.title_pt[0]
    # Down to a tenth of a point: the size the template's CSS class names.
    title_pt = max(low, min(high, math.floor(width / (MONO * max(len(title), 1)) * 10) / 10))
    title_rows = math.ceil(len(title) * MONO * title_pt / width - 1e-6)  # 2+: a long id
    room = fmt.text_height - max(title_rows, 1) * title_pt * 1.2
    for pt in fmt.line_pt:
        if not all(_fits(n, pt, fmt) for n in numbers):
            continue
        used = sum(_number_rows(n, pt, fmt) for n in numbers)
        used += sum(_rows(line, pt, SANS, fmt) for line in lines)
        if used * pt * 1.2 <= room:
            return Label(code, title, lines, qr_svg, numbers, title_pt, pt, bars_svg, fmt)
    pt = fmt.line_pt[-1]
    left = int(room // (pt * 1.2)) - sum(_number_rows(n, pt, fmt) for n in numbers)
    short = [_shorten(lines[0], max(left - len(lines[1:]), 0), pt, fmt)] if lines else []
    kept = tuple(line for line in (*short, *lines[1:]) if line)
    return Label(code, title, kept, qr_svg, numbers, title_pt, pt, bars_svg, fmt)


def item_labels(conn: Connection, item_ids: list[str], fmt: Format = SHEET) -> list[Label]:
    labels = []
    for item_id in item_ids:
        view = q.item_view(conn, item_id)
        if view is None:
            raise ValueError(f"there is no item {item_id!r}")
        numbers = tuple(dict.fromkeys(n for c in view["cases"] for n in c["numbers"]))
        lines = (str(view["description"]),) + (() if numbers else (str(view["category"]),))
        qr = _qr(f"brady:item:{item_id}")
        bars = code128_svg(item_id)
        labels.append(fitted(item_id, item_id, lines, qr, numbers, bars_svg=bars, fmt=fmt))
    return labels


def location_labels(conn: Connection, location_ids: list[str], fmt: Format = SHEET) -> list[Label]:
    labels = []
    for location_id in location_ids:
        row = location_row(conn, location_id)
        if row is None:
            raise ValueError(f"there is no location {location_id!r}")
        lines = (str(row["name"]), str(row["kind"]))
        qr = _qr(f"brady:location:{location_id}")
        bars = code128_svg(location_id)
        labels.append(fitted(location_id, location_id, lines, qr, bars_svg=bars, fmt=fmt))
    return labels


def case_item_ids(conn: Connection, case_id: str) -> list[str]:
    return [i["item_id"] for i in q.list_items(conn, case_id=case_id, limit=10_000)]


def context(labels: list[Label], fmt: Format = SHEET, **extra: Any) -> dict[str, Any]:
    """The template's context: the labels, the same in pages of the format's size, and the
    type sizes they use (each a CSS class)."""
    per = fmt.per_page
    pages = [labels[i : i + per] for i in range(0, len(labels), per)]
    sizes = sorted({pt for lb in labels for pt in (lb.title_pt, lb.text_pt)})
    classes = [(_css_class(pt), f"{pt:.1f}") for pt in sizes]
    return {"labels": labels, "sheets": pages, "fmt": fmt, "sizes": classes, **extra}
