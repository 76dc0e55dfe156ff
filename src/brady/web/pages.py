"""The pages: sign-in, each role's home, intake, item, case, inventory, the defense portal,
the ledger and the access log. Server-rendered; every page goes through the same guards
and services as the API (src/brady/api), so the same access rules and the same log hold.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from ..access import policy
from ..access.policy import Level
from ..accounts.service import SignInError
from ..api import routes_files, routes_records
from ..api.deps import (
    SESSION_COOKIE,
    Asker,
    Brady,
    CaseAccess,
    ItemAccess,
    SignedIn,
    brady,
    case_guard,
    credential,
    deny,
    item_guard,
    log,
    rule_guard,
    set_session_cookie,
    signing_in,
)
from ..api.problems import NotFound
from ..api.routes_accounts import BANNER
from ..api.routes_disclosure import Receiver, Reviewer
from ..api.routes_disclosure import certificate as api_certificate
from ..api.routes_work import Staff
from ..custody.files import attach, blob_store
from ..disclosure import compliance as compliance_view
from ..disclosure.desk import Desk
from ..disclosure.production import produce_for_download
from ..domain.errors import RefusedError
from ..reports import labels as label_sheets
from ..reports import render as report_render
from ..reports import timeline as timeline_report
from ..store import access_log, listing
from ..store import access_queries as facts
from ..store import custody_queries as q
from ..store._raw import fetch_all
from .render import page

router = APIRouter(include_in_schema=False)
B = Annotated[Brady, Depends(brady)]


async def form_csrf(request: Request) -> None:
    """Forms carry the CSRF token as a field; the credential check reads it from here."""
    if request.method == "POST":
        form = await request.form()
        token = form.get("csrf_token")
        request.state.form_csrf = token if isinstance(token, str) else None


Csrf = Annotated[None, Depends(form_csrf)]
CaseRead = Annotated[CaseAccess, Depends(case_guard("read"))]
CaseProsecute = Annotated[CaseAccess, Depends(case_guard("prosecute"))]
ItemRead = Annotated[ItemAccess, Depends(item_guard("read"))]
ItemAct = Annotated[ItemAccess, Depends(item_guard("act"))]
Recorder = Annotated[Asker, Depends(rule_guard(policy.record, "take items in"))]
Auditor = Annotated[Asker, Depends(rule_guard(policy.audit, "read the access log"))]


def _today() -> Any:
    return datetime.now(UTC).date()


def back(url: str, said: str | None = None, bad: bool = False) -> RedirectResponse:
    if said:
        sep = "&" if "?" in url else "?"
        url = f"{url}{sep}{'problem' if bad else 'said'}={said}"
    return RedirectResponse(url, status_code=303)


def _refused(url: str, exc: RefusedError) -> RedirectResponse:
    return back(url, f"Nothing was recorded: {exc}", bad=True)


# -- signing in ------------------------------------------------------------------------


def local_path(target: str) -> str:
    """A page of this site to go to after signing in; anything else (another site, as
    "//evil.example" or "https://..." would be) goes home instead."""
    parts = urlsplit(target)
    local = target.startswith("/") and not target.startswith("//")
    if (
        not local
        or parts.scheme
        or parts.netloc
        or "\\" in target
        or any(ord(ch) < 32 for ch in target)
    ):
        return "/"
    return target


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next_: Annotated[str, Query(alias="next")] = "/") -> Response:
    return page(request, "signin.html.j2", None, next=local_path(next_))


@router.post("/signin", response_class=HTMLResponse)
async def signin(
    request: Request,
    b: B,
    user_id: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=256)],
    next_: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    try:
        secret, cred = await signing_in(b, request, user_id, password)
    except SignInError as exc:
        status = 401 if exc.wait is None else 429
        return page(request, "signin.html.j2", None, status, error=str(exc), user_id=user_id)
    acked = (await anyio.to_thread.run_sync(b.accounts.status, cred.user_id))["banner_acknowledged"]
    target = local_path(next_) if acked else "/banner"
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, secret)
    return response


@router.get("/banner", response_class=HTMLResponse)
def banner_page(request: Request, asker: Annotated[Asker, Depends(credential)]) -> Response:
    return page(request, "banner.html.j2", asker, banner=BANNER)


@router.post("/banner")
def banner_ack(_: Csrf, b: B, asker: Annotated[Asker, Depends(credential)]) -> Response:
    b.accounts.acknowledge_banner(asker.user_id, asker.source)
    return back("/")


@router.post("/signout")
def signout(
    _: Csrf, request: Request, b: B, asker: Annotated[Asker, Depends(credential)]
) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        b.accounts.end_session(secret, asker.source)
    response = back("/signin", "You are signed out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- home ------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request, asker: SignedIn, b: B) -> Response:
    """What needs this person now."""
    c = asker.caller
    today = _today()
    ctx: dict[str, Any] = {}
    with b.led.engine.connect() as conn:
        cases, _ = listing.cases(conn, c, listing.Page(limit=200))
        ctx["cases"] = []
        for case in cases:
            view = None
            if not c.staff or c.has("prosecutor", "judge", "defense_counsel"):
                found = compliance_view.compute(conn, case["case_id"], today)
                counsel = c.assigned_as(case["case_id"], "defense_counsel")
                view = found.shown(counsel) if found is not None else None
            ctx["cases"].append({**case, "compliance": view})
        if c.staff:
            ctx["incoming"] = [
                dict(zip(("item_id", "description", "custodian", "since"), r, strict=True))
                for r in fetch_all(
                    conn,
                    "SELECT item_id, description, custodian, since FROM item "
                    "WHERE status = 'in_transfer' AND pending_to = ? ORDER BY since",
                    (c.user_id,),
                )
            ]
            ctx["overdue"] = [
                r
                for r in q.overdue_checkouts(conn, today.isoformat())
                if policy.read_item(c, facts.item_facts(conn, r["item_id"])) is not None
            ]
        if c.has("prosecutor"):
            mine = [k for k, r in c.assigned.items() if r == "prosecutor"]
            ctx["queue"] = (
                fetch_all(
                    conn,
                    "SELECT suggestion_id, item_id, case_id, score FROM link_suggestion "
                    f"WHERE status = 'open' AND case_id IN ({', '.join('?' for _ in mine)}) "
                    "ORDER BY case_id, suggestion_id",
                    mine,
                )
                if mine
                else []
            )
        if c.has("admin"):
            ctx["users"] = [{**u, **b.accounts.status(u["user_id"])} for u in q.list_users(conn)]
    return page(request, "home.html.j2", asker, today=today.isoformat(), **ctx)


# -- intake ------------------------------------------------------------------------------------


@router.get("/intake", response_class=HTMLResponse)
def intake_page(
    request: Request,
    asker: Recorder,
    b: B,
    tag: Annotated[str | None, Query(max_length=80)] = None,
    case_id: Annotated[str | None, Query(max_length=80)] = None,
    location_id: Annotated[str | None, Query(max_length=80)] = None,
    category: Annotated[str | None, Query(max_length=30)] = None,
) -> Response:
    """Step 1: scan the tag (the field has focus; a scanner's Enter submits). Step 2: the
    details, with the last case, place and category kept from the item before."""
    tag = (tag or "").strip()
    error = None
    with b.led.engine.connect() as conn:
        if tag and q.item_state(conn, tag) is not None:
            error = f"Tag {tag} is already taken in. Open it, or scan the next tag."
            tag = ""
        places = fetch_all(conn, "SELECT location_id, name FROM location ORDER BY location_id")
        cases, _ = listing.cases(conn, asker.caller, listing.Page(limit=500))
    return page(
        request,
        "intake.html.j2",
        asker,
        tag=tag,
        error=error,
        places=places,
        cases=cases,
        keep={"case_id": case_id, "location_id": location_id, "category": category},
        categories=[
            "firearm",
            "ammunition",
            "drugs",
            "money",
            "biological",
            "document",
            "digital_media",
            "electronic_file",
            "other",
        ],
    )


@router.post("/intake")
def intake(
    _: Csrf,
    asker: Recorder,
    b: B,
    item_id: Annotated[str, Form(max_length=80)],
    category: Annotated[str, Form(max_length=30)],
    description: Annotated[str, Form(max_length=2000)],
    location_id: Annotated[str, Form(max_length=80)],
    quantity: Annotated[int, Form(ge=1, le=1_000_000_000)] = 1,
    case_id: Annotated[str, Form(max_length=80)] = "",
    received_from: Annotated[str, Form(max_length=2000)] = "",
    caliber: Annotated[str, Form(max_length=200)] = "",
    serial: Annotated[str, Form(max_length=200)] = "",
    narrative: Annotated[str, Form(max_length=20000)] = "",
    files: list[UploadFile] | None = None,
) -> Response:
    fields: dict[str, Any] = {
        "item_id": item_id.strip(),
        "category": category,
        "description": description,
        "location_id": location_id,
        "quantity": quantity,
        "case_ids": [case_id] if case_id else [],
        "received_from": received_from or None,
        "caliber": caliber or None,
        "serial": serial or None,
        "narrative": narrative or None,
    }
    again = f"/intake?tag={item_id}&case_id={case_id}&location_id={location_id}&category={category}"
    with b.led.engine.connect() as conn:
        if case_id and not policy.act_on_case(asker.caller, facts.case_facts(conn, case_id)):
            raise deny(b, asker, f"case:{case_id}", f"you may not file items under {case_id}")
    try:
        with b.custody.session() as s:
            entry = s.intake(asker.user_id, **{k: v for k, v in fields.items() if v is not None})
        new_id = str(entry.payload["item_id"])
        for upload in files or []:
            if upload.filename:
                attach(
                    b.custody,
                    asker.user_id,
                    new_id,
                    upload.file,
                    upload.filename,
                    upload.content_type,
                )
    except RefusedError as exc:
        return _refused(again, exc)
    return back(
        f"/items/{new_id}?taken=1&case_id={case_id}&location_id={location_id}&category={category}",
        f"Taken in: {new_id} (ledger entry {entry.seq}).",
    )


# -- item --------------------------------------------------------------------------------------


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, a: ItemRead, b: B) -> Response:
    view = routes_records.item(a, b)
    history = routes_records.history(a, b)["items"]
    files = routes_files.files(a, b)["items"]
    c = a.asker.caller
    ctx: dict[str, Any] = {"item": view, "history": history, "files": files}
    ctx["may_act"] = policy.act_on_item(c, a.facts)
    ctx["may_download"] = a.level is not Level.COURT
    with b.led.engine.connect() as conn:
        ctx["labs"] = (
            fetch_all(
                conn,
                "SELECT request_id, lab, examinations, requested_at, result_at, findings "
                "FROM lab_request WHERE item_ids LIKE ? ORDER BY request_id",
                (f'%"{a.item_id}"%',),
            )
            if a.level is not Level.DISCLOSED
            else []
        )
        ctx["suggestions"] = (
            fetch_all(
                conn,
                "SELECT suggestion_id, case_id, score, status, reasons FROM link_suggestion "
                "WHERE item_id = ? ORDER BY suggestion_id",
                (a.item_id,),
            )
            if a.level is Level.FULL
            else []
        )
        ctx["users"] = [u["user_id"] for u in q.list_users(conn)] if ctx["may_act"] else []
        ctx["places"] = (
            fetch_all(conn, "SELECT location_id, name FROM location ORDER BY location_id")
            if ctx["may_act"]
            else []
        )
    return page(request, "item.html.j2", a.asker, level=str(a.level), **ctx)


@router.post("/items/{item_id}/steps")
def item_step(
    _: Csrf,
    a: ItemAct,
    b: B,
    action: Annotated[str, Form(max_length=40)],
    to_user: Annotated[str, Form(max_length=80)] = "",
    to: Annotated[str, Form(max_length=2000)] = "",
    purpose: Annotated[str, Form(max_length=20)] = "",
    due_back: Annotated[str, Form(max_length=10)] = "",
    location_id: Annotated[str, Form(max_length=80)] = "",
    condition: Annotated[str, Form(max_length=2000)] = "",
    seal_intact: Annotated[str, Form(max_length=5)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {
        "to_user": to_user,
        "to": to,
        "purpose": purpose,
        "due_back": due_back,
        "location_id": location_id,
        "condition": condition,
        "reason": reason,
    }
    data: dict[str, Any] = {k: v for k, v in values.items() if v}
    if seal_intact:
        data["seal_intact"] = seal_intact == "yes"
    url = f"/items/{a.item_id}"
    try:
        step = routes_records.Step.model_validate({"action": action, **data})
        routes_records.step(step, a, b)
    except RefusedError as exc:
        return _refused(url, exc)
    except ValueError as exc:
        return back(url, f"Nothing was recorded: {exc}", bad=True)
    return back(url, f"Recorded: {action.replace('_', ' ')}.")


@router.post("/items/{item_id}/files/{sha256}/verify")
def verify_file(_: Csrf, sha256: str, a: ItemAct, b: B) -> Response:
    """Re-hash the stored copy now and say whether it still matches the ledger: for those who
    keep the item (a read-only role changes nothing, not even the access log's fixity
    record), and only for a file of this item."""
    url = f"/items/{a.item_id}"
    with b.led.engine.connect() as conn:
        attached = q.has_file(conn, a.item_id, sha256)
    if not attached:
        raise NotFound(f"item {a.item_id} has no file {sha256}")
    try:
        blob_store(b.custody).check(sha256)
    except Exception:  # what went wrong names the server's folders: never shown
        log(b, a.asker, "fixity", f"file:{sha256}", outcome="damaged")
        return back(
            url,
            f"The stored copy of file {sha256[:12]}... of {a.item_id} does NOT match the "
            "ledger (it is missing or was changed). Tell the evidence administrator, who "
            "can run `brady fixity` and restore it from a backup.",
            bad=True,
        )
    log(b, a.asker, "fixity", f"file:{sha256}")
    return back(url, f"File {sha256[:12]}... checked now: its bytes match the ledger.")


@router.get("/items/{item_id}/label", response_class=HTMLResponse)
def item_label(a: ItemAct, b: B) -> Response:
    """A printable label with the item's QR code."""
    with b.led.engine.connect() as conn:
        sheet = label_sheets.item_labels(conn, [a.item_id])
    return HTMLResponse(report_render.html("labels.html.j2", **label_sheets.context(sheet)))


# -- case -----------------------------------------------------------------------------------


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, a: CaseRead, b: B) -> Response:
    c = a.asker.caller
    today = _today()
    view = routes_records._case_view(b, a)
    ctx: dict[str, Any] = {"case": view, "level": str(a.level)}
    with b.led.engine.connect() as conn:
        comp = compliance_view.compute(conn, a.case_id, today)
        ctx["compliance"] = comp
        ctx["productions"] = fetch_all(
            conn,
            "SELECT p.production_id, p.produced_at, p.recipient, p.bag_sha256, r.received_at, "
            "r.received_by FROM production p LEFT JOIN receipt r ON r.production_id = "
            "p.production_id WHERE p.case_id = ? ORDER BY p.produced_at",
            (a.case_id,),
        )
        ctx["queue"] = (
            fetch_all(
                conn,
                "SELECT s.suggestion_id, s.item_id, s.score, s.status, s.reasons, i.description "
                "FROM link_suggestion s JOIN item i ON i.item_id = s.item_id "
                "WHERE s.case_id = ? ORDER BY s.status DESC, s.suggestion_id",
                (a.case_id,),
            )
            if a.level is Level.FULL
            and (policy.prosecute(c, a.case_id) or policy.audit(c) or c.staff)
            else []
        )
        marks = (
            timeline_report.collect(conn, a.case_id, today)
            if a.level is not Level.DISCLOSED
            else None
        )
    ctx["timeline"] = (
        timeline_report.svg(f"{a.case_id}: {view['title']}", marks, today) if marks else None
    )
    ctx["may_prosecute"] = policy.prosecute(c, a.case_id)
    ctx["may_acknowledge"] = policy.acknowledge(c, a.case_id) and c.has("defense_counsel")
    return page(request, "case.html.j2", a.asker, today=today.isoformat(), **ctx)


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
        with b.custody.session() as s:
            decide = s.accept_link if accept else s.reject_link
            decide(asker.user_id, suggestion_id, reason)
    except RefusedError as exc:
        return _refused(url, exc)
    said = "joins this case's discovery" if accept else "was rejected"
    return back(url, f"Recorded: suggestion {suggestion_id} {said}.")


@router.post("/cases/{case_id}/produce")
def make_production(
    _: Csrf, a: CaseProsecute, b: B, recipient: Annotated[str, Form(max_length=2000)]
) -> Response:
    url = f"/cases/{a.case_id}"
    try:
        built = produce_for_download(b.led, a.asker.user_id, a.case_id, recipient, b.productions)
    except RefusedError as exc:
        return _refused(url, exc)
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
) -> Response:
    asker, production_id, case_id = p
    url = f"/cases/{case_id}"
    try:
        with b.custody.session() as s:
            Desk(s).receipt(asker.user_id, production_id, received_by, bag_sha256.strip().lower())
    except RefusedError as exc:
        return _refused(url, exc)
    return back(url, f"Recorded: you received production {production_id}.")


@router.get("/cases/{case_id}/certificate")
def certificate(request: Request, a: CaseRead, b: B) -> Response:
    if a.level is Level.DISCLOSED:
        raise deny(
            b, a.asker, f"case:{a.case_id}", "the certificate is the court's and the State's"
        )
    result = api_certificate(a, b)
    if result.status_code == 409:
        return back(
            f"/cases/{a.case_id}",
            "The certificate of compliance is refused: things are outstanding (listed below).",
            bad=True,
        )
    return result


# -- inventory ---------------------------------------------------------------------------------


@router.get("/inventory", response_class=HTMLResponse)
def inventories(request: Request, asker: Staff, b: B) -> Response:
    with b.led.engine.connect() as conn:
        rows = q.inventories(conn, asker.caller.agency_id)
        places = fetch_all(conn, "SELECT location_id, name FROM location ORDER BY location_id")
    return page(request, "inventories.html.j2", asker, inventories=rows, places=places)


@router.post("/inventory")
def start_inventory(
    _: Csrf,
    asker: Staff,
    b: B,
    inventory_id: Annotated[str, Form(max_length=80)],
    location_id: Annotated[str, Form(max_length=80)] = "",
    scope: Annotated[str, Form(max_length=10)] = "full",
) -> Response:
    try:
        with b.custody.session() as s:
            s.start_inventory(asker.user_id, inventory_id, scope, location_id or None)
    except RefusedError as exc:
        return _refused("/inventory", exc)
    return back(f"/inventory/{inventory_id}", "Started. Scan each item you see.")


@router.get("/inventory/{inventory_id}", response_class=HTMLResponse)
def inventory_page(request: Request, inventory_id: str, asker: Staff, b: B) -> Response:
    with b.led.engine.connect() as conn:
        view = q.inventory_view(conn, inventory_id)
    if view is None or not policy.take_inventory(asker.caller, view["agency_id"]):
        raise HTTPException(404, f"there is no inventory {inventory_id}")
    expected = set(view["expected"] or [])
    scanned = [s["item_id"] for s in view["scans"]]
    progress = {
        "found": [i for i in scanned if i in expected],
        "unexpected": [i for i in scanned if i not in expected],
        "not_yet": sorted(expected - set(scanned)),
    }
    return page(request, "inventory.html.j2", asker, inv=view, progress=progress)


@router.post("/inventory/{inventory_id}/scan")
def inventory_scan(
    _: Csrf, inventory_id: str, asker: Staff, b: B, item_id: Annotated[str, Form(max_length=80)]
) -> Response:
    url = f"/inventory/{inventory_id}"
    code = item_id.strip().removeprefix("brady:item:")
    try:
        with b.custody.session() as s:
            s.scan(asker.user_id, inventory_id, code)
    except RefusedError as exc:
        return _refused(url, exc)
    return back(url, f"Scanned {code}.")


@router.post("/inventory/{inventory_id}/close")
def inventory_close(_: Csrf, inventory_id: str, asker: Staff, b: B) -> Response:
    url = f"/inventory/{inventory_id}"
    try:
        with b.custody.session() as s:
            s.close_inventory(asker.user_id, inventory_id)
    except RefusedError as exc:
        return _refused(url, exc)
    return back(url, "Closed: the result is recorded on the ledger.")


# -- ledger and access log ------------------------------------------------------------------------


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, asker: SignedIn, b: B) -> Response:
    cp = b.led.store.checkpoint()
    return page(
        request,
        "ledger.html.j2",
        asker,
        checkpoint=cp.note,
        size=cp.size,
        origin=b.led.config.origin,
        vkey=b.led.config.log_vkey,
    )


@router.get("/ledger/proof")
def ledger_proof(asker: SignedIn, seq: Annotated[int, Query(ge=0)]) -> Response:
    return RedirectResponse(f"/api/ledger/proofs/inclusion/{seq}", status_code=303)


@router.get("/access", response_class=HTMLResponse)
def access_page(
    request: Request,
    asker: Auditor,
    b: B,
    user_id: Annotated[str, Query(max_length=80)] = "",
    target: Annotated[str, Query(max_length=200)] = "",
    since: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    query = access_log.Query(user_id or None, target or None, None, None, since or None, None, 200)
    with b.led.engine.connect() as conn:
        rows = access_log.search(conn, query)
    b.accounts.log(
        "audit.search", asker.user_id, target=target or user_id or None, source=asker.source
    )
    return page(
        request,
        "access.html.j2",
        asker,
        rows=rows,
        filters={"user_id": user_id, "target": target, "since": since},
    )


@router.post("/users/{user_id}/release")
def release(
    _: Csrf,
    user_id: str,
    asker: Annotated[Asker, Depends(rule_guard(policy.administer, "manage accounts"))],
    b: B,
) -> Response:
    b.accounts.release(user_id, asker.user_id, asker.source)
    return back("/", f"{user_id} may sign in again.")
