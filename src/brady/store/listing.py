"""Lists of cases and items as a caller may see them: filtered, sorted, a page at a time.

Visibility is part of the SQL (never a filter over a fetched list), so a page is a
page of what the caller may see and the total counts only that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.engine import Connection

from ..access.policy import Caller
from ..domain.vocabulary import UserRole as R
from .custody_queries import agency_items, of_agency, row_dict
from .custody_tables import (
    case_assignment,
    case_file,
    case_number,
    case_party,
    item,
    item_case,
    link_suggestion,
    person,
)
from .disclosure_tables import production_unit


@dataclass(frozen=True)
class Page:
    limit: int = 50
    offset: int = 0
    sort: str = "id"
    descending: bool = False


def _page(
    conn: Connection, query: Select[Any], columns: dict[str, Any], page: Page
) -> tuple[list[dict[str, Any]], int]:
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    col = columns[page.sort]
    order = col.desc() if page.descending else col.asc()
    rows = conn.execute(query.order_by(order).limit(page.limit).offset(page.offset))
    return [row_dict(r) for r in rows], int(total)


CASE_SORTS = ("id", "title", "status", "opened_at")
ITEM_SORTS = ("id", "category", "status", "since", "location_id")


def persons(conn: Connection, page: Page, name: str | None) -> tuple[list[dict[str, Any]], int]:
    """Persons whose name holds `name` (case-blind; '%' and '_' are themselves, not wildcards)."""
    query = select(person.c.person_id, person.c.name, person.c.aliases, person.c.dob)
    if name:
        query = query.where(person.c.name.icontains(name, autoescape=True))
    return _page(conn, query, {"id": person.c.person_id}, page)


def cases(
    conn: Connection, c: Caller, page: Page, status: str | None = None, q: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    query = select(
        case_file.c.case_id,
        case_file.c.title,
        case_file.c.status,
        case_file.c.opened_at,
        case_file.c.agency_id,
    )
    if not c.has(R.AUDITOR):
        mine = select(case_assignment.c.case_id).where(case_assignment.c.user_id == c.user_id)
        seen: list[ColumnElement[bool]] = [case_file.c.case_id.in_(mine)]
        if c.staff:
            seen.append(of_agency(case_file.c.agency_id, c.agency_id))
        query = query.where(or_(*seen))
    if status is not None:
        query = query.where(case_file.c.status == status)
    if q:
        query = query.where(case_file.c.title.icontains(q, autoescape=True))
    cols = {
        "id": case_file.c.case_id,
        "title": case_file.c.title,
        "status": case_file.c.status,
        "opened_at": case_file.c.opened_at,
    }
    return _page(conn, query, cols, page)


def items(
    conn: Connection,
    c: Caller,
    page: Page,
    case_id: str | None = None,
    status: str | None = None,
    location_id: str | None = None,
    category: str | None = None,
    text: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    query = select(
        item.c.item_id,
        item.c.category,
        item.c.description,
        item.c.status,
        item.c.custodian,
        item.c.location_id,
        item.c.since,
    )
    if not c.has(R.AUDITOR):
        query = query.where(_items_seen(c))
    if case_id is not None:
        query = query.where(
            item.c.item_id.in_(select(item_case.c.item_id).where(item_case.c.case_id == case_id))
        )
    for col, value in (
        (item.c.status, status),
        (item.c.location_id, location_id),
        (item.c.category, category),
    ):
        if value is not None:
            query = query.where(col == value)
    if text and text.strip():
        query = query.where(_matching(text.strip().lower()))
    cols = {
        "id": item.c.item_id,
        "category": item.c.category,
        "status": item.c.status,
        "since": item.c.since,
        "location_id": item.c.location_id,
    }
    return _page(conn, query, cols, page)


def _matching(text: str) -> ColumnElement[bool]:
    """Items a search finds, case-blind: by tag, description, serial, make, model, where
    found or from whom; or by a case they are filed under (its id, a number, a party's
    name)."""

    def has(col: Any) -> ColumnElement[bool]:
        return func.lower(col).contains(text, autoescape=True)

    cases = select(case_file.c.case_id).where(
        or_(
            has(case_file.c.case_id),
            case_file.c.case_id.in_(select(case_number.c.case_id).where(has(case_number.c.number))),
            case_file.c.case_id.in_(
                select(case_party.c.case_id)
                .join(person, person.c.person_id == case_party.c.person_id)
                .where(has(person.c.name))
            ),
        )
    )
    own = [item.c.item_id, item.c.description, item.c.serial, item.c.make, item.c.model]
    own += [item.c.found_at, item.c.received_from]
    return or_(
        *(has(col) for col in own),
        item.c.item_id.in_(select(item_case.c.item_id).where(item_case.c.case_id.in_(cases))),
    )


def _items_seen(c: Caller) -> ColumnElement[bool]:
    """What a caller who is not an auditor may see of the items: kept apart from the
    filters so the visibility rule reads as one condition, part of the SQL."""
    assigned = select(case_assignment.c.case_id).where(
        and_(
            case_assignment.c.user_id == c.user_id,
            case_assignment.c.role.in_([R.PROSECUTOR, R.JUDGE]),
        )
    )
    prosecuted = select(case_assignment.c.case_id).where(
        and_(case_assignment.c.user_id == c.user_id, case_assignment.c.role == R.PROSECUTOR)
    )
    seen: list[ColumnElement[bool]] = [
        item.c.item_id.in_(select(item_case.c.item_id).where(item_case.c.case_id.in_(assigned))),
        # Suggested for a case the caller prosecutes: theirs to review (policy.reviewing).
        item.c.item_id.in_(
            select(link_suggestion.c.item_id).where(link_suggestion.c.case_id.in_(prosecuted))
        ),
    ]
    counsel = select(case_assignment.c.case_id).where(
        and_(case_assignment.c.user_id == c.user_id, case_assignment.c.role == R.DEFENSE_COUNSEL)
    )
    disclosed = select(production_unit.c.unit).where(production_unit.c.case_id.in_(counsel))
    if c.has(R.DEFENSE_COUNSEL):
        seen.append(("item:" + item.c.item_id).in_(disclosed))
    if c.staff:
        seen.append(agency_items(c.agency_id))
    return or_(*seen)
