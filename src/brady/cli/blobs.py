"""Where evidence files are kept: which store and its protection, and moving the files from
the folder to an S3 bucket."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Annotated

import typer
from rich.progress import DownloadColumn, TransferSpeedColumn

from ..accounts.service import Accounts
from ..blobs.factory import open_store
from ..blobs.migrate import AfterEach, Migration
from ..blobs.settings import BlobSettings, parse_s3_url
from ..custody.file_migration import MIGRATE, folder_to_migrate, migrate_files
from ..custody.files import kept_hashes
from ..custody.service import Custody
from ..ledger.entry import Entry
from ..ledger_home import OpenLedger, blob_settings, open_blobs
from .custody_common import _open
from .output import emit, friendly_errors, options, progress_bar

blobs_app = typer.Typer(
    help="Where evidence files are kept, and moving them to an S3 bucket.",
    no_args_is_help=True,
)


@blobs_app.command("status")
def status(ctx: typer.Context) -> None:
    """Say where the evidence files are and what protects them from being changed."""
    opts = options(ctx)
    with _open(opts, writable=False) as led, friendly_errors():
        store = open_blobs(led.config)
        said = store.protection()
    emit(opts, {"location": store.location, "protection": said}, said)


@blobs_app.command("migrate")
def migrate_command(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="The bucket: s3://bucket or s3://bucket/prefix")],
    endpoint: Annotated[
        str | None, typer.Option(help="The S3 server's URL (omit for Amazon S3 itself).")
    ] = None,
    region: Annotated[str | None, typer.Option(help="The bucket's region.")] = None,
    require_object_lock: Annotated[
        bool,
        typer.Option(
            "--require-object-lock/--accept-unlocked",
            help="Refuse a bucket without versioning and Object Lock (the default).",
        ),
    ] = True,
) -> None:
    """Copy every recorded file from the folder to an S3 bucket, reading each back and
    checking its hash. Run it again after an interruption: files already there intact are
    skipped. Credentials come from the environment (AWS_ACCESS_KEY_ID, a profile ...)."""
    opts = options(ctx)
    with _open(opts, writable=True) as led, friendly_errors():
        current = blob_settings(led.config)
        target = replace(
            current,
            s3=parse_s3_url(to),
            endpoint=endpoint,
            region=region,
            require_object_lock=require_object_lock,
        )
        with progress_bar(opts.json, DownloadColumn(), TransferSpeedColumn()) as bar:
            task = bar.add_task("Copying files", total=None)
            done, entry = migrate_home(
                led,
                target,
                opts.user,
                lambda _, size: bar.advance(task, size),
                lambda total: bar.update(task, total=total),
            )
    emit(
        opts,
        {
            "to": target.s3.url if target.s3 else to,
            "copied": done.copied,
            "already": done.already,
            "bytes": done.bytes,
            "problems": done.problems,
            "ledger_entry": entry.seq,
        },
        _summary(done, target, entry.seq),
    )
    if done.problems:
        raise typer.Exit(1)


def migrate_home(
    led: OpenLedger,
    target: BlobSettings,
    user: str,
    after_each: AfterEach | None = None,
    planned: Callable[[int], None] | None = None,
) -> tuple[Migration, Entry]:
    """Migrate the ledger's folder into `target`, record the run on the ledger, and write
    what happened to the access log, whether it finished, found problems, or was cut off
    (`after_each` runs after each file; `planned` is told the bytes to copy first)."""
    custody = Custody(led)
    source = folder_to_migrate(custody, user)
    recorded = kept_hashes(custody, source)
    if planned is not None:
        planned(sum(recorded.values()))
    store = open_store(target)
    seen = {"files": 0, "bytes": 0}

    def step(sha256: str, size: int) -> None:
        seen["files"] += 1
        seen["bytes"] += size
        if after_each is not None:
            after_each(sha256, size)

    outcome, detail = "interrupted", "cut off before every file was checked"
    try:
        done, entry = migrate_files(custody, source, store, user, recorded, step)
        outcome = "problems" if done.problems else "ok"
        counts = f"{len(done.copied)} copied, {len(done.already)} already there intact"
        detail = "; ".join([counts, f"ledger entry {entry.seq}", *done.problems])
        return done, entry
    finally:
        Accounts(led.engine, led.master_key).log(
            MIGRATE,
            user,
            target=f"blobs:{store.location}",
            outcome=outcome,
            source="cli",
            bytes=seen["bytes"],
            detail=f"{seen['files']} files from {source.location}: {detail}"[:2000],
        )


def _summary(done: Migration, target: BlobSettings, seq: int) -> str:
    assert target.s3 is not None
    lines = [
        f"Copied {len(done.copied)} files ({done.bytes} bytes) to {target.s3.url}; each was read "
        "back from the bucket and matches its recorded hash.",
        f"The copy is recorded on the ledger as entry {seq}.",
    ]
    if done.already:
        lines.append(f"{len(done.already)} files were already there, intact, and were skipped.")
    if done.problems:
        lines += [f"PROBLEM: {p}" for p in done.problems]
        lines.append(
            "Restore these files into the folder from a backup and run this command again; "
            "keep using the folder until it finishes without problems."
        )
        return "\n".join(lines)
    table = [f'url = "{target.s3.url}"']
    table += [f'endpoint = "{target.endpoint}"'] if target.endpoint else []
    table += [f'region = "{target.region}"'] if target.region else []
    table += [] if target.require_object_lock else ["require_object_lock = false"]
    lines += [
        "To use the bucket, replace the line blobs = ... in brady.toml with this table "
        "(at the end of the file), restart Brady, and run brady fixity:",
        "[blobs]",
        *table,
        f"The folder {target.folder} is left as it was; remove it once brady fixity passes.",
    ]
    return "\n".join(lines)
