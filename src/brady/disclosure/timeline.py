"""A case on one time axis: court dates, evidence taken in, links suggested and decided,
disclosure deadlines and productions, so a judge sees a four-month gap at a glance.

`collect` reads the facts (the state tables and the compliance view, nothing else);
`svg` draws them, each label where `timeline_layout` found room for it (no label over
another, none under the as-of line, text legible on a tablet); `png` renders that picture
through WeasyPrint and pdfium, the same engines as the PDF reports.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from ..domain.moments import UTC_ZONE
from ..reports import render
from ..store import disclosure_queries as dq
from ..store.ledger_store import read_entries
from ..store.link_queries import case_suggestion_history
from . import compliance
from . import timeline_layout as layout

LANES = ("Court", "Evidence", "Links", "Disclosure")


@dataclass(frozen=True)
class Mark:
    lane: str
    start: date
    end: date | None  # a span (a link waiting for review, a late disclosure), or a point
    label: str
    tone: str  # "plain", "good" or "bad"


def _d(text: Any) -> date:
    return date.fromisoformat(str(text)[:10])


def collect(
    conn: Connection, case_id: str, today: date, zone: ZoneInfo = UTC_ZONE
) -> list[Mark] | None:
    """Every mark of the case's picture, lane by lane (None: there is no such case)."""
    view = compliance.compute(conn, case_id, today, zone)
    if view is None:
        return None
    return [
        *_court(conn, case_id),
        *_evidence(view),
        *_links(conn, case_id, today),
        *_lateness(view, today),
        *_productions(conn, case_id),
        *_deadlines(view),
    ]


def _court(conn: Connection, case_id: str) -> list[Mark]:
    """The case opened (and closed), and each defendant charged and arraigned."""
    marks: list[Mark] = []
    for opened, closed in dq.case_dates(conn, case_id):
        marks.append(Mark("Court", _d(opened), None, "case opened", "plain"))
        if closed:
            marks.append(Mark("Court", _d(closed), None, "case closed", "plain"))
    for person, charged, arraigned in dq.defendant_dates(conn, case_id):
        marks.append(Mark("Court", _d(charged), None, f"{person} charged", "plain"))
        if arraigned:
            marks.append(Mark("Court", _d(arraigned), None, f"{person} arraigned", "plain"))
    return marks


def _evidence(view: compliance.Compliance) -> list[Mark]:
    """The items taken in, one mark a day, so a busy day does not bury the lane."""
    taken: dict[date, list[str]] = {}
    for u in view.units:
        if u.unit.startswith("item:"):
            taken.setdefault(_d(u.obtained), []).append(u.unit[5:])
    return [
        Mark("Evidence", day, None, _some(items, "taken in"), "plain")
        for day, items in sorted(taken.items())
    ]


def _links(conn: Connection, case_id: str, today: date) -> list[Mark]:
    """Each link suggested for the case, as a span until it was decided (or until today,
    while it waits): a long wait for review is what the picture is for."""
    marks: list[Mark] = []
    suggestions = case_suggestion_history(conn, case_id)
    entries = read_entries(conn, [int(seq) for _, _, _, seq, _ in suggestions])
    for sid, item_id, status, seq, decided in suggestions:
        entry = json.loads(entries[int(seq)])
        suggested = _d(entry["payload"].get("occurred_at") or entry["recorded_at"])
        if status == "open":
            label = f"{item_id} suggested, NOT REVIEWED ({sid})"
            marks.append(Mark("Links", suggested, today, label, "bad"))
        else:
            end = _d(decided)
            days = (end - suggested).days
            label = f"{item_id} {status} after {days} days ({sid})"
            marks.append(Mark("Links", suggested, end, label, "bad" if days > 30 else "good"))
    return marks


def _lateness(view: compliance.Compliance, today: date) -> list[Mark]:
    """Disclosures made late (due date to production) and still overdue (due date to
    today), the units of one span grouped into one mark."""
    late: dict[tuple[date, date], list[str]] = {}
    overdue: dict[date, list[str]] = {}
    for u in view.units:
        if u.status == "late" and u.due and u.produced:
            late.setdefault((_d(u.due), _d(u.produced)), []).append(u.what.split(":")[0])
        elif u.status == "overdue" and u.due:
            overdue.setdefault(_d(u.due), []).append(u.what.split(":")[0])
    marks: list[Mark] = []
    for (due, produced), what in sorted(late.items()):
        label = _some(what, f"produced {(produced - due).days} days late")
        marks.append(Mark("Disclosure", due, produced, label, "bad"))
    for due, what in sorted(overdue.items()):
        label = _some(what, f"overdue since {due}")
        marks.append(Mark("Disclosure", due, today, label, "bad"))
    return marks


def _productions(conn: Connection, case_id: str) -> list[Mark]:
    """Each production, and whether defense counsel acknowledged receiving it."""
    marks: list[Mark] = []
    for pid, produced, received in dq.production_dates(conn, case_id):
        said = "received" if received else "NOT acknowledged"
        marks.append(Mark("Disclosure", _d(produced), None, f"{pid} ({said})", "good"))
    return marks


def _deadlines(view: compliance.Compliance) -> list[Mark]:
    """The three earliest due dates: where the disclosure clock starts to bite."""
    deadlines = sorted({u.due for u in view.units if u.due})
    return [
        Mark("Disclosure", _d(deadline), None, f"due {deadline}", "plain")
        for deadline in deadlines[:3]
    ]


def _some(names: list[str], what: str) -> str:
    shown = ", ".join(names[:2]) + (f" and {len(names) - 2} more" if len(names) > 2 else "")
    return f"{shown} {what}"


# The picture's geometry, in viewBox units. 760 wide so that 12 px text is still 12 px on a
# tablet (768 px, less the page's margins); the height grows with the rows the labels need.
WIDTH, LEFT, RIGHT = 760, 100, 16  # lane names left of LEFT, the time axis right of it
SIZE, TITLE_SIZE = 12.0, 15.0
PITCH, BASELINE, LANE_PAD = 28, 24, 6  # a row: its dot or bar on top, its words below
LEADING = 15  # between the lines of a label too long for one
FILLS = ("#f4f6f8", "#ffffff")
COLORS = {"bad": "#c0392b", "good": "#1e7e34", "plain": "#2c3e50"}


def svg(title: str, marks: list[Mark], today: date) -> str:
    """The picture: a band per lane, time left to right, spans as bars. Labels are laid
    out in rows of their lane so none overlaps another (timeline_layout), and the picture
    is as tall as its rows, rather than its words small."""
    days = [m.start for m in marks] + [m.end for m in marks if m.end] + [today]
    first, last = min(days) - timedelta(days=7), max(days) + timedelta(days=7)
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return round(LEFT + (day - first).days / span * (WIDTH - LEFT - RIGHT), 1)

    heading = layout.wrap(title, TITLE_SIZE, WIDTH - 20, bold=True)
    top = 64 + 19 * (len(heading) - 1)
    frame = layout.Frame(LEFT - 6, WIDTH - 4, x(today), SIZE, PITCH, LEADING)
    lanes: list[dict[str, Any]] = []
    drawn: list[dict[str, Any]] = []
    for i, lane in enumerate(LANES):
        lane_top = lanes[-1]["top"] + lanes[-1]["height"] if lanes else top
        band, mine = _lane(lane, [m for m in marks if m.lane == lane], x, lane_top, frame)
        lanes.append({**band, "fill": FILLS[i % 2]})
        drawn += [{**d, "halo": FILLS[i % 2]} for d in mine]
    bottom = lanes[-1]["top"] + lanes[-1]["height"]
    boxes = [line["box"] for d in drawn for line in d["lines"]]
    return render.html(
        "timeline.svg.j2",
        title=[{"y": 26 + 19 * k, "text": line} for k, line in enumerate(heading)],
        width=WIDTH,
        height=round(bottom + 28),
        size=SIZE,
        title_size=TITLE_SIZE,
        top=top,
        bottom=bottom,
        lanes=lanes,
        marks=drawn,
        ticks=layout.ticks(first, last, x, SIZE, WIDTH - 4),
        today=_today(today, frame.today, top, bottom, boxes),
    )


def _lane(
    lane: str, marks: list[Mark], x: Callable[[date], float], top: float, frame: layout.Frame
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One lane's band and its marks, each with its dot or bar and its label's lines."""
    mine = sorted(marks, key=lambda m: (m.start, m.end or m.start))
    extents = [
        layout.Extent(x(m.start), max(x(m.end), x(m.start) + 3), m.label)
        if m.end
        else layout.Extent(x(m.start) - 4, x(m.start) + 4, m.label)
        for m in mine
    ]
    labels = layout.lay_out(extents, frame)
    height = 2 * LANE_PAD + max(layout.rows_used(labels), 1) * PITCH
    drawn = []
    for m, extent, label in zip(mine, extents, labels, strict=True):
        row = top + LANE_PAD + label.row * PITCH
        lines = []
        for k, text in enumerate(label.lines):
            y = row + BASELINE + k * LEADING
            box = layout.text_box(label.x, y, text, SIZE, label.anchor)
            lines.append({"x": label.x, "y": y, "anchor": label.anchor, "text": text, "box": box})
        drawn.append(
            {
                "bar": m.end is not None,
                "x": extent.left,
                "x2": extent.right,
                "cx": x(m.start),
                "y": row + 7,
                "color": COLORS[m.tone],
                "lines": lines,
            }
        )
    return {"name": lane, "top": top, "height": height}, drawn


def _today(
    today: date, at: float, top: float, bottom: float, boxes: list[layout.Box]
) -> dict[str, Any]:
    """The as-of line, in pieces around any words it would cross, and its date below the
    lanes, on whichever side of the line it fits."""
    text = f"as of {today.isoformat()}"
    fits_left = at - 4 - layout.text_width(text, SIZE) >= 4
    return {
        "x": at,
        "pieces": layout.line_pieces(at, top, bottom, boxes),
        "label": text,
        "label_x": at - 4 if fits_left else at + 4,
        "anchor": "end" if fits_left else "start",
        "label_y": bottom + 18,
    }


def png(picture: str, scale: float = 2.0) -> bytes:
    """The SVG as a PNG image, rendered by WeasyPrint (to PDF) and pdfium (to pixels)."""
    import io
    import re

    import pypdfium2

    size = re.search(r'width="(\d+)" height="(\d+)"', picture)
    w, h = (size.group(1), size.group(2)) if size else (str(WIDTH), "500")
    page = (
        f"<html><head><style>@page {{ size: {w}px {h}px; margin: 0 }} body {{ margin: 0 }} "
        "svg { display: block }</style></head><body>" + picture + "</body></html>"
    )
    document = pypdfium2.PdfDocument(render.pdf(page))
    image = document[0].render(scale=scale).to_pil()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
