"""Errors on pages: sign in, acknowledge the notice, or a plain page saying what happened."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from ..domain.errors import ANSWERS
from .render import page

_TITLES = {a.status: a.page_title for a in ANSWERS.values()}


def respond(request: Request, status: int, detail: str) -> Response:
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/signin?next={quote(target)}", status_code=303)
    if status == 403 and "use notification" in detail:
        return RedirectResponse("/banner", status_code=303)
    return page(
        request,
        "error.html.j2",
        None,
        status,
        title=_TITLES.get(status, "Something went wrong"),
        detail=detail,
        status_code=status,
    )
