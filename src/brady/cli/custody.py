"""`brady user|person|location|case|item ...`: custody commands for the people who keep evidence."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ..custody.service import Custody, Session
from ..ledger.entry import Entry
from ..ledger_home import OpenLedger, open_home
from ..store import custody_queries as q
from ..store.home import find_home
from .output import Options, emit, fail, friendly_errors, options

GROUPS = {
    "user": typer.Typer(help="People who use Brady, with their roles.", no_args_is_help=True),
    "person": typer.Typer(help="People involved in cases.", no_args_is_help=True),
    "location": typer.Typer(help="Facilities, rooms, shelves and lockers.", no_args_is_help=True),
    "case": typer.Typer(help="Cases, their numbers, parties and charges.", no_args_is_help=True),
    "item": typer.Typer(help="Evidence items and every step they take.", no_args_is_help=True),
}
user_app, person_app, location_app, case_app, item_app = GROUPS.values()

When = Annotated[
    str | None,
    typer.Option("--occurred-at", help="When it happened, if not now (e.g. 2024-03-06T14:30)."),
]


@contextmanager
def _open(opts: Options, writable: bool) -> Iterator[OpenLedger]:
    with friendly_errors():
        led = open_home(find_home(opts.home), writable=writable)
        try:
            yield led
        finally:
            led.close()


def _record(
    ctx: typer.Context, what: Callable[[Session, str], Entry], say: Callable[[Entry], str]
) -> None:
    """Run one command as the acting user, in one transaction, and say what was recorded."""
    opts = options(ctx)
    with _open(opts, writable=True) as led, friendly_errors(), Custody(led).session() as s:
        entry = what(s, opts.user)
    emit(
        opts,
        {"seq": entry.seq, "kind": entry.kind, "payload": entry.payload},
        f"Recorded: {say(entry)} (ledger entry {entry.seq}).",
    )


def _read(ctx: typer.Context, what: Callable[[Any], Any]) -> Any:
    opts = options(ctx)
    with _open(opts, writable=False) as led, led.engine.connect() as conn:
        return what(conn)


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for c in columns:
        table.add_column(c)
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    Console().print(table)


# -- users, persons, locations ------------------------------------------------------


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    user_id: str,
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[
        list[str],
        typer.Option(
            help="admin, property_clerk, officer, supervisor, "
            "lab_analyst, prosecutor, defense_counsel, judge or auditor."
        ),
    ],
    agency: Annotated[str | None, typer.Option(help="Agency id.")] = None,
) -> None:
    """Add a user; Brady makes their signing key and keeps it sealed."""
    _record(
        ctx,
        lambda s, by: s.add_user(by, user_id, name, role, agency),
        lambda e: f"user {user_id} ({', '.join(role)})",
    )


@user_app.command("list")
def user_list(ctx: typer.Context) -> None:
    """Everyone who can use this ledger."""
    users = _read(ctx, q.list_users)
    opts = options(ctx)
    if opts.json:
        emit(opts, users, "")
        return
    _table(
        "Users",
        ["User", "Name", "Roles"],
        [[u["user_id"], u["name"], ", ".join(u["roles"])] for u in users],
    )


@person_app.command("add")
def person_add(
    ctx: typer.Context,
    person_id: str,
    name: Annotated[str, typer.Option()],
    alias: Annotated[list[str] | None, typer.Option(help="Other names (repeat).")] = None,
    dob: Annotated[str | None, typer.Option(help="Date of birth, YYYY-MM-DD.")] = None,
) -> None:
    """Add a person involved in cases (defendant, witness, victim...)."""
    _record(
        ctx,
        lambda s, by: s.add_person(by, person_id, name, alias or [], dob),
        lambda e: f"person {person_id}, {name}",
    )


@person_app.command("org")
def organization_add(
    ctx: typer.Context,
    org_id: str,
    name: Annotated[str, typer.Option()],
    alias: Annotated[list[str] | None, typer.Option(help="Other names (repeat).")] = None,
    address: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Add an organization involved in cases (a supplier, a company, a lab)."""
    _record(
        ctx,
        lambda s, by: s.add_organization(by, org_id, name, alias or [], address),
        lambda e: f"organization {org_id}, {name}",
    )


@location_app.command("add")
def location_add(
    ctx: typer.Context,
    location_id: str,
    name: Annotated[str, typer.Option()],
    kind: Annotated[str, typer.Option(help="facility, room, shelf, locker or temporary.")],
    parent: Annotated[str | None, typer.Option(help="The location this one is inside.")] = None,
) -> None:
    """Add a place evidence can be kept."""
    _record(
        ctx,
        lambda s, by: s.add_location(by, location_id, name, kind, parent),
        lambda e: f"location {location_id}, {name}",
    )


# -- cases ----------------------------------------------------------------------------


@case_app.command("open")
def case_open(
    ctx: typer.Context,
    case_id: str,
    title: Annotated[str, typer.Option()],
    agency_number: Annotated[list[str] | None, typer.Option(help="Agency case number.")] = None,
    court_number: Annotated[list[str] | None, typer.Option(help="Court case number.")] = None,
    narrative: Annotated[str | None, typer.Option()] = None,
    occurred_at: When = None,
) -> None:
    """Open a case."""
    numbers = [{"kind": "agency", "number": n} for n in agency_number or []]
    numbers += [{"kind": "court", "number": n} for n in court_number or []]
    _record(
        ctx,
        lambda s, by: s.open_case(by, case_id, title, numbers, None, narrative, occurred_at),
        lambda e: f"case {case_id} opened",
    )


@case_app.command("party")
def case_party(
    ctx: typer.Context,
    case_id: str,
    person_id: str,
    role: Annotated[str, typer.Option()],
    occurred_at: When = None,
) -> None:
    """Add a person to a case in a role."""
    _record(
        ctx,
        lambda s, by: s.add_party(by, case_id, person_id, role, occurred_at),
        lambda e: f"{person_id} is a {role} in case {case_id}",
    )


@case_app.command("charge")
def case_charge(
    ctx: typer.Context,
    case_id: str,
    person_id: str,
    charge: Annotated[list[str], typer.Option(help="A charge (repeat).")],
    on: Annotated[str, typer.Option(help="Date charged, YYYY-MM-DD.")],
    occurred_at: When = None,
) -> None:
    """Charge a defendant: this starts the discovery clock."""
    _record(
        ctx,
        lambda s, by: s.charge(by, case_id, person_id, charge, on, occurred_at),
        lambda e: f"{person_id} charged in case {case_id}",
    )


@case_app.command("arraign")
def case_arraign(
    ctx: typer.Context,
    case_id: str,
    person_id: str,
    on: Annotated[str, typer.Option(help="Date, YYYY-MM-DD.")],
    occurred_at: When = None,
) -> None:
    """Record an arraignment."""
    _record(
        ctx,
        lambda s, by: s.arraign(by, case_id, person_id, on, occurred_at),
        lambda e: f"{person_id} arraigned in case {case_id}",
    )


@case_app.command("close")
def case_close(
    ctx: typer.Context,
    case_id: str,
    reason: Annotated[str, typer.Option()],
    occurred_at: When = None,
) -> None:
    """Close a case."""
    _record(
        ctx,
        lambda s, by: s.close_case(by, case_id, reason, occurred_at),
        lambda e: f"case {case_id} closed",
    )


@case_app.command("show")
def case_show(ctx: typer.Context, case_id: str) -> None:
    """A case: its numbers, parties, defendants and items."""
    view = _read(ctx, lambda conn: q.case_view(conn, case_id))
    if view is None:
        fail(f"there is no case {case_id!r}")
    opts = options(ctx)
    if opts.json:
        emit(opts, view, "")
        return
    typer.echo(f"Case {view['case_id']}: {view['title']} ({view['status']})")
    typer.echo(f"Numbers: {', '.join(view['numbers']) or 'none'}")
    for d in view["defendants"]:
        arr = f", arraigned {d['arraigned_on']}" if d["arraigned_on"] else ""
        typer.echo(
            f"Defendant {d['person_id']}: charged {d['charged_on']}{arr}: {'; '.join(d['charges'])}"
        )
    _table(
        "Parties",
        ["Person", "Name", "Role"],
        [[p["person_id"], p["name"], p["role"]] for p in view["parties"]],
    )
    _table(
        "Items",
        ["Item", "Category", "Description", "Status", "Held by"],
        [
            [i["item_id"], i["category"], i["description"], i["status"], i["custodian"]]
            for i in view["items"]
        ],
    )


@case_app.command("list")
def case_list(ctx: typer.Context) -> None:
    """All cases."""
    cases = _read(ctx, q.list_cases)
    opts = options(ctx)
    if opts.json:
        emit(opts, cases, "")
        return
    _table(
        "Cases",
        ["Case", "Title", "Status", "Numbers"],
        [[c["case_id"], c["title"], c["status"], ", ".join(c["numbers"])] for c in cases],
    )


# -- items ----------------------------------------------------------------------------


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
    ctx: typer.Context, item_id: str, reason: Annotated[str, typer.Option()]
) -> None:
    """Take back a hand-over the receiver never acknowledged."""
    _record(
        ctx,
        lambda s, by: s.cancel_transfer(by, item_id, reason),
        lambda e: f"transfer of {item_id} cancelled",
    )


@item_app.command("dispose-withdraw")
def item_dispose_withdraw(
    ctx: typer.Context, item_id: str, reason: Annotated[str, typer.Option()]
) -> None:
    """Withdraw a pending disposition request."""
    _record(
        ctx,
        lambda s, by: s.withdraw_disposition(by, item_id, reason),
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
) -> None:
    """Ask for an item to be disposed of (a supervisor must approve)."""
    _record(
        ctx,
        lambda s, by: s.request_disposition(by, item_id, method, reason),
        lambda e: f"disposition of {item_id} requested",
    )


@item_app.command("dispose-approve")
def item_dispose_approve(ctx: typer.Context, item_id: str) -> None:
    """Approve a requested disposition."""
    _record(
        ctx,
        lambda s, by: s.approve_disposition(by, item_id),
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


@item_app.command("show")
def item_show(ctx: typer.Context, item_id: str) -> None:
    """Who has it, where it is, since when, and which cases it belongs to."""
    view = _read(ctx, lambda conn: q.item_view(conn, item_id))
    if view is None:
        fail(f"there is no item {item_id!r}")
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
def item_history(ctx: typer.Context, item_id: str) -> None:
    """Every event in an item's chain of custody."""
    events = _read(ctx, lambda conn: q.item_history(conn, item_id))
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


lab_app = typer.Typer(help="Lab requests and results.", no_args_is_help=True)
GROUPS["lab"] = lab_app


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
) -> None:
    """Correct a field of an earlier intake; the original entry stays on the ledger."""
    _record(
        ctx,
        lambda s, by: s.correct(by, entry, field, value, reason),
        lambda e: f"correction of entry {entry}: {field} is now {value!r}",
    )
