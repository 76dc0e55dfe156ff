"""Who is asking, and may they: the dependencies every route declares.

A request proves who it is with a browser session cookie (plus the CSRF token for
anything that changes the record) or an API token (`Authorization: Bearer`).
Each route then names the rule it is under (`x-access` in the OpenAPI schema) and
a guard that checks it on the case, item or file in its path before the route
body is even read. Every refusal and every look at evidence goes to the access log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any
from weakref import WeakKeyDictionary

import anyio
import anyio.to_thread
from fastapi import Depends, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ..access import policy
from ..access.policy import Caller, Level
from ..accounts.service import SLOT_WAIT, SLOTS, Accounts, Credential, busy
from ..custody.service import Custody
from ..ledger_home import OpenLedger
from ..store import access_queries as facts
from ..store.engine import reading
from .limits import CHECKED
from .problems import Denied

SESSION_COOKIE = "brady_session"
CSRF_HEADER = "x-csrf-token"
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Brady:
    """What the routes work with: the open ledger, its services, the account store."""

    led: OpenLedger
    custody: Custody
    accounts: Accounts
    productions: Path


async def brady(request: Request) -> Brady:
    # Dependencies that do no I/O are coroutines: FastAPI runs a plain function in the
    # thread pool, and a hop there and back costs more than these checks themselves.
    state: Brady = request.app.state.brady
    return state


def set_session_cookie(response: Response, request: Request, secret: str) -> None:
    """HttpOnly, SameSite=Strict, and Secure whenever the request came over HTTPS."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
        path="/",
    )


def source(request: Request) -> str | None:
    return request.client.host if request.client else None


_GATES: WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = WeakKeyDictionary()


def _gate() -> anyio.CapacityLimiter:
    """This event loop's queue for the password-check slots (a limiter belongs to a loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _GATES:
        _GATES[loop] = anyio.CapacityLimiter(SLOTS)
    return _GATES[loop]


async def signing_in(
    b: Brady, request: Request, user_id: str, password: str
) -> tuple[str, Credential]:
    """Accounts.sign_in once a password-check slot is free. Sign-ins wait for it here, in
    the event loop, holding no worker thread, so a flood of them leaves the threads to the
    people recording evidence; after SLOT_WAIT seconds the answer is 429."""
    gate = _gate()
    try:
        with anyio.fail_after(SLOT_WAIT):
            await gate.acquire()
    except TimeoutError as exc:
        raise busy() from exc
    try:
        return await anyio.to_thread.run_sync(
            b.accounts.sign_in, user_id, password, source(request)
        )
    finally:
        gate.release()


_bearer = HTTPBearer(auto_error=False, description="An API token: brady_...")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Browser session")


@dataclass(frozen=True)
class Asker:
    """The caller's rights and how they signed in."""

    caller: Caller
    credential: Credential
    source: str | None

    @property
    def user_id(self) -> str:
        return self.caller.user_id


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": 'Bearer realm="brady"'})


def credential(
    request: Request,
    b: Annotated[Brady, Depends(brady)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Asker:
    """Signed in (session or token); the use notification need not be acknowledged yet."""
    # What the request's limits (limits.RequestLimits) proved a moment ago, if they did:
    # (token, cookie, credential). A request that changes the record is checked there.
    checked = getattr(request.state, CHECKED, None)
    if bearer is not None:
        if checked is not None and checked[0] == bearer.credentials:
            cred = checked[2]
        else:
            cred = b.accounts.token(bearer.credentials)
        if cred is None:
            b.accounts.log("token", None, outcome="refused", source=source(request))
            raise _unauthorized("this API token is not valid (unknown, expired, revoked or locked)")
    elif cookie is not None:
        if checked is not None and checked[0] is None and checked[1] == cookie:
            cred = checked[2]
        else:
            cred = b.accounts.session(cookie)
        if cred is None:
            raise _unauthorized("your session has ended (30 minutes idle, or signed out); sign in")
        sent = request.headers.get(CSRF_HEADER) or getattr(request.state, "form_csrf", None)
        if request.method not in SAFE and sent != cred.csrf:
            b.accounts.log("csrf", cred.user_id, outcome="refused", source=source(request))
            raise Denied(
                "the request lacks this session's CSRF token (X-CSRF-Token header or "
                "csrf_token form field); reload the page and try again"
            )
    else:
        raise _unauthorized("sign in first (a session cookie or an API token)")
    with reading(b.led.engine) as conn:
        caller = facts.caller(conn, cred.user_id, cred.scope)
    if caller is None:
        raise _unauthorized(f"{cred.user_id} is no longer a Brady user")
    return Asker(caller, cred, source(request))


async def signed_in(asker: Annotated[Asker, Depends(credential)]) -> Asker:
    """Signed in and, in a browser, the use notification acknowledged."""
    if asker.credential.via == "session" and not asker.credential.banner_ack:
        raise Denied("acknowledge the system use notification first (POST /api/session/banner)")
    return asker


SignedIn = Annotated[Asker, Depends(signed_in)]


def log(b: Brady, asker: Asker, action: str, target: str, outcome: str = "ok", **kw: Any) -> None:
    b.accounts.log(action, asker.user_id, target=target, outcome=outcome, source=asker.source, **kw)


def deny(b: Brady, asker: Asker, target: str, detail: str) -> Denied:
    log(b, asker, "denied", target, outcome="denied")
    return Denied(detail)


# -- guards: one per kind of thing a path names ---------------------------------------


@dataclass(frozen=True)
class CaseAccess:
    asker: Asker
    case_id: str
    level: Level | None


@dataclass(frozen=True)
class ItemAccess:
    asker: Asker
    item_id: str
    level: Level | None
    facts: policy.ItemFacts


def case_guard(need: str) -> Callable[..., CaseAccess]:
    """`read` (any level), `full` (not the defense view), `act`, `prosecute`."""

    def guard(case_id: str, asker: SignedIn, b: Annotated[Brady, Depends(brady)]) -> CaseAccess:
        with reading(b.led.engine) as conn:
            f = facts.case_facts(conn, case_id)
        c = asker.caller
        level = policy.read_case(c, f)
        allowed = {
            "read": level is not None,
            "full": level in (Level.FULL, Level.COURT),
            "act": policy.act_on_case(c, f),
            "prosecute": policy.prosecute(c, case_id),
        }[need]
        if not allowed:
            raise deny(b, asker, f"case:{case_id}", f"you may not {_VERB[need]} case {case_id}")
        if need in ("read", "full"):
            log(b, asker, "view", f"case:{case_id}")
        return CaseAccess(asker, case_id, level)

    return guard


def item_guard(need: str) -> Callable[..., ItemAccess]:
    """`read` (any level), `state` (the State's full view: not counsel, not the court),
    `act` (record a step on it)."""

    def guard(item_id: str, asker: SignedIn, b: Annotated[Brady, Depends(brady)]) -> ItemAccess:
        with reading(b.led.engine) as conn:
            f = facts.item_facts(conn, item_id)
        c = asker.caller
        level = policy.read_item(c, f)
        allowed = {
            "read": level is not None,
            "state": level is Level.FULL,
            "act": policy.act_on_item(c, f),
        }[need]
        if not allowed:
            raise deny(b, asker, f"item:{item_id}", f"you may not {_VERB[need]} item {item_id}")
        if need == "read":
            # A look owed to a link suggestion alone is the prosecutor's review of it.
            own = policy.read_item(c, replace(f, suggested_to=frozenset()))
            log(b, asker, "view" if own is not None else "review", f"item:{item_id}")
        return ItemAccess(asker, item_id, level, f)

    return guard


def rule_guard(
    check: Callable[[Caller], bool], what: str
) -> Callable[..., Coroutine[Any, Any, Asker]]:
    """A rule on the caller alone (administer, audit, create records)."""

    async def guard(asker: SignedIn, b: Annotated[Brady, Depends(brady)]) -> Asker:
        if not check(asker.caller):
            raise await run_in_threadpool(deny, b, asker, what, f"you may not {what}")
        return asker

    return guard


_VERB = {
    "read": "see",
    "state": "see the State's working view of",
    "full": "see the full record of",
    "act": "record steps on",
    "prosecute": "make the prosecutor's decisions for",
}


def access(rule: str) -> dict[str, Any]:
    """The route's access rule, published in the OpenAPI schema (and tested)."""
    return {"x-access": rule}
