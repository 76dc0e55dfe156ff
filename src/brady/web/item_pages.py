"""An item's page: its custody, history and files, the next custody step, a file's
fixity check and its label."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ..access import policy
from ..access.policy import Level
from ..api import routes_files, routes_records
from ..api.deps import log
from ..api.headers import ALWAYS
from ..api.moments import When
from ..api.routes_work import LabelFormat
from ..custody.files import check_file
from ..domain.errors import RefusedError
from ..domain.rules import HANDLERS
from ..reports import labels as label_sheets
from ..reports import render as report_render
from ..store import custody_queries as q
from ..store.engine import reading
from ..store.lab_queries import item_lab_requests
from ..store.link_queries import item_suggestion_rows
from ..store.location_queries import location_choices
from . import forms, steps
from .page_kit import B, Csrf, ItemAct, ItemRead, PageRoute, back, refused
from .render import page

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, a: ItemRead, b: B, t: When) -> Response:
    view = routes_records.item(a, b, t)
    history = routes_records.history(a, b, t)["items"]
    files = routes_files.files(a, b)["items"]
    c = a.asker.caller
    ctx: dict[str, Any] = {"item": view, "history": history, "files": files}
    ctx["as_of"] = t.day and t.day.isoformat()
    ctx["late"] = len(view.get("late", []))
    # Steps are recorded on today's record, never on a view of the past.
    ctx["may_act"] = policy.act_on_item(c, a.facts) and t.asked is None
    ctx["may_download"] = a.level is not Level.COURT
    with reading(b.led.engine) as conn:
        ctx["labs"] = item_lab_requests(conn, a.item_id) if a.level is not Level.DISCLOSED else []
        ctx["suggestions"] = item_suggestion_rows(conn, a.item_id) if a.level is Level.FULL else []
        users = q.list_users(conn)
        names = {str(u["user_id"]): str(u["name"]) for u in users}
        ctx["history"] = steps.described(conn, c, a.level, history, names)
        ctx["holders"] = holders(users, c.user_id) if ctx["may_act"] else []
        ctx["places"] = location_choices(conn) if ctx["may_act"] else []
    ctx["pending_name"] = names.get(str(view.get("pending_to") or ""))
    return page(request, "item.html.j2", a.asker, level=str(a.level), **ctx)


def holders(users: list[dict[str, Any]], me: str) -> list[tuple[str, str]]:
    """(user, name) of those an item may be handed to: people whose role holds evidence
    (property clerk, officer, lab analyst, supervisor), not the giver. Defense counsel,
    judges, auditors, administrators alone and Brady's own service accounts hold none."""
    return [
        (str(u["user_id"]), str(u["name"]))
        for u in users
        if set(u["roles"]) & set(HANDLERS) and u["user_id"] != me
    ]


_STEP_LABELS = {
    "to_user": "Who receives it",
    "to": "Check out to",
    "purpose": "What it is for",
    "due_back": "Due back",
    "location_id": "Where",
    "condition": "Condition",
    "seal_intact": "Seal intact",
    "reason": "Why",
}
TEXT = 50_000  # a step's text beyond its own limit is refused with that limit, by name


@router.post("/items/{item_id}/steps")
def item_step(
    _: Csrf,
    a: ItemAct,
    b: B,
    action: Annotated[str, Form(max_length=40)],
    to_user: Annotated[str, Form(max_length=80)] = "",
    to: Annotated[str, Form(max_length=TEXT)] = "",
    purpose: Annotated[str, Form(max_length=20)] = "",
    due_back: Annotated[str, Form(max_length=10)] = "",
    location_id: Annotated[str, Form(max_length=80)] = "",
    condition: Annotated[str, Form(max_length=TEXT)] = "",
    seal_intact: Annotated[str, Form(max_length=5)] = "",
    reason: Annotated[str, Form(max_length=TEXT)] = "",
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
        step = routes_records.STEP.validate_python({"action": action, **data})
        routes_records.step(step, a, b)
    except RefusedError as exc:
        return refused(url, exc)
    except ValidationError as exc:
        said = " ".join(forms.problems(exc, _STEP_LABELS).values())
        return back(url, f"Nothing was recorded. {said}", bad=True)
    except ValueError as exc:
        return back(url, f"Nothing was recorded: {exc}", bad=True)
    return back(url, f"Recorded: {action.replace('_', ' ')}.")


@router.post("/items/{item_id}/files/{sha256}/verify")
def verify_file(_: Csrf, sha256: str, a: ItemAct, b: B) -> Response:
    """Re-hash the stored copy now and say whether it still matches the ledger: for those who
    keep the item (a read-only role changes nothing, not even the access log's fixity
    record), and only for a file of this item."""
    url = f"/items/{a.item_id}"
    if not check_file(b.custody, a.item_id, sha256, a.asker.caller):
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
def item_label(
    a: ItemAct,
    b: B,
    label_format: Annotated[LabelFormat, Query(alias="format")] = "sheet",
) -> Response:
    """The page a clerk prints the item's label from: a thermal label printer's 2 x 1 inch
    label or a letter sheet of 3 x 10, with a Print button; for those who keep the item.
    Each label printed is logged, as the PDF is."""
    fmt = label_sheets.FORMATS[label_format]
    with reading(b.led.engine) as conn:
        made = label_sheets.item_labels(conn, [a.item_id], fmt)
    log(b, a.asker, "label", f"item:{a.item_id}", detail=fmt.name)
    ref = quote(a.item_id, safe="")
    return label_page(
        made,
        fmt,
        heading=f"Label for item {a.item_id}",
        here=f"/items/{ref}/label",
        pdf=f"/api/items/{ref}/label.pdf",
        back_url=f"/items/{ref}",
    )


def label_page(
    made: list[label_sheets.Label],
    fmt: label_sheets.Format,
    *,
    heading: str,
    here: str,
    pdf: str | None,
    back_url: str,
) -> HTMLResponse:
    """Labels as a page to print from: its own style and script (sized to the label stock,
    which the site's stylesheet is not), let through the Content Security Policy by a
    nonce made for this answer alone; everything else stays as strict as on every page."""
    nonce = secrets.token_urlsafe(18)
    csp = ALWAYS["Content-Security-Policy"]
    for kind in ("script-src", "style-src"):
        csp = csp.replace(f"{kind} 'self'", f"{kind} 'self' 'nonce-{nonce}'")
    formats = [
        {"name": f.name, "title": f.title, "url": f"{here}?format={f.name}"}
        for f in label_sheets.FORMATS.values()
    ]
    document = report_render.html(
        "labels.html.j2",
        **label_sheets.context(made, fmt),
        web=True,
        nonce=nonce,
        heading=heading,
        formats=formats,
        pdf_url=pdf and f"{pdf}?format={fmt.name}",
        back_url=back_url,
    )
    return HTMLResponse(document, headers={"Content-Security-Policy": csp})
