"""The witness over HTTP (c2sp.org/tlog-witness): POST /add-checkpoint, and for monitors
GET /<sha256 of the origin, hex>/checkpoint. Nothing else is served: no pages, no docs.

The body is read up to the largest request the protocol allows; the work (a signature
check, a proof, one SQLite write) runs in a worker thread.
"""

from __future__ import annotations

import re

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from .request import MAX_BODY
from .service import Answer, Witness

_HEX64 = re.compile(r"[0-9a-f]{64}")


def _response(answer: Answer) -> Response:
    return Response(answer.body, answer.status, media_type=answer.content_type)


async def _read_capped(request: Request) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(witness: Witness) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.post("/add-checkpoint")
    async def add_checkpoint(request: Request) -> Response:
        body = await _read_capped(request)
        if body is None:
            return _response(Answer(413, "the request is too large\n"))
        return _response(await run_in_threadpool(witness.add_checkpoint, body))

    @app.get("/{hashed}/checkpoint")
    async def checkpoint(hashed: str) -> Response:
        if not _HEX64.fullmatch(hashed):
            return _response(Answer(404, "no such log\n"))
        return _response(await run_in_threadpool(witness.latest, hashed))

    return app
