"""One production to the defense, as its index: what was handed over, when and to whom,
under which Bates numbers, why each thing was owed and whether it came on time, what is
new since the case's earlier productions, and each file of the bag to download on its own.

Counsel reads this page instead of unzipping the bag to learn what is in it; the bag stays
the thing of record (its SHA-256 is on the ledger), and each file served here is read from
the very zip the bag download serves, so the two can never differ.
"""

from __future__ import annotations

import json
import mimetypes
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy.engine import Connection

from ..access import policy
from ..access.policy import Level
from ..api.deps import Asker, SignedIn, deny, log
from ..api.problems import NotFound
from ..api.routes_disclosure import ProductionAccess
from ..disclosure import compliance as compliance_view
from ..disclosure import rules
from ..disclosure.production import safe_name, zip_here
from ..domain.moments import local_day
from ..store import access_queries as facts
from ..store import custody_queries as q
from ..store import disclosure_queries as dq
from ..store.engine import reading
from .page_kit import B, PageRoute, today_utc
from .render import page

router = APIRouter(include_in_schema=False, route_class=PageRoute)

KIND_WORDS = {"item": "item", "file": "file", "lab": "lab result"}
_BATES = re.compile(r"^(?P<prefix>.+)-(?P<number>\d+)$")
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Seen:
    """Who asks for a production's index, and at which level they read its case."""

    asker: Asker
    production_id: str
    case_id: str
    level: Level


def _index_guard(production_id: str, asker: SignedIn, b: B) -> Seen:
    """Whoever may read the production's case may read its index (the case page lists the
    same productions); refused and logged otherwise, the same answer as for no production."""
    with reading(b.led.engine) as conn:
        case_id = dq.production_case(conn, production_id)
        level = (
            policy.read_case(asker.caller, facts.case_facts(conn, case_id))
            if case_id is not None
            else None
        )
    if case_id is None or level is None:
        raise deny(b, asker, f"production:{production_id}", f"you may not see {production_id}")
    log(b, asker, "view", f"production:{production_id}")
    return Seen(asker, production_id, case_id, level)


IndexRead = Annotated[Seen, Depends(_index_guard)]


def bates_ranges(numbers: list[str]) -> list[str]:
    """Consecutive Bates numbers as ranges ('BRADY-000001 to BRADY-000004'), in order:
    how a production is cited in a motion or a letter."""
    out: list[list[str]] = []
    last: tuple[str, int] | None = None
    for bates in sorted(numbers):
        m = _BATES.match(bates)
        key = (m["prefix"], int(m["number"])) if m else None
        if out and key and last and key == (last[0], last[1] + 1):
            out[-1][1] = bates
        else:
            out.append([bates, bates])
        last = key
    return [first if first == end else f"{first} to {end}" for first, end in out]


@dataclass(frozen=True)
class BagFile:
    name: str  # the path inside the bag, e.g. data/evidence/BRADY-000001_IA1.json
    size: int


@dataclass
class Row:
    """One unit of the production, as the index shows it."""

    unit: str
    bates: str
    kind: str
    what: str
    item_id: str | None
    rule: str
    due: str | None
    timing: str
    late: bool
    first_in: str | None  # an earlier production that already held it (None: new)
    files: list[BagFile] = field(default_factory=list)


def bag_files(path: Path, production_id: str) -> list[BagFile] | None:
    """The files of the kept bag, by their path inside it (None: no bag is kept here)."""
    if not path.is_file():
        return None
    root = f"{safe_name(production_id)}/"
    with zipfile.ZipFile(path) as zf:
        return [
            BagFile(i.filename.removeprefix(root), i.file_size)
            for i in zf.infolist()
            if not i.is_dir() and i.filename.startswith(root)
        ]


def timing(produced_on: str, due: str | None) -> tuple[str, bool]:
    """Whether this production came by the unit's deadline, in words."""
    if due is None:
        return "no deadline yet: the disclosure clock had not started", False
    late = (date.fromisoformat(produced_on) - date.fromisoformat(due)).days
    if late > 0:
        return f"{late} day{'s' if late != 1 else ''} late (due {due})", True
    return f"on time (due {due})", False


def _rule_set_words(conn: Connection, case_id: str) -> str | None:
    """The case's rule set as a lawyer cites it: its name and citation."""
    chosen = dq.case_rules(conn, case_id)
    if chosen is None or chosen[2] is None:
        return None
    rs = rules.from_dict(json.loads(chosen[2]), str(chosen[0]))
    return f"{rs.name} ({rs.citation})"


def _rows(conn: Connection, p: dict[str, Any], files: list[BagFile], zone: ZoneInfo) -> list[Row]:
    view = compliance_view.compute(conn, p["case_id"], today_utc(), zone)
    owed = {u.unit: u for u in view.units} if view is not None else {}
    before = dq.produced_before(conn, p["case_id"], int(p["seq"]))
    produced_on = local_day(str(p["produced_at"]), zone)
    rows = []
    for n in p["units"]:
        unit, bates = n["unit"], n["bates"]
        kind, _, ident = unit.partition(":")
        u = owed.get(unit)
        due = u.due if u is not None else None
        when, late = timing(produced_on, due)
        rows.append(
            Row(
                unit,
                bates,
                KIND_WORDS.get(kind, kind),
                u.what if u is not None else unit,
                ident if kind == "item" else None,
                u.rule if u is not None else "no longer part of this case's discovery",
                due,
                when,
                late,
                before.get(unit),
                [f for f in files if f.name.rpartition("/")[2].startswith(f"{bates}_")],
            )
        )
    return rows


@router.get("/productions/{production_id}", response_class=HTMLResponse)
def production_page(request: Request, s: IndexRead, b: B) -> Response:
    """The production's index, with counsel's receipt form while it is not acknowledged."""
    c = s.asker.caller
    zone = b.led.config.zone
    files = bag_files(zip_here(b.led, b.productions, s.production_id), s.production_id)
    with reading(b.led.engine) as conn:
        p = dq.production(conn, s.production_id)
        assert p is not None  # the guard found it
        rows = _rows(conn, p, files or [], zone)
        title = q.case_title(conn, s.case_id)
        rule_set = _rule_set_words(conn, s.case_id)
    shown = {f.name for r in rows for f in r.files}
    others = [f for f in files or [] if f.name not in shown]
    return page(
        request,
        "production.html.j2",
        s.asker,
        p=p,
        case_title=title,
        rows=rows,
        ranges=bates_ranges([r.bates for r in rows]),
        new=sum(1 for r in rows if r.first_in is None),
        rule_set=rule_set,
        kept=files is not None,
        bag_files=[f for f in others if not f.name.startswith("data/ledger/")],
        ledger_files=[f for f in others if f.name.startswith("data/ledger/")],
        level=str(s.level),
        may_download=policy.read_production(c, s.case_id),
        may_acknowledge=policy.acknowledge(c, s.case_id) and c.has("defense_counsel"),
    )


@router.get("/productions/{production_id}/files/{name:path}")
def bag_file(name: str, p: ProductionAccess, b: B) -> StreamingResponse:
    """One file of the production's bag, read from the zip the bag download serves; guarded
    and logged as that download is."""
    asker, pid, _ = p
    path = zip_here(b.led, b.productions, pid)
    if not path.is_file():
        raise NotFound(f"the bag of {pid} is not kept on this server; ask the prosecutor")
    zf = zipfile.ZipFile(path)
    try:
        info = zf.getinfo(f"{safe_name(pid)}/{name}")
    except KeyError:
        zf.close()
        raise NotFound(f"the bag of {pid} has no file {name}") from None
    log(b, asker, "download", f"production:{pid}", bytes=info.file_size, detail=name)

    def stream() -> Iterator[bytes]:
        with zf, zf.open(info) as f:
            while chunk := f.read(_CHUNK):
                yield chunk

    base = name.rpartition("/")[2]
    return StreamingResponse(
        stream(),
        media_type=mimetypes.guess_type(base)[0] or "application/octet-stream",
        headers={
            "Content-Length": str(info.file_size),
            # Evidence is never rendered in Brady's own origin: always saved, never shown.
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(base)}",
        },
    )
