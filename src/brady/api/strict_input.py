"""Text and numbers no record can hold, refused by name before any route sees them.

A NUL character cannot be stored in PostgreSQL text (and would hide the rest of a name
from a search in SQLite); an infinite number is not a quantity. Both reach every route the
same way, in the path, the query, a JSON document or a web form, so they are refused in
one place with a 422 that names the field, and nothing is half-written. Evidence uploads
(multipart) are not inspected: a file's bytes are whatever they are.

Runs inside RequestLimits, so a body is only read here once it is known to be small enough
and the caller signed in.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..domain.events import first_field, has_nul
from .limits import BODY_METHODS, refuse


class Body(BaseModel):
    """A request's JSON document: a field Brady does not know is refused by name (a typo
    such as "descripton" must not record an item without its description), and numbers
    must be finite."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def said(body: BaseModel) -> dict[str, Any]:
    """What a request body states, as keyword arguments for the command it goes to: the
    body is the command's own payload model, so the names are the command's."""
    return body.model_dump(mode="json")


NUL = "holds a NUL character, which a record cannot keep; remove it and send again"
NOT_FINITE = "is not a finite number"


def _not_finite(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def _pairs(text: str, kind: str) -> Iterator[tuple[str, str]]:
    for name, value in parse_qsl(text, keep_blank_values=True):
        if has_nul(name) or has_nul(value):
            yield name.replace("\x00", ""), f"{kind} {name.replace(chr(0), '')!r} {NUL}"


def in_url(scope: Scope) -> tuple[str, str] | None:
    if "\x00" in scope["path"]:
        return "path", f"the address (path) {NUL}"
    query = scope.get("query_string", b"").decode("latin-1")
    return next(_pairs(query, "query parameter"), None)


def in_body(media: str, body: bytes) -> tuple[str, str] | None:
    if media == "application/json":
        try:
            document = json.loads(body)
        except ValueError:
            return None  # the route says what is wrong with it
        field = first_field(document, has_nul)
        if field is not None:
            return field, f"{field} {NUL}"
        field = first_field(document, _not_finite)
        return None if field is None else (field, f"{field} {NOT_FINITE}")
    return next(_pairs(body.decode("utf-8", "replace"), "form field"), None)


CHECKED = {"application/json", "application/x-www-form-urlencoded"}


class StrictInput:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = in_url(scope)
        media = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
        if found is None and scope["method"] in BODY_METHODS and media in CHECKED:
            try:
                body = await _read(receive)
            except HTTPException as exc:  # too large or too slow, as RequestLimits decided
                await refuse(scope, send, exc.status_code, str(exc.detail))
                return
            found = in_body(media, body)
            receive = _replay(body, receive)
        if found is not None:
            field, problem = found
            await refuse(scope, send, 422, problem, field)
            return
        await self.app(scope, receive, send)


async def _read(receive: Receive) -> bytes:
    parts = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


NO_NUL = "^[^\\u0000]*$"


def declare(schema: dict[str, Any]) -> dict[str, Any]:
    """Say in the OpenAPI schema what this module refuses: every text field and parameter
    without a pattern of its own gets one that excludes NUL (file bytes excepted), so a
    client, or a conformance checker, knows the rule before it sends anything."""

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if (
                node.get("type") == "string"
                and "pattern" not in node
                and "format" not in node
                and "enum" not in node
                and "const" not in node
            ):
                node["pattern"] = NO_NUL
            if node.get("type") == "object" and node.get("additionalProperties", True):
                node.setdefault("propertyNames", {"pattern": NO_NUL})
            for inner in node.values():
                visit(inner)
        elif isinstance(node, list):
            for inner in node:
                visit(inner)

    visit(schema)
    return schema
