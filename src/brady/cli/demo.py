"""`brady demo`: a small property room, a few custody events, everything verified."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..custody.service import Custody
from ..store.audit import audit
from ..store.home import CONFIG_NAME
from ..store.ledger_home import init_home, open_home
from .admin import bootstrap_admin
from .output import emit, friendly_errors, options


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(file_okay=False)] = Path("brady-demo"),
) -> None:
    """Create (or reuse) a demo ledger, record a few custody events and verify it all."""
    opts = options(ctx)
    with friendly_errors():
        fresh = not (directory / CONFIG_NAME).exists()
        led = init_home(directory) if fresh else open_home(directory, writable=True)
        custody = Custody(led)
        if fresh:
            bootstrap_admin(custody)
            with custody.session() as s:
                s.add_user("admin", "clerk", "Pat Property (demo)", ["property_clerk"])
                s.add_user("admin", "analyst", "Lee Lab (demo)", ["lab_analyst"])
                s.add_location("admin", "PR", "Property room", "room")
                s.add_location("admin", "PR-B14", "Shelf B-14", "shelf", parent_id="PR")
                s.open_case(
                    "admin",
                    "demo-1",
                    "State v. Demo",
                    numbers=[{"kind": "agency", "number": "2024-000123"}],
                )
        with custody.session() as s:
            entry = s.intake(
                "clerk",
                category="ammunition",
                description="Box of .45 Colt cartridges, live rounds",
                quantity=50,
                location_id="PR-B14",
                case_ids=["demo-1"],
                received_from="Detective (demo)",
            )
            item_id = str(entry.payload["item_id"])
            s.transfer("clerk", item_id, "analyst", reason="Examination")
            s.receive("analyst", item_id)
        report = audit(led.store, led.config.database_url, led.config.log_vkey, workers=1)
        cp = led.store.checkpoint()
        led.close()
    emit(
        opts,
        {
            "home": str(directory.resolve()),
            "entries": report.size,
            "verified": report.ok,
            "item": item_id,
        },
        f"Demo ledger in {directory.resolve()}: {report.size} entries, "
        f"{'verified' if report.ok else 'NOT VERIFIED'}.\n"
        f"Latest checkpoint:\n{cp.note}"
        f"Try: brady --home {directory} item show {item_id}\n"
        f"     brady --home {directory} item history {item_id}\n"
        f"     brady --home {directory} verify",
    )
    if not report.ok:
        raise typer.Exit(1)
