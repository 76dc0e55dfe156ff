"""Errors on pages: sign in, acknowledge the notice, or a page of the site saying what
happened and what to do next, with the navigation of whoever is signed in."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from ..api.deps import SESSION_COOKIE, Asker, Brady, source
from ..domain.errors import ANSWERS
from ..store import access_queries as facts
from ..store.engine import reading
from .render import page

_TITLES = {
    404: "Not found",
    405: "This page does not take that",
    413: "Too large",
    **{a.status: a.page_title for a in ANSWERS.values()},
}
FAULT = (
    "Brady met a fault of its own while answering: it was not caused by anything you did or "
    "typed. What Brady said was recorded before this page is on the record; anything else "
    "was not. Open the item or case to check before you try again, and tell your "
    "administrator the time this happened"
)


def signed_in(request: Request) -> Asker | None:
    """Who is signed in (with the use notification acknowledged), for the navigation of an
    error page; None when no one is. A look only: nothing is written, and an error page
    never fails for want of it."""
    secret = request.cookies.get(SESSION_COOKIE)
    b: Brady | None = getattr(request.app.state, "brady", None)
    if not secret or b is None:
        return None
    try:
        cred = b.accounts.session(secret, touch=False)
        if cred is None or not cred.banner_ack:
            return None
        with reading(b.led.engine) as conn:
            caller = facts.caller(conn, cred.user_id, cred.scope)
    except Exception:  # the error being answered may be the database's own
        return None
    return None if caller is None else Asker(caller, cred, source(request))


def came_from(request: Request) -> str | None:
    """The page of this site the browser came from, to go back to (never another site's)."""
    referer = urlsplit(request.headers.get("referer", ""))
    if not referer.path.startswith("/") or referer.path.startswith("//"):
        return None
    if referer.netloc and referer.netloc != request.url.netloc:
        return None
    here = request.url.path
    target = referer.path + (f"?{referer.query}" if referer.query else "")
    return None if referer.path == here else target


def respond(request: Request, status: int, detail: str, title: str | None = None) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if status == 401:
        return RedirectResponse(f"/signin?next={quote(target)}", status_code=303)
    if status == 403 and "use notification" in detail:
        return RedirectResponse(f"/banner?next={quote(target)}", status_code=303)
    return page(
        request,
        "error.html.j2",
        signed_in(request),
        status,
        title=title or _TITLES.get(status, "Something went wrong"),
        detail=detail,
        status_code=status,
        back_to=came_from(request),
    )
