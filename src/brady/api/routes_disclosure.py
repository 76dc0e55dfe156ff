"""Link review, compliance, productions and receipts, certificates and timelines."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, Response
from pydantic import Field

from ..access import policy
from ..access.policy import Level
from ..disclosure import compliance as compliance_view
from ..disclosure.desk import Desk
from ..disclosure.production import kept_zip, produce_for_download
from ..reports import render
from ..reports import timeline as timeline_report
from ..reports.certificate import NotCertifiableError, certificate_html
from ..store._raw import fetch_all
from .deps import Asker, Brady, CaseAccess, SignedIn, access, brady, case_guard, deny, log
from .problems import PROBLEM_RESPONSES, NotFound, problem
from .routes_accounts import run
from .routes_records import Paged
from .strict_input import Body

router = APIRouter(prefix="/api", responses=PROBLEM_RESPONSES)
B = Annotated[Brady, Depends(brady)]
CaseRead = Annotated[CaseAccess, Depends(case_guard("read"))]
CaseFull = Annotated[CaseAccess, Depends(case_guard("full"))]
CaseProsecute = Annotated[CaseAccess, Depends(case_guard("prosecute"))]


def _today() -> Any:
    return datetime.now(UTC).date()


# -- link suggestions ---------------------------------------------------------------

_LINK_COLUMNS = ("suggestion_id", "item_id", "case_id", "score", "status", "reasons")


@router.get("/links", openapi_extra=access("list:visible"))
def links(
    asker: SignedIn,
    b: B,
    page: Paged,
    case_id: Annotated[str | None, Query(max_length=80)] = None,
    status: Literal["open", "accepted", "rejected"] | None = "open",
) -> dict[str, Any]:
    """The review queue: suggestions for the cases you prosecute (or your agency's)."""
    c = asker.caller
    where, params = ["1 = 1"], []
    if not policy.audit(c):
        mine = [k for k, r in c.assigned.items() if r == "prosecutor" and c.has("prosecutor")]
        agency = "s.case_id IN (SELECT case_id FROM case_file WHERE agency_id = ?)"
        clauses = [f"s.case_id IN ({', '.join('?' for _ in mine)})"] if mine else []
        if c.staff and c.agency_id is not None:
            clauses.append(agency)
        if not clauses:
            return {"items": [], "total": 0, "limit": page.limit, "offset": page.offset}
        where.append("(" + " OR ".join(clauses) + ")")
        params += mine + ([c.agency_id] if c.staff and c.agency_id is not None else [])
    if case_id is not None:
        where.append("s.case_id = ?")
        params.append(case_id)
    if status is not None:
        where.append("s.status = ?")
        params.append(status)
    sql = f"FROM link_suggestion s WHERE {' AND '.join(where)}"
    with b.led.engine.connect() as conn:
        total = int(fetch_all(conn, f"SELECT count(*) {sql}", params)[0][0])
        rows = fetch_all(
            conn,
            f"SELECT {', '.join('s.' + x for x in _LINK_COLUMNS)} {sql} "
            f"ORDER BY s.suggestion_id {'DESC' if page.descending else 'ASC'} LIMIT ? OFFSET ?",
            [*params, page.limit, page.offset],
        )
    items = [dict(zip(_LINK_COLUMNS, r, strict=True)) for r in rows]
    for it in items:
        it["reasons"] = json.loads(it["reasons"])
    log(b, asker, "list", "links", detail=f"{len(items)} of {total}")
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


class Decision(Body):
    reason: str = Field(min_length=1, max_length=2000)


def suggestion_guard(suggestion_id: str, asker: SignedIn, b: B) -> tuple[Asker, str, str]:
    """(caller, suggestion, its case) when the caller prosecutes that case."""
    with b.led.engine.connect() as conn:
        rows = fetch_all(
            conn, "SELECT case_id FROM link_suggestion WHERE suggestion_id = ?", (suggestion_id,)
        )
    if not rows or not policy.prosecute(asker.caller, str(rows[0][0])):
        raise deny(
            b,
            asker,
            f"link:{suggestion_id}",
            f"only the prosecutor of the suggested case may decide {suggestion_id}",
        )
    return asker, suggestion_id, str(rows[0][0])


Reviewer = Annotated[tuple[Asker, str, str], Depends(suggestion_guard)]


@router.post("/links/{suggestion_id}/accept", openapi_extra=access("link:prosecute"))
def accept(body: Decision, r: Reviewer, b: B) -> dict[str, Any]:
    """The item joins the case's discovery."""
    asker, sid, _ = r
    return run(b, lambda s: s.accept_link(asker.user_id, sid, body.reason))


@router.post("/links/{suggestion_id}/reject", openapi_extra=access("link:prosecute"))
def reject(body: Decision, r: Reviewer, b: B) -> dict[str, Any]:
    asker, sid, _ = r
    return run(b, lambda s: s.reject_link(asker.user_id, sid, body.reason))


# -- compliance, certificate, timeline ------------------------------------------------------


@router.get("/cases/{case_id}/compliance", openapi_extra=access("case:read"))
def compliance(a: CaseRead, b: B) -> dict[str, Any]:
    """What the defense is owed and got (counsel see the summary, not the State's list)."""
    with b.led.engine.connect() as conn:
        view = compliance_view.compute(conn, a.case_id, _today())
    if view is None:
        raise NotFound(f"there is no case {a.case_id}")
    return view.shown(counsel=a.level is Level.DISCLOSED)


@router.get(
    "/cases/{case_id}/certificate",
    openapi_extra=access("case:full"),
    responses={200: {"content": {"application/pdf": {}}}},
)
def certificate(a: CaseFull, b: B) -> Response:
    """The certificate of compliance as PDF; refused (409) while anything is outstanding."""
    today = _today()
    with b.led.engine.connect() as conn:
        view = compliance_view.compute(conn, a.case_id, today)
    if view is None:
        raise NotFound(f"there is no case {a.case_id}")
    try:
        document = certificate_html(view, today)
    except NotCertifiableError as exc:
        return problem(
            409,
            "Certificate refused",
            f"{a.case_id} has {len(exc.reasons)} thing(s) outstanding: " + "; ".join(exc.reasons),
            errors=[{"field": None, "problem": r} for r in exc.reasons],
        )
    return Response(render.pdf(document), media_type="application/pdf")


@router.get(
    "/cases/{case_id}/timeline.svg",
    openapi_extra=access("case:full"),
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def timeline(a: CaseFull, b: B) -> Response:
    today = _today()
    with b.led.engine.connect() as conn:
        marks = timeline_report.collect(conn, a.case_id, today)
        title = fetch_all(conn, "SELECT title FROM case_file WHERE case_id = ?", (a.case_id,))
    if marks is None:
        raise NotFound(f"there is no case {a.case_id}")
    picture = timeline_report.svg(f"{a.case_id}: {title[0][0]}", marks, today)
    return Response(picture, media_type="image/svg+xml")


# -- productions -----------------------------------------------------------------------------

_PROD_COLUMNS = ("production_id", "produced_at", "produced_by", "recipient", "bag_sha256")


@router.get("/cases/{case_id}/productions", openapi_extra=access("case:read"))
def productions(a: CaseRead, b: B) -> dict[str, Any]:
    with b.led.engine.connect() as conn:
        rows = fetch_all(
            conn,
            f"SELECT {', '.join('p.' + c for c in _PROD_COLUMNS)}, r.received_at, r.received_by "
            "FROM production p LEFT JOIN receipt r ON r.production_id = p.production_id "
            "WHERE p.case_id = ? ORDER BY p.produced_at",
            (a.case_id,),
        )
        units = fetch_all(
            conn,
            "SELECT production_id, unit, bates FROM production_unit WHERE case_id = ? "
            "ORDER BY bates",
            (a.case_id,),
        )
    out = []
    for r in rows:
        p = dict(zip((*_PROD_COLUMNS, "received_at", "received_by"), r, strict=True))
        p["units"] = [{"unit": u, "bates": bt} for pid, u, bt in units if pid == p["production_id"]]
        out.append(p)
    return {"items": out, "total": len(out)}


class NewProduction(Body):
    recipient: str = Field(min_length=1, max_length=2000)
    units: list[str] | None = None
    bates_prefix: str = "BRADY"


@router.post(
    "/cases/{case_id}/productions", status_code=201, openapi_extra=access("case:prosecute")
)
def make_production(body: NewProduction, a: CaseProsecute, b: B) -> dict[str, Any]:
    """Build the bag (evidence, custody reports, proofs) and record the production."""
    built = produce_for_download(
        b.led,
        a.asker.user_id,
        a.case_id,
        body.recipient,
        b.productions,
        body.units,
        body.bates_prefix,
    )
    return {
        "production_id": built.production_id,
        "bag_sha256": built.bag_sha256,
        "units": built.units,
        "seq": built.seq,
        "checkpoint_size": built.checkpoint_size,
    }


def _production_guard(production_id: str, asker: SignedIn, b: B) -> tuple[Asker, str, str]:
    with b.led.engine.connect() as conn:
        rows = fetch_all(
            conn, "SELECT case_id FROM production WHERE production_id = ?", (production_id,)
        )
    case_id = str(rows[0][0]) if rows else ""
    c = asker.caller
    ok = bool(rows) and (
        policy.audit(c)
        or c.assigned_as(case_id, "defense_counsel")
        or c.assigned_as(case_id, "prosecutor")
    )
    if not ok:
        raise deny(b, asker, f"production:{production_id}", f"you may not see {production_id}")
    return asker, production_id, case_id


ProductionAccess = Annotated[tuple[Asker, str, str], Depends(_production_guard)]


def _receiver_guard(p: ProductionAccess, b: B) -> tuple[Asker, str, str]:
    asker, pid, case_id = p
    if not policy.acknowledge(asker.caller, case_id):
        raise deny(b, asker, f"production:{pid}", "only the case's counsel may acknowledge it")
    return p


Receiver = Annotated[tuple[Asker, str, str], Depends(_receiver_guard)]


@router.get(
    "/productions/{production_id}/bag",
    openapi_extra=access("production:read"),
    response_class=FileResponse,
    responses={200: {"content": {"application/zip": {}}}},
)
def bag(p: ProductionAccess, b: B) -> FileResponse:
    """The production's BagIt bag as a zip: check it with `bagit.py --validate` and
    `brady-verify bundle` before acknowledging it."""
    asker, pid, _ = p
    path = kept_zip(b.productions, pid)
    if not path.is_file():
        raise NotFound(f"the bag of {pid} is not kept on this server; ask the prosecutor")
    log(b, asker, "download", f"production:{pid}", bytes=path.stat().st_size)
    return FileResponse(path, media_type="application/zip", filename=path.name)


class Receipt(Body):
    received_by: str = Field(min_length=1, max_length=2000)
    bag_sha256: str = Field(pattern="^[0-9a-f]{64}$")


@router.post(
    "/productions/{production_id}/receipt",
    status_code=201,
    openapi_extra=access("production:acknowledge"),
)
def receipt(body: Receipt, p: Receiver, b: B) -> dict[str, Any]:
    """Counsel acknowledges the bag, naming its SHA-256 (of the tag manifest)."""
    asker, pid, _ = p
    return run(b, lambda s: Desk(s).receipt(asker.user_id, pid, body.received_by, body.bag_sha256))
