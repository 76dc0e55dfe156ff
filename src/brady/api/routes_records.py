"""Cases, persons, places and items: read as the caller may, changed through the services."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import Field, TypeAdapter

from ..access import policy
from ..custody import reads
from ..custody.service import Session
from ..domain import events as ev
from ..ledger.entry import Entry
from ..store import access_queries as facts
from ..store import listing, location_queries
from ..store.engine import reading
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
from .moments import When, record_at
from .problems import MAX_INDEX, PROBLEM_RESPONSES
from .routes_accounts import run
from .strict_input import said

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
    with reading(b.led.engine) as conn:
        rows, total = listing.cases(conn, asker.caller, page, status, q_)
    log(b, asker, "list", "cases", detail=f"{len(rows)} of {total}")
    return {"items": rows, "total": total, "limit": page.limit, "offset": page.offset}


NewCase = ev.CaseOpen


@router.post("/cases", status_code=201, openapi_extra=access("record"))
def open_case(body: NewCase, asker: Recorder, b: B) -> dict[str, Any]:
    agency = body.agency_id if body.agency_id is not None else asker.caller.agency_id
    if asker.caller.staff and agency != asker.caller.agency_id:
        raise deny(b, asker, f"case:{body.case_id}", "you may open cases only for your agency")
    return run(
        b,
        asker,
        lambda s: s.open_case(asker.user_id, **{**said(body), "agency_id": agency}),
    )


@router.get("/cases/{case_id}", openapi_extra=access("case:read"))
def case(a: CaseRead, b: B, t: When) -> dict[str, Any]:
    """A case: parties, numbers, defendants, items (for defense counsel: those produced);
    now, or as the record stood (`as_of`, `as_recorded`)."""
    assert a.level is not None
    with record_at(b, t, f"case:{a.case_id}") as (conn, view):
        shown = reads.case_view(conn, a.asker.caller, a.case_id, reads.Look(a.level, False))
    return {**shown, **t.said(view)}


Party = ev.CaseAddPartyFields


@router.post("/cases/{case_id}/parties", status_code=201, openapi_extra=access("case:act"))
def add_party(body: Party, a: CaseAct, b: B) -> dict[str, Any]:
    return run(
        b,
        a.asker,
        lambda s: s.add_party(a.asker.user_id, a.case_id, **said(body)),
    )


Charge = ev.CaseChargeFields


@router.post("/cases/{case_id}/charges", status_code=201, openapi_extra=access("case:act"))
def charge(body: Charge, a: CaseAct, b: B) -> dict[str, Any]:
    return run(
        b,
        a.asker,
        lambda s: s.charge(a.asker.user_id, a.case_id, **said(body)),
    )


# -- persons and places -----------------------------------------------------------------


@router.get("/persons", openapi_extra=access("staff"))
def persons(
    asker: Staffish,
    b: B,
    page: Paged,
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    with reading(b.led.engine) as conn:
        rows, total = listing.persons(conn, page, name)
    log(b, asker, "list", "persons", detail=f"{len(rows)} of {total}")
    items = [{**row, "aliases": json.loads(row["aliases"])} for row in rows]
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


NewPerson = ev.PersonAdd


@router.post("/persons", status_code=201, openapi_extra=access("record"))
def add_person(body: NewPerson, asker: Recorder, b: B) -> dict[str, Any]:
    return run(
        b,
        asker,
        lambda s: s.add_person(asker.user_id, **said(body)),
    )


@router.get("/locations", openapi_extra=access("staff"))
def locations(asker: Staffish, b: B) -> dict[str, Any]:
    with reading(b.led.engine) as conn:
        items = location_queries.locations(conn)
    return {"items": items, "total": len(items)}


NewLocation = ev.LocationAdd


@router.post("/locations", status_code=201, openapi_extra=access("record"))
def add_location(body: NewLocation, asker: Recorder, b: B) -> dict[str, Any]:
    return run(
        b,
        asker,
        lambda s: s.add_location(asker.user_id, **said(body)),
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
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Words to find, case-blind: a tag, a description, a serial, make or "
            "model, where found or from whom, or a case's id, number or party's name.",
        ),
    ] = None,
) -> dict[str, Any]:
    """The items you may see (sort: id, category, status, since, location_id), or those of
    them a search finds (`q`)."""
    with reading(b.led.engine) as conn:
        rows, total = listing.items(
            conn,
            asker.caller,
            page,
            case_id,
            status,
            location_id,
            category,
            q,
        )
    log(b, asker, "list", "items", detail=f"{len(rows)} of {total}")
    return {"items": rows, "total": total, "limit": page.limit, "offset": page.offset}


Intake = ev.ItemIntakeFields


@router.post("/items", status_code=201, openapi_extra=access("record"))
def intake(body: Intake, asker: Recorder, b: B) -> dict[str, Any]:
    """Take an item into custody; link suggestions are found and recorded at once."""
    with reading(b.led.engine) as conn:
        for case_id in body.case_ids:
            if not policy.act_on_case(asker.caller, facts.case_facts(conn, case_id)):
                raise deny(b, asker, f"case:{case_id}", f"you may not file items under {case_id}")
    fields = body.model_dump(mode="json", exclude_none=True)  # Brady fills in what is absent
    seen = b.custody.foresee_intake(asker.user_id, fields)  # before the lock

    def act(s: Session) -> tuple[Entry, list[tuple[str, str]]]:
        s.foreseen = seen
        entry = s.intake(asker.user_id, **fields)
        made = s.suggested.get(str(entry.payload["item_id"]), [])
        return entry, [(str(e.payload["suggestion_id"]), str(e.payload["case_id"])) for e in made]

    entry, suggestions = b.custody.run(asker.caller, act)
    return {
        "seq": entry.seq,
        "kind": entry.kind,
        "recorded_at": entry.recorded_at,
        "item_id": entry.payload["item_id"],
        "suggestions": [{"suggestion_id": s_, "case_id": c} for s_, c in suggestions],
    }


@router.get("/items/{item_id}", openapi_extra=access("item:read"))
def item(a: ItemRead, b: B, t: When) -> dict[str, Any]:
    """Who has it, where, since when, its cases (for counsel: the cases they work); now, or
    as the record stood (`as_of`, `as_recorded`)."""
    assert a.level is not None
    with record_at(b, t, f"item:{a.item_id}") as (conn, view):
        shown = reads.item_view(conn, a.asker.caller, a.item_id, reads.Look(a.level, False))
    return {**shown, **t.said(view)}


@router.get("/items/{item_id}/history", openapi_extra=access("item:read"))
def history(a: ItemRead, b: B, t: When) -> dict[str, Any]:
    """Every recorded step of the item, oldest first, with its ledger entry number; now, or
    as the record stood (`as_of`, `as_recorded`)."""
    assert a.level is not None
    with record_at(b, t, f"item:{a.item_id}") as (conn, view):
        rows = reads.item_history(conn, a.asker.caller, a.item_id, reads.Look(a.level, False))
    return {"items": rows, "total": len(rows), **t.said(view)}


# One custody step: each action's body is its event's payload model (what the person states)
# and the name of the action; the item comes from the address.


class Transfer(ev.ItemTransferFields):
    action: Literal["transfer"]


class Receive(ev.Occurred):
    action: Literal["receive"]


class CancelTransfer(ev.Reasoned):
    action: Literal["cancel_transfer"]


class Checkout(ev.ItemCheckoutFields):
    action: Literal["checkout"]


class Checkin(ev.ItemCheckinFields):
    action: Literal["checkin"]


class Move(ev.ItemMoveFields):
    action: Literal["move"]


class FileCase(ev.ItemFileCaseFields):
    action: Literal["file_case"]


class RequestDisposition(ev.DispositionRequestFields):
    action: Literal["request_disposition"]


class ApproveDisposition(ev.Occurred):
    action: Literal["approve_disposition"]


class WithdrawDisposition(ev.Reasoned):
    action: Literal["withdraw_disposition"]


class Dispose(ev.DispositionDoneFields):
    action: Literal["dispose"]


Step = Annotated[
    Transfer
    | Receive
    | CancelTransfer
    | Checkout
    | Checkin
    | Move
    | FileCase
    | RequestDisposition
    | ApproveDisposition
    | WithdrawDisposition
    | Dispose,
    Field(discriminator="action"),
]


STEP: TypeAdapter[Step] = TypeAdapter(Step)
"""Reads a step from a page's form the way the route reads it from JSON."""


def _step_call(s: Session, by: str, item_id: str, step: ev.Occurred) -> Entry:
    stated = said(step)
    command = getattr(s, stated.pop("action"))
    entry: Entry = command(by, item_id, **stated)
    return entry


@router.post("/items/{item_id}/steps", status_code=201, openapi_extra=access("item:act"))
def step(body: Step, a: ItemAct, b: B) -> dict[str, Any]:
    """Record a custody step (transfer, receive, check-out/in, move, disposition...)."""
    if isinstance(body, FileCase):
        with reading(b.led.engine) as conn:
            if not policy.act_on_case(a.asker.caller, facts.case_facts(conn, body.case_id)):
                raise deny(
                    b,
                    a.asker,
                    f"case:{body.case_id}",
                    f"you may not file items under {body.case_id}",
                )
    return run(b, a.asker, lambda s: _step_call(s, a.asker.user_id, a.item_id, body))


@router.get("/items/{item_id}/suggestions", openapi_extra=access("item:state"))
def suggestions(a: ItemState, b: B) -> dict[str, Any]:
    """Which open cases this item may bear on, and why (a dry run: nothing is recorded)."""
    found = b.custody.suggestions(a.item_id)
    rows = [{"case_id": x.case_id, "score": x.score, "reasons": list(x.reasons)} for x in found]
    return {"items": rows, "total": len(rows)}
