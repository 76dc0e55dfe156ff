"""What every page module shares: the dependencies that authorize a page (CSRF from the
form, case, item and rule guards) and the redirects that answer a form, so each area's
pages guard and answer alike."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

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
from ..domain.errors import NotAllowedError, RefusedError, answer_for
from .errors import FAULT, respond

B = Annotated[Brady, Depends(brady)]
_log = logging.getLogger("brady.web")


class PageRoute(APIRoute):
    """A page's route: a fault of Brady's own (no refusal, no error a person can read) is
    answered with the site's page for it, navigation and all, not a bare "Internal Server
    Error"; the fault itself goes to the server's log."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except (HTTPException, RequestValidationError):
                raise  # answered by the app's own handlers, as pages
            except Exception as exc:
                if answer_for(exc) is not None:
                    raise
                _log.exception("a page failed: %s %s", request.method, request.url.path)
                return respond(request, 500, FAULT, title="Something went wrong in Brady")

        return guarded


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


def back(
    url: str, said: str | None = None, bad: bool = False, warn: bool = False
) -> RedirectResponse:
    """Answer a form by going back to a page (303, so a reload does not post it again),
    with what was recorded (`warn`: recorded, but to look at) or what went wrong shown
    there."""
    if said:
        sep = "&" if "?" in url else "?"
        key = "problem" if bad else "warning" if warn else "said"
        url = f"{url}{sep}{key}={quote(said)}"
    return RedirectResponse(url, status_code=303)


def refused(url: str, exc: RefusedError) -> RedirectResponse:
    """Back to the form, saying why nothing was recorded. A refusal of the caller (not of
    the record) is the "not allowed" page instead, as it would be had the page's own guard
    refused: the same answer, whichever check found it."""
    if isinstance(exc, NotAllowedError):
        raise exc
    return back(url, f"Nothing was recorded: {exc}", bad=True)
