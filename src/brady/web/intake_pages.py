"""Intake: a property clerk scans a tag and takes the item in, files and all."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from ..access import policy
from ..api.deps import deny
from ..custody.files import attach
from ..domain.errors import RefusedError
from ..store import access_queries as facts
from ..store import custody_queries as q
from ..store import listing
from ..store.location_queries import location_choices
from .page_kit import B, Csrf, Recorder, back, refused
from .render import page

router = APIRouter(include_in_schema=False)


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
        places = location_choices(conn)
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
        with b.custody.session(asker.caller) as s:
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
                    caller=asker.caller,
                )
    except RefusedError as exc:
        return refused(again, exc)
    return back(
        f"/items/{new_id}?taken=1&case_id={case_id}&location_id={location_id}&category={category}",
        f"Taken in: {new_id} (ledger entry {entry.seq}).",
    )
