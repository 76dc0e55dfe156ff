"""`brady witness ...`: run a witness that cosigns an agency's checkpoints (a court clerk's
office or a defense firm runs this, not the agency)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from ..witness.home import (
    WitnessHomeError,
    close_witness,
    follow_log,
    init_witness,
    open_witness,
)
from ..witness.service import Witness, evidence_document
from .output import emit, fail, friendly_errors, options

app = typer.Typer(
    help="Run a witness: cosign an evidence ledger's checkpoints only while its history "
    "only grows, and keep proof if it ever shows two histories.",
    no_args_is_help=True,
)

Folder = Annotated[
    Path,
    typer.Option(
        "--dir",
        envvar="BRADY_WITNESS_DIR",
        help="The witness's folder (key, settings, database).",
        file_okay=False,
    ),
]
DEFAULT = Path.home() / "brady-witness"


@contextmanager
def _opened(folder: Path) -> Iterator[Witness]:
    with friendly_errors():
        try:
            witness = open_witness(folder)
        except WitnessHomeError as exc:
            fail(str(exc))
        try:
            yield witness
        except WitnessHomeError as exc:
            fail(str(exc))
        finally:
            close_witness(witness)


@app.command()
def init(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help="The witness's name, e.g. clerk.example-county.gov/w1")
    ],
    folder: Folder = DEFAULT,
) -> None:
    """Create the witness: its own Ed25519 key (kept readable by you only) and database."""
    opts = options(ctx)
    with friendly_errors():
        try:
            cosigner = init_witness(folder, name)
        except WitnessHomeError as exc:
            fail(str(exc))
    emit(
        opts,
        {"name": name, "vkey": cosigner.vkey(), "dir": str(folder)},
        f"Witness {name} created in {folder}.\n"
        f"Its public key (give it to the agency and to anyone who checks cosignatures):\n"
        f"{cosigner.vkey()}\n"
        f"Keep {folder / 'witness.key'} private and backed up: it is the witness's identity.",
    )


@app.command("add-log")
def add_log(
    ctx: typer.Context,
    origin: Annotated[str, typer.Argument(help="The ledger's origin (its name).")],
    vkey: Annotated[
        str, typer.Argument(help="The ledger's public key ('brady ledger key'), or @FILE.")
    ],
    folder: Folder = DEFAULT,
) -> None:
    """Follow an agency's ledger: cosign its checkpoints from now on."""
    opts = options(ctx)
    key = Path(vkey[1:]).read_text().strip() if vkey.startswith("@") else vkey.strip()
    with _opened(folder) as witness:
        added = follow_log(witness, origin, key)
    said = "now follows" if added else "already follows"
    emit(opts, {"origin": origin, "added": added}, f"The witness {said} {origin}.")


@app.command()
def serve(
    folder: Folder = DEFAULT,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7380,
) -> None:
    """Answer the agency's add-checkpoint requests (c2sp.org/tlog-witness) until stopped."""
    import uvicorn

    from ..witness.http import create_app

    with _opened(folder) as witness:
        typer.echo(
            f"Witness {witness.name} listening on http://{host}:{port}/add-checkpoint "
            "(Ctrl-C stops it)."
        )
        uvicorn.run(create_app(witness), host=host, port=port, log_level="warning")


@app.command()
def status(
    ctx: typer.Context,
    folder: Folder = DEFAULT,
    show: Annotated[
        int | None, typer.Option(help="Print the full evidence of this number, to hand over.")
    ] = None,
) -> None:
    """The logs followed, the last checkpoint cosigned for each, and any evidence kept."""
    opts = options(ctx)
    with _opened(folder) as witness:
        logs, evidence = witness.store.logs(), witness.store.evidence()
        vkey = witness.cosigner.vkey()
    if show is not None:
        chosen = [e for e in evidence if e.id == show]
        if not chosen:
            fail(f"there is no evidence number {show}", 3)
        log_key = next(s.vkey for s in logs if s.origin == chosen[0].origin)
        with friendly_errors():
            typer.echo(evidence_document(chosen[0], log_key), nl=False)
        return
    data = {
        "witness": vkey,
        "logs": [{"origin": s.origin, "size": s.size, "cosigned_at": s.cosigned_at} for s in logs],
        "evidence": [
            {
                "id": e.id,
                "origin": e.origin,
                "recorded_at": e.recorded_at,
                "proven": e.proven,
                "reason": e.reason,
            }
            for e in evidence
        ],
    }
    emit(opts, data, lambda: _status_text(data))


def _status_text(data: Mapping[str, object]) -> str:
    lines = [f"Witness key: {data['witness']}"]
    logs = data["logs"]
    assert isinstance(logs, list)
    if not logs:
        lines.append("It follows no ledger yet: add one with 'brady witness add-log ORIGIN VKEY'.")
    for s in logs:
        when = f"last cosigned {s['cosigned_at']}" if s["cosigned_at"] else "nothing cosigned yet"
        lines.append(f"{s['origin']}: {s['size']} entries, {when}")
    evidence = data["evidence"]
    assert isinstance(evidence, list)
    if not evidence:
        lines.append("No inconsistent checkpoint has been offered.")
    for e in evidence:
        head = "SPLIT VIEW PROVEN" if e["proven"] else "refused, inconsistent"
        lines.append(
            f"Evidence {e['id']} ({e['origin']}, {e['recorded_at']}): {head}. {e['reason']}\n"
            f"  Print it to hand to the court: brady witness status --show {e['id']}"
        )
    return "\n".join(lines)
