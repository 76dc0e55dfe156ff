"""The `brady` command: global options and the command groups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import accounts, admin, custody, demo, disclosure, files, inventory, ledger, links, reports
from .blobs import blobs_app
from .output import Options
from .witness import app as witness_app

app = typer.Typer(
    name="brady",
    help="Brady keeps the record of evidence on a ledger that anyone can verify.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="Ledger folder (default: $BRADY_HOME, else this folder or the nearest parent "
            "holding brady.toml).",
            file_okay=False,
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print data as JSON.")] = False,
    user: Annotated[
        str | None,
        typer.Option(
            "--as",
            envvar="BRADY_USER",
            help="The user doing this: signs the event, and is held to that user's access "
            "rules (default: the operator, signing as admin).",
        ),
    ] = None,
) -> None:
    ctx.obj = Options(home=home, json=json_out, user=user or "admin", acting=user)


admin.register(app)
accounts.register(app)
files.register(app)
demo.register(app)
app.add_typer(ledger.app, name="ledger")
reports.register(app)
disclosure.register(app)
app.add_typer(inventory.inventory_app, name="inventory")
app.add_typer(links.links_app, name="links")
app.add_typer(blobs_app, name="blobs")
app.add_typer(witness_app, name="witness")
for name, group in custody.GROUPS.items():
    app.add_typer(group, name=name)


def main() -> None:
    app()
