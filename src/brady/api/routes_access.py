"""The access log for auditors: search it, check its chain, fix its head on the ledger."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from ..access import policy
from ..accounts.anchors import anchor, verify_access
from ..store import access_log
from ..store.engine import reading
from .deps import Asker, Brady, access, brady, rule_guard
from .problems import PROBLEM_RESPONSES
from .routes_records import Paged

router = APIRouter(prefix="/api/access-log", responses=PROBLEM_RESPONSES)
B = Annotated[Brady, Depends(brady)]
Auditor = Annotated[Asker, Depends(rule_guard(policy.audit, "read the access log"))]


@router.get("", openapi_extra=access("auditor"))
def search(
    asker: Auditor,
    b: B,
    page: Paged,
    user_id: Annotated[str | None, Query(max_length=80)] = None,
    target: Annotated[
        str | None, Query(max_length=200, description="e.g. item:SF24-0306-01")
    ] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    outcome: Annotated[str | None, Query(max_length=20)] = None,
    since: Annotated[str | None, Query(max_length=32, description="UTC, e.g. 2026-11-01")] = None,
    until: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    """Who looked at what, newest first: filter by user, target, action, outcome, time."""
    query = access_log.Query(
        user_id, target, action, outcome, since, until, page.limit, page.offset
    )
    with reading(b.led.engine) as conn:
        rows = access_log.search(conn, query)
    b.accounts.log("audit.search", asker.user_id, target=target or user_id, source=asker.source)
    return {"items": rows, "limit": page.limit, "offset": page.offset}


@router.get("/verify", openapi_extra=access("auditor"))
def verify(asker: Auditor, b: B) -> dict[str, Any]:
    """Recompute the chain of every record and compare with each head fixed on the ledger."""
    verdict = verify_access(b.led)
    return {
        "ok": verdict.ok,
        "records": verdict.records,
        "anchors_checked": verdict.anchors_checked,
        "problems": verdict.problems,
    }


@router.post(
    "/anchor",
    openapi_extra=access("admin-or-auditor"),
)
def fix_head(
    asker: Annotated[
        Asker,
        Depends(rule_guard(policy.anchor_access_log, "anchor the access log")),
    ],
    b: B,
) -> dict[str, Any]:
    """Fix the access log's current head on the ledger (the server also does this itself)."""
    entry = anchor(b.custody, asker.user_id)
    if entry is None:
        return {"anchored": False, "reason": "nothing new in the access log since the last anchor"}
    return {"anchored": True, "seq": entry.seq, **entry.payload}
