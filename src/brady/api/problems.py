"""Errors as problem details (RFC 9457): what went wrong, which field, what to do."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from ..blobs.store import BlobError
from ..domain.errors import RefusedError
from ..ledger.errors import LedgerError
from ..store.keys import KeyNotFoundError

MEDIA = "application/problem+json"
MAX_INDEX = 2**62
"""The largest position, size or offset a request may name (databases store 64-bit ints)."""


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


class Denied(HTTPException):
    """403: the caller may not see or do this."""

    def __init__(self, detail: str) -> None:
        super().__init__(403, detail)


class NotFound(HTTPException):
    def __init__(self, detail: str) -> None:
        super().__init__(404, detail)


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = Problem(status=status, title=title, detail=detail, **extra)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, media_type=MEDIA)


_TITLES = {
    400: "Bad request",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Refused by the record",
    413: "Too large",
    422: "Invalid request",
}


HtmlErrors = Callable[[Request, int, str], Response]


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and request.url.path != "/openapi.json"


def install(app: FastAPI, pages: HtmlErrors | None = None) -> None:
    """Problem details for the API; for pages, `pages` answers in HTML instead."""

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if pages is not None and _is_page(request):
            return pages(request, exc.status_code, str(exc.detail))
        response = problem(exc.status_code, _TITLES.get(exc.status_code, "Error"), str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = []
        for e in exc.errors():
            loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path")]
            got = e.get("input")
            if isinstance(got, float) and not math.isfinite(got):
                got = str(got)  # JSON has no infinity; say what was sent instead
            errors.append(
                {
                    "field": ".".join(loc) or None,
                    "problem": str(e.get("msg")),
                    "got": got if isinstance(got, str | int | float | bool) else None,
                }
            )
        first = errors[0] if errors else {"field": None, "problem": "invalid request"}
        if pages is not None and _is_page(request):
            said = "; ".join(f"{x['field']}: {x['problem']}" for x in errors)
            return pages(request, 422, f"The form was not complete: {said}")
        detail = "; ".join(
            f"{x['field'] or 'request'}: {x['problem']}"
            + (f" (got {x['got']!r})" if x["got"] is not None else "")
            for x in errors
        )
        return problem(422, _TITLES[422], detail, field=first["field"], errors=errors)

    @app.exception_handler(RefusedError)
    async def _refused(request: Request, exc: RefusedError) -> JSONResponse:
        return problem(
            409, _TITLES[409], f"Nothing was recorded: {exc}", field=getattr(exc, "field", None)
        )

    @app.exception_handler(LedgerError)
    async def _ledger(request: Request, exc: LedgerError) -> JSONResponse:
        return problem(404, _TITLES[404], str(exc))

    @app.exception_handler(KeyNotFoundError)
    async def _key(request: Request, exc: KeyNotFoundError) -> JSONResponse:
        # The signer's stored key is missing or was changed in the database: nothing can be
        # signed for them until an administrator restores it.
        return problem(
            500,
            "Signing key problem",
            f"Nothing was recorded: {exc}. Tell the ledger administrator.",
        )

    @app.exception_handler(BlobError)
    async def _blob(request: Request, exc: BlobError) -> JSONResponse:
        return problem(409, "Evidence file problem", str(exc))


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {MEDIA: {}}, "description": title}
    for code, title in _TITLES.items()
    if code in (401, 403, 404, 409, 422)
}
