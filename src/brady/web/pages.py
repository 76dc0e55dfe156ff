"""The pages: sign-in, each role's home, intake, item search, item, case, inventory, the
defense portal, the ledger and the access log. Server-rendered; every page goes through the
same guards and services as the API (src/brady/api), so the same access rules and the same
log hold.

The pages live by area in the *_pages.py modules beside this one (page_kit.py holds what
they share); this router takes them all, in the order their routes are matched.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from . import (
    admin_pages,
    case_pages,
    home_page,
    intake_pages,
    inventory_pages,
    item_pages,
    ledger_pages,
    search_pages,
    signin_pages,
)
from .render import STATIC

router = APIRouter(include_in_schema=False)
for _area in (
    signin_pages,
    home_page,
    intake_pages,
    search_pages,
    item_pages,
    case_pages,
    inventory_pages,
    ledger_pages,
    admin_pages,
):
    router.include_router(_area.router)


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """The site's icon, for browsers that ask at the old address (pages link the SVG)."""
    return FileResponse(
        STATIC / "favicon.svg",
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )
