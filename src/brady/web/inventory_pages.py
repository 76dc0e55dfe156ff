"""Inventories: start one, scan what is on the shelves, close it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from ..access import policy
from ..api.deps import log
from ..api.routes_work import LabelFormat, Staff
from ..domain.errors import RefusedError
from ..reports import labels as label_sheets
from ..store import access_queries as facts
from ..store import custody_queries as q
from ..store.engine import reading
from ..store.location_queries import location_choices
from .item_pages import label_page
from .page_kit import B, Csrf, PageRoute, back, refused
from .render import page

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/inventory", response_class=HTMLResponse)
def inventories(request: Request, asker: Staff, b: B) -> Response:
    with reading(b.led.engine) as conn:
        rows = q.inventories(conn, asker.caller.agency_id)
        places = location_choices(conn)
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
        with b.custody.session(asker.caller) as s:
            s.start_inventory(asker.user_id, inventory_id, scope, location_id or None)
    except RefusedError as exc:
        return refused("/inventory", exc)
    return back(f"/inventory/{inventory_id}", "Started. Scan each item you see.")


@router.get("/inventory/{inventory_id}", response_class=HTMLResponse)
def inventory_page(request: Request, inventory_id: str, asker: Staff, b: B) -> Response:
    with reading(b.led.engine) as conn:
        view = q.inventory_view(conn, inventory_id)
    if view is None or not policy.take_inventory(asker.caller, view["agency_id"]):
        raise HTTPException(404, f"there is no inventory {inventory_id}")
    # Tags are the same in any case (a scan is recorded under the tag as taken in).
    expected = {str(i).upper(): str(i) for i in view["expected"] or []}
    scanned = [str(s["item_id"]) for s in view["scans"]]
    seen = {i.upper() for i in scanned}
    progress = {
        "found": [i for i in scanned if i.upper() in expected],
        "unexpected": [i for i in scanned if i.upper() not in expected],
        "not_yet": sorted(i for key, i in expected.items() if key not in seen),
    }
    return page(request, "inventory.html.j2", asker, inv=view, progress=progress)


@router.get("/inventory/{inventory_id}/labels", response_class=HTMLResponse)
def inventory_labels(
    inventory_id: str,
    asker: Staff,
    b: B,
    label_format: Annotated[LabelFormat, Query(alias="format")] = "sheet",
) -> Response:
    """Labels to re-tag a shelf while counting it: the shelf's own label, then one for
    each item the inventory expects that the asker may record steps on (a label shows
    case numbers, so the item page's rule holds here too). Logged as the item's label is."""
    fmt = label_sheets.FORMATS[label_format]
    with reading(b.led.engine) as conn:
        view = q.inventory_view(conn, inventory_id)
        if view is None or not policy.take_inventory(asker.caller, view["agency_id"]):
            raise HTTPException(404, f"there is no inventory {inventory_id}")
        items = [
            str(i["item_id"])
            for i in view["items"]
            if policy.act_on_item(asker.caller, facts.item_facts(conn, str(i["item_id"])))
        ]
        place = [str(view["location_id"])] if view.get("location_id") else []
        made = label_sheets.location_labels(conn, place, fmt)
        made += label_sheets.item_labels(conn, items, fmt)
    log(b, asker, "label", f"inventory:{inventory_id}", detail=f"{fmt.name}, {len(made)}")
    ref = quote(inventory_id, safe="")
    return label_page(
        made,
        fmt,
        heading=f"Labels for inventory {inventory_id} ({len(made)})",
        here=f"/inventory/{ref}/labels",
        pdf=None,
        back_url=f"/inventory/{ref}",
    )


@router.post("/inventory/{inventory_id}/scan")
def inventory_scan(
    _: Csrf, inventory_id: str, asker: Staff, b: B, item_id: Annotated[str, Form(max_length=80)]
) -> Response:
    url = f"/inventory/{inventory_id}"
    code = item_id.strip().removeprefix("brady:item:")
    try:
        with b.custody.session(asker.caller) as s:
            entry = s.scan(asker.user_id, inventory_id, code)
    except RefusedError as exc:
        return refused(url, exc)
    scanned = str(entry.payload["item_id"])  # the tag as taken in, whatever case was typed
    with reading(b.led.engine) as conn:
        view = q.inventory_view(conn, inventory_id)
        found = facts.item_facts(conn, scanned)
        yours = found.exists and policy.read_item(asker.caller, found) is not None
    expected = {str(i).upper() for i in (view or {}).get("expected") or []}
    if scanned.upper() in expected:
        return back(url, f"Scanned {scanned}: found, as expected.")
    if yours:
        said = (
            f"Scanned {scanned}, but it is not on this inventory's list: it is recorded as "
            "unexpected. Check where the record says it should be (open the item), then "
            "tell the property room supervisor."
        )
    else:
        said = (
            f"{scanned} is not an item of your agency on the record: it is recorded as "
            "unexpected. Check the label for a misread, then set the item aside and tell "
            "the property room supervisor."
        )
    return back(url, said, warn=True)


@router.post("/inventory/{inventory_id}/close")
def inventory_close(_: Csrf, inventory_id: str, asker: Staff, b: B) -> Response:
    url = f"/inventory/{inventory_id}"
    try:
        with b.custody.session(asker.caller) as s:
            s.close_inventory(asker.user_id, inventory_id)
    except RefusedError as exc:
        return refused(url, exc)
    return back(url, "Closed: the result is recorded on the ledger.")
