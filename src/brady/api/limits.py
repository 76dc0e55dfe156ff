"""Request limits decided before a byte of a body is read.

A body is read only for a caller who has proved who they are (a valid API token or
session), or for the few public forms (signing in), and only up to the size its route
takes: evidence uploads are large, everything else is a form or a JSON document. A
Content-Length over the limit is refused at once; a body that turns out longer than it
said (or sent without a length) is cut off when it passes the limit. Authorization (this
caller, this item) is the route's, once the body is known to be worth reading.

A plain ASGI middleware, like SecurityHeaders, so that it runs before Starlette or FastAPI
touch the body.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import anyio
import anyio.to_thread
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KIB = 1024
MIB = 1024 * KIB

PUBLIC = {("POST", "/api/session"), ("POST", "/signin")}
"""Bodies read before anyone is signed in: a user name and a password."""
PUBLIC_LIMIT = 16 * KIB
FORM_LIMIT = 2 * MIB
"""JSON documents and web forms: a long narrative is tens of kilobytes."""
UPLOADS = (
    re.compile(r"/api/items/[^/]+/files"),
    re.compile(r"/intake"),
)
"""Routes that take evidence files."""
UPLOAD_LIMIT = 64 * 1024 * MIB
"""An evidence file: a day of body-camera video fits; more is refused, not buffered."""
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
IDLE_BODY = 60.0
"""Seconds a body may stall between two pieces before the request is dropped: a client
that trickles a byte a minute would otherwise hold a worker thread for ever."""


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            f"the request is larger than this address takes ({limit:,} bytes); "
            "send evidence files to /api/items/ITEM/files, one at a time",
        )


@dataclass(frozen=True)
class Limits:
    public: int = PUBLIC_LIMIT
    form: int = FORM_LIMIT
    upload: int = UPLOAD_LIMIT

    def of(self, method: str, path: str) -> int:
        if (method, path) in PUBLIC:
            return self.public
        if any(p.fullmatch(path) for p in UPLOADS):
            return self.upload
        return self.form


Authenticate = Callable[[str | None, str | None], Any]
"""(bearer token, session cookie) -> the credential either proves now, or None."""

CHECKED = "brady_credential"
"""Where the request's state keeps (token, cookie, credential) as checked here, so the
route's own dependency need not look the same token or session up again."""


class RequestLimits:
    def __init__(self, app: ASGIApp, authenticate: Authenticate, limits: Limits = Limits()) -> None:
        self.app = app
        self.authenticate = authenticate
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        headers = Headers(scope=scope)
        limit = self.limits.of(method, path)
        public = (method, path) in PUBLIC
        token, cookie = _credentials(headers)
        if not public and token is None and cookie is None:
            await refuse(scope, send, 401, "sign in first (a session cookie or an API token)")
            return
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await refuse(scope, send, 413, str(BodyTooLarge(limit).detail))
            return
        if not public:
            proven = await anyio.to_thread.run_sync(self.authenticate, token, cookie)
            if proven is None:
                await refuse(scope, send, 401, "this token or session is not valid; sign in again")
                return
            scope.setdefault("state", {})[CHECKED] = (token, cookie, proven)
        await self.app(scope, _counted(receive, limit), send)


def _credentials(headers: Headers) -> tuple[str | None, str | None]:
    auth = headers.get("authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else None
    cookie = None
    raw = headers.get("cookie")
    if raw:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(raw)
        except Exception:  # a malformed cookie header is no credential
            jar = SimpleCookie()
        if "brady_session" in jar:
            cookie = jar["brady_session"].value
    return token or None, cookie


class TooSlow(HTTPException):
    def __init__(self) -> None:
        super().__init__(408, f"the request's body stopped arriving for {IDLE_BODY:.0f} seconds")


def _counted(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        try:
            with anyio.fail_after(IDLE_BODY):
                message = await receive()
        except TimeoutError as exc:
            raise TooSlow() from exc
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return counted


TITLES = {401: "Sign-in needed", 408: "Too slow", 413: "Too large", 422: "Invalid request"}


async def refuse(
    scope: Scope, send: Send, status: int, detail: str, field: str | None = None
) -> None:
    """Answer without reading the body; the connection is closed so the unread rest of it
    is not taken for the next request."""
    page = not scope["path"].startswith("/api/")
    if page:
        again = ' <a href="/signin">Sign in</a>' if status == 401 else ""
        body = (
            f"<!DOCTYPE html><html lang=en><title>Brady</title><p>{html.escape(detail)}.{again}"
            "</p></html>"
        ).encode()
        media = b"text/html; charset=utf-8"
    else:
        problem: dict[str, Any] = {
            "type": "about:blank",
            "title": TITLES.get(status, "Refused"),
            "status": status,
            "detail": detail,
        }
        if field is not None:
            problem["field"] = field
        body = json.dumps(problem).encode()
        media = b"application/problem+json"
    extra = [(b"www-authenticate", b'Bearer realm="brady"')] if status == 401 else []
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
