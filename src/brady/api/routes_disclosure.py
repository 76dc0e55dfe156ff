"""Link review, compliance, productions and receipts, certificates and timelines."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, Response
from pydantic import Field

from ..access import policy
from ..access.policy import Level
from ..disclosure import compliance as compliance_view
from ..disclosure import timeline as timeline_report
from ..disclosure.certificate import NotCertifiableError, certificate_html, cite
from ..disclosure.desk import Desk
from ..disclosure.production import BATES_PREFIX, produce_for_download, zip_here
from ..domain import events as ev
from ..reports import render
from ..store import custody_queries as q
from ..store import disclosure_queries as dq
from ..store import link_queries
from ..store import relation_queries as rq
from ..store.engine import reading
from .deps import Asker, Brady, CaseAccess, SignedIn, access, brady, case_guard, deny, log
from .moments import When, record_at
from .problems import PROBLEM_RESPONSES, NotFound, problem
from .routes_accounts import run
from .routes_records import Paged
from .strict_input import Body, said

router = APIRouter(prefix="/api", responses=PROBLEM_RESPONSES)
B = Annotated[Brady, Depends(brady)]
CaseRead = Annotated[CaseAccess, Depends(case_guard("read"))]
CaseFull = Annotated[CaseAccess, Depends(case_guard("full"))]
CaseProsecute = Annotated[CaseAccess, Depends(case_guard("prosecute"))]


def _today() -> Any:
    return datetime.now(UTC).date()


# -- link suggestions ---------------------------------------------------------------


@router.get("/links", openapi_extra=access("list:visible"))
def links(
    asker: SignedIn,
    b: B,
    page: Paged,
    case_id: Annotated[str | None, Query(max_length=80)] = None,
    status: Literal["open", "accepted", "rejected"] | None = "open",
) -> dict[str, Any]:
    """The review queue: suggestions for the cases you prosecute (or your agency's)."""
    scope = _queue_scope(asker.caller)
    if scope is False:
        return {"items": [], "total": 0, "limit": page.limit, "offset": page.offset}
    with reading(b.led.engine) as conn:
        items, total = link_queries.review_queue(
            conn,
            scope,
            case_id,
            status,
            limit=page.limit,
            offset=page.offset,
            descending=page.descending,
        )
    log(b, asker, "list", "links", detail=f"{len(items)} of {total}")
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


def _queue_scope(c: policy.Caller) -> link_queries.QueueScope | Literal[False] | None:
    """Whose suggestions and related cases a caller reviews or reads: None, every one (an
    auditor); False, none."""
    if policy.audit(c):
        return None
    mine = [k for k, r in c.assigned.items() if r == "prosecutor" and c.has("prosecutor")]
    agency = c.agency_id if c.staff else None
    if not mine and agency is None:
        return False
    return link_queries.QueueScope(tuple(mine), agency)


Decision = ev.Reasoned


def suggestion_guard(suggestion_id: str, asker: SignedIn, b: B) -> tuple[Asker, str, str]:
    """(caller, suggestion, its case) when the caller prosecutes that case."""
    with reading(b.led.engine) as conn:
        case_id = link_queries.suggestion_case(conn, suggestion_id)
    if case_id is None or not policy.prosecute(asker.caller, case_id):
        raise deny(
            b,
            asker,
            f"link:{suggestion_id}",
            f"only the prosecutor of the suggested case may decide {suggestion_id}",
        )
    return asker, suggestion_id, case_id


Reviewer = Annotated[tuple[Asker, str, str], Depends(suggestion_guard)]


@router.post("/links/{suggestion_id}/accept", openapi_extra=access("link:prosecute"))
def accept(body: Decision, r: Reviewer, b: B) -> dict[str, Any]:
    """The item joins the case's discovery."""
    asker, sid, _ = r
    return run(b, asker, lambda s: s.accept_link(asker.user_id, sid, **said(body)))


@router.post("/links/{suggestion_id}/reject", openapi_extra=access("link:prosecute"))
def reject(body: Decision, r: Reviewer, b: B) -> dict[str, Any]:
    asker, sid, _ = r
    return run(b, asker, lambda s: s.reject_link(asker.user_id, sid, **said(body)))


# -- related cases (a shared party) ---------------------------------------------------------


@router.get("/related", openapi_extra=access("list:visible"))
def related(
    asker: SignedIn,
    b: B,
    page: Paged,
    status: Literal["open", "accepted", "rejected"] | None = "open",
) -> dict[str, Any]:
    """Related cases: for each side of your cases, another open case sharing a party, and
    the items of it that name the party, waiting on your decision or following it."""
    scope = _queue_scope(asker.caller)
    if scope is False:
        return {"items": [], "total": 0, "limit": page.limit, "offset": page.offset}
    with reading(b.led.engine) as conn:
        items, total = rq.relation_queue(conn, scope, status, limit=page.limit, offset=page.offset)
    log(b, asker, "list", "related", detail=f"{len(items)} of {total}")
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


class RelatedDecision(ev.Reasoned):
    relation_id: ev.Id


@router.post("/cases/{case_id}/related/accept", openapi_extra=access("case:prosecute"))
def accept_related(body: RelatedDecision, a: CaseProsecute, b: B) -> dict[str, Any]:
    """Your side accepted: the other case's items naming the party join this case's
    discovery, those waiting and each one taken in later."""
    user = a.asker.user_id
    return run(b, a.asker, lambda s: s.accept_relation(user, case_id=a.case_id, **said(body)))


@router.post("/cases/{case_id}/related/reject", openapi_extra=access("case:prosecute"))
def reject_related(body: RelatedDecision, a: CaseProsecute, b: B) -> dict[str, Any]:
    user = a.asker.user_id
    return run(b, a.asker, lambda s: s.reject_relation(user, case_id=a.case_id, **said(body)))


# -- compliance, certificate, timeline ------------------------------------------------------


@router.get("/cases/{case_id}/compliance", openapi_extra=access("case:read"))
def compliance(a: CaseRead, b: B, t: When) -> dict[str, Any]:
    """What the defense is owed and got (counsel see the summary, not the State's list);
    now, or as the record stood (`as_of` also counts the deadlines at that day)."""
    with record_at(b, t, f"case:{a.case_id}") as (conn, past):
        view = compliance_view.compute(conn, a.case_id, t.day or _today(), b.led.config.zone)
    if view is None:
        raise NotFound(f"there is no case {a.case_id}")
    return {**view.shown(counsel=a.level is Level.DISCLOSED), **t.said(past)}


@router.get(
    "/cases/{case_id}/certificate",
    openapi_extra=access("case:full"),
    responses={200: {"content": {"application/pdf": {}}}},
)
def certificate(a: CaseFull, b: B, t: When) -> Response:
    """The certificate of compliance as PDF, citing the signed checkpoint of the record it
    describes (now, or as the record stood); refused (409) while anything is outstanding."""
    today = t.day or _today()
    with record_at(b, t, f"case:{a.case_id}") as (conn, past):
        view = compliance_view.compute(conn, a.case_id, today, b.led.config.zone)
        size = past.size if past else None
    if view is None:
        raise NotFound(f"there is no case {a.case_id}")
    words = t.asked.words if t.asked else f"The record as it stood when issued ({today})."
    try:
        citation = cite(b.led.store, b.led.config.log_vkey, words, size, None)
        document = certificate_html(view, today, citation)
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
def timeline(a: CaseFull, b: B, t: When) -> Response:
    """The case on one time axis, now or as the record stood (`as_of`, `as_recorded`)."""
    today = t.day or _today()
    with record_at(b, t, f"case:{a.case_id}") as (conn, _past):
        marks = timeline_report.collect(conn, a.case_id, today, b.led.config.zone)
        title = q.case_title(conn, a.case_id)
    if marks is None:
        raise NotFound(f"there is no case {a.case_id}")
    picture = timeline_report.svg(f"{a.case_id}: {title}", marks, today)
    return Response(picture, media_type="image/svg+xml")


# -- productions -----------------------------------------------------------------------------


@router.get("/cases/{case_id}/productions", openapi_extra=access("case:read"))
def productions(a: CaseRead, b: B) -> dict[str, Any]:
    with reading(b.led.engine) as conn:
        out = dq.productions(conn, a.case_id)
    return {"items": out, "total": len(out)}


class NewProduction(Body):
    """Not an event's payload: the production event records what Brady built from this."""

    recipient: ev.Text
    units: list[ev.Unit] | None = None
    bates_prefix: str = Field(default="BRADY", pattern=f"^{BATES_PREFIX}$")


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
    with reading(b.led.engine) as conn:
        found = dq.production_case(conn, production_id)
    case_id = found or ""
    if found is None or not policy.read_production(asker.caller, case_id):
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
    path = zip_here(b.led, b.productions, pid)
    if not path.is_file():
        raise NotFound(f"the bag of {pid} is not kept on this server; ask the prosecutor")
    log(b, asker, "download", f"production:{pid}", bytes=path.stat().st_size)
    return FileResponse(path, media_type="application/zip", filename=path.name)


Receipt = ev.DisclosureReceiptFields


@router.post(
    "/productions/{production_id}/receipt",
    status_code=201,
    openapi_extra=access("production:acknowledge"),
)
def receipt(body: Receipt, p: Receiver, b: B) -> dict[str, Any]:
    """Counsel acknowledges the bag, naming its SHA-256 (of the tag manifest)."""
    asker, pid, _ = p
    return run(b, asker, lambda s: Desk(s).receipt(asker.user_id, pid, **said(body)))
