"""Digital evidence from the command line: attach, copy out (verified), fixity."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

from ..blobs.store import BlobError
from ..custody.files import attach, blob_store, check_file, fixity
from ..custody.service import Custody
from .custody import When, _open, item_app
from .custody_common import acting_caller
from .output import emit, fail, friendly_errors, options, progress_bar


def _bar(quiet: bool) -> Progress:
    return progress_bar(quiet, DownloadColumn(), TransferSpeedColumn())


@item_app.command("attach")
def item_attach(
    ctx: typer.Context,
    item_id: str,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    media_type: Annotated[str | None, typer.Option(help="e.g. video/mp4")] = None,
    occurred_at: When = None,
) -> None:
    """Attach a file to an item: hashed while copied, the hash recorded on the ledger."""
    opts = options(ctx)
    with _open(opts, writable=True) as led, friendly_errors(), _bar(opts.json) as bar:
        task = bar.add_task(f"Storing {file.name}", total=file.stat().st_size)
        with file.open("rb") as fh:
            entry = attach(
                Custody(led),
                opts.user,
                item_id,
                fh,
                file.name,
                media_type,
                lambda n: bar.update(task, completed=n),
                occurred_at=occurred_at,
                caller=acting_caller(led, opts),
            )
    p = entry.payload
    emit(
        opts,
        {"seq": entry.seq, "sha256": p["sha256"], "size": p["size"]},
        f"Recorded: {file.name} ({p['size']} bytes, sha256 {p['sha256']}) attached to "
        f"{item_id} (ledger entry {entry.seq}).",
    )


@item_app.command("get-file")
def item_get_file(
    ctx: typer.Context,
    sha256: str,
    target: Annotated[Path, typer.Argument(dir_okay=False)],
) -> None:
    """Copy a stored file out, re-hashing it on the way; refused if its bytes changed."""
    opts = options(ctx)
    with _open(opts, writable=False) as led:
        store = blob_store(Custody(led))
        try:
            store.copy_out(sha256, target)
        except BlobError as exc:
            fail(str(exc))
    emit(
        opts,
        {"sha256": sha256, "path": str(target)},
        f"Copied {sha256} to {target}; its bytes match the recorded hash.",
    )


def fixity_command(ctx: typer.Context) -> None:
    """Re-hash every stored file and report any whose bytes no longer match the ledger."""
    opts = options(ctx)
    with _open(opts, writable=False) as led, friendly_errors(), _bar(opts.json) as bar:
        custody = Custody(led)
        task = bar.add_task("Checking files", total=None)
        report = fixity(custody, lambda n: bar.update(task, completed=n))
    data = {
        "files": report.files,
        "bytes": report.bytes,
        "problems": report.problems,
        "recovered": report.recovered,
        "removed": report.removed,
    }
    files = "1 file" if report.files == 1 else f"{report.files} files"
    lines = [f"Checked {files} ({report.bytes} bytes)."]
    lines += [f"Kept a file whose recording had finished: {h}" for h in report.recovered]
    lines += [f"Removed a staged file that was never recorded: {n}" for n in report.removed]
    if report.problems:
        lines += [f"PROBLEM: {p}" for p in report.problems]
        lines.append(
            "Restore these files from a backup; their recorded hashes are on the "
            "ledger, so the restored copy can be checked."
        )
    else:
        lines.append("Every file matches its recorded hash.")
    emit(opts, data, "\n".join(lines))
    if report.problems:
        raise typer.Exit(1)


def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    mapping: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="For a legacy CSV of items: the column mapping (YAML).",
        ),
    ] = None,
) -> None:
    """Load a scenario (YAML/JSON) or a legacy CSV of items through the ordinary commands."""
    from ..importing.importer import load_file, run_import
    from ..importing.legacy_csv import csv_events, load_mapping

    opts = options(ctx)
    with _open(opts, writable=True) as led, friendly_errors():
        if file.suffix.lower() == ".csv":
            if mapping is None:
                fail("a CSV import needs --mapping MAPPING.yaml (see docs/import-format.md)")
            data = csv_events(file, load_mapping(mapping))
        else:
            data = load_file(file)
        report = run_import(Custody(led), data, opts.user)
    emit(
        opts,
        {"records": report.records, "entries": report.entries, "items": report.items},
        f"Imported {file.name}: {report.records} events, {report.items} items, "
        f"{report.entries} ledger entries, all signed and checked against the rules.",
    )


def register(app: typer.Typer) -> None:
    app.command("fixity")(fixity_command)
    app.command("import")(import_command)


@item_app.command("verify-file")
def item_verify_file(ctx: typer.Context, item_id: str, sha256: str) -> None:
    """Re-hash one stored file of an item now and say whether it still matches the ledger."""
    opts = options(ctx)
    with _open(opts, writable=False, as_user=True) as led, friendly_errors():
        matches = check_file(Custody(led), item_id, sha256, acting_caller(led, opts))
    emit(
        opts,
        {"item_id": item_id, "sha256": sha256, "matches": matches},
        f"File {sha256[:12]}... of {item_id}: its bytes match the ledger."
        if matches
        else f"File {sha256[:12]}... of {item_id} does NOT match the ledger (missing or "
        "changed). Restore it from a backup and run `brady fixity`.",
    )
    if not matches:
        raise typer.Exit(5)
