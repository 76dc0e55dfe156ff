"""The ledger's checkpoint and proofs, the access log, and releasing a locked account:
the pages for checking Brady itself."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import policy
from ..accounts.anchors import anchor, verify_access
from ..api.deps import Asker, SignedIn, rule_guard
from ..domain.errors import RefusedError
from ..store import access_log
from ..store.engine import reading
from .page_kit import Auditor, B, Csrf, PageRoute, back, refused
from .render import page

router = APIRouter(include_in_schema=False, route_class=PageRoute)


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


PAGE = 200
"""Access records on one page of a search, newest first."""


def _day_after(day: str) -> str:
    """The search's `until` is exclusive: a date typed as the last day wanted is searched
    up to the start of the next."""
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def _dates(since: str, until: str) -> tuple[str | None, str | None, str | None]:
    """(since, until as searched, what is wrong with them): UTC dates, as the form's date
    fields send them."""
    for label, value in (("Since", since), ("Until", until)):
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                wrong = f"{label} must be a date such as 2026-11-01; you typed {value!r}."
                return None, None, wrong
    if since and until and until < since:
        return None, None, "Until is before since: no record can be in between. Swap them."
    return since or None, _day_after(until) if until else None, None


@router.get("/access", response_class=HTMLResponse)
def access_page(
    request: Request,
    asker: Auditor,
    b: B,
    user_id: Annotated[str, Query(max_length=80)] = "",
    target: Annotated[str, Query(max_length=200)] = "",
    action: Annotated[str, Query(max_length=40)] = "",
    outcome: Annotated[str, Query(max_length=20)] = "",
    since: Annotated[str, Query(max_length=32)] = "",
    until: Annotated[str, Query(max_length=32)] = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Who looked at what: the API's search (GET /api/access-log), its filters as a form;
    the search itself is in the access log, as the API's is."""
    filters = {
        "user_id": user_id.strip(),
        "target": target.strip(),
        "action": action.strip(),
        "outcome": outcome.strip(),
        "since": since.strip(),
        "until": until.strip(),
    }
    start, end, problem = _dates(filters["since"], filters["until"])
    rows: list[dict[str, Any]] = []
    if problem is None:
        query = access_log.Query(
            filters["user_id"] or None,
            filters["target"] or None,
            filters["action"] or None,
            filters["outcome"] or None,
            start,
            end,
            PAGE + 1,
            offset,
        )
        with reading(b.led.engine) as conn:
            rows = access_log.search(conn, query)
        b.accounts.log(
            "audit.search",
            asker.user_id,
            target=filters["target"] or filters["user_id"] or None,
            source=asker.source,
        )
    more = len(rows) > PAGE
    asked = urlencode({k: v for k, v in filters.items() if v})
    return page(
        request,
        "access.html.j2",
        asker,
        422 if problem else 200,
        rows=rows[:PAGE],
        filters=filters,
        problem=problem,
        offset=offset,
        older=f"/access?{asked}&offset={offset + PAGE}" if more else None,
        newer=f"/access?{asked}&offset={max(0, offset - PAGE)}" if offset else None,
        verdict=None,
        may_anchor=policy.anchor_access_log(asker.caller),
    )


@router.get("/access/verify", response_class=HTMLResponse)
def access_verify_page(request: Request, asker: Auditor, b: B) -> Response:
    """The check of GET /api/access-log/verify: every record's chain recomputed and compared
    with each head fixed on the ledger, the verdict in words."""
    verdict = verify_access(b.led)
    return page(
        request,
        "access.html.j2",
        asker,
        rows=None,
        filters={},
        problem=None,
        offset=0,
        older=None,
        newer=None,
        verdict={
            "ok": verdict.ok,
            "records": verdict.records,
            "anchors_checked": verdict.anchors_checked,
            "problems": verdict.problems,
        },
        may_anchor=policy.anchor_access_log(asker.caller),
    )


@router.post("/access/anchor")
def access_anchor(
    _: Csrf,
    asker: Annotated[Asker, Depends(rule_guard(policy.anchor_access_log, "anchor the access log"))],
    b: B,
) -> Response:
    """Fix the log's head on the ledger now (POST /api/access-log/anchor)."""
    try:
        entry = anchor(b.custody, asker.user_id)
    except RefusedError as exc:
        return refused("/access/verify", exc)
    if entry is None:
        return back("/access/verify", "Nothing new was logged since the head was last fixed.")
    return back(
        "/access/verify",
        f"The first {entry.payload['size']:,} access records are now fixed on the ledger "
        f"(entry {entry.seq}): a later change to any of them will be caught.",
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
