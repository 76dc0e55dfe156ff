"""Reading custody state from the projections: snapshots for rules, views for people."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection

from ..domain.rules import ItemState, UserState
from .custody_tables import (
    app_user,
    case_file,
    case_number,
    item,
    item_case,
)


def user_state(conn: Connection, user_id: str) -> UserState | None:
    row = conn.execute(select(app_user).where(app_user.c.user_id == user_id)).first()
    if row is None:
        return None
    return UserState(row.user_id, row.name, frozenset(json.loads(row.roles)))


def item_state(conn: Connection, item_id: str) -> ItemState | None:
    row = conn.execute(select(item).where(item.c.item_id == item_id)).first()
    if row is None:
        return None
    cases = (
        conn.execute(
            select(item_case.c.case_id)
            .where(item_case.c.item_id == item_id)
            .order_by(item_case.c.case_id)
        )
        .scalars()
        .all()
    )
    return ItemState(
        row.item_id,
        row.status,
        row.custodian,
        row.pending_to,
        row.location_id,
        row.quantity,
        row.disposition,
        row.disposition_requested_by,
        tuple(cases),
    )


def exists(conn: Connection, table: Table, value: str) -> bool:
    pk = next(iter(table.primary_key.columns))
    return conn.execute(select(pk).where(pk == value)).first() is not None


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
    count = conn.execute(select(func.count()).select_from(item)).scalar_one()
    n = int(count) + 1
    while exists(conn, item, f"ITM-{n:06d}"):
        n += 1
    return f"ITM-{n:06d}"


def row_dict(row: Any) -> dict[str, Any]:
    return dict(row._mapping)
