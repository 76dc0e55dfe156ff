"""`brady case open|party|charge|arraign|close|show|list`: cases, their numbers, parties
and charges."""

from __future__ import annotations

from typing import Annotated

import typer

from ..custody import reads
from ..store import custody_queries as q
from .custody_common import When, _read, _read_as, _record, _table, case_app
from .moments import AsOf, AsRecorded, Moment, as_json, late_lines, read_at
from .output import emit, options


@case_app.command("open")
def case_open(
    ctx: typer.Context,
    case_id: str,
    title: Annotated[str, typer.Option()],
    agency_number: Annotated[list[str] | None, typer.Option(help="Agency case number.")] = None,
    court_number: Annotated[list[str] | None, typer.Option(help="Court case number.")] = None,
    narrative: Annotated[str | None, typer.Option()] = None,
    agency: Annotated[str | None, typer.Option(help="The agency whose case it is.")] = None,
    occurred_at: When = None,
) -> None:
    """Open a case."""
    numbers = [{"kind": "agency", "number": n} for n in agency_number or []]
    numbers += [{"kind": "court", "number": n} for n in court_number or []]
    _record(
        ctx,
        lambda s, by: s.open_case(by, case_id, title, numbers, agency, narrative, occurred_at),
        lambda e: f"case {case_id} opened",
    )


@case_app.command("number")
def case_number(
    ctx: typer.Context,
    case_id: str,
    number: Annotated[str, typer.Option(help="The number, as the agency or court writes it.")],
    kind: Annotated[str, typer.Option(help="agency or court.")] = "court",
    occurred_at: When = None,
) -> None:
    """Give a case another number (a re-indictment, a court's own number)."""
    _record(
        ctx,
        lambda s, by: s.add_case_number(by, case_id, kind, number, occurred_at),
        lambda e: f"case {case_id} is also {kind} case {number}",
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
def case_show(
    ctx: typer.Context, case_id: str, as_of: AsOf = None, as_recorded: AsRecorded = None
) -> None:
    """A case: its numbers, parties, defendants and items (now, or as it stood)."""
    if as_of is None and as_recorded is None:
        view = _read_as(ctx, f"case:{case_id}", lambda conn, c: reads.case_view(conn, c, case_id))
        seen = Moment()
    else:
        view, seen = read_at(
            ctx,
            as_of,
            as_recorded,
            lambda conn, _day, _zone: reads.case_view(conn, None, case_id),
            f"case:{case_id}",
        )
    opts = options(ctx)
    if opts.json:
        emit(opts, {**view, **as_json(seen)}, "")
        return
    if seen.said:
        typer.echo(seen.said)
        for line in late_lines(seen, lambda late: f"case:{case_id}" in late.subjects):
            typer.echo(f"  recorded late: {line}")
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
