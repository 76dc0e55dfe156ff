"""The rest of the record's work over HTTP: court steps on a case, splitting an item, lab
requests and results, inventories, the prosecutor's disclosure desk, custody reports."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import Field

from ..access import policy
from ..access.policy import Level
from ..disclosure.desk import Desk
from ..reports import chain_of_custody, render
from ..store import access_queries as facts
from ..store import custody_queries as q
from ..store._raw import fetch_all
from .deps import (
    Asker,
    Brady,
    CaseAccess,
    ItemAccess,
    access,
    brady,
    case_guard,
    deny,
    item_guard,
    rule_guard,
)
from .problems import PROBLEM_RESPONSES, NotFound
from .routes_accounts import run
from .routes_records import Recorder
from .strict_input import Body

router = APIRouter(prefix="/api", responses=PROBLEM_RESPONSES)
B = Annotated[Brady, Depends(brady)]
CaseAct = Annotated[CaseAccess, Depends(case_guard("act"))]
CaseProsecute = Annotated[CaseAccess, Depends(case_guard("prosecute"))]
ItemRead = Annotated[ItemAccess, Depends(item_guard("read"))]
ItemAct = Annotated[ItemAccess, Depends(item_guard("act"))]


# -- court steps ---------------------------------------------------------------------------


class Arraignment(Body):
    person_id: str
    arraigned_on: str
    occurred_at: str | None = None


@router.post("/cases/{case_id}/arraignments", status_code=201, openapi_extra=access("case:act"))
def arraign(body: Arraignment, a: CaseAct, b: B) -> dict[str, Any]:
    return run(
        b,
        lambda s: s.arraign(
            a.asker.user_id, a.case_id, body.person_id, body.arraigned_on, body.occurred_at
        ),
    )


class CaseNumber(Body):
    kind: str
    number: str


@router.post("/cases/{case_id}/numbers", status_code=201, openapi_extra=access("case:act"))
def add_number(body: CaseNumber, a: CaseAct, b: B) -> dict[str, Any]:
    return run(b, lambda s: s.add_case_number(a.asker.user_id, a.case_id, body.kind, body.number))


class Closing(Body):
    reason: str = Field(min_length=1)


@router.post("/cases/{case_id}/close", openapi_extra=access("case:act"))
def close(body: Closing, a: CaseAct, b: B) -> dict[str, Any]:
    return run(b, lambda s: s.close_case(a.asker.user_id, a.case_id, body.reason))


# -- items: split, report ---------------------------------------------------------------------


class Split(Body):
    quantity: int = Field(ge=1, le=1_000_000_000)
    description: str
    new_item_id: str | None = None


@router.post("/items/{item_id}/split", status_code=201, openapi_extra=access("item:act"))
def split(body: Split, a: ItemAct, b: B) -> dict[str, Any]:
    """Part of an item becomes an item of its own (its history starts from the parent's)."""
    return run(
        b,
        lambda s: s.split(
            a.asker.user_id, a.item_id, body.quantity, body.description, body.new_item_id
        ),
    )


@router.get(
    "/items/{item_id}/custody-report.pdf",
    openapi_extra=access("item:read"),
    responses={200: {"content": {"application/pdf": {}}}},
)
def custody_report(a: ItemRead, b: B) -> Response:
    """The chain-of-custody report, every signature and inclusion proof checked."""
    shown = None
    if a.level is Level.DISCLOSED:
        with b.led.engine.connect() as conn:
            shown = facts.produced_to(conn, a.asker.caller)
    data = chain_of_custody.build(b.led, a.item_id, shown)
    if data is None:
        raise NotFound(f"there is no item {a.item_id}")
    return Response(
        render.pdf(render.html("chain_of_custody.html.j2", **data)), media_type="application/pdf"
    )


# -- lab work ---------------------------------------------------------------------------------


class LabRequest(Body):
    request_id: str
    lab: str
    item_ids: list[str] = Field(min_length=1)
    examinations: str


@router.post("/lab-requests", status_code=201, openapi_extra=access("record"))
def lab_request(body: LabRequest, asker: Recorder, b: B) -> dict[str, Any]:
    with b.led.engine.connect() as conn:
        for item_id in body.item_ids:
            if not policy.act_on_item(asker.caller, facts.item_facts(conn, item_id)):
                raise deny(b, asker, f"item:{item_id}", f"you may not send {item_id} to a lab")
    return run(
        b,
        lambda s: s.lab_request(
            asker.user_id, body.request_id, body.lab, body.item_ids, body.examinations
        ),
    )


def _lab_guard(request_id: str, asker: Recorder, b: B) -> tuple[Asker, str]:
    with b.led.engine.connect() as conn:
        rows = fetch_all(
            conn, "SELECT item_ids FROM lab_request WHERE request_id = ?", (request_id,)
        )
        items = json.loads(rows[0][0]) if rows else []
        ok = bool(items) and all(
            policy.act_on_item(asker.caller, facts.item_facts(conn, i)) for i in items
        )
    if not ok:
        raise deny(b, asker, f"lab:{request_id}", f"you may not record results of {request_id}")
    return asker, request_id


class LabResult(Body):
    findings: str
    report_sha256: str | None = Field(default=None, pattern="^[0-9a-f]{64}$")


@router.post("/lab-requests/{request_id}/result", status_code=201, openapi_extra=access("lab:act"))
def lab_result(
    body: LabResult, g: Annotated[tuple[Asker, str], Depends(_lab_guard)], b: B
) -> dict[str, Any]:
    asker, request_id = g
    return run(
        b, lambda s: s.lab_result(asker.user_id, request_id, body.findings, body.report_sha256)
    )


# -- inventories ---------------------------------------------------------------------------


Staff = Annotated[Asker, Depends(rule_guard(lambda c: c.may_write and c.staff, "take inventories"))]
"""Inventories are taken by property room staff."""


class NewInventory(Body):
    inventory_id: str
    scope: str = "full"
    location_id: str | None = None


@router.post("/inventories", status_code=201, openapi_extra=access("staff:write"))
def start_inventory(body: NewInventory, asker: Staff, b: B) -> dict[str, Any]:
    return run(
        b,
        lambda s: s.start_inventory(asker.user_id, body.inventory_id, body.scope, body.location_id),
    )


async def own_inventory(inventory_id: str, asker: Staff, b: B) -> Asker:
    """Another agency's inventory is answered as if it did not exist, before the request's
    body is looked at."""

    def check() -> None:
        with b.led.engine.connect() as conn:
            exists, agency_id = q.inventory_agency(conn, inventory_id)
        if not exists or not policy.take_inventory(asker.caller, agency_id):
            raise NotFound(f"there is no inventory {inventory_id}")

    await run_in_threadpool(check)
    return asker


OwnInventory = Annotated[Asker, Depends(own_inventory)]


@router.get("/inventories/{inventory_id}", openapi_extra=access("staff:write"))
def inventory(inventory_id: str, asker: Staff, b: B) -> dict[str, Any]:
    """Found, missing and unexpected so far."""
    with b.led.engine.connect() as conn:
        view = q.inventory_view(conn, inventory_id)
    if view is None or not policy.take_inventory(asker.caller, view["agency_id"]):
        raise NotFound(f"there is no inventory {inventory_id}")
    return view


class Scan(Body):
    item_id: str
    location_id: str | None = None


@router.post(
    "/inventories/{inventory_id}/scans", status_code=201, openapi_extra=access("staff:write")
)
def scan(inventory_id: str, body: Scan, asker: OwnInventory, b: B) -> dict[str, Any]:
    return run(b, lambda s: s.scan(asker.user_id, inventory_id, body.item_id, body.location_id))


@router.post("/inventories/{inventory_id}/close", openapi_extra=access("staff:write"))
def close_inventory(inventory_id: str, asker: OwnInventory, b: B) -> dict[str, Any]:
    return run(b, lambda s: s.close_inventory(asker.user_id, inventory_id))


# -- the prosecutor's desk -------------------------------------------------------------------


class CaseRules(Body):
    rule_set_id: str
    in_custody: bool | None = None


@router.put("/cases/{case_id}/disclosure/rules", openapi_extra=access("case:prosecute"))
def case_rules(body: CaseRules, a: CaseProsecute, b: B) -> dict[str, Any]:
    return run(
        b,
        lambda s: Desk(s).case_rules(a.asker.user_id, a.case_id, body.rule_set_id, body.in_custody),
    )


class DefenseRequest(Body):
    requested_by: str
    occurred_at: str | None = None


@router.post(
    "/cases/{case_id}/disclosure/requests",
    status_code=201,
    openapi_extra=access("case:prosecute"),
)
def defense_request(body: DefenseRequest, a: CaseProsecute, b: B) -> dict[str, Any]:
    return run(
        b,
        lambda s: Desk(s).request(a.asker.user_id, a.case_id, body.requested_by, body.occurred_at),
    )


class Flag(Body):
    unit: str
    exculpatory: bool = False
    impeachment: bool = False
    note: str | None = None


@router.post(
    "/cases/{case_id}/disclosure/flags", status_code=201, openapi_extra=access("case:prosecute")
)
def flag(body: Flag, a: CaseProsecute, b: B) -> dict[str, Any]:
    return run(
        b,
        lambda s: Desk(s).flag(
            a.asker.user_id, a.case_id, body.unit, body.exculpatory, body.impeachment, body.note
        ),
    )


class Withhold(Body):
    unit: str
    reason: str
    order_ref: str


@router.post(
    "/cases/{case_id}/disclosure/withholdings",
    status_code=201,
    openapi_extra=access("case:prosecute"),
)
def withhold(body: Withhold, a: CaseProsecute, b: B) -> dict[str, Any]:
    return run(
        b,
        lambda s: Desk(s).withhold(
            a.asker.user_id, a.case_id, body.unit, body.reason, body.order_ref
        ),
    )


class Approval(Body):
    unit: str


@router.post(
    "/cases/{case_id}/disclosure/withholdings/approve",
    openapi_extra=access("case:prosecute"),
)
def approve_withholding(body: Approval, a: CaseProsecute, b: B) -> dict[str, Any]:
    """A second prosecutor of the case approves (the one who asked cannot)."""
    return run(b, lambda s: Desk(s).approve_withholding(a.asker.user_id, a.case_id, body.unit))
