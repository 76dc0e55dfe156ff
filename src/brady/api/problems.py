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

from ..domain.errors import ANSWERS, BradyError, RefusedError, answer_for
from ..ledger.errors import LedgerError

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
    405: "Method not allowed",
    413: "Too large",
    **{a.status: a.title for a in ANSWERS.values()},
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

    async def _brady(request: Request, exc: Exception) -> Response:
        return answer(request, exc, pages)

    app.add_exception_handler(BradyError, _brady)
    app.add_exception_handler(LedgerError, _brady)


def answer(request: Request, exc: Exception, pages: HtmlErrors | None) -> Response:
    """Every refusal the core raises, answered as its kind says: the same status for the same
    refusal from any route, and a page instead of JSON for a browser."""
    said = answer_for(exc)
    if said is None:
        raise exc
    detail = str(exc)
    if said.status == 500:
        # Damage nobody's input caused: say that nothing happened and who can help.
        detail = f"Nothing was recorded: {detail}. Tell the ledger administrator."
    elif isinstance(exc, RefusedError):
        detail = f"Nothing was recorded: {detail}"
    if pages is not None and _is_page(request):
        return pages(request, said.status, detail)
    return problem(said.status, said.title, detail, field=getattr(exc, "field", None))


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {MEDIA: {}}, "description": title}
    for code, title in _TITLES.items()
    if code in (401, 403, 404, 409, 422)
}
