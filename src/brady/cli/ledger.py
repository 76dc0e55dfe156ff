"""`brady ledger ...`: the log's key, checkpoints, entries, proofs and exports."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from .. import ledger_witnesses
from ..ledger_home import OpenLedger, open_home, witness_settings
from ..store.export import export_tiles
from ..store.home import find_home
from .custody_common import operator_only
from .output import Options, emit, friendly_errors, options, write_raw

app = typer.Typer(
    help="Read the ledger: its key, checkpoints, entries and proofs.", no_args_is_help=True
)


@contextmanager
def _ledger(opts: Options) -> Iterator[OpenLedger]:
    operator_only(opts)  # entries hold evidence: a user reads theirs through the API
    with friendly_errors():
        led = open_home(find_home(opts.home))
        try:
            yield led
        finally:
            led.close()


def _b64(h: bytes) -> str:
    return base64.b64encode(h).decode()


@app.command()
def key(ctx: typer.Context) -> None:
    """The log's public key (C2SP verifier key) to give anyone who will check the ledger."""
    opts = options(ctx)
    with _ledger(opts) as led:
        vkey = led.config.log_vkey
    emit(opts, {"origin": led.config.origin, "vkey": vkey}, vkey)


@app.command()
def checkpoint(
    ctx: typer.Context,
    size: Annotated[int | None, typer.Option(help="The checkpoint signed at this size.")] = None,
) -> None:
    """The latest signed checkpoint with every witness's cosignature kept for it (give it out
    to fix the history)."""
    opts = options(ctx)
    with _ledger(opts) as led:
        cp = led.store.checkpoint(size)
        note = ledger_witnesses.cosigned_note(led, cp.size)
    if opts.json:
        emit(opts, {"size": cp.size, "note": note, "created_at": cp.created_at}, "")
    else:
        write_raw(note.encode())


@app.command()
def entry(ctx: typer.Context, seq: Annotated[int, typer.Argument(min=0)]) -> None:
    """The exact bytes of entry SEQ, the bytes its leaf hash covers."""
    opts = options(ctx)
    with _ledger(opts) as led:
        raw = led.store.entry(seq)
    if opts.json:
        emit(opts, {"seq": seq, "entry": raw.decode()}, "")
    else:
        write_raw(raw)


@app.command()
def prove(
    ctx: typer.Context,
    seq: Annotated[int, typer.Argument(min=0)],
    size: Annotated[
        int | None,
        typer.Option(help="Prove against the checkpoint of this size (default: latest)."),
    ] = None,
) -> None:
    """A c2sp.org/tlog-proof@v1 proof that entry SEQ is in the ledger."""
    opts = options(ctx)
    with _ledger(opts) as led:
        proof = led.store.inclusion_proof_file(seq, size)
    emit(
        opts,
        {
            "index": proof.index,
            "path": [_b64(h) for h in proof.path],
            "checkpoint": proof.checkpoint_note,
        },
        lambda: proof.text().rstrip("\n"),
    )


@app.command()
def consistency(
    ctx: typer.Context,
    old_size: Annotated[int, typer.Argument(min=1)],
    new_size: Annotated[int | None, typer.Argument(min=1)] = None,
) -> None:
    """Proof that the ledger at NEW_SIZE (default: latest checkpoint) extends OLD_SIZE."""
    opts = options(ctx)
    with _ledger(opts) as led:
        new = new_size if new_size is not None else led.store.checkpoint().size
        proof = led.store.consistency_proof(old_size, new)
    emit(
        opts,
        {"old_size": old_size, "new_size": new, "proof": [_b64(h) for h in proof]},
        lambda: "\n".join(_b64(h) for h in proof),
    )


@app.command()
def export(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(file_okay=False)],
) -> None:
    """Write a static copy (C2SP tlog-tiles) that others can check with brady-verify."""
    opts = options(ctx)
    with _ledger(opts) as led:
        cp = export_tiles(led.store, directory)
        vkey = led.config.log_vkey
    emit(
        opts,
        {"directory": str(directory), "size": cp.size, "vkey": vkey},
        f"Exported {cp.size} entries to {directory}.\n"
        f"To check it: brady-verify export {directory} --key '{vkey}'",
    )


witnesses_app = typer.Typer(
    help="The witnesses that cosign this ledger's checkpoints ([[witnesses]] in brady.toml).",
    no_args_is_help=True,
)
app.add_typer(witnesses_app, name="witnesses")


@witnesses_app.command("list")
def witnesses_list(ctx: typer.Context) -> None:
    """The witnesses brady.toml lists: name, address and key."""
    opts = options(ctx)
    with _ledger(opts) as led:
        listed = witness_settings(led.config)
    rows = [{"name": w.name, "url": w.url, "vkey": w.vkey, "retired": w.retired} for w in listed]

    def human() -> str:
        if not listed:
            return "No witnesses are listed in brady.toml ([[witnesses]] name, vkey, url)."
        return "\n".join(
            f"{w.name}{' (retired)' if w.retired else ''}  {w.url}\n  {w.vkey}" for w in listed
        )

    emit(opts, rows, human)


@witnesses_app.command("offer-now")
def witnesses_offer_now(ctx: typer.Context) -> None:
    """Offer the newest checkpoint to every witness now (the server does it on its own every
    few seconds). Exit 1 if a witness could not be reached or refused it."""
    opts = options(ctx)
    with _ledger(opts) as led:
        offers = ledger_witnesses.offer(led)
    emit(
        opts,
        [
            {"witness": o.witness, "size": o.size, "outcome": o.outcome, "detail": o.detail}
            for o in offers
        ],
        lambda: (
            "\n".join(o.sentence() for o in offers)
            or "No witnesses are listed in brady.toml; nothing was offered."
        ),
    )
    if not all(o.ok for o in offers):
        raise typer.Exit(1)


@witnesses_app.command("status")
def witnesses_status(ctx: typer.Context) -> None:
    """Which checkpoints lack which witness's cosignature, and any kept cosignature that does
    not verify. Exit 1 if something is missing or wrong."""
    opts = options(ctx)
    with _ledger(opts) as led:
        state = ledger_witnesses.status(led)
    data = {
        "latest": state.latest,
        "witnesses": [
            {
                "name": s.witness.name,
                "retired": s.witness.retired,
                "last_cosigned": s.last_cosigned,
                "missing": s.missing,
                "first_missing": s.first_missing,
                "last_missing": s.last_missing,
            }
            for s in state.witnesses
        ],
        "problems": state.problems,
    }

    def human() -> str:
        if not state.witnesses and not state.problems:
            return "No witnesses are listed in brady.toml: checkpoints are signed by the log only."
        lines = [f"The newest checkpoint covers {state.latest} entries."]
        lines += [s.sentence(state.latest) for s in state.witnesses]
        lines += [f"NOT VERIFIED: {p}" for p in state.problems]
        return "\n".join(lines)

    emit(opts, data, human)
    if not state.complete:
        raise typer.Exit(1)
