"""Signing in and out, and the banner to acknowledge first: the pages a visitor meets
before any other."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..accounts.service import SignInError
from ..api.deps import SESSION_COOKIE, Asker, credential, set_session_cookie, signing_in
from ..api.routes_accounts import BANNER
from .page_kit import B, Csrf, PageRoute, back
from .render import page

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def local_path(target: str) -> str:
    """A page of this site to go to after signing in; anything else (another site, as
    "//evil.example" or "https://..." would be) goes home instead."""
    parts = urlsplit(target)
    local = target.startswith("/") and not target.startswith("//")
    if (
        not local
        or parts.scheme
        or parts.netloc
        or "\\" in target
        or any(ord(ch) < 32 for ch in target)
    ):
        return "/"
    return target


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next_: Annotated[str, Query(alias="next")] = "/") -> Response:
    return page(request, "signin.html.j2", None, next=local_path(next_))


@router.post("/signin", response_class=HTMLResponse)
async def signin(
    request: Request,
    b: B,
    user_id: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=256)],
    next_: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    try:
        secret, _ = await signing_in(b, request, user_id, password)
    except SignInError as exc:
        # One answer for a wrong password, an unknown user and a locked account (429 only
        # for the network address's own limit, whoever is named).
        status = 401 if exc.wait is None else 429
        return page(request, "signin.html.j2", None, status, error=str(exc), user_id=user_id)
    # The use notification is acknowledged at every sign-in before anything else.
    target = "/banner?" + urlencode({"next": local_path(next_)})
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, secret)
    return response


@router.get("/banner", response_class=HTMLResponse)
def banner_page(
    request: Request,
    asker: Annotated[Asker, Depends(credential)],
    next_: Annotated[str, Query(alias="next", max_length=2000)] = "/",
) -> Response:
    return page(request, "banner.html.j2", asker, banner=BANNER, next=local_path(next_))


@router.post("/banner")
def banner_ack(
    _: Csrf,
    b: B,
    asker: Annotated[Asker, Depends(credential)],
    next_: Annotated[str, Form(alias="next", max_length=2000)] = "/",
) -> Response:
    b.accounts.acknowledge_banner(asker.user_id, asker.source)
    return back(local_path(next_))


@router.post("/signout")
def signout(
    _: Csrf, request: Request, b: B, asker: Annotated[Asker, Depends(credential)]
) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        b.accounts.end_session(secret, asker.source)
    response = back("/signin", "You are signed out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
