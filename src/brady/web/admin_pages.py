"""The administrator's pages: accounts, roles, passwords, locks, API tokens and case
assignments. Each form goes through the API's own command (routes_accounts.run, the
Permissions of a custody session, the Accounts service) and logs what the API logs, so a
change made here is the same ledger event and the same access record as one made with the
CLI or the API. Auditors may read these pages; only an administrator may change anything."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

from ..access import policy
from ..accounts.permissions import Permissions
from ..accounts.service import TOKEN_DAYS
from ..api.deps import Asker, Brady, log, rule_guard
from ..api.routes_accounts import Assignment, NewToken, NewUser, Roles, SetPassword, run
from ..api.routes_accounts import issue_token as api_issue_token
from ..api.strict_input import said
from ..custody.service import Session
from ..domain import events as ev
from ..domain.errors import NotAllowedError, RefusedError
from ..ledger.entry import Entry
from ..store import access_queries as facts
from ..store import account_queries
from ..store import custody_queries as q
from ..store.engine import reading
from . import forms
from .page_kit import B, Csrf, PageRoute, back, refused
from .render import ROLE_WORDS, page

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Admin = Annotated[Asker, Depends(rule_guard(policy.administer, "manage accounts"))]
Viewer = Annotated[
    Asker,
    Depends(rule_guard(lambda c: policy.administer(c) or policy.audit(c), "list users")),
]
"""Who may read these pages: the API's rule for listing users (an administrator, or an
auditor, who reads everything and changes nothing)."""

ROLES = list(ROLE_WORDS)
"""The roles a person may hold (Brady's own linking service is not one to hand out)."""
ASSIGN_ROLES = [r.value for r in ev.AssignmentRole]
TEXT = 2000
LABELS = {
    "user_id": "User name",
    "name": "Full name",
    "roles": "Roles",
    "agency_id": "Agency",
    "password": "First password",
    "reason": "Reason",
    "label": "What the token is for",
    "scope": "Scope",
    "expires_in_days": "Days until it expires",
    "case_id": "Case",
    "role": "Works the case as",
}
LISTED = frozenset({"roles", "scope", "case_id", "role"})
M = TypeVar("M", bound=BaseModel)
RULES = forms.limits(NewUser)
TOKEN_RULES = forms.limits(NewToken)


def _url(user_id: str) -> str:
    return f"/admin/users/{user_id}"


def _checked(model: type[M], values: dict[str, Any]) -> M:
    """The form's values as the API's own request model reads them (so a field's rule is
    the API's), or ValidationError."""
    return model.model_validate({k: v for k, v in values.items() if v not in ("", None)})


def _recorded(
    b: Brady,
    asker: Asker,
    url: str,
    act: Callable[[Session], Entry],
    logged: tuple[str, str, str | None],
    said: str,
) -> Response:
    """The command run as the API runs it (`run`: access rules, one transaction), logged as
    the API logs it, and back to the page saying what was recorded, or why nothing was."""
    try:
        run(b, asker, act)
    except RefusedError as exc:
        return refused(url, exc)
    action, target, detail = logged
    log(b, asker, action, target, detail=detail)
    return back(url, said)


def _said_wrong(exc: ValidationError) -> str:
    """A model's refusal as one line for the notice at the top of the page."""
    found = forms.problems(exc, LABELS, listed=LISTED)
    return "Nothing was recorded: " + " ".join(found.values())


def _agencies(users: list[dict[str, Any]]) -> list[str]:
    return sorted({str(u["agency_id"]) for u in users if u["agency_id"]})


# -- every account ---------------------------------------------------------------------


def _users_page(
    request: Request, asker: Asker, b: Brady, status: int = 200, **ctx: Any
) -> Response:
    with reading(b.led.engine) as conn:
        users = q.list_users(conn)
        signed_in = {u["user_id"]: account_queries.last_success(conn, u["user_id"]) for u in users}
    rows = [
        {**u, **b.accounts.status(u["user_id"]), "last_signin": signed_in[u["user_id"]]}
        for u in users
    ]
    return page(
        request,
        "admin_users.html.j2",
        asker,
        status,
        users=rows,
        roles=ROLES,
        agencies=_agencies(users),
        rules=RULES,
        may_change=policy.administer(asker.caller),
        **{"form": {"roles": []}, "errors": {}, **ctx},
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, asker: Viewer, b: B) -> Response:
    """Every account, and (for an administrator) the form to add one."""
    return _users_page(request, asker, b)


@router.post("/admin/users")
def add_user(
    request: Request,
    _: Csrf,
    asker: Admin,
    b: B,
    user_id: Annotated[str, Form(max_length=TEXT)] = "",
    name: Annotated[str, Form(max_length=TEXT)] = "",
    roles: Annotated[list[str] | None, Form()] = None,
    agency_id: Annotated[str, Form(max_length=TEXT)] = "",
    password: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    """A new user with their own signing key (user.add on the ledger), and a first password:
    what POST /api/users does."""
    typed = {
        "user_id": user_id.strip(),
        "name": name.strip(),
        "roles": roles or [],
        "agency_id": agency_id.strip(),
    }
    try:
        body = _checked(NewUser, {**typed, "password": password})
    except ValidationError as exc:
        errors = forms.problems(exc, LABELS, listed=LISTED)
        return _users_page(request, asker, b, 422, form=typed, errors=errors)
    stated = said(body)
    stated.pop("password", None)
    try:
        run(b, asker, lambda s: s.add_user(asker.user_id, **stated))
    except RefusedError as exc:
        return _refused_here(request, asker, b, exc, typed)
    log(b, asker, "account.create", f"user:{body.user_id}")
    if body.password is None:
        return back(
            _url(body.user_id),
            f"{body.user_id} was added. They cannot sign in until you set a password below.",
            warn=True,
        )
    try:
        b.accounts.set_password(body.user_id, body.password, asker.user_id, asker.source)
    except RefusedError as exc:
        return refused(_url(body.user_id), exc)
    return back(_url(body.user_id), f"{body.user_id} was added and may sign in now.")


def _refused_here(
    request: Request, asker: Asker, b: Brady, exc: RefusedError, typed: dict[str, Any]
) -> Response:
    """The add-user form again, what was typed kept, with the command's refusal by it."""
    if isinstance(exc, NotAllowedError):
        raise exc
    text = str(exc)
    errors = {exc.field or "": f"Nothing was recorded: {text[:1].upper()}{text[1:]}."}
    return _users_page(request, asker, b, 409, form=typed, errors=errors)


# -- one account -----------------------------------------------------------------------


def _user_page(
    request: Request, asker: Asker, b: Brady, user_id: str, new_token: dict[str, Any] | None
) -> Response:
    admin = policy.administer(asker.caller)
    with reading(b.led.engine) as conn:
        user = q.user_state(conn, user_id)
        rights = facts.caller(conn, user_id, "read")
        cases = q.list_cases(conn)
        last_signin = account_queries.last_success(conn, user_id)
        agencies = _agencies(q.list_users(conn))
    if user is None or rights is None:
        raise HTTPException(404, f"There is no user {user_id!r}. Check the name in the list.")
    titles = {str(c["case_id"]): str(c["title"]) for c in cases}
    assigned = [
        {"case_id": case_id, "role": role, "title": titles.get(case_id, "")}
        for case_id, role in sorted(rights.assigned.items())
    ]
    return page(
        request,
        "admin_user.html.j2",
        asker,
        user={
            "user_id": user_id,
            "name": user.name,
            "roles": sorted(rights.roles),
            "agency_id": rights.agency_id,
            "last_signin": last_signin,
            **b.accounts.status(user_id),
        },
        # An API token is its holder's and the administrators' business (the API's rule):
        # an auditor sees the account, not its tokens.
        tokens=b.accounts.tokens(user_id) if admin else None,
        new_token=new_token,
        token_days=TOKEN_DAYS,
        token_rules=TOKEN_RULES,
        assigned=assigned,
        cases=cases,
        # A role held but not handed out here (Brady's linking service) stays checked, so
        # setting the others does not take it away unseen.
        roles=ROLES + sorted(set(rights.roles) - set(ROLES)),
        assign_roles=ASSIGN_ROLES,
        agencies=agencies,
        may_change=admin,
        is_me=user_id == asker.user_id,
    )


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_page(request: Request, user_id: str, asker: Viewer, b: B) -> Response:
    """One account: its roles, password, lock, API tokens and cases."""
    return _user_page(request, asker, b, user_id, None)


@router.post("/admin/users/{user_id}/roles")
def set_roles(
    _: Csrf,
    user_id: str,
    asker: Admin,
    b: B,
    roles: Annotated[list[str] | None, Form()] = None,
    agency_id: Annotated[str, Form(max_length=TEXT)] = "",
    reason: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    """The user's roles from now on (user.roles on the ledger, with its reason)."""
    url = _url(user_id)
    try:
        body = _checked(Roles, {"roles": roles or [], "agency_id": agency_id, "reason": reason})
    except ValidationError as exc:
        return back(url, _said_wrong(exc), bad=True)
    words = ", ".join(ROLE_WORDS.get(r, r) for r in body.roles)
    return _recorded(
        b,
        asker,
        url,
        lambda s: Permissions(s).set_roles(asker.user_id, user_id, **said(body)),
        ("account.roles", f"user:{user_id}", ",".join(body.roles)),
        f"{user_id}'s roles are now: {words}.",
    )


@router.post("/admin/users/{user_id}/password")
def set_password(
    _: Csrf,
    user_id: str,
    asker: Admin,
    b: B,
    password: Annotated[str, Form(max_length=TEXT)] = "",
    again: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    """A new password set by the administrator: the user's sessions and API tokens end."""
    url = _url(user_id)
    if password != again:
        return back(url, "Nothing was changed: the two passwords differ. Type it twice.", bad=True)
    try:
        body = _checked(SetPassword, {"password": password})
    except ValidationError:
        return back(
            url,
            f"Nothing was changed: the password has {len(password)} characters; "
            "it needs at least 12 (and at most 256).",
            bad=True,
        )
    try:
        b.accounts.set_password(user_id, body.password, asker.user_id, asker.source)
    except RefusedError as exc:
        return refused(url, exc)
    return back(
        url,
        f"{user_id}'s password was changed. Their sessions and API tokens ended; give them "
        "the new password in person or by a channel only they read.",
    )


@router.post("/admin/users/{user_id}/lock")
def lock(
    _: Csrf,
    user_id: str,
    asker: Admin,
    b: B,
    reason: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    """No sign-in and no API token of the user works until an administrator releases it."""
    url = _url(user_id)
    try:
        b.accounts.lock(user_id, reason, asker.user_id, asker.source)
    except RefusedError as exc:
        return refused(url, exc)
    return back(url, f"{user_id} is locked out: their sessions ended and their tokens stop.")


@router.post("/admin/users/{user_id}/release")
def release(_: Csrf, user_id: str, asker: Admin, b: B) -> Response:
    """Unlock the account (as POST /api/users/{user_id}/release)."""
    url = _url(user_id)
    try:
        b.accounts.release(user_id, asker.user_id, asker.source)
    except RefusedError as exc:
        return refused(url, exc)
    return back(url, f"{user_id} may sign in again.")


@router.post("/admin/users/{user_id}/tokens", response_class=HTMLResponse)
def issue_token(
    request: Request,
    _: Csrf,
    user_id: str,
    asker: Admin,
    b: B,
    label: Annotated[str, Form(max_length=TEXT)] = "",
    scope: Annotated[str, Form(max_length=20)] = "",
    expires_in_days: Annotated[str, Form(max_length=20)] = "",
    never_expires: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A new API token, shown on this answer alone (never in an address, never again). It
    works for the days given (90 if none), or, when "never expires" is ticked, for good."""
    url = _url(user_id)
    life: dict[str, Any] = (
        {"never_expires": True} if never_expires else {"expires_in_days": expires_in_days.strip()}
    )
    try:
        body = _checked(NewToken, {"label": label.strip(), "scope": scope, **life})
    except ValidationError as exc:
        return back(url, _said_wrong(exc), bad=True)
    try:
        shown = api_issue_token(b, asker, user_id, body)
    except RefusedError as exc:
        return refused(url, exc)
    answer = _user_page(request, asker, b, user_id, shown)
    answer.headers["Cache-Control"] = "no-store"
    return answer


@router.post("/admin/users/{user_id}/tokens/{token_id}/revoke")
def revoke_token(_: Csrf, user_id: str, token_id: str, asker: Admin, b: B) -> Response:
    url = _url(user_id)
    if not any(t["token_id"] == token_id for t in b.accounts.tokens(user_id)):
        return back(url, f"Nothing was changed: {user_id} has no token {token_id}.", bad=True)
    try:
        b.accounts.revoke_token(token_id, asker.user_id, asker.source)
    except RefusedError as exc:
        return refused(url, exc)
    return back(url, f"Token {token_id} is revoked: it opens nothing from now on.")


@router.post("/admin/users/{user_id}/assignments")
def assign(
    _: Csrf,
    user_id: str,
    asker: Admin,
    b: B,
    case_id: Annotated[str, Form(max_length=TEXT)] = "",
    role: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Give the user a case to work (case.assign on the ledger): what they may see follows."""
    url = _url(user_id)
    if not case_id:
        return back(url, "Nothing was recorded: choose the case from the list.", bad=True)
    try:
        body = _checked(Assignment, {"user_id": user_id, "role": role})
    except ValidationError as exc:
        return back(url, _said_wrong(exc), bad=True)
    return _recorded(
        b,
        asker,
        url,
        lambda s: Permissions(s).assign(asker.user_id, case_id, **said(body)),
        ("permission.assign", f"case:{case_id}", f"{user_id} {body.role}"),
        f"{user_id} now works {case_id} as {body.role.replace('_', ' ')}.",
    )


@router.post("/admin/users/{user_id}/assignments/{case_id}/remove")
def unassign(
    _: Csrf,
    user_id: str,
    case_id: str,
    asker: Admin,
    b: B,
    reason: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    """Take a case from the user (case.unassign on the ledger, with its reason)."""
    url = _url(user_id)
    if not reason.strip():
        return back(url, "Nothing was recorded: say why the case is taken from them.", bad=True)
    return _recorded(
        b,
        asker,
        url,
        lambda s: Permissions(s).unassign(asker.user_id, case_id, user_id, reason.strip()),
        ("permission.unassign", f"case:{case_id}", user_id),
        f"{user_id} no longer works {case_id}.",
    )


@router.get("/admin")
def admin_home(asker: Viewer) -> Response:
    """The administration's address as people type it: the accounts."""
    return back("/admin/users")
