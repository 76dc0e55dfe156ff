"""A case on one time axis: court dates, evidence taken in, links suggested and decided,
disclosure deadlines and productions, so a judge sees a four-month gap at a glance.

`collect` reads the facts (the state tables and the compliance view, nothing else);
`svg` lays them out; `png` renders that picture through WeasyPrint and pdfium, the
same engines as the PDF reports.
"""

from __future__ import annotations

import json
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


def svg(title: str, marks: list[Mark], today: date) -> str:
    """The picture: one row per lane, time left to right, spans as bars."""
    days = [m.start for m in marks] + [m.end for m in marks if m.end] + [today]
    first, last = min(days) - timedelta(days=7), max(days) + timedelta(days=7)
    width, left, lane_h, top = 1100, 110, 100, 60
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return round(left + (day - first).days / span * (width - left - 20), 1)

    rows: list[dict[str, Any]] = []
    for i, lane in enumerate(LANES):
        y = top + i * lane_h
        mine = sorted((m for m in marks if m.lane == lane), key=lambda m: m.start)
        for j, m in enumerate(mine):
            start, end = x(m.start), x(m.end) if m.end else None
            # Labels read rightwards from the mark, or leftwards near the right edge.
            right = start < width * 0.55
            rows.append(
                {
                    "lane": i,
                    "x": start,
                    "x2": end,
                    "y": y + 22 + (j % 4) * 20,
                    "label": m.label,
                    "tone": m.tone,
                    "tx": start + 6 if right else (end or start) - 6,
                    "anchor": "start" if right else "end",
                }
            )
    ticks = []
    month = date(first.year, first.month, 1)
    step = max(1, span // 365 + 1)
    while month <= last:
        if month >= first:
            ticks.append({"x": x(month), "label": month.strftime("%b %Y")})
        total = month.month - 1 + step
        month = date(month.year + total // 12, total % 12 + 1, 1)
    return render.html(
        "timeline.svg.j2",
        title=title,
        width=width,
        height=top + len(LANES) * lane_h + 30,
        left=left,
        lane_h=lane_h,
        top=top,
        lanes=LANES,
        marks=rows,
        ticks=ticks,
        today={"x": x(today), "label": today.isoformat()},
    )


def png(picture: str, scale: float = 2.0) -> bytes:
    """The SVG as a PNG image, rendered by WeasyPrint (to PDF) and pdfium (to pixels)."""
    import io
    import re

    import pypdfium2

    size = re.search(r'width="(\d+)" height="(\d+)"', picture)
    w, h = (size.group(1), size.group(2)) if size else ("1100", "500")
    page = (
        f"<html><head><style>@page {{ size: {w}px {h}px; margin: 0 }} body {{ margin: 0 }} "
        "svg { display: block }</style></head><body>" + picture + "</body></html>"
    )
    document = pypdfium2.PdfDocument(render.pdf(page))
    image = document[0].render(scale=scale).to_pil()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
