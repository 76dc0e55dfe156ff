"""Finding an item: one search box on every page, the items the person may see that match
(the API's listing, so the same access rule and the same log)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..api import routes_records
from ..api.deps import SignedIn
from ..store import listing
from .page_kit import B, PageRoute
from .render import page

router = APIRouter(include_in_schema=False, route_class=PageRoute)

SHOWN = 100
"""Matches listed on one page; the count says how many there are in all."""


@router.get("/items", response_class=HTMLResponse)
def search(
    request: Request,
    asker: SignedIn,
    b: B,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    found: dict[str, object] = {"items": [], "total": 0}
    if q.strip():
        found = routes_records.items(
            asker, b, listing.Page(limit=SHOWN, sort="since", descending=True), q=q.strip()
        )
    return page(request, "items.html.j2", asker, q=q, found=found, shown=SHOWN)
