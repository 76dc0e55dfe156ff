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

from sqlalchemy.engine import Connection

from ..disclosure import compliance
from ..store._raw import fetch_all
from . import render

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


def collect(conn: Connection, case_id: str, today: date) -> list[Mark] | None:
    view = compliance.compute(conn, case_id, today)
    if view is None:
        return None
    marks: list[Mark] = []
    for opened, closed in fetch_all(
        conn, "SELECT opened_at, closed_at FROM case_file WHERE case_id = ?", (case_id,)
    ):
        marks.append(Mark("Court", _d(opened), None, "case opened", "plain"))
        if closed:
            marks.append(Mark("Court", _d(closed), None, "case closed", "plain"))
    for person, charged, arraigned in fetch_all(
        conn,
        "SELECT p.name, d.charged_on, d.arraigned_on FROM defendant d "
        "JOIN person p ON p.person_id = d.person_id WHERE d.case_id = ?",
        (case_id,),
    ):
        marks.append(Mark("Court", _d(charged), None, f"{person} charged", "plain"))
        if arraigned:
            marks.append(Mark("Court", _d(arraigned), None, f"{person} arraigned", "plain"))
    taken: dict[date, list[str]] = {}
    for u in view.units:
        if u.unit.startswith("item:"):
            taken.setdefault(_d(u.obtained), []).append(u.unit[5:])
    for day, items in sorted(taken.items()):
        marks.append(Mark("Evidence", day, None, _some(items, "taken in"), "plain"))
    for sid, item_id, status, seq, decided in fetch_all(
        conn,
        "SELECT suggestion_id, item_id, status, suggested_seq, decided_at FROM link_suggestion "
        "WHERE case_id = ? ORDER BY suggested_seq",
        (case_id,),
    ):
        raw = fetch_all(conn, "SELECT entry FROM ledger_entry WHERE seq = ?", (seq,))[0][0]
        entry = json.loads(bytes(raw))
        suggested = _d(entry["payload"].get("occurred_at") or entry["recorded_at"])
        if status == "open":
            label = f"{item_id} suggested, NOT REVIEWED ({sid})"
            marks.append(Mark("Links", suggested, today, label, "bad"))
        else:
            end = _d(decided)
            days = (end - suggested).days
            label = f"{item_id} {status} after {days} days ({sid})"
            marks.append(Mark("Links", suggested, end, label, "bad" if days > 30 else "good"))
    late: dict[tuple[date, date], list[str]] = {}
    overdue: dict[date, list[str]] = {}
    for u in view.units:
        if u.status == "late" and u.due and u.produced:
            late.setdefault((_d(u.due), _d(u.produced)), []).append(u.what.split(":")[0])
        elif u.status == "overdue" and u.due:
            overdue.setdefault(_d(u.due), []).append(u.what.split(":")[0])
    for (due, produced), what in sorted(late.items()):
        label = _some(what, f"produced {(produced - due).days} days late")
        marks.append(Mark("Disclosure", due, produced, label, "bad"))
    for due, what in sorted(overdue.items()):
        label = _some(what, f"overdue since {due}")
        marks.append(Mark("Disclosure", due, today, label, "bad"))
    for pid, produced, received in fetch_all(
        conn,
        "SELECT p.production_id, p.produced_at, r.received_at FROM production p "
        "LEFT JOIN receipt r ON r.production_id = p.production_id WHERE p.case_id = ? "
        "ORDER BY p.produced_at",
        (case_id,),
    ):
        said = "received" if received else "NOT acknowledged"
        marks.append(Mark("Disclosure", _d(produced), None, f"{pid} ({said})", "good"))
    deadlines = sorted({u.due for u in view.units if u.due})
    for deadline in deadlines[:3]:
        marks.append(Mark("Disclosure", _d(deadline), None, f"due {deadline}", "plain"))
    return marks


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
