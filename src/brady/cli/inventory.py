"""`brady inventory ...` and `brady item overdue`: checking that the shelves match the record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ..reports import render
from ..store import custody_queries as q
from .custody import When, _read, _record, _table, item_app
from .output import emit, fail, options

inventory_app = typer.Typer(
    help="Full or sampled inventories of the property room.", no_args_is_help=True
)


@inventory_app.command("start")
def start(
    ctx: typer.Context,
    inventory_id: str,
    sample: Annotated[
        bool,
        typer.Option(
            help="A random sample of guns, drugs and money "
            "(95% confidence, +/-3%) instead of everything."
        ),
    ] = False,
    location: Annotated[
        str | None, typer.Option(help="Only this location and those inside it.")
    ] = None,
    occurred_at: When = None,
) -> None:
    """Start an inventory: Brady fixes the list of items it expects to find."""
    scope = "sample" if sample else "full"
    _record(
        ctx,
        lambda s, by: s.start_inventory(by, inventory_id, scope, location, occurred_at),
        lambda e: (
            f"inventory {inventory_id} started: {e.payload['expected_count']} of "
            f"{e.payload['population']} items to check"
        ),
    )


@inventory_app.command("scan")
def scan(
    ctx: typer.Context,
    inventory_id: str,
    item_id: str,
    location: Annotated[str | None, typer.Option(help="Where it was found.")] = None,
    occurred_at: When = None,
) -> None:
    """Record an item found on the shelves."""
    _record(
        ctx,
        lambda s, by: s.scan(by, inventory_id, item_id, location, occurred_at),
        lambda e: f"{item_id} scanned in {inventory_id}",
    )


@inventory_app.command("close")
def close(ctx: typer.Context, inventory_id: str, occurred_at: When = None) -> None:
    """Close an inventory and see what was found, missing and unexpected."""
    _record(
        ctx,
        lambda s, by: s.close_inventory(by, inventory_id, occurred_at),
        lambda e: f"inventory {inventory_id} closed; see `brady inventory show {inventory_id}`",
    )


@inventory_app.command("show")
def show(ctx: typer.Context, inventory_id: str) -> None:
    """An inventory's list and, once closed, its result."""
    view = _read(ctx, lambda conn: q.inventory_view(conn, inventory_id))
    if view is None:
        fail(f"there is no inventory {inventory_id!r}")
    opts = options(ctx)
    if opts.json:
        emit(opts, view, "")
        return
    lines = [
        f"Inventory {inventory_id} ({view['scope']}), started {view['started_at'][:16]} by "
        f"{view['started_by']}: {len(view['expected'])} of {view['population']} items",
        f"Scanned so far: {len(view['scans'])}",
    ]
    if view["closed_at"]:
        lines.append(
            f"Closed {view['closed_at'][:16]}: {len(view['found'])} found, "
            f"{len(view['missing'])} missing, {len(view['unexpected'])} unexpected"
        )
        lines += [f"  MISSING: {i}" for i in view["missing"]]
        lines += [f"  UNEXPECTED: {i}" for i in view["unexpected"]]
    typer.echo("\n".join(lines))


@inventory_app.command("worksheet")
def worksheet(
    ctx: typer.Context,
    inventory_id: str,
    out: Annotated[Path, typer.Option(help="PDF file to write.", dir_okay=False)],
) -> None:
    """Print the inventory worksheet: every expected item by location, with a box to tick."""
    view = _read(ctx, lambda conn: q.inventory_view(conn, inventory_id))
    if view is None:
        fail(f"there is no inventory {inventory_id!r}")
    out.write_bytes(render.pdf(render.html("inventory.html.j2", inv=view)))
    emit(
        options(ctx),
        {"path": str(out), "items": len(view["items"])},
        f"Wrote the worksheet of {inventory_id} ({len(view['items'])} items) to {out}.",
    )


@item_app.command("overdue")
def overdue(ctx: typer.Context) -> None:
    """Alert: items checked out and not back by their due date."""
    today = datetime.now(UTC).date().isoformat()
    rows = _read(ctx, lambda conn: q.overdue_checkouts(conn, today))
    opts = options(ctx)
    if opts.json:
        emit(opts, rows, "")
        return
    if not rows:
        typer.echo("No check-out is overdue.")
        return
    _table(
        f"OVERDUE check-outs ({len(rows)})",
        ["Item", "Description", "Out to", "Purpose", "Due back", "Custodian"],
        [
            [
                r["item_id"],
                r["description"],
                r["checkout_to"],
                r["checkout_purpose"],
                r["due_back"],
                r["custodian"],
            ]
            for r in rows
        ],
    )
