"""`brady user password|release|roles|key|token ...`, `brady case assign|unassign`,
`brady access search|verify|anchor` and `brady serve`."""

from __future__ import annotations

import getpass
import ipaddress
import os
import sys
from typing import Annotated, Literal

import typer

from ..accounts.anchors import anchor, verify_access
from ..accounts.permissions import Permissions
from ..accounts.service import (
    NEVER_EXPIRES,
    TOKEN_DAYS,
    TOKEN_MOST_DAYS,
    Accounts,
    TokenExpiry,
)
from ..custody.service import Custody
from ..domain.moments import local_minute
from ..ledger_home import open_home
from ..store import access_log
from ..store.home import find_home
from .custody import _open, _record, _table, case_app, user_app
from .output import emit, fail, friendly_errors, options

access_app = typer.Typer(
    help="The access log: who signed in, viewed or downloaded what.", no_args_is_help=True
)


def _read_password(prompt: str) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(prompt)
    if getpass.getpass("Again: ") != first:
        fail("the two passwords differ; nothing was changed")
    return first


@user_app.command("password")
def password(ctx: typer.Context, user_id: str) -> None:
    """Set a user's password (read from the terminal, or one line of standard input)."""
    opts = options(ctx)
    secret = _read_password(f"New password for {user_id}: ")
    with _open(opts, writable=True) as led, friendly_errors():
        Accounts(led.engine, led.master_key).set_password(user_id, secret, opts.user, "cli")
    emit(opts, {"user_id": user_id, "changed": True}, f"The password of {user_id} was set.")


@user_app.command("release")
def release(ctx: typer.Context, user_id: str) -> None:
    """Unlock an account locked after five failed sign-ins."""
    opts = options(ctx)
    with _open(opts, writable=True) as led, friendly_errors():
        accounts = Accounts(led.engine, led.master_key)
        with Custody(led).session() as s:
            s.require_admin(opts.user)
        accounts.release(user_id, opts.user, "cli")
    emit(opts, {"user_id": user_id, "locked": False}, f"{user_id} may sign in again.")


@user_app.command("roles")
def roles(
    ctx: typer.Context,
    user_id: str,
    role: Annotated[list[str], typer.Option(help="The user's roles from now on.")],
    reason: Annotated[str, typer.Option(help="Why (kept on the ledger).")],
    agency: Annotated[str | None, typer.Option(help="Agency id.")] = None,
) -> None:
    """Change what a user is (a permission change, recorded on the ledger)."""
    _record(
        ctx,
        lambda s, by: Permissions(s).set_roles(by, user_id, role, agency, reason),
        lambda e: f"{user_id} is now {', '.join(role)}",
    )


@user_app.command("key")
def key(
    ctx: typer.Context,
    user_id: str,
    reason: Annotated[str, typer.Option(help="Why (kept on the ledger).")],
    revoke: Annotated[
        bool, typer.Option(help="Revoke (lost or leaked) instead of rotate.")
    ] = False,
) -> None:
    """Give a user a new signing key; the old one signs nothing after this entry."""
    _record(
        ctx,
        lambda s, by: (Permissions(s).revoke_key if revoke else Permissions(s).rotate_key)(
            by, user_id, reason
        ),
        lambda e: f"{user_id}'s key {'revoked and replaced' if revoke else 'rotated'}",
    )


@user_app.command("token")
def token(
    ctx: typer.Context,
    user_id: str,
    label: Annotated[str, typer.Option(help="What the token is for.")],
    scope: Annotated[str, typer.Option(help="read or write.")] = "read",
    expires_in: Annotated[
        int | None,
        typer.Option(
            metavar="DAYS",
            min=1,
            max=TOKEN_MOST_DAYS,
            help=f"Days until it stops working (default {TOKEN_DAYS}).",
        ),
    ] = None,
    never_expires: Annotated[
        bool,
        typer.Option(
            "--never-expires",
            help="A token that never expires, for an integration that cannot be given a new "
            "one; revoke it when the integration stops.",
        ),
    ] = False,
) -> None:
    """Make an API token for an integration; it is printed this once."""
    opts = options(ctx)
    if never_expires and expires_in is not None:
        fail("give --expires-in or --never-expires, not both; nothing was made")
    life: TokenExpiry = NEVER_EXPIRES if never_expires else (expires_in or TOKEN_DAYS)
    with _open(opts, writable=True) as led, friendly_errors():
        with Custody(led).session() as s:
            s.require_admin(opts.user)
        accounts = Accounts(led.engine, led.master_key)
        token_id, secret = accounts.create_token(
            user_id, label, scope, opts.user, expires=life, zone=led.config.zone
        )
        made = next(t for t in accounts.tokens(user_id) if t["token_id"] == token_id)
    expires_at = made["expires_at"]
    until = (
        "it never expires"
        if expires_at is None
        else f"it works until {local_minute(str(expires_at), led.config.zone)}"
    )
    emit(
        opts,
        {"token_id": token_id, "token": secret, "scope": scope, "expires_at": expires_at},
        f"API token {token_id} for {user_id} ({scope}); {until}. Keep it secret; it is shown "
        f"once:\n{secret}",
    )


@case_app.command("assign")
def assign(
    ctx: typer.Context,
    case_id: str,
    user_id: str,
    role: Annotated[str, typer.Option(help="prosecutor, defense_counsel or judge.")],
) -> None:
    """Give a prosecutor, defense counsel or judge a case: what they may see follows."""
    _record(
        ctx,
        lambda s, by: Permissions(s).assign(by, case_id, user_id, role),
        lambda e: f"{user_id} assigned to {case_id} as {role.replace('_', ' ')}",
    )


@case_app.command("unassign")
def unassign(
    ctx: typer.Context,
    case_id: str,
    user_id: str,
    reason: Annotated[str, typer.Option(help="Why (kept on the ledger).")],
) -> None:
    """Take a user off a case."""
    _record(
        ctx,
        lambda s, by: Permissions(s).unassign(by, case_id, user_id, reason),
        lambda e: f"{user_id} taken off {case_id}",
    )


@access_app.command("search")
def search(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option(help="Only what this user did.")] = None,
    target: Annotated[str | None, typer.Option(help="e.g. item:SF24-0306-01")] = None,
    action: Annotated[str | None, typer.Option(help="view, download, signin, denied...")] = None,
    since: Annotated[str | None, typer.Option(help="From this UTC time (2026-11-01).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this UTC time.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
) -> None:
    """Who looked at what: "who looked at item X", "what did user Y open last week"."""
    opts = options(ctx)
    with _open(opts, writable=False) as led, led.engine.connect() as conn:
        rows = access_log.search(
            conn, access_log.Query(user, target, action, None, since, until, limit)
        )
    if opts.json:
        emit(opts, rows, "")
        return
    _table(
        "Access log (newest first)",
        ["#", "When (UTC)", "User", "Action", "What", "Outcome", "From", "Bytes"],
        [
            [
                r["seq"],
                r["at"],
                r["user_id"],
                r["action"],
                r["target"],
                r["outcome"],
                r["source"],
                r["bytes"],
            ]
            for r in rows
        ],
    )


@access_app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Check every access record against its chain and each head fixed on the ledger."""
    opts = options(ctx)
    with _open(opts, writable=False) as led:
        verdict = verify_access(led)
    data = {
        "ok": verdict.ok,
        "records": verdict.records,
        "problems": verdict.problems,
        "anchors_checked": verdict.anchors_checked,
    }
    if verdict.ok:
        emit(
            opts,
            data,
            f"The access log is intact: {verdict.records} records, "
            f"{verdict.anchors_checked} chain heads on the ledger match.",
        )
        return
    emit(opts, data, "")
    fail("the access log was altered:\n" + "\n".join(f"  - {p}" for p in verdict.problems))


@access_app.command("anchor")
def anchor_command(ctx: typer.Context) -> None:
    """Fix the access log's current head on the ledger (auditor or administrator)."""
    opts = options(ctx)
    with _open(opts, writable=True) as led, friendly_errors():
        entry = anchor(Custody(led), opts.user)
    if entry is None:
        emit(opts, {"anchored": False}, "Nothing new in the access log since the last anchor.")
        return
    emit(
        opts,
        {"anchored": True, "seq": entry.seq, **entry.payload},
        f"Recorded: the access log's first {entry.payload['size']} records are fixed on the "
        f"ledger (entry {entry.seq}).",
    )


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Server processes sharing the port (more answer more requests at once; "
            "writes to the ledger still take turns).",
        ),
    ] = 1,
    log_level: Annotated[
        Literal["warning", "info"],
        typer.Option(
            help="'info' also says what each server process did as it stops (never a "
            "line per request: Brady's own access log has those)."
        ),
    ] = "warning",
) -> None:
    """Run the Brady server (API, and the web pages) on this ledger."""
    import uvicorn

    from ..server import HOME_VARIABLE, create_app

    opts = options(ctx)
    local = host == "localhost" or (_is_ip(host) and ipaddress.ip_address(host).is_loopback)
    if not local:
        typer.echo(
            "Warning: serving beyond this machine over plain HTTP. Put Brady behind a TLS "
            "proxy: session cookies are marked Secure only over HTTPS.",
            err=True,
        )
    with friendly_errors():
        led = open_home(find_home(opts.home), writable=True)
    typer.echo(f"Brady is serving {led.config.path} at http://{host}:{port}/ (Ctrl-C stops it).")
    if workers == 1:
        uvicorn.run(create_app(led), host=host, port=port, log_level=log_level, access_log=False)
        return
    # Each worker process opens the ledger itself (after the check above found it sound).
    led.engine.dispose()
    os.environ[HOME_VARIABLE] = str(led.config.path)
    uvicorn.run(
        "brady.server:from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def register(app: typer.Typer) -> None:
    app.add_typer(access_app, name="access")
    app.command("serve")(serve)
