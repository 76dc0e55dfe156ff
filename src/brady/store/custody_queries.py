"""Reading custody state from the projections: snapshots for rules, views for people."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, or_, select
from sqlalchemy.engine import Connection

from ..domain.rules import ItemState, UserState
from ..domain.vocabulary import HIGH_RISK
from . import intake_checks
from .custody_tables import (
    agency,
    app_user,
    case_file,
    case_number,
    case_party,
    defendant,
    inventory,
    inventory_scan,
    item,
    item_case,
    item_event,
    item_file,
    location,
    person,
)
from .raw_sql import fetch_all, fetch_pipelined

_USER = "SELECT user_id, name, roles FROM app_user WHERE user_id = ?"


def _user(rows: list[tuple[Any, ...]]) -> UserState | None:
    if not rows:
        return None
    uid, name, roles = rows[0]
    return UserState(str(uid), str(name), frozenset(json.loads(roles)))


def user_state(conn: Connection, user_id: str) -> UserState | None:
    # Raw SQL: read for every command, where building the statement cost more than running it.
    return _user(fetch_all(conn, _USER, (user_id,)))


def user_and_key(
    conn: Connection, user_id: str, key_query: tuple[str, Sequence[Any]]
) -> tuple[UserState | None, list[tuple[Any, ...]]]:
    """The user and the rows of `key_query` (the user's newest key), asked together: a
    command reads who gives it and, to sign, that user's key (one round trip on PostgreSQL)."""
    users, keys = fetch_pipelined(conn, [(_USER, (user_id,)), key_query])
    return _user(users), keys


def item_category(conn: Connection, item_id: str) -> str | None:
    """An item's category (firearm, narcotics, digital...): it sets how long its files are
    kept under an evidence store's retention."""
    rows = fetch_all(conn, "SELECT category FROM item WHERE item_id = ?", (item_id,))
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


def item_state(conn: Connection, item_id: str) -> ItemState | None:
    rows, cases = fetch_pipelined(  # one round trip on PostgreSQL
        conn,
        [
            (
                "SELECT item_id, status, custodian, pending_to, location_id, quantity, "
                "disposition, disposition_requested_by, disposition_method FROM item "
                "WHERE item_id = ?",
                (item_id,),
            ),
            ("SELECT case_id FROM item_case WHERE item_id = ? ORDER BY case_id", (item_id,)),
        ],
    )
    if not rows:
        return None
    item_id_, status, custodian, pending_to, location_id, quantity, disp, by, method = rows[0]
    return ItemState(
        item_id_,
        status,
        custodian,
        pending_to,
        location_id,
        int(quantity),
        disp,
        by,
        tuple(c for (c,) in cases),
        method,
    )


def has_row(conn: Connection, table: Table, **where: Any) -> bool:
    """Whether a row with these column values exists (column names from the table itself)."""
    names = [table.c[name].name for name in sorted(where)]  # KeyError for a wrong name
    condition = " AND ".join(f"{name} = ?" for name in names)
    return bool(
        fetch_all(
            conn, f"SELECT 1 FROM {table.name} WHERE {condition} LIMIT 1", [where[n] for n in names]
        )
    )


def has_file(conn: Connection, item_id: str, sha256: str) -> bool:
    """Whether the file is attached to this item."""
    return has_row(conn, item_file, item_id=item_id, sha256=sha256)


def exists(conn: Connection, table: Table, value: str) -> bool:
    """Whether a row with this primary key exists (single-column keys)."""
    return has_row(conn, table, **{next(iter(table.primary_key.columns)).name: value})


def case_for_number(conn: Connection, kind: str, number: str) -> str | None:
    return conn.execute(
        select(case_number.c.case_id).where(
            case_number.c.kind == kind, case_number.c.number == number
        )
    ).scalar()


def open_cases(conn: Connection, case_ids: tuple[str, ...]) -> list[str]:
    if not case_ids:
        return []
    rows = conn.execute(
        select(case_file.c.case_id).where(
            case_file.c.case_id.in_(case_ids), case_file.c.status != "closed"
        )
    )
    return sorted(r.case_id for r in rows)


def next_item_id(conn: Connection) -> str:
    """ITM-000001, ITM-000002, ...: read under the write lock, so two intakes never collide."""
    return intake_checks.item_numbers(conn).next()


def row_dict(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


def item_view(conn: Connection, item_id: str) -> dict[str, Any] | None:
    """Everything `brady item show` says about an item: who, where, since when, which cases."""
    row = conn.execute(select(item).where(item.c.item_id == item_id)).first()
    if row is None:
        return None
    view = row_dict(row)
    view["seals"] = json.loads(view["seals"])
    holder = conn.execute(
        select(app_user.c.name).where(app_user.c.user_id == row.custodian)
    ).scalar()
    view["custodian_name"] = holder or row.custodian
    view["location_name"] = (
        conn.execute(
            select(location.c.name).where(location.c.location_id == row.location_id)
        ).scalar()
        if row.location_id
        else None
    )
    cases = conn.execute(
        select(case_file.c.case_id, case_file.c.title, case_file.c.status)
        .join(item_case, item_case.c.case_id == case_file.c.case_id)
        .where(item_case.c.item_id == item_id)
        .order_by(case_file.c.case_id)
    ).all()
    view["cases"] = [
        {
            "case_id": c.case_id,
            "title": c.title,
            "status": c.status,
            "numbers": case_numbers(conn, c.case_id),
        }
        for c in cases
    ]
    view["files"] = [
        row_dict(f)
        for f in conn.execute(
            select(item_file).where(item_file.c.item_id == item_id).order_by(item_file.c.seq)
        )
    ]
    view["children"] = list(
        conn.execute(
            select(item.c.item_id).where(item.c.parent_id == item_id).order_by(item.c.item_id)
        ).scalars()
    )
    return view


def case_numbers(conn: Connection, case_id: str) -> list[str]:
    rows = conn.execute(
        select(case_number.c.kind, case_number.c.number)
        .where(case_number.c.case_id == case_id)
        .order_by(case_number.c.kind, case_number.c.number)
    )
    return [f"{r.kind} {r.number}" for r in rows]


def item_history(conn: Connection, item_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(item_event).where(item_event.c.item_id == item_id).order_by(item_event.c.seq)
    )
    return [row_dict(r) for r in rows]


def case_view(conn: Connection, case_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(case_file).where(case_file.c.case_id == case_id)).first()
    if row is None:
        return None
    view = row_dict(row)
    view["numbers"] = case_numbers(conn, case_id)
    view["parties"] = [
        {"person_id": r.person_id, "name": r.name, "role": r.role}
        for r in conn.execute(
            select(case_party.c.person_id, case_party.c.role, person.c.name)
            .join(person, person.c.person_id == case_party.c.person_id)
            .where(case_party.c.case_id == case_id)
            .order_by(case_party.c.role, person.c.name)
        )
    ]
    view["defendants"] = [
        {**row_dict(r), "charges": json.loads(r.charges)}
        for r in conn.execute(select(defendant).where(defendant.c.case_id == case_id))
    ]
    view["items"] = [
        row_dict(r)
        for r in conn.execute(
            select(
                item.c.item_id, item.c.category, item.c.description, item.c.status, item.c.custodian
            )
            .join(item_case, item_case.c.item_id == item.c.item_id)
            .where(item_case.c.case_id == case_id)
            .order_by(item.c.item_id)
        )
    ]
    return view


def list_items(
    conn: Connection, case_id: str | None = None, status: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    query = select(
        item.c.item_id,
        item.c.category,
        item.c.description,
        item.c.status,
        item.c.custodian,
        item.c.location_id,
        item.c.since,
    )
    if case_id is not None:
        query = query.join(item_case, item_case.c.item_id == item.c.item_id).where(
            item_case.c.case_id == case_id
        )
    if status is not None:
        query = query.where(item.c.status == status)
    return [row_dict(r) for r in conn.execute(query.order_by(item.c.item_id).limit(limit))]


def list_cases(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(case_file.c.case_id, case_file.c.title, case_file.c.status).order_by(
            case_file.c.case_id
        )
    )
    return [{**row_dict(r), "numbers": case_numbers(conn, r.case_id)} for r in rows]


def list_users(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(app_user).order_by(app_user.c.user_id))
    return [{**row_dict(r), "roles": json.loads(r.roles)} for r in rows]


def of_agency(column: Any, agency_id: str | None) -> ColumnElement[bool]:
    """`column` names this agency (or none, for users and cases of no agency)."""
    return column.is_(None) if agency_id is None else column == agency_id  # type: ignore[no-any-return]


def agency_items(agency_id: str | None) -> ColumnElement[bool]:
    """Items an agency's staff work (access policy's rule, as SQL): taken in by one of its
    users, or filed under one of its cases."""
    same_user = of_agency(app_user.c.agency_id, agency_id)
    same_case = of_agency(case_file.c.agency_id, agency_id)
    took_in = (
        select(item_event.c.item_id)
        .join(app_user, app_user.c.user_id == item_event.c.actor)
        .where(and_(item_event.c.kind == "item.intake", same_user))
    )
    filed = select(item_case.c.item_id).where(
        item_case.c.case_id.in_(select(case_file.c.case_id).where(same_case))
    )
    return or_(item.c.item_id.in_(took_in), item.c.item_id.in_(filed))


def items_in_custody(
    conn: Connection,
    location_id: str | None,
    high_risk_only: bool,
    agency_id: str | None,
    *,
    every_agency: bool = False,
) -> list[str]:
    """Ids of an agency's items in the property room, at a location and the locations inside
    it. Only the agency's own (a shelf may be shared, its inventory is not), unless
    `every_agency` (an administrator's inventory, or one recorded before agencies)."""
    query = select(item.c.item_id).where(
        item.c.status == "in_custody", item.c.location_id.is_not(None)
    )
    if not every_agency:
        query = query.where(agency_items(agency_id))
    if location_id is not None:
        query = query.where(item.c.location_id.in_(location_tree(conn, location_id)))
    if high_risk_only:
        query = query.where(item.c.category.in_(sorted(str(c) for c in HIGH_RISK)))
    return sorted(conn.execute(query).scalars())


def inventories(conn: Connection, agency_id: str | None, limit: int = 50) -> list[Any]:
    """An agency's inventories, newest first."""
    same = (
        app_user.c.agency_id.is_(None) if agency_id is None else app_user.c.agency_id == agency_id
    )
    return list(
        conn.execute(
            select(
                inventory.c.inventory_id,
                inventory.c.scope,
                inventory.c.location_id,
                inventory.c.started_at,
                inventory.c.closed_at,
            )
            .select_from(inventory.join(app_user, app_user.c.user_id == inventory.c.started_by))
            .where(same)
            .order_by(inventory.c.started_at.desc())
            .limit(limit)
        )
    )


def user_agency(conn: Connection, user_id: str) -> str | None:
    return conn.execute(select(app_user.c.agency_id).where(app_user.c.user_id == user_id)).scalar()


def inventory_agency(conn: Connection, inventory_id: str) -> tuple[bool, str | None]:
    """(whether the inventory exists, the agency of the user who started it)."""
    row = conn.execute(
        select(app_user.c.agency_id)
        .select_from(inventory.outerjoin(app_user, app_user.c.user_id == inventory.c.started_by))
        .where(inventory.c.inventory_id == inventory_id)
    ).first()
    return (False, None) if row is None else (True, row.agency_id)


def location_tree(conn: Connection, location_id: str) -> list[str]:
    children: dict[str | None, list[str]] = {}
    for r in conn.execute(select(location.c.location_id, location.c.parent_id)):
        children.setdefault(r.parent_id, []).append(r.location_id)
    out, todo = [], [location_id]
    while todo:
        here = todo.pop()
        out.append(here)
        todo.extend(children.get(here, []))
    return sorted(out)


def inventory_view(conn: Connection, inventory_id: str) -> dict[str, Any] | None:
    """What the inventory expected and found, and whose it is (`agency_id`). A scanned item
    of another agency is shown by its id only (it is unexpected here, and its state is
    that agency's business)."""
    row = conn.execute(select(inventory).where(inventory.c.inventory_id == inventory_id)).first()
    if row is None:
        return None
    _, agency_id = inventory_agency(conn, inventory_id)  # whose items it expects
    view = row_dict(row)
    view["agency_id"] = agency_id
    for key in ("expected", "found", "missing", "unexpected"):
        view[key] = json.loads(view[key]) if view[key] is not None else None
    ours = set(
        conn.execute(
            select(inventory_scan.c.item_id).where(
                inventory_scan.c.inventory_id == inventory_id,
                inventory_scan.c.item_id.in_(select(item.c.item_id).where(agency_items(agency_id))),
            )
        ).scalars()
    )
    view["scans"] = [
        {**row_dict(r), **({} if r.item_id in ours else {"status_then": None})}
        for r in conn.execute(
            select(inventory_scan)
            .where(inventory_scan.c.inventory_id == inventory_id)
            .order_by(inventory_scan.c.seq)
        )
    ]
    view["items"] = [
        row_dict(r)
        for r in conn.execute(
            select(item.c.item_id, item.c.category, item.c.description, item.c.location_id)
            .where(item.c.item_id.in_(view["expected"]))
            .order_by(item.c.location_id, item.c.item_id)
        )
    ]
    return view


def overdue_checkouts(conn: Connection, today: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(
            item.c.item_id,
            item.c.description,
            item.c.checkout_to,
            item.c.checkout_purpose,
            item.c.due_back,
            item.c.custodian,
        )
        .where(item.c.status == "checked_out", item.c.due_back < today)
        .order_by(item.c.due_back, item.c.item_id)
    )
    return [row_dict(r) for r in rows]


def agency_formats(conn: Connection, agency_id: str) -> dict[str, str] | None:
    formats = conn.execute(select(agency.c.formats).where(agency.c.agency_id == agency_id)).scalar()
    return None if formats is None else dict(json.loads(formats))


def lab_has_result(conn: Connection, request_id: str) -> bool:
    rows = fetch_all(conn, "SELECT result_at FROM lab_request WHERE request_id = ?", (request_id,))
    return bool(rows) and rows[0][0] is not None


def case_is_open(conn: Connection, case_id: str) -> bool | None:
    """True or False for an existing case, None when there is no such case."""
    rows = fetch_all(conn, "SELECT status FROM case_file WHERE case_id = ?", (case_id,))
    return None if not rows else rows[0][0] != "closed"


def latest_event_time(conn: Connection, item_id: str) -> str | None:
    rows = fetch_all(conn, "SELECT max(occurred_at) FROM item_event WHERE item_id = ?", (item_id,))
    return rows[0][0] if rows else None


def latest_item_step(conn: Connection) -> tuple[str, str] | None:
    """(when, item) of the latest step of any item, by event time."""
    rows = fetch_all(
        conn, "SELECT occurred_at, item_id FROM item_event ORDER BY occurred_at DESC LIMIT 1"
    )
    return (str(rows[0][0]), str(rows[0][1])) if rows else None


def lab_request_items(conn: Connection, request_id: str) -> list[str]:
    rows = fetch_all(conn, "SELECT item_ids FROM lab_request WHERE request_id = ?", (request_id,))
    return list(json.loads(rows[0][0])) if rows else []


def agency_name(conn: Connection, agency_id: str) -> str | None:
    """The agency's name as recorded (None: no such agency)."""
    rows = fetch_all(conn, "SELECT name FROM agency WHERE agency_id = ?", (agency_id,))
    return str(rows[0][0]) if rows else None


def case_agency(conn: Connection, case_id: str) -> str | None:
    found: str | None = conn.execute(
        select(case_file.c.agency_id).where(case_file.c.case_id == case_id)
    ).scalar()
    return found


def case_title(conn: Connection, case_id: str) -> str | None:
    """The case's title, or None when there is no such case."""
    rows = fetch_all(conn, "SELECT title FROM case_file WHERE case_id = ?", (case_id,))
    return rows[0][0] if rows else None


def inventory_closed_at(conn: Connection, inventory_id: str) -> tuple[bool, str | None]:
    """(whether the inventory exists, when it was closed: None while it is open)."""
    row = conn.execute(
        select(inventory.c.closed_at).where(inventory.c.inventory_id == inventory_id)
    ).first()
    return (False, None) if row is None else (True, row.closed_at)


def item_description(conn: Connection, item_id: str) -> str | None:
    rows = fetch_all(conn, "SELECT description FROM item WHERE item_id = ?", (item_id,))
    return rows[0][0] if rows else None


def incoming(conn: Connection, user_id: str) -> list[dict[str, Any]]:
    """Items in transfer to the user, waiting for them to acknowledge, oldest first."""
    names = ("item_id", "description", "custodian", "since")
    rows = fetch_all(
        conn,
        "SELECT item_id, description, custodian, since FROM item "
        "WHERE status = 'in_transfer' AND pending_to = ? ORDER BY since",
        (user_id,),
    )
    return [dict(zip(names, r, strict=True)) for r in rows]
