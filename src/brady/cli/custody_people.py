"""`brady user add|list`, `brady person add|org`, `brady location add`: the people and
places the custody record names."""

from __future__ import annotations

from typing import Annotated

import typer

from ..store import custody_queries as q
from .custody_common import _read, _record, _table, agency_app, location_app, person_app, user_app
from .output import emit, options


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


@agency_app.command("add")
def agency_add(
    ctx: typer.Context,
    agency_id: str,
    name: Annotated[str, typer.Option()],
    case_number_format: Annotated[
        list[str] | None,
        typer.Option(
            help="KIND=PATTERN: how the agency writes its agency or court case numbers "
            "(e.g. agency='SO-\\d{2}-\\d{3}'); repeat for each kind."
        ),
    ] = None,
) -> None:
    """Add an agency: its staff see and act on its own cases and items."""
    formats = {}
    for pair in case_number_format or []:
        kind, sep, pattern = pair.partition("=")
        if not sep or not pattern:
            raise typer.BadParameter(
                f"{pair!r} is not KIND=PATTERN", param_hint="--case-number-format"
            )
        formats[kind.strip()] = pattern
    _record(
        ctx,
        lambda s, by: s.add_agency(by, agency_id, name, formats),
        lambda e: f"agency {agency_id}, {name}",
    )
