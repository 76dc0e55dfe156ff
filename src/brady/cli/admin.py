"""Setting a ledger up, migrating it, and auditing it."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import MofNCompleteColumn, TimeRemainingColumn

from ..custody.service import Custody
from ..domain.moments import DEFAULT_ZONE
from ..ledger_home import init_home, open_home, upgrade_home
from ..store.audit import AuditReport, audit
from ..store.home import find_home
from ..store.projection_check import rebuild
from ..store.sealing import ENV_KEY, MasterKey, SealingError, key_file, load_master_key
from .output import Options, emit, fail, friendly_errors, options, progress_bar


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("upgrade")(upgrade)
    app.command("verify")(verify)
    app.command("rebuild")(rebuild_command)


def init(
    ctx: typer.Context,
    directory: Annotated[
        Path | None, typer.Argument(help="Folder for the new ledger (default: --home or here).")
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            help="PostgreSQL URL, e.g. postgresql://brady@127.0.0.1/brady "
            "(default: a SQLite file in the folder)."
        ),
    ] = None,
    origin: Annotated[
        str | None, typer.Option(help="The log's name in checkpoints (default: a fresh one).")
    ] = None,
    time_zone: Annotated[
        str,
        typer.Option(
            help="The agency's time zone (IANA name, e.g. America/Denver): dates you give "
            "are its days, and times are shown in it."
        ),
    ] = DEFAULT_ZONE,
) -> None:
    """Create a new, empty ledger with its own keys."""
    opts = options(ctx)
    home = directory or find_home(opts.home)
    with friendly_errors():
        led = init_home(home, database, origin, time_zone=time_zone)
        bootstrap_admin(Custody(led))
        cfg = led.config
        master = (
            "the BRADY_MASTER_KEY variable"
            if led.master and led.master.source == ENV_KEY
            else str(key_file(cfg.path, cfg.master_key_file))
        )
        led.close()
    emit(
        opts,
        {
            "home": str(cfg.path),
            "origin": cfg.origin,
            "log_vkey": cfg.log_vkey,
            "database": cfg.database,
            "time_zone": cfg.time_zone,
            "master_key": master,
        },
        lambda: (
            f"Created a new ledger in {cfg.path}.\n"
            f"Its name (origin) is {cfg.origin}; its time zone {cfg.time_zone}.\n"
            f"Its public key, to give anyone who will check it:\n  {cfg.log_vkey}\n"
            f"Private keys are sealed with the master key in {master}.\n"
            "Back that key up somewhere safe and separate: without it, no one can record "
            "anything in this ledger."
        ),
    )


def bootstrap_admin(custody: Custody) -> None:
    """The first user, `admin`, registered by the ledger administrator's own key."""
    with custody.session() as s:
        s.add_user(None, "admin", "Administrator", ["admin"])


def upgrade(ctx: typer.Context) -> None:
    """Bring an existing ledger's database to this version of Brady (nothing is lost)."""
    opts = options(ctx)
    with friendly_errors():
        before, after, rebuilt = upgrade_home(find_home(opts.home))
    said = (
        f"Database already at schema version {after}; nothing to migrate."
        if before == after
        else f"Database upgraded from schema version {before} to {after}."
    )
    if rebuilt:
        said += " Rebuilt the state tables from the ledger, as this version derives them."
    emit(opts, {"from": before, "to": after, "rebuilt": rebuilt}, said)


def rebuild_command(ctx: typer.Context) -> None:
    """Rebuild the state tables (custody, cases...) from the ledger, which stays untouched."""
    opts = options(ctx)
    with friendly_errors():
        led = open_home(find_home(opts.home), writable=True)
        try:
            size = rebuild(led.store)
        finally:
            led.close()
    emit(opts, {"entries": size}, f"Rebuilt the state tables from all {size} ledger entries.")


def verify(
    ctx: typer.Context,
    against: Annotated[
        Path | None,
        typer.Option(
            help="A checkpoint published earlier; the ledger must still contain it.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(help="The log's public key as you were given it (default: brady.toml)."),
    ] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes to use.")] = None,
) -> None:
    """Audit the whole ledger: every entry, signature, hash and checkpoint."""
    opts = options(ctx)
    with friendly_errors():
        led = open_home(find_home(opts.home))
        try:
            master: MasterKey | None = load_master_key(led.config.path, led.config.master_key_file)
        except SealingError:
            master = None  # the rows' seals are then left unchecked, and the report says so
        vkey = key.strip() if key else led.config.log_vkey
        if key is not None and key.strip() != led.config.log_vkey:
            fail("the key you gave is not this ledger's key (brady.toml names another)")
        note = against.read_text() if against else None
        with progress_bar(opts.json, MofNCompleteColumn(), TimeRemainingColumn()) as bar:
            task = bar.add_task("Verifying entries", total=None)
            report = audit(
                led.store,
                led.config.database_url,
                vkey,
                against=note,
                workers=workers,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                master=master,
            )
        led.close()
    _report(opts, report)


def _report(opts: Options, report: AuditReport) -> None:
    problem = report.first_problem()
    data = {
        "ok": report.ok,
        "entries": report.size,
        "checkpoints": report.checkpoints,
        "keys": report.keys,
        "latest_checkpoint": None
        if report.latest is None
        else {"size": report.latest.size, "root": base64.b64encode(report.latest.root).decode()},
        "against": None if report.against is None else report.against.size,
        "projections_checked": report.projections_checked,
        "seals_checked": report.seals_checked,
        "problem": None
        if problem is None
        else {
            "entry": getattr(problem, "seq", None),
            "message": str(problem),
            "advice": problem.advice,
        },
    }
    if problem is None:
        against = (
            f" It still contains the published checkpoint of {report.against.size} entries."
            if report.against
            else ""
        )
        state = (
            " The current state rebuilt from the ledger matches the stored state."
            if report.projections_checked
            else ""
        )
        seals = (
            " Every password, token, session and key record carries a valid seal."
            if report.seals_checked
            else " The access records' seals were not checked: the master key is not on this "
            "machine (set BRADY_MASTER_KEY_FILE to check them)."
        )
        emit(
            opts,
            data,
            f"Ledger verified: {report.size} entries, {report.checkpoints} "
            f"checkpoints and {report.keys} keys all check out.{against}{state}{seals}",
        )
        return
    where = getattr(problem, "seq", None)
    at = f" at entry {where}" if isinstance(where, int) else ""
    emit(opts, data, f"LEDGER VERIFICATION FAILED{at}: {problem}\n{problem.advice}")
    raise typer.Exit(1)
