"""Signing in and out, the use notification, and the administrator's account work."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request, Response
from pydantic import ConfigDict, Field, model_validator
from starlette.exceptions import HTTPException

from ..access import policy
from ..accounts.permissions import Permissions
from ..accounts.service import (
    MIN_PASSWORD,
    NEVER_EXPIRES,
    TOKEN_DAYS,
    TOKEN_MOST_DAYS,
    SignInError,
    TokenExpiry,
)
from ..custody.service import Session
from ..domain import events as ev
from ..domain.errors import NotAllowedError
from ..ledger.entry import Entry
from ..store import custody_queries as q
from ..store.engine import reading
from .deps import (
    SESSION_COOKIE,
    Asker,
    Brady,
    SignedIn,
    access,
    brady,
    credential,
    log,
    rule_guard,
    set_session_cookie,
    signing_in,
)
from .problems import PROBLEM_RESPONSES, Denied
from .strict_input import Body, said

router = APIRouter(prefix="/api", responses=PROBLEM_RESPONSES)
B = Annotated[Brady, Depends(brady)]
Admin = Annotated[Asker, Depends(rule_guard(policy.administer, "manage accounts"))]

BANNER = (
    "You are accessing a criminal justice information system. Use is restricted to "
    "authorized users for official purposes. Every sign-in, view and download is recorded "
    "and may be reviewed; misuse may lead to criminal, civil and administrative penalties. "
    "By continuing you consent to this monitoring."
)


def recorded(entry: Entry) -> dict[str, Any]:
    return {"seq": entry.seq, "kind": entry.kind, "recorded_at": entry.recorded_at}


def run(b: Brady, asker: Asker, act: Any) -> dict[str, Any]:
    """One command in one transaction through the custody session, held to the access rules
    for the asker there (access.decide), whatever the route checked before."""
    try:
        done: Entry | list[Entry] = b.custody.run(asker.caller, act)
    except NotAllowedError as exc:
        log(b, asker, "denied", "command", outcome="denied", detail=str(exc))
        raise
    if isinstance(done, list):  # a command that records several steps at once
        return {"recorded": [recorded(e) for e in done]}
    return recorded(done)


class SignIn(Body):
    user_id: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=256)


@router.get("/banner", openapi_extra=access("public"))
def banner() -> dict[str, str]:
    """The system use notification every user acknowledges before working."""
    return {"banner": BANNER}


@router.post("/session", openapi_extra=access("public"))
async def sign_in(body: SignIn, request: Request, response: Response, b: B) -> dict[str, Any]:
    """Sign in; the session cookie is set and the CSRF token returned."""
    try:
        secret, cred = await signing_in(b, request, body.user_id, body.password)
    except SignInError as exc:
        if exc.wait is not None:
            raise HTTPException(429, str(exc), headers={"Retry-After": str(exc.wait)}) from exc
        raise HTTPException(401, str(exc)) from exc
    set_session_cookie(response, request, secret)
    status = await anyio.to_thread.run_sync(b.accounts.status, cred.user_id)
    return {
        "user_id": cred.user_id,
        "csrf_token": cred.csrf,
        "banner": BANNER,
        "banner_acknowledged": status["banner_acknowledged"],
    }


@router.delete("/session", openapi_extra=access("signed-in"))
def sign_out(
    request: Request, response: Response, b: B, asker: Annotated[Asker, Depends(credential)]
) -> dict[str, str]:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        b.accounts.end_session(secret, asker.source)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"signed_out": asker.user_id}


@router.post("/session/banner", openapi_extra=access("signed-in"))
def acknowledge_banner(b: B, asker: Annotated[Asker, Depends(credential)]) -> dict[str, bool]:
    b.accounts.acknowledge_banner(asker.user_id, asker.source)
    return {"banner_acknowledged": True}


@router.get("/me", openapi_extra=access("signed-in"))
def me(asker: SignedIn, b: B) -> dict[str, Any]:
    c = asker.caller
    with reading(b.led.engine) as conn:
        user = q.user_state(conn, c.user_id)
    return {
        "user_id": c.user_id,
        "name": user.name if user else c.user_id,
        "roles": sorted(c.roles),
        "agency_id": c.agency_id,
        "cases": dict(sorted(c.assigned.items())),
        "signed_in_with": asker.credential.via,
        "scope": c.scope,
    }


class Password(Body):
    current: str = Field(min_length=1, max_length=256)
    new: str = Field(min_length=MIN_PASSWORD, max_length=256)


@router.post("/me/password", openapi_extra=access("signed-in"))
def change_own_password(body: Password, asker: SignedIn, b: B) -> dict[str, bool]:
    if asker.caller.scope != "write":
        raise Denied("a read-only token cannot change a password")
    key = asker.credential.session_key
    if not b.accounts.check_password(asker.user_id, body.current):
        b.accounts.log("account.password", asker.user_id, outcome="refused", source=asker.source)
        if key is not None:  # each wrong guess costs a sign-in, which the lockout counts
            b.accounts.end_session_key(key)
            raise Denied("the current password is wrong; you are signed out: sign in again")
        raise Denied("the current password is wrong")
    b.accounts.set_password(asker.user_id, body.new, asker.user_id, asker.source, keep_session=key)
    return {"changed": True}


# -- administration ------------------------------------------------------------------


class NewUser(ev.UserAddFields):
    """The user's payload, and a first password (never on the ledger)."""

    password: str | None = Field(default=None, min_length=MIN_PASSWORD, max_length=256)


@router.get("/users", openapi_extra=access("admin-or-auditor"))
def users(
    asker: Annotated[
        Asker,
        Depends(rule_guard(lambda c: policy.administer(c) or policy.audit(c), "list users")),
    ],
    b: B,
) -> dict[str, Any]:
    with reading(b.led.engine) as conn:
        rows = q.list_users(conn)
    return {"items": [{**r, **b.accounts.status(r["user_id"])} for r in rows], "total": len(rows)}


@router.post("/users", status_code=201, openapi_extra=access("admin"))
def add_user(body: NewUser, asker: Admin, b: B) -> dict[str, Any]:
    """A new user with their own signing key; a password if given (at least 12 characters)."""
    stated = said(body)
    stated.pop("password", None)
    out = run(b, asker, lambda s: s.add_user(asker.user_id, **stated))
    log(b, asker, "account.create", f"user:{body.user_id}")
    if body.password is not None:
        b.accounts.set_password(body.user_id, body.password, asker.user_id, asker.source)
    return out


class SetPassword(Body):
    password: str = Field(min_length=MIN_PASSWORD, max_length=256)


@router.post("/users/{user_id}/password", openapi_extra=access("admin"))
def set_password(user_id: str, body: SetPassword, asker: Admin, b: B) -> dict[str, bool]:
    b.accounts.set_password(user_id, body.password, asker.user_id, asker.source)
    return {"changed": True}


@router.post("/users/{user_id}/release", openapi_extra=access("admin"))
def release(user_id: str, asker: Admin, b: B) -> dict[str, Any]:
    """Unlock an account locked after failed sign-ins."""
    b.accounts.release(user_id, asker.user_id, asker.source)
    return b.accounts.status(user_id)


Roles = ev.UserRolesFields


@router.put("/users/{user_id}/roles", openapi_extra=access("admin"))
def set_roles(user_id: str, body: Roles, asker: Admin, b: B) -> dict[str, Any]:
    out = run(
        b,
        asker,
        lambda s: Permissions(s).set_roles(asker.user_id, user_id, **said(body)),
    )
    log(b, asker, "account.roles", f"user:{user_id}", detail=",".join(body.roles))
    return out


KeyChange = ev.UserKeyFields


@router.post("/users/{user_id}/key", openapi_extra=access("admin"))
def change_key(user_id: str, body: KeyChange, asker: Admin, b: B) -> dict[str, Any]:
    """Rotate a user's signing key, or revoke it (and register a fresh one)."""

    def act(s: Session) -> Entry:
        p = Permissions(s)
        fn = p.rotate_key if body.action == "rotate" else p.revoke_key
        return fn(asker.user_id, user_id, body.reason)

    out = run(b, asker, act)
    log(b, asker, f"key.{body.action}", f"user:{user_id}")
    return out


@router.get("/users/{user_id}/tokens", openapi_extra=access("admin-or-self"))
def tokens(user_id: str, asker: SignedIn, b: B) -> dict[str, Any]:
    if user_id != asker.user_id and not policy.administer(asker.caller):
        raise Denied("you may see only your own API tokens")
    rows = b.accounts.tokens(user_id)
    return {"items": rows, "total": len(rows)}


_LIVES = ("expires_in_days", "expires_on", "never_expires")


class NewToken(Body):
    """A token's name, scope and life: at most one of `expires_in_days`, `expires_on` and
    `never_expires`; with none, the token works for 90 days."""

    # The schema states the "at most one" too, so a client (or a conformance checker) knows
    # it before sending.
    model_config = ConfigDict(
        json_schema_extra={
            "not": {
                "anyOf": [
                    {"required": [a, b]} for i, a in enumerate(_LIVES) for b in _LIVES[i + 1 :]
                ]
            }
        }
    )

    label: str = Field(min_length=1, max_length=200)
    scope: str = Field(pattern="^(read|write)$")
    expires_in_days: int | None = Field(
        default=None,
        ge=1,
        le=TOKEN_MOST_DAYS,
        description=f"Days from now until it stops working ({TOKEN_DAYS} if no life is given).",
    )
    expires_on: date | None = Field(
        default=None,
        description="The last day it works (it stops at midnight in the agency's time zone).",
    )
    never_expires: bool = Field(
        default=False,
        description="A token that never expires: only for an integration that cannot be given "
        "a new one. Revoke it when the integration stops.",
    )

    @model_validator(mode="after")
    def _one_life(self) -> NewToken:
        if len(self.model_fields_set & set(_LIVES)) > 1:
            raise ValueError("give at most one of expires_in_days, expires_on and never_expires")
        return self

    def expiry(self) -> TokenExpiry:
        if self.never_expires:
            return NEVER_EXPIRES
        if self.expires_on is not None:
            return self.expires_on
        return self.expires_in_days or TOKEN_DAYS


def issue_token(b: Brady, asker: Asker, user_id: str, body: NewToken) -> dict[str, Any]:
    """Make the token (its life counted in the ledger's time zone) and say what was made:
    the answer of this route and of the administrator's page alike."""
    token_id, token = b.accounts.create_token(
        user_id,
        body.label,
        body.scope,
        asker.user_id,
        asker.source,
        expires=body.expiry(),
        zone=b.led.config.zone,
    )
    made = next(t for t in b.accounts.tokens(user_id) if t["token_id"] == token_id)
    return {
        "token_id": token_id,
        "token": token,
        "scope": body.scope,
        "label": body.label,
        "expires_at": made["expires_at"],
    }


@router.post("/users/{user_id}/tokens", status_code=201, openapi_extra=access("admin"))
def create_token(user_id: str, body: NewToken, asker: Admin, b: B) -> dict[str, Any]:
    """A new API token for an integration; it is shown this once. It stops working after
    90 days unless another life is given (`expires_at` null: never)."""
    return issue_token(b, asker, user_id, body)


@router.delete("/tokens/{token_id}", openapi_extra=access("admin"))
def revoke_token(token_id: str, asker: Admin, b: B) -> dict[str, str]:
    b.accounts.revoke_token(token_id, asker.user_id, asker.source)
    return {"revoked": token_id}


Assignment = ev.CaseAssignFields


@router.post("/cases/{case_id}/assignments", status_code=201, openapi_extra=access("admin"))
def assign(case_id: str, body: Assignment, asker: Admin, b: B) -> dict[str, Any]:
    """Give a prosecutor, defense counsel or judge a case (what they may see follows)."""
    out = run(b, asker, lambda s: Permissions(s).assign(asker.user_id, case_id, **said(body)))
    log(b, asker, "permission.assign", f"case:{case_id}", detail=f"{body.user_id} {body.role}")
    return out


@router.delete("/cases/{case_id}/assignments/{user_id}", openapi_extra=access("admin"))
def unassign(case_id: str, user_id: str, reason: str, asker: Admin, b: B) -> dict[str, Any]:
    out = run(b, asker, lambda s: Permissions(s).unassign(asker.user_id, case_id, user_id, reason))
    log(b, asker, "permission.unassign", f"case:{case_id}", detail=user_id)
    return out
