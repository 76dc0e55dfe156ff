"""A case's page and what is decided there: link suggestions, productions to the defense,
their receipt, and the certificate of compliance."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.engine import Connection

from ..access import policy
from ..access.policy import Level
from ..api.deps import Asker, Brady, CaseAccess, deny
from ..api.moments import When, record_at
from ..api.routes_disclosure import Receiver, Reviewer
from ..api.routes_disclosure import certificate as api_certificate
from ..custody import reads
from ..disclosure import compliance as compliance_view
from ..disclosure import timeline as timeline_report
from ..disclosure.desk import Desk
from ..disclosure.production import produce_for_download
from ..domain.errors import RefusedError
from ..store import disclosure_queries as dq
from ..store import relation_queries as rq
from ..store.link_queries import case_queue
from . import production_pages
from .page_kit import B, CaseProsecute, CaseRead, Csrf, PageRoute, back, refused, today_utc
from .render import page

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, a: CaseRead, b: B, t: When) -> Response:
    c = a.asker.caller
    today = t.day or today_utc()
    assert a.level is not None
    ctx: dict[str, Any] = {"level": str(a.level), "as_of": t.day and t.day.isoformat()}
    with record_at(b, t, f"case:{a.case_id}") as (conn, past):
        ctx["late"] = len(past.late) if past is not None else 0
        ctx["case"] = reads.case_view(conn, c, a.case_id, reads.Look(a.level, False))
        comp = compliance_view.compute(conn, a.case_id, today, b.led.config.zone)
        ctx["compliance"] = comp
        ctx["productions"] = dq.productions(conn, a.case_id)
        ctx["produced"] = produced_things(conn, a.case_id) if a.level is Level.DISCLOSED else []
        reviews = a.level is Level.FULL and (
            policy.prosecute(c, a.case_id) or policy.audit(c) or c.staff
        )
        ctx["queue"] = case_queue(conn, a.case_id) if reviews else []
        ctx["related"] = (
            rq.relation_queue(conn, None, None, limit=500, offset=0, case_ids=[a.case_id])[0]
            if reviews
            else []
        )
        marks = (
            timeline_report.collect(conn, a.case_id, today, b.led.config.zone)
            if a.level is not Level.DISCLOSED
            else None
        )
    ctx["timeline"] = (
        timeline_report.svg(f"{a.case_id}: {ctx['case']['title']}", marks, today) if marks else None
    )
    now = t.asked is None  # nothing is decided on a view of the past
    ctx["may_prosecute"] = now and policy.prosecute(c, a.case_id)
    ctx["may_acknowledge"] = now and policy.acknowledge(c, a.case_id) and c.has("defense_counsel")
    ctx["may_download"] = policy.read_production(c, a.case_id)
    for p in ctx["productions"]:
        p["ranges"] = production_pages.bates_ranges([u["bates"] for u in p["units"]])
    return page(request, "case.html.j2", a.asker, today=today.isoformat(), **ctx)


def produced_things(conn: Connection, case_id: str) -> list[dict[str, Any]]:
    """Every unit produced in the case (items, their files, lab results), each once, with
    its first Bates number and production: what counsel were given, whatever its kind."""
    what = {h.unit: h.what for h in compliance_view.units_of(conn, case_id)}
    out: dict[str, dict[str, Any]] = {}
    for unit, at, pid, bates, received in dq.produced_units(conn, case_id):
        kind, _, ident = str(unit).partition(":")
        out.setdefault(
            str(unit),
            {
                "unit": unit,
                "kind": production_pages.KIND_WORDS.get(kind, kind),
                "item_id": ident if kind == "item" else None,
                "what": what.get(str(unit), str(unit)),
                "bates": bates,
                "production_id": pid,
                "produced_at": at,
                "received_at": received,
            },
        )
    return sorted(out.values(), key=lambda t: str(t["bates"]))


@router.post("/links/{suggestion_id}/accept")
def accept(_: Csrf, r: Reviewer, b: B, reason: Annotated[str, Form(max_length=2000)]) -> Response:
    return _decide(r, b, reason, accept=True)


@router.post("/links/{suggestion_id}/reject")
def reject(_: Csrf, r: Reviewer, b: B, reason: Annotated[str, Form(max_length=2000)]) -> Response:
    return _decide(r, b, reason, accept=False)


def _decide(r: tuple[Asker, str, str], b: Brady, reason: str, accept: bool) -> Response:
    asker, suggestion_id, case_id = r
    url = f"/cases/{case_id}"
    try:
        with b.custody.session(asker.caller) as s:
            decide = s.accept_link if accept else s.reject_link
            decide(asker.user_id, suggestion_id, reason)
    except RefusedError as exc:
        return refused(url, exc)
    said = "joins this case's discovery" if accept else "was rejected"
    return back(url, f"Recorded: suggestion {suggestion_id} {said}.")


@router.post("/cases/{case_id}/related/accept")
def accept_related(
    _: Csrf,
    a: CaseProsecute,
    b: B,
    relation_id: Annotated[str, Form(max_length=80)],
    reason: Annotated[str, Form(max_length=2000)],
) -> Response:
    return _decide_related(a, b, relation_id, reason, accept=True)


@router.post("/cases/{case_id}/related/reject")
def reject_related(
    _: Csrf,
    a: CaseProsecute,
    b: B,
    relation_id: Annotated[str, Form(max_length=80)],
    reason: Annotated[str, Form(max_length=2000)],
) -> Response:
    return _decide_related(a, b, relation_id, reason, accept=False)


def _decide_related(
    a: CaseAccess, b: Brady, relation_id: str, reason: str, accept: bool
) -> Response:
    url = f"/cases/{a.case_id}"
    try:
        with b.custody.session(a.asker.caller) as s:
            decide = s.accept_relation if accept else s.reject_relation
            entries = decide(a.asker.user_id, relation_id, a.case_id, reason)
    except RefusedError as exc:
        return refused(url, exc)
    items = len(entries) - 1
    said = (
        "accepted: the other case's items that name the party join this case's discovery"
        if accept
        else "rejected: the other case's items that name the party are not suggested again"
    )
    more = f" ({items} waiting item(s) decided with it)" if items else ""
    return back(url, f"Recorded: related cases {relation_id} {said}{more}.")


@router.post("/cases/{case_id}/produce")
def make_production(
    _: Csrf, a: CaseProsecute, b: B, recipient: Annotated[str, Form(max_length=2000)]
) -> Response:
    url = f"/cases/{a.case_id}"
    try:
        built = produce_for_download(b.led, a.asker.user_id, a.case_id, recipient, b.productions)
    except RefusedError as exc:
        return refused(url, exc)
    return back(
        url,
        f"Recorded: production {built.production_id} of {len(built.units)} thing(s) to "
        f"{recipient}. Its SHA-256 is {built.bag_sha256}.",
    )


@router.post("/productions/{production_id}/receipt")
def receipt(
    _: Csrf,
    p: Receiver,
    b: B,
    received_by: Annotated[str, Form(max_length=2000)],
    bag_sha256: Annotated[str, Form(max_length=64)],
    then: Annotated[Literal["case", "production"], Form()] = "case",
) -> Response:
    asker, production_id, case_id = p
    url = f"/productions/{production_id}" if then == "production" else f"/cases/{case_id}"
    try:
        with b.custody.session(asker.caller) as s:
            Desk(s).receipt(asker.user_id, production_id, received_by, bag_sha256.strip().lower())
    except RefusedError as exc:
        return refused(url, exc)
    return back(url, f"Recorded: you received production {production_id}.")


@router.get("/cases/{case_id}/certificate")
def certificate(request: Request, a: CaseRead, b: B, t: When) -> Response:
    if a.level is Level.DISCLOSED:
        raise deny(
            b, a.asker, f"case:{a.case_id}", "the certificate is the court's and the State's"
        )
    result = api_certificate(a, b, t)
    if result.status_code == 409:
        return back(
            f"/cases/{a.case_id}",
            "The certificate of compliance is refused: things are outstanding (listed below).",
            bad=True,
        )
    return result


# The production pages are the case's own: they come in with the case's routes.
router.include_router(production_pages.router)
