"""Cases, persons, places and items: read as the caller may, changed through the services."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from ..access import policy
from ..access.policy import Level
from ..custody.service import Session
from ..ledger.entry import Entry
from ..store import access_queries as facts
from ..store import custody_queries as q
from ..store import listing
from ..store._raw import fetch_all
from ..store.item_steps import with_payloads
from .deps import (
    Asker,
    Brady,
    CaseAccess,
    ItemAccess,
    SignedIn,
    access,
    brady,
    case_guard,
    deny,
    item_guard,
    log,
    rule_guard,
)
from .problems import MAX_INDEX, PROBLEM_RESPONSES, NotFound
from .routes_accounts import run
from .strict_input import Body

router = APIRouter(prefix="/api", responses=PROBLEM_RESPONSES)
B = Annotated[Brady, Depends(brady)]
Recorder = Annotated[Asker, Depends(rule_guard(policy.record, "create records"))]
CaseRead = Annotated[CaseAccess, Depends(case_guard("read"))]
CaseAct = Annotated[CaseAccess, Depends(case_guard("act"))]
ItemRead = Annotated[ItemAccess, Depends(item_guard("read"))]
ItemAct = Annotated[ItemAccess, Depends(item_guard("act"))]
ItemState = Annotated[ItemAccess, Depends(item_guard("state"))]
Staffish = Annotated[
    Asker,
    Depends(
        rule_guard(
            lambda c: c.staff or c.has("prosecutor", "auditor", "admin"), "see persons and places"
        )
    ),
]


def paging_by(sorts: tuple[str, ...]) -> Callable[..., listing.Page]:
    """A page of a listing, sortable by `sorts` ('-' first for descending). The sort keys are
    declared in the schema, so a client learns them there rather than from a 422."""
    pattern = f"^-?({'|'.join(sorts)})$"

    def paging(
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_INDEX)] = 0,
        # A default-value Query: the annotation must not name `pattern`, a local that the
        # postponed annotations could not resolve.
        sort: str = Query(sorts[0], pattern=pattern),
    ) -> listing.Page:
        return listing.Page(limit, offset, sort.lstrip("-"), sort.startswith("-"))

    return paging


Paged = Annotated[listing.Page, Depends(paging_by(("id",)))]
CasePage = Annotated[listing.Page, Depends(paging_by(listing.CASE_SORTS))]
ItemPage = Annotated[listing.Page, Depends(paging_by(listing.ITEM_SORTS))]


# -- cases ----------------------------------------------------------------------------


@router.get("/cases", openapi_extra=access("list:visible"))
def cases(
    asker: SignedIn,
    b: B,
    page: CasePage,
    status: Literal["open", "charged", "closed"] | None = None,
    q_: Annotated[str | None, Query(alias="q", max_length=200)] = None,
) -> dict[str, Any]:
    """The cases you may see, a page at a time (sort: id, title, status, opened_at; '-' for
    newest first)."""
    with b.led.engine.connect() as conn:
        rows, total = listing.cases(conn, asker.caller, page, status, q_)
    log(b, asker, "list", "cases", detail=f"{len(rows)} of {total}")
    return {"items": rows, "total": total, "limit": page.limit, "offset": page.offset}


class NewCase(Body):
    case_id: str
    title: str
    numbers: list[dict[str, str]] = Field(default_factory=list)
    agency_id: str | None = None
    narrative: str | None = None
    occurred_at: str | None = None


@router.post("/cases", status_code=201, openapi_extra=access("record"))
def open_case(body: NewCase, asker: Recorder, b: B) -> dict[str, Any]:
    agency = body.agency_id if body.agency_id is not None else asker.caller.agency_id
    if asker.caller.staff and agency != asker.caller.agency_id:
        raise deny(b, asker, f"case:{body.case_id}", "you may open cases only for your agency")
    return run(
        b,
        lambda s: s.open_case(
            asker.user_id,
            body.case_id,
            body.title,
            body.numbers,
            agency,
            body.narrative,
            body.occurred_at,
        ),
    )


def _case_view(b: Brady, a: CaseAccess) -> dict[str, Any]:
    with b.led.engine.connect() as conn:
        view = q.case_view(conn, a.case_id)
        if view is None:
            raise NotFound(f"there is no case {a.case_id}")
        if a.level is Level.DISCLOSED:
            shown = facts.disclosed_units(conn, a.case_id)
            view["items"] = [i for i in view["items"] if f"item:{i['item_id']}" in shown]
            view["narrative"] = None
        view["assigned"] = [
            {"user_id": u, "role": r}
            for u, r in fetch_all(
                conn,
                "SELECT user_id, role FROM case_assignment WHERE case_id = ? "
                "ORDER BY role, user_id",
                (a.case_id,),
            )
        ]
    view["your_view"] = str(a.level)
    return view


@router.get("/cases/{case_id}", openapi_extra=access("case:read"))
def case(a: CaseRead, b: B) -> dict[str, Any]:
    """A case: parties, numbers, defendants, items (for defense counsel: those produced)."""
    return _case_view(b, a)


class Party(Body):
    person_id: str
    role: str
    occurred_at: str | None = None


@router.post("/cases/{case_id}/parties", status_code=201, openapi_extra=access("case:act"))
def add_party(body: Party, a: CaseAct, b: B) -> dict[str, Any]:
    return run(
        b,
        lambda s: s.add_party(
            a.asker.user_id, a.case_id, body.person_id, body.role, body.occurred_at
        ),
    )


class Charge(Body):
    person_id: str
    charges: list[str] = Field(min_length=1)
    charged_on: str
    occurred_at: str | None = None


@router.post("/cases/{case_id}/charges", status_code=201, openapi_extra=access("case:act"))
def charge(body: Charge, a: CaseAct, b: B) -> dict[str, Any]:
    return run(
        b,
        lambda s: s.charge(
            a.asker.user_id,
            a.case_id,
            body.person_id,
            body.charges,
            body.charged_on,
            body.occurred_at,
        ),
    )


# -- persons and places -----------------------------------------------------------------


@router.get("/persons", openapi_extra=access("staff"))
def persons(
    asker: Staffish,
    b: B,
    page: Paged,
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    with b.led.engine.connect() as conn:
        rows, total = listing.persons(conn, page, name)
    log(b, asker, "list", "persons", detail=f"{len(rows)} of {total}")
    items = [{**row, "aliases": json.loads(row["aliases"])} for row in rows]
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


class NewPerson(Body):
    person_id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    dob: str | None = None


@router.post("/persons", status_code=201, openapi_extra=access("record"))
def add_person(body: NewPerson, asker: Recorder, b: B) -> dict[str, Any]:
    return run(
        b,
        lambda s: s.add_person(asker.user_id, body.person_id, body.name, body.aliases, body.dob),
    )


@router.get("/locations", openapi_extra=access("staff"))
def locations(asker: Staffish, b: B) -> dict[str, Any]:
    with b.led.engine.connect() as conn:
        rows = fetch_all(
            conn, "SELECT location_id, name, kind, parent_id FROM location ORDER BY location_id"
        )
    items = [dict(zip(("location_id", "name", "kind", "parent_id"), r, strict=True)) for r in rows]
    return {"items": items, "total": len(items)}


class NewLocation(Body):
    location_id: str
    name: str
    kind: str
    parent_id: str | None = None


@router.post("/locations", status_code=201, openapi_extra=access("record"))
def add_location(body: NewLocation, asker: Recorder, b: B) -> dict[str, Any]:
    return run(
        b,
        lambda s: s.add_location(
            asker.user_id, body.location_id, body.name, body.kind, body.parent_id
        ),
    )


# -- items -----------------------------------------------------------------------------


@router.get("/items", openapi_extra=access("list:visible"))
def items(
    asker: SignedIn,
    b: B,
    page: ItemPage,
    case_id: Annotated[str | None, Query(max_length=80)] = None,
    status: Literal["in_custody", "in_transfer", "checked_out", "disposed"] | None = None,
    location_id: Annotated[str | None, Query(max_length=80)] = None,
    category: Annotated[str | None, Query(max_length=30)] = None,
) -> dict[str, Any]:
    """The items you may see (sort: id, category, status, since, location_id)."""
    with b.led.engine.connect() as conn:
        rows, total = listing.items(
            conn,
            asker.caller,
            page,
            case_id,
            status,
            location_id,
            category,
        )
    log(b, asker, "list", "items", detail=f"{len(rows)} of {total}")
    return {"items": rows, "total": total, "limit": page.limit, "offset": page.offset}


class Intake(Body):
    item_id: str | None = None
    category: str
    description: str
    quantity: int = Field(default=1, ge=1, le=1_000_000_000)
    make: str | None = None
    model: str | None = None
    serial: str | None = None
    caliber: str | None = None
    packaging: str | None = None
    seals: list[str] = Field(default_factory=list)
    found_at: str | None = None
    received_from: str | None = None
    case_ids: list[str] = Field(default_factory=list)
    narrative: str | None = None
    location_id: str
    custodian: str | None = None
    occurred_at: str | None = None


@router.post("/items", status_code=201, openapi_extra=access("record"))
def intake(body: Intake, asker: Recorder, b: B) -> dict[str, Any]:
    """Take an item into custody; link suggestions are found and recorded at once."""
    with b.led.engine.connect() as conn:
        for case_id in body.case_ids:
            if not policy.act_on_case(asker.caller, facts.case_facts(conn, case_id)):
                raise deny(b, asker, f"case:{case_id}", f"you may not file items under {case_id}")
    fields = body.model_dump(exclude_none=True)
    with b.custody.session() as s:
        entry = s.intake(asker.user_id, **fields)
        suggestions = fetch_all(
            s.conn,
            "SELECT suggestion_id, case_id FROM link_suggestion WHERE item_id = ?",
            (entry.payload["item_id"],),
        )
    return {
        "seq": entry.seq,
        "kind": entry.kind,
        "recorded_at": entry.recorded_at,
        "item_id": entry.payload["item_id"],
        "suggestions": [{"suggestion_id": s_, "case_id": c} for s_, c in suggestions],
    }


@router.get("/items/{item_id}", openapi_extra=access("item:read"))
def item(a: ItemRead, b: B) -> dict[str, Any]:
    """Who has it, where, since when, its cases (for counsel: the cases they work)."""
    with b.led.engine.connect() as conn:
        view = q.item_view(conn, a.item_id)
    if view is None:
        raise NotFound(f"there is no item {a.item_id}")
    if a.level is Level.DISCLOSED:
        with b.led.engine.connect() as conn:
            view = facts.produced_to(conn, a.asker.caller).item(view)
    view["your_view"] = str(a.level)
    return view


@router.get("/items/{item_id}/history", openapi_extra=access("item:read"))
def history(a: ItemRead, b: B) -> dict[str, Any]:
    """Every recorded step of the item, oldest first, with its ledger entry number."""
    with b.led.engine.connect() as conn:
        rows = q.item_history(conn, a.item_id)
        if a.level is Level.DISCLOSED:
            shown = facts.produced_to(conn, a.asker.caller)
            rows = shown.history(a.item_id, with_payloads(conn, rows))
    return {"items": rows, "total": len(rows)}


class Step(Body):
    """One custody step; which fields it needs depends on `action`."""

    action: Literal[
        "transfer",
        "receive",
        "cancel_transfer",
        "checkout",
        "checkin",
        "move",
        "file_case",
        "request_disposition",
        "approve_disposition",
        "withdraw_disposition",
        "dispose",
    ]
    to_user: str | None = None
    to: str | None = None
    purpose: str | None = None
    due_back: str | None = None
    location_id: str | None = None
    condition: str | None = None
    seal_intact: bool | None = None
    case_id: str | None = None
    method: str | None = None
    reason: str | None = None
    occurred_at: str | None = None


_STEP_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # action: (required fields, optional fields)
    "transfer": (("to_user",), ("reason",)),
    "receive": ((), ()),
    "cancel_transfer": (("reason",), ()),
    "checkout": (("to", "purpose", "due_back"), ()),
    "checkin": (("location_id", "condition", "seal_intact"), ()),
    "move": (("location_id",), ()),
    "file_case": (("case_id", "reason"), ()),
    "request_disposition": (("method", "reason"), ()),
    "approve_disposition": ((), ()),
    "withdraw_disposition": (("reason",), ()),
    "dispose": (("method",), ("to",)),
}


def _step_call(s: Session, by: str, item_id: str, step: Step) -> Entry:
    required, optional = _STEP_FIELDS[step.action]
    missing = [f for f in required if getattr(step, f) is None]
    if missing:
        from ..domain.errors import RefusedError

        raise RefusedError(f"{step.action} needs {', '.join(missing)}", missing[0])
    kwargs = {f: getattr(step, f) for f in (*required, *optional)}
    method = getattr(s, step.action)
    entry: Entry = method(by, item_id, occurred_at=step.occurred_at, **kwargs)
    return entry


@router.post("/items/{item_id}/steps", status_code=201, openapi_extra=access("item:act"))
def step(body: Step, a: ItemAct, b: B) -> dict[str, Any]:
    """Record a custody step (transfer, receive, check-out/in, move, disposition...)."""
    if body.action == "file_case" and body.case_id is not None:
        with b.led.engine.connect() as conn:
            if not policy.act_on_case(a.asker.caller, facts.case_facts(conn, body.case_id)):
                raise deny(
                    b,
                    a.asker,
                    f"case:{body.case_id}",
                    f"you may not file items under {body.case_id}",
                )
    return run(b, lambda s: _step_call(s, a.asker.user_id, a.item_id, body))


@router.get("/items/{item_id}/suggestions", openapi_extra=access("item:state"))
def suggestions(a: ItemState, b: B) -> dict[str, Any]:
    """Which open cases this item may bear on, and why (a dry run: nothing is recorded)."""
    with b.custody.session() as s:
        found = s.suggest_links(a.item_id)
        rows = [{"case_id": x.case_id, "score": x.score, "reasons": list(x.reasons)} for x in found]
    return {"items": rows, "total": len(rows)}
