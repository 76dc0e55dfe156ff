"""The home page: what needs each person now, by their role."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..access import policy
from ..api.deps import SignedIn
from ..disclosure import compliance as compliance_view
from ..store import access_queries as facts
from ..store import custody_queries as q
from ..store import link_queries, listing
from .page_kit import B, PageRoute, today_utc
from .render import page

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, asker: SignedIn, b: B) -> Response:
    """What needs this person now."""
    c = asker.caller
    today = today_utc()
    ctx: dict[str, Any] = {}
    with b.led.engine.connect() as conn:
        cases, _ = listing.cases(conn, c, listing.Page(limit=200))
        ctx["cases"] = []
        for case in cases:
            view = None
            if not c.staff or c.has("prosecutor", "judge", "defense_counsel"):
                found = compliance_view.compute(conn, case["case_id"], today, b.led.config.zone)
                counsel = c.assigned_as(case["case_id"], "defense_counsel")
                view = found.shown(counsel) if found is not None else None
            ctx["cases"].append({**case, "compliance": view})
        if c.staff:
            ctx["incoming"] = q.incoming(conn, c.user_id)
            ctx["overdue"] = [
                r
                for r in q.overdue_checkouts(conn, today.isoformat())
                if policy.read_item(c, facts.item_facts(conn, r["item_id"])) is not None
            ]
        if c.has("prosecutor"):
            mine = [k for k, r in c.assigned.items() if r == "prosecutor"]
            ctx["queue"] = link_queries.open_in_cases(conn, mine)
        if c.has("admin"):
            ctx["users"] = [{**u, **b.accounts.status(u["user_id"])} for u in q.list_users(conn)]
    return page(request, "home.html.j2", asker, today=today.isoformat(), **ctx)
