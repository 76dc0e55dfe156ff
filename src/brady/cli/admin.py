"""Setting a ledger up, migrating it, and auditing it."""

from __future__ import annotations

import base64
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import MofNCompleteColumn, Progress, TaskID, TimeRemainingColumn

from .. import ledger_witnesses
from ..blobs.base import BlobSetupError
from ..custody.service import Custody
from ..domain.moments import DEFAULT_ZONE
from ..ledger.errors import LedgerError, TamperError
from ..ledger.witness_policy import WitnessPolicy
from ..ledger_home import OpenLedger, init_home, open_blobs, open_home, upgrade_home
from ..store.audit import AuditReport, audit, audit_since, checkpoint_to_keep
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


Against = Annotated[
    Path | None,
    typer.Option(
        help="A checkpoint published earlier; the ledger must still contain it.",
        exists=True,
        dir_okay=False,
    ),
]
Since = Annotated[
    str | None,
    typer.Option(
        metavar="CHECKPOINT",
        help="The nightly audit: check only what was added after this checkpoint, the "
        "file your last audit saved (or as `brady ledger checkpoint` prints it), or the "
        "size at which it was signed. Run the full audit (without --since) now and then.",
    ),
]
SaveCheckpoint = Annotated[
    Path | None,
    typer.Option(
        dir_okay=False,
        help="When the ledger verifies, write its newest checkpoint to this file, to give "
        "to --since next time.",
    ),
]
Witnesses = Annotated[
    list[str] | None,
    typer.Option(
        "--witness",
        metavar="WITNESS_VKEY",
        help="A witness whose cosignature the newest checkpoint must carry (its key, or "
        "@FILE holding it); give it once per witness.",
    ),
]


def verify(
    ctx: typer.Context,
    against: Against = None,
    key: Annotated[
        str | None,
        typer.Option(help="The log's public key as you were given it (default: brady.toml)."),
    ] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes to use.")] = None,
    since: Since = None,
    save_checkpoint: SaveCheckpoint = None,
    witness: Witnesses = None,
    quorum: Annotated[
        int | None,
        typer.Option(min=1, help="How many of the --witness keys must have cosigned (all)."),
    ] = None,
) -> None:
    """Audit the whole ledger: every entry, signature, hash and checkpoint (with --since,
    only what was added after a checkpoint you kept)."""
    opts = options(ctx)
    start = None if since is None else _since(since)
    with friendly_errors():
        led = open_home(find_home(opts.home))
        vkey = key.strip() if key else led.config.log_vkey
        if key is not None and key.strip() != led.config.log_vkey:
            fail("the key you gave is not this ledger's key (brady.toml names another)")
        note = against.read_text() if against else None
        report = _audit(opts, led, vkey, note, workers, start)
        cosigned = _witnessed(led, report, witness or [], quorum)
        kept = checkpoint_to_keep(led.store, report, vkey) if report.ok else None
        files = _files_protection(led)
        led.close()
    if kept is not None and save_checkpoint is not None:
        save_checkpoint.write_text(kept)
    _report(opts, report, kept, save_checkpoint, isinstance(start, int), files + cosigned)


def _witnessed(led: OpenLedger, report: AuditReport, given: list[str], quorum: int | None) -> str:
    """Every kept cosignature must verify with its witness's key (a forged one is tampering);
    with --witness, the newest checkpoint the quorum cosigned. What to add to the report."""
    report.problems.extend(TamperError(p) for p in ledger_witnesses.check_kept(led))
    if not given:
        return ""
    keys = [Path(w[1:]).read_text().strip() if w.startswith("@") else w.strip() for w in given]
    try:
        size, _ = ledger_witnesses.meets(led, WitnessPolicy.of(keys, quorum))
    except LedgerError as exc:
        report.problems.append(exc)
        return ""
    return f" The newest checkpoint the witnesses you named cosigned covers {size} entries."


def _files_protection(led: OpenLedger) -> str:
    """What keeps the evidence files from being changed besides their hashes on the ledger
    (a folder's permissions, a bucket's object lock), or why the store cannot be used."""
    try:
        return open_blobs(led.config).protection()
    except BlobSetupError as exc:
        return f"Brady cannot use its evidence store: {exc}"


def _audit(
    opts: Options,
    led: OpenLedger,
    vkey: str,
    note: str | None,
    workers: int | None,
    since: str | int | None,
) -> AuditReport:
    """The full audit, or with `since` the nightly one, with a progress bar."""
    try:
        master: MasterKey | None = load_master_key(led.config.path, led.config.master_key_file)
    except SealingError:
        master = None  # the rows' seals are then left unchecked, and the report says so
    url = led.config.database_url
    with progress_bar(opts.json, MofNCompleteColumn(), TimeRemainingColumn()) as bar:
        task = bar.add_task("Verifying entries", total=None)
        step = partial(_step, bar, task)
        if since is None:
            return audit(
                led.store, url, vkey, against=note, workers=workers, progress=step, master=master
            )
        return audit_since(
            led.store, url, vkey, since, against=note, workers=workers, progress=step, master=master
        )


def _since(given: str) -> str | int:
    """--since: a size, or the text of the checkpoint file named."""
    if given.strip().isdigit():
        return int(given)
    path = Path(given)
    if not path.is_file():
        fail(
            f"--since {given}: no such checkpoint file (give the file your last audit "
            "saved, or the size at which its checkpoint was signed)",
            2,
        )
    return path.read_text()


def _step(bar: Progress, task: TaskID, done: int, total: int) -> None:
    bar.update(task, completed=done, total=total)


def _report(
    opts: Options,
    report: AuditReport,
    kept: str | None,
    saved: Path | None,
    by_size: bool,
    files: str,
) -> None:
    problem = report.first_problem()
    checked, unchecked = _since_scope(report) if report.since else ([], [])
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
        "since": None if report.since is None else report.since.size,
        "first_checked": report.first_checked,
        "checked": checked,
        "not_checked": unchecked,
        "checkpoint": kept,
        "saved_to": None if kept is None or saved is None else str(saved),
        "evidence_files": files,
        "problem": None
        if problem is None
        else {
            "entry": getattr(problem, "seq", None),
            "message": str(problem),
            "advice": problem.advice,
        },
    }
    if problem is None:
        said = _since_said(report, checked, unchecked, by_size) if report.since else _full(report)
        emit(opts, data, said + " " + files + _keep(kept, saved, bool(report.since)))
        return
    where = getattr(problem, "seq", None)
    at = f" at entry {where}" if isinstance(where, int) else ""
    emit(opts, data, f"LEDGER VERIFICATION FAILED{at}: {problem}\n{problem.advice}")
    raise typer.Exit(1)


def _full(report: AuditReport) -> str:
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
    return (
        f"Ledger verified: {report.size} entries, {report.checkpoints} "
        f"checkpoints and {report.keys} keys all check out.{against}{state}{seals}"
    )


def _since_scope(report: AuditReport) -> tuple[list[str], list[str]]:
    """What the nightly audit checked and what it left to the full audit, in plain words."""
    assert report.since is not None
    n, first, size = report.since.size, report.first_checked, report.size
    checked = [
        f"the checkpoint you gave is signed by this ledger's key, and the ledger still "
        f"begins with the {n} entries it signed (consistency proof from {n} to {size} "
        "entries, made from the stored hashes)",
        f"every entry from {first} on (the block of 4096 that holds entry {n}): its "
        "signature under the key valid when it was recorded, its order, and its place in "
        "the hash tree"
        if first
        else f"every entry, as entry {n} lies in the first block of 4096: its signature under "
        "the key valid when it was recorded, its order, and its place in the hash tree",
        f"every hash and checkpoint stored since entry {n}, and that the newest checkpoint "
        "covers every entry",
        "the keys: every key event, and every stored key against them",
    ]
    if report.subjects_checked:
        checked.append("the record of what each new entry names (cases, items, people)")
    if report.chain_checked:
        checked.append("the chain of the checkpoints stored since (none deleted between them)")
    unchecked = [
        f"the checkpoints stored before {n}",
        "the state tables (who holds each item, where it is, cases, links, obligations), "
        "which only a rebuild from the whole ledger can check",
        "the seals of passwords, tokens, sessions and stored keys",
    ]
    if first:
        unchecked.insert(
            0,
            f"the entries before {first} one by one, and the hashes stored for them (other "
            "than the few the checkpoint's root is made of)",
        )
    return checked, unchecked


def _since_said(
    report: AuditReport, checked: list[str], unchecked: list[str], by_size: bool
) -> str:
    assert report.since is not None
    n, size = report.since.size, report.size
    added = f"entries {n} to {size - 1}" if size > n else "nothing was added"
    lines = [
        f"Ledger verified since the checkpoint of {n} entries ({added}; the ledger holds "
        f"{size}). Checked:",
        *(f"  - {c}" for c in checked),
        "Not checked by --since (the full audit, `brady verify` without --since, checks "
        "these: run it now and then, for example weekly):",
        *(f"  - {c}" for c in unchecked),
    ]
    if by_size:
        lines.append(
            "You gave a size, so the checkpoint stored at that size was used. The file your "
            "last audit saved proves more: a ledger rewritten by someone holding its key "
            "would carry checkpoints of its own."
        )
    return "\n".join(lines)


def _keep(kept: str | None, saved: Path | None, since: bool) -> str:
    """The checkpoint to start the next nightly audit from, last in the output."""
    if kept is None or (saved is None and not since):
        return ""
    if saved is None:
        return (
            "\nKeep this checkpoint for the next run (save it to a file and give it to "
            f"`brady verify --since FILE`; --save-checkpoint FILE does it for you):\n{kept}"
        )
    return (
        f"\nThe newest checkpoint is saved in {saved}: give it to `brady verify --since "
        f"{saved}` next time.\n{kept}"
    )
