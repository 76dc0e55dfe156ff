"""`brady demo`: a small ledger with a few custody events, verified end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..ledger._ed25519 import Signer
from ..ledger.entry import Event
from ..ledger.keyring import register_event
from ..store.audit import audit
from ..store.home import CONFIG_NAME
from ..store.ledger_home import init_home, open_home
from .output import emit, friendly_errors, options


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(file_okay=False)] = Path("brady-demo"),
) -> None:
    """Create (or reuse) a demo ledger, record a few events and verify it all."""
    opts = options(ctx)
    with friendly_errors():
        fresh = not (directory / CONFIG_NAME).exists()
        led = init_home(directory) if fresh else open_home(directory, writable=True)
        admin = led.actor()
        tech = Signer.generate()
        store = led.store
        store.append(admin, [register_event(tech.public_key, "Property technician (demo)")])
        store.append(
            tech,
            [
                Event(
                    "item.intake",
                    ("item:demo-1", "case:demo"),
                    {
                        "description": "Box of .45 Colt cartridges",
                        "received_from": "Detective (demo)",
                    },
                ),
                Event(
                    "item.transfer",
                    ("item:demo-1",),
                    {"from": "Property room", "to": "Crime lab", "reason": "Examination"},
                ),
            ],
        )
        report = audit(store, led.config.database_url, led.config.log_vkey, workers=1)
        cp = store.checkpoint()
        led.close()
    emit(
        opts,
        {"home": str(directory.resolve()), "entries": report.size, "verified": report.ok},
        f"Demo ledger in {directory.resolve()}: {report.size} entries, "
        f"{'verified' if report.ok else 'NOT VERIFIED'}.\n"
        f"Latest checkpoint:\n{cp.note}"
        f"Try: brady --home {directory} verify",
    )
    if not report.ok:
        raise typer.Exit(1)
