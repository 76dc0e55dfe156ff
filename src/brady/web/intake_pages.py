"""Intake: a property clerk scans a tag and takes the item in, files and all. A form that
cannot be recorded comes back with everything typed still in it and a plain message next
to each field at fault."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import TypeAdapter, ValidationError

from ..access import policy
from ..api.deps import Asker, Brady, deny
from ..custody.files import attach
from ..custody.service import Session
from ..domain import events as ev
from ..domain.errors import Kind, NotAllowedError, RefusedError, kind_of
from ..domain.vocabulary import Category
from ..store import access_queries as facts
from ..store import custody_queries as q
from ..store import listing
from ..store.engine import reading
from ..store.location_queries import locations
from . import forms
from .page_kit import B, Csrf, PageRoute, Recorder, back
from .render import page

router = APIRouter(include_in_schema=False, route_class=PageRoute)

LABELS = {
    "item_id": "The tag",
    "category": "Category",
    "quantity": "How many",
    "description": "Description",
    "case_id": "Case",
    "location_id": "Where it is put",
    "received_from": "Received from",
    "caliber": "Caliber",
    "serial": "Serial number",
    "narrative": "What happened",
}
RULES = forms.limits(ev.ItemIntakeFields)
"""maxlength, min and max of each field, as the intake's payload model states them."""
CATEGORIES = [c.value for c in Category]
LISTED = frozenset({"category", "case_id", "location_id"})
TEXT = 50_000
"""The most a text field of the form may carry at all (beyond any field's own limit, which
the form states and checks next to the field)."""
_TAG = TypeAdapter(ev.Id)


def home_room(
    places: list[dict[str, Any]], agency_id: str | None, agencies: set[str]
) -> str | None:
    """Where an item is put unless the clerk says otherwise: the first room or shelf of
    the clerk's agency (one whose number, or a parent's, begins with the agency's, as
    SFCSO-EV does for SFCSO), else the first room or shelf of no agency; never a lab, a
    temporary place or another agency's room (then the clerk chooses)."""
    by_id = {p["location_id"]: p for p in places}
    prefixes = {a.upper() for a in agencies | {agency_id or ""} if a}

    def owner(place: dict[str, Any] | None) -> str | None:
        seen: set[str] = set()
        while place is not None and place["location_id"] not in seen:
            lid = str(place["location_id"]).upper()
            for prefix in prefixes:
                if lid == prefix or lid.startswith(f"{prefix}-"):
                    return prefix
            seen.add(place["location_id"])
            place = by_id.get(place["parent_id"])
        return None

    rooms = [(p, owner(p)) for p in places if p["kind"] in ("room", "shelf")]
    mine = [p for p, o in rooms if agency_id and o == agency_id.upper()]
    pick = mine or [p for p, o in rooms if o is None]
    return str(pick[0]["location_id"]) if pick else None


def _form(
    request: Request,
    asker: Asker,
    b: Brady,
    status: int = 200,
    **ctx: Any,
) -> Response:
    """The intake page: the scan step without a tag, the details with one."""
    with reading(b.led.engine) as conn:
        places = locations(conn)
        cases, _ = listing.cases(conn, asker.caller, listing.Page(limit=500))
        agencies = {str(u["agency_id"]) for u in q.list_users(conn) if u["agency_id"]}
    typed = {k: v for k, v in (ctx.pop("form", None) or {}).items() if v not in (None, "")}
    room = home_room(places, asker.caller.agency_id, agencies)
    form = {"location_id": room, "quantity": "1", **typed}
    return page(
        request,
        "intake.html.j2",
        asker,
        status,
        places=[(p["location_id"], p["name"]) for p in places],
        cases=cases,
        form=form,
        rules=RULES,
        categories=CATEGORIES,
        **{"tag": "", "errors": {}, "keep": {}, **ctx},
    )


@router.get("/intake", response_class=HTMLResponse)
def intake_page(
    request: Request,
    asker: Recorder,
    b: B,
    tag: Annotated[str | None, Query(max_length=2000)] = None,
    case_id: Annotated[str | None, Query(max_length=80)] = None,
    location_id: Annotated[str | None, Query(max_length=80)] = None,
    category: Annotated[str | None, Query(max_length=30)] = None,
) -> Response:
    """Step 1: scan the tag (the field has focus; a scanner's Enter submits). Step 2: the
    details, with the last case, place and category kept from the item before."""
    tag = (tag or "").strip()
    keep = {"case_id": case_id, "location_id": location_id, "category": category}
    problem, taken = None, None
    if tag:
        try:
            _TAG.validate_python(tag)
        except ValidationError as exc:
            problem = forms.problems(exc, {"": "The tag"})[""]
        else:
            with reading(b.led.engine) as conn:
                taken = Session.stored_tag(conn, tag)
            if taken is not None:
                same = "" if taken == tag else f" as {taken} (a tag is the same in any case)"
                problem = f"Tag {tag} is already taken in{same}. Open it, or scan the next tag."
    return _form(
        request,
        asker,
        b,
        tag="" if problem else tag,
        scan_problem=problem,
        taken=taken,
        keep=keep,
        form=keep,
    )


def _refusal(exc: RefusedError) -> tuple[int, dict[str, str]]:
    """The status and the message by field of a refusal of the service."""
    if isinstance(exc, NotAllowedError):
        raise exc
    status = 409 if kind_of(exc) is Kind.CONFLICT else 422
    text = str(exc)
    return status, {exc.field or "": f"Nothing was recorded: {text[:1].upper()}{text[1:]}."}


@router.post("/intake")
def intake(
    request: Request,
    _: Csrf,
    asker: Recorder,
    b: B,
    item_id: Annotated[str, Form(max_length=2000)] = "",
    category: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=TEXT)] = "",
    location_id: Annotated[str, Form(max_length=2000)] = "",
    quantity: Annotated[str, Form(max_length=200)] = "1",
    case_id: Annotated[str, Form(max_length=2000)] = "",
    received_from: Annotated[str, Form(max_length=TEXT)] = "",
    caliber: Annotated[str, Form(max_length=TEXT)] = "",
    serial: Annotated[str, Form(max_length=TEXT)] = "",
    narrative: Annotated[str, Form(max_length=TEXT)] = "",
    files: list[UploadFile] | None = None,
) -> Response:
    typed = {
        "item_id": item_id.strip(),
        "category": category,
        "description": description,
        "quantity": quantity.strip(),
        "location_id": location_id,
        "case_id": case_id,
        "received_from": received_from,
        "caliber": caliber,
        "serial": serial,
        "narrative": narrative,
    }
    chosen = [f for f in files or [] if f.filename]
    again: dict[str, Any] = {"tag": typed["item_id"], "form": typed, "files_lost": bool(chosen)}
    try:
        said = _checked(typed)
    except ValidationError as exc:
        errors = forms.problems(exc, LABELS, {"case_ids": "case_id"}, LISTED)
        return _form(request, asker, b, 422, errors=errors, **again)
    except RefusedError as exc:  # a NUL character, named by field
        status, errors = _refusal(exc)
        return _form(request, asker, b, status, errors=errors, **again)
    with reading(b.led.engine) as conn:
        if case_id and not policy.act_on_case(asker.caller, facts.case_facts(conn, case_id)):
            raise deny(b, asker, f"case:{case_id}", f"you may not file items under {case_id}")
    seen = b.custody.foresee_intake(asker.user_id, said)  # before the ledger's lock
    try:
        with b.custody.session(asker.caller) as s:
            s.foreseen = seen
            entry = s.intake(asker.user_id, **said)
    except RefusedError as exc:
        status, errors = _refusal(exc)
        return _form(request, asker, b, status, errors=errors, **again)
    new_id = str(entry.payload["item_id"])
    url = f"/items/{new_id}?taken=1&case_id={case_id}&location_id={location_id}&category={category}"
    not_attached = _attach_all(b, asker, new_id, chosen)
    if not_attached:
        return back(url, f"Taken in: {new_id}, but {not_attached}", bad=True)
    return back(url, f"Taken in: {new_id} (ledger entry {entry.seq}).")


def _attach_all(b: Brady, asker: Asker, item_id: str, uploads: list[UploadFile]) -> str | None:
    """Attach the files chosen at intake; what went wrong with the first refused, if any
    (the item itself is recorded by then)."""
    for upload in uploads:
        try:
            attach(
                b.custody,
                asker.user_id,
                item_id,
                upload.file,
                str(upload.filename),
                upload.content_type,
                caller=asker.caller,
            )
        except RefusedError as exc:
            if isinstance(exc, NotAllowedError):
                raise
            return (
                f"the file {upload.filename} was not attached: {exc}. Attach it again with "
                "`brady item attach`, or ask the evidence administrator."
            )
    return None


def _checked(typed: dict[str, str]) -> dict[str, Any]:
    """What the form states, checked by the intake's own payload model: blank fields are
    left out, text is trimmed, the quantity a whole number."""
    fields: dict[str, Any] = {k: v for k, v in typed.items() if v != "" and k != "case_id"}
    fields["case_ids"] = [typed["case_id"]] if typed["case_id"] else []
    model = ev.ItemIntakeFields.model_validate(fields)
    return model.model_dump(mode="json", exclude_unset=True, exclude_none=True)
