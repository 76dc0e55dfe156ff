"""Inventories: start one, scan what is on the shelves, close it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from ..access import policy
from ..api.routes_work import Staff
from ..domain.errors import RefusedError
from ..store import access_queries as facts
from ..store import custody_queries as q
from ..store.location_queries import location_choices
from .page_kit import B, Csrf, PageRoute, back, refused
from .render import page

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/inventory", response_class=HTMLResponse)
def inventories(request: Request, asker: Staff, b: B) -> Response:
    with b.led.engine.connect() as conn:
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
    with b.led.engine.connect() as conn:
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
    with b.led.engine.connect() as conn:
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
