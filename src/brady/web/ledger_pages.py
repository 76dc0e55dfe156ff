"""The ledger's checkpoint and proofs, the access log, and releasing a locked account:
the pages for checking Brady itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import policy
from ..api.deps import Asker, SignedIn, rule_guard
from ..store import access_log
from .page_kit import Auditor, B, Csrf, PageRoute, back
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
