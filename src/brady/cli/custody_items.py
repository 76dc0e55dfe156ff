"""`brady item ...` (intake, every custody step, views, corrections) and `brady lab
request|result`: what happens to the evidence itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.engine import Connection

from ..access.policy import Caller
from ..custody import reads
from ..store import custody_queries as q
from .custody_common import When, _read, _read_as, _record, _table, item_app, lab_app
from .moments import AsOf, AsRecorded, late_lines, read_at, say_left_out
from .output import emit, fail, options

T = TypeVar("T")


@item_app.command("intake")
def item_intake(
    ctx: typer.Context,
    category: Annotated[
        str,
        typer.Option(
            help="firearm, ammunition, drugs, money, biological, "
            "document, digital_media, electronic_file or other."
        ),
    ],
    description: Annotated[str, typer.Option()],
    location: Annotated[str, typer.Option(help="Where it is stored.")],
    case: Annotated[list[str] | None, typer.Option(help="Case it is filed under (repeat).")] = None,
    quantity: Annotated[int, typer.Option(min=1)] = 1,
    make: Annotated[str | None, typer.Option()] = None,
    model: Annotated[str | None, typer.Option()] = None,
    serial: Annotated[str | None, typer.Option()] = None,
    caliber: Annotated[str | None, typer.Option()] = None,
    packaging: Annotated[str | None, typer.Option()] = None,
    seal: Annotated[list[str] | None, typer.Option(help="Seal number (repeat).")] = None,
    found_at: Annotated[str | None, typer.Option(help="Where it was found.")] = None,
    received_from: Annotated[str | None, typer.Option(help="Who handed it over.")] = None,
    narrative: Annotated[str | None, typer.Option(help="The intake report.")] = None,
    custodian: Annotated[str | None, typer.Option(help="Who holds it (default: you).")] = None,
    item_id: Annotated[
        str | None, typer.Option(help="Barcode id (default: the next ITM-).")
    ] = None,
    occurred_at: When = None,
) -> None:
    """Take an item into custody."""
    fields = {
        "category": category,
        "description": description,
        "location_id": location,
        "case_ids": case or [],
        "quantity": quantity,
        "make": make,
        "model": model,
        "serial": serial,
        "caliber": caliber,
        "packaging": packaging,
        "seals": seal or [],
        "found_at": found_at,
        "received_from": received_from,
        "narrative": narrative,
        "custodian": custodian,
        "item_id": item_id,
        "occurred_at": occurred_at,
    }
    _record(
        ctx,
        lambda s, by: s.intake(by, **{k: v for k, v in fields.items() if v is not None}),
        lambda e: f"item {e.payload['item_id']} taken in at {location}",
    )


@item_app.command("transfer")
def item_transfer(
    ctx: typer.Context,
    item_id: str,
    to: Annotated[str, typer.Option()],
    reason: Annotated[str | None, typer.Option()] = None,
    occurred_at: When = None,
) -> None:
    """Hand an item to another user (they must then `brady item receive` it)."""
    _record(
        ctx,
        lambda s, by: s.transfer(by, item_id, to, reason, occurred_at),
        lambda e: f"{item_id} handed to {to}, waiting for them to receive it",
    )


@item_app.command("receive")
def item_receive(ctx: typer.Context, item_id: str, occurred_at: When = None) -> None:
    """Acknowledge receipt of an item transferred to you."""
    _record(ctx, lambda s, by: s.receive(by, item_id, occurred_at), lambda e: f"{item_id} received")


@item_app.command("cancel-transfer")
def item_cancel_transfer(
    ctx: typer.Context,
    item_id: str,
    reason: Annotated[str, typer.Option()],
    occurred_at: When = None,
) -> None:
    """Take back a hand-over the receiver never acknowledged."""
    _record(
        ctx,
        lambda s, by: s.cancel_transfer(by, item_id, reason, occurred_at),
        lambda e: f"transfer of {item_id} cancelled",
    )


@item_app.command("dispose-withdraw")
def item_dispose_withdraw(
    ctx: typer.Context,
    item_id: str,
    reason: Annotated[str, typer.Option()],
    occurred_at: When = None,
) -> None:
    """Withdraw a pending disposition request."""
    _record(
        ctx,
        lambda s, by: s.withdraw_disposition(by, item_id, reason, occurred_at),
        lambda e: f"disposition of {item_id} withdrawn",
    )


@item_app.command("checkout")
def item_checkout(
    ctx: typer.Context,
    item_id: str,
    to: Annotated[str, typer.Option()],
    purpose: Annotated[str, typer.Option(help="lab, court, review or other.")],
    due: Annotated[str, typer.Option(help="Due back, YYYY-MM-DD.")],
    occurred_at: When = None,
) -> None:
    """Check an item out to a lab, a court or a reviewer."""
    _record(
        ctx,
        lambda s, by: s.checkout(by, item_id, to, purpose, due, occurred_at),
        lambda e: f"{item_id} checked out to {to} until {due}",
    )


@item_app.command("checkin")
def item_checkin(
    ctx: typer.Context,
    item_id: str,
    location: Annotated[str, typer.Option()],
    condition: Annotated[str, typer.Option()],
    seal_broken: Annotated[bool, typer.Option(help="The seal was not intact.")] = False,
    occurred_at: When = None,
) -> None:
    """Check an item back in."""
    _record(
        ctx,
        lambda s, by: s.checkin(by, item_id, location, condition, not seal_broken, occurred_at),
        lambda e: f"{item_id} checked in at {location}",
    )


@item_app.command("move")
def item_move(
    ctx: typer.Context,
    item_id: str,
    location: Annotated[str, typer.Option()],
    occurred_at: When = None,
) -> None:
    """Move an item to another location."""
    _record(
        ctx,
        lambda s, by: s.move(by, item_id, location, occurred_at),
        lambda e: f"{item_id} moved to {location}",
    )


@item_app.command("split")
def item_split(
    ctx: typer.Context,
    item_id: str,
    quantity: Annotated[int, typer.Option(min=1)],
    description: Annotated[str, typer.Option()],
    new_id: Annotated[str | None, typer.Option()] = None,
    occurred_at: When = None,
) -> None:
    """Take part of an item out as a new item that keeps its lineage."""
    _record(
        ctx,
        lambda s, by: s.split(by, item_id, quantity, description, new_id, occurred_at),
        lambda e: f"{e.payload['new_item_id']} split from {item_id}",
    )


@item_app.command("file")
def item_file(
    ctx: typer.Context,
    item_id: str,
    case: Annotated[str, typer.Option()],
    reason: Annotated[str, typer.Option()],
    occurred_at: When = None,
) -> None:
    """File an item under another case as well."""
    _record(
        ctx,
        lambda s, by: s.file_case(by, item_id, case, reason, occurred_at),
        lambda e: f"{item_id} filed under case {case}",
    )


@item_app.command("dispose-request")
def item_dispose_request(
    ctx: typer.Context,
    item_id: str,
    method: Annotated[str, typer.Option(help="returned, destroyed, released.")],
    reason: Annotated[str, typer.Option()],
    occurred_at: When = None,
) -> None:
    """Ask for an item to be disposed of (a supervisor must approve)."""
    _record(
        ctx,
        lambda s, by: s.request_disposition(by, item_id, method, reason, occurred_at),
        lambda e: f"disposition of {item_id} requested",
    )


@item_app.command("dispose-approve")
def item_dispose_approve(ctx: typer.Context, item_id: str, occurred_at: When = None) -> None:
    """Approve a requested disposition."""
    _record(
        ctx,
        lambda s, by: s.approve_disposition(by, item_id, occurred_at),
        lambda e: f"disposition of {item_id} approved",
    )


@item_app.command("dispose")
def item_dispose(
    ctx: typer.Context,
    item_id: str,
    method: Annotated[str, typer.Option(help="returned, destroyed, released.")],
    to: Annotated[str | None, typer.Option(help="Returned or released to.")] = None,
    occurred_at: When = None,
) -> None:
    """Carry out an approved disposition."""
    _record(
        ctx,
        lambda s, by: s.dispose(by, item_id, method, to, occurred_at),
        lambda e: f"{item_id} {method}",
    )


def _item_read(
    ctx: typer.Context,
    item_id: str,
    dated: str | None,
    recorded: str | None,
    read: Callable[[Connection, Caller | None], T],
) -> T:
    """An item read now (shaped to the --as user), or as the record stood (the operator's;
    which view, and the item's steps recorded late, are said on stderr)."""
    if dated is None and recorded is None:
        return _read_as(ctx, f"item:{item_id}", read)  # type: ignore[no-any-return]
    found, seen = read_at(
        ctx, dated, recorded, lambda conn, _day, _zone: read(conn, None), f"item:{item_id}"
    )
    typer.echo(seen.said, err=True)
    say_left_out(seen)
    for line in late_lines(seen, lambda late: f"item:{item_id}" in late.subjects):
        typer.echo(f"  recorded late: {line}", err=True)
    return found


@item_app.command("show")
def item_show(
    ctx: typer.Context, item_id: str, as_of: AsOf = None, as_recorded: AsRecorded = None
) -> None:
    """Who has it, where it is, since when, and which cases it belongs to (now, or as the
    record stood)."""
    view = _item_read(
        ctx, item_id, as_of, as_recorded, lambda conn, c: reads.item_view(conn, c, item_id)
    )
    opts = options(ctx)
    if opts.json:
        emit(opts, view, "")
        return
    status = {
        "in_custody": "In custody",
        "in_transfer": f"Being handed to {view['pending_to']}",
        "checked_out": f"Checked out to {view['checkout_to']} ({view['checkout_purpose']}), "
        f"due back {view['due_back']}",
        "disposed": f"Disposed of ({view['disposition_method']})",
    }[view["status"]]
    if view["location_id"]:
        where = f"{view['location_name']} ({view['location_id']})"
    elif view["status"] == "in_custody":
        where = f"in the hands of {view['custodian_name']}, not on a shelf"
    else:
        where = "-"
    rows: list[tuple[str, str]] = [
        ("Status", status),
        ("Held by", f"{view['custodian_name']} ({view['custodian']}) since {view['since']}"),
        ("Where", where),
    ]
    rows += [
        ("Case", f"{c['case_id']} {c['title']} [{c['status']}] {', '.join(c['numbers'])}")
        for c in view["cases"]
    ]
    for key in ("make", "model", "serial", "caliber", "packaging", "found_at", "received_from"):
        if view[key]:
            rows.append((key.replace("_", " ").capitalize(), str(view[key])))
    if view["seals"]:
        rows.append(("Seals", ", ".join(view["seals"])))
    if view["parent_id"]:
        rows.append(("Split from", view["parent_id"]))
    if view["children"]:
        rows.append(("Split into", ", ".join(view["children"])))
    rows += [
        ("File", f"{f['name']} ({f['size']} bytes, sha256 {f['sha256']})") for f in view["files"]
    ]
    lines = [
        f"{view['item_id']}: {view['description']} "
        f"({view['category']}, quantity {view['quantity']})"
    ]
    lines += [f"{label + ':':<15}{value}" for label, value in rows]
    typer.echo("\n".join(lines))


@item_app.command("history")
def item_history(
    ctx: typer.Context, item_id: str, as_of: AsOf = None, as_recorded: AsRecorded = None
) -> None:
    """Every event in an item's chain of custody (now, or as the record stood)."""
    events = _item_read(
        ctx, item_id, as_of, as_recorded, lambda conn, c: reads.item_history(conn, c, item_id)
    )
    if not events:
        fail(f"there is no item {item_id!r}")
    opts = options(ctx)
    if opts.json:
        emit(opts, events, "")
        return
    _table(
        f"Chain of custody of {item_id}",
        ["Entry", "When", "What", "By"],
        [[e["seq"], e["occurred_at"], e["kind"], e["actor"]] for e in events],
    )


@item_app.command("list")
def item_list(
    ctx: typer.Context,
    case: Annotated[str | None, typer.Option(help="Only this case's items.")] = None,
    status: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Items, by case or status."""
    items = _read(ctx, lambda conn: q.list_items(conn, case, status))
    opts = options(ctx)
    if opts.json:
        emit(opts, items, "")
        return
    _table(
        "Items",
        ["Item", "Category", "Description", "Status", "Held by", "Where", "Since"],
        [
            [
                i["item_id"],
                i["category"],
                i["description"],
                i["status"],
                i["custodian"],
                i["location_id"],
                i["since"],
            ]
            for i in items
        ],
    )


@lab_app.command("request")
def lab_request(
    ctx: typer.Context,
    request_id: str,
    lab: Annotated[str, typer.Option()],
    item: Annotated[list[str], typer.Option(help="Item to examine (repeat).")],
    examinations: Annotated[str, typer.Option(help="What the lab is asked to do.")],
    occurred_at: When = None,
) -> None:
    """Ask a lab to examine items (check them out to the lab as well)."""
    _record(
        ctx,
        lambda s, by: s.lab_request(by, request_id, lab, item, examinations, occurred_at),
        lambda e: f"lab request {request_id} to {lab} for {', '.join(item)}",
    )


@lab_app.command("result")
def lab_result(
    ctx: typer.Context,
    request_id: str,
    findings: Annotated[str, typer.Option()],
    report_sha256: Annotated[
        str | None, typer.Option(help="SHA-256 of the lab report file, once attached to an item.")
    ] = None,
    occurred_at: When = None,
) -> None:
    """Record a lab's findings."""
    _record(
        ctx,
        lambda s, by: s.lab_result(by, request_id, findings, report_sha256, occurred_at),
        lambda e: f"result of lab request {request_id}",
    )


@item_app.command("correct")
def item_correct(
    ctx: typer.Context,
    entry: Annotated[int, typer.Argument(min=0)],
    field: Annotated[str, typer.Option()],
    value: Annotated[str, typer.Option()],
    reason: Annotated[str, typer.Option()],
    occurred_at: When = None,
) -> None:
    """Correct a field of an earlier intake; the original entry stays on the ledger."""
    _record(
        ctx,
        lambda s, by: s.correct(by, entry, field, value, reason, occurred_at),
        lambda e: f"correction of entry {entry}: {field} is now {value!r}",
    )
