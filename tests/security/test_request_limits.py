"""Finding 3: huge bodies were read before authentication.

The real application is called as an ASGI app with a `receive` that counts what the
server pulled of the body: a refusal must come before any of it is read (or, for a body
that lies about its length, soon after the limit). No network is needed to see that."""

from __future__ import annotations

import json
from typing import Any

import anyio

from brady.api.limits import FORM_LIMIT

from .conftest import World

MIB = 1024 * 1024


class Body:
    """An endless body served in 1 MiB pieces, counting how many were pulled."""

    def __init__(self, pieces: int | None = None) -> None:
        self.pulled = 0
        self.pieces = pieces

    async def __call__(self) -> dict[str, Any]:
        self.pulled += 1
        more = self.pieces is None or self.pulled < self.pieces
        return {"type": "http.request", "body": b"x" * MIB, "more_body": more}


def _as(world: World, user: str, media: str, **extra: str) -> dict[str, str]:
    return {"authorization": f"Bearer {world.tokens[user]}", "content-type": media, **extra}


def _call(world: World, path: str, headers: dict[str, str], body: Body) -> tuple[int, bytes]:
    app = world.client.app
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("10.9.9.9", 5555),
        "server": ("testserver", 443),
        "state": {},
        "app": app,
    }
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def run() -> None:
        await app(scope, body, send)

    anyio.run(run)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_a_huge_body_without_credentials_is_refused_unread(world: World) -> None:
    body = Body()
    status, answer = _call(
        world,
        "/api/items",
        {"content-type": "application/json", "content-length": str(400 * MIB)},
        body,
    )
    assert status == 401 and body.pulled == 0
    assert "sign in" in json.loads(answer)["detail"]


def test_a_forged_token_is_refused_before_the_body(world: World) -> None:
    body = Body()
    headers = {"authorization": "Bearer brady_forged", "content-length": str(200 * MIB)}
    status, answer = _call(world, "/api/items/IA1/files", headers, body)
    assert status == 401 and body.pulled == 0, answer


def test_a_signed_in_caller_gets_413_for_a_form_over_the_limit(world: World) -> None:
    body = Body()
    headers = _as(world, "clerkA", "application/json", **{"content-length": str(400 * MIB)})
    status, _ = _call(world, "/api/items", headers, body)
    assert status == 413 and body.pulled == 0


def test_a_body_without_a_length_is_cut_off_at_the_limit(world: World) -> None:
    body = Body()
    headers = _as(world, "clerkA", "application/json", **{"transfer-encoding": "chunked"})
    status, _ = _call(world, "/api/items", headers, body)
    assert status == 413
    assert body.pulled <= FORM_LIMIT // MIB + 1


def test_an_upload_to_an_item_the_caller_may_not_touch_is_refused_unread(world: World) -> None:
    """clerkB (another agency) is signed in, but may not act on IA1: 403 before the
    multipart body is spooled to disk."""
    body = Body(pieces=200)
    headers = _as(
        world, "clerkB", "multipart/form-data; boundary=xyz", **{"content-length": str(200 * MIB)}
    )
    status, _ = _call(world, "/api/items/IA1/files", headers, body)
    assert status == 403 and body.pulled == 0


def test_an_allowed_upload_still_works(world: World) -> None:
    r = world.client.post(
        "/api/items/IA1/files",
        files={"file": ("note.txt", b"a small evidence file", "text/plain")},
        headers=world.as_("clerkA"),
    )
    assert r.status_code == 201, r.text
    missing = world.client.post(
        "/api/items/IA1/files", data={"other": "x"}, headers=world.as_("clerkA")
    )
    assert missing.status_code == 422 and "file" in missing.text
