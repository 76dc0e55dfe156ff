"""What every page module shares: the dependencies that authorize a page (CSRF from the
form, case, item and rule guards) and the redirects that answer a form, so each area's
pages guard and answer alike."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from ..access import policy
from ..api.deps import (
    Asker,
    Brady,
    CaseAccess,
    ItemAccess,
    brady,
    case_guard,
    item_guard,
    rule_guard,
)
from ..domain.errors import NotAllowedError, RefusedError

B = Annotated[Brady, Depends(brady)]


async def form_csrf(request: Request) -> None:
    """Forms carry the CSRF token as a field; the credential check reads it from here."""
    if request.method == "POST":
        form = await request.form()
        token = form.get("csrf_token")
        request.state.form_csrf = token if isinstance(token, str) else None


Csrf = Annotated[None, Depends(form_csrf)]
CaseRead = Annotated[CaseAccess, Depends(case_guard("read"))]
CaseProsecute = Annotated[CaseAccess, Depends(case_guard("prosecute"))]
ItemRead = Annotated[ItemAccess, Depends(item_guard("read"))]
ItemAct = Annotated[ItemAccess, Depends(item_guard("act"))]
Recorder = Annotated[Asker, Depends(rule_guard(policy.record, "take items in"))]
Auditor = Annotated[Asker, Depends(rule_guard(policy.audit, "read the access log"))]


def today_utc() -> date:
    """Today's date in UTC: deadlines and overdue checkouts are counted in it."""
    return datetime.now(UTC).date()


def back(url: str, said: str | None = None, bad: bool = False) -> RedirectResponse:
    """Answer a form by going back to a page (303, so a reload does not post it again),
    with what was recorded or what went wrong shown there."""
    if said:
        sep = "&" if "?" in url else "?"
        url = f"{url}{sep}{'problem' if bad else 'said'}={said}"
    return RedirectResponse(url, status_code=303)


def refused(url: str, exc: RefusedError) -> RedirectResponse:
    """Back to the form, saying why nothing was recorded. A refusal of the caller (not of
    the record) is the "not allowed" page instead, as it would be had the page's own guard
    refused: the same answer, whichever check found it."""
    if isinstance(exc, NotAllowedError):
        raise exc
    return back(url, f"Nothing was recorded: {exc}", bad=True)
