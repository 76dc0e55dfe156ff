"""The rest of the record's work over HTTP: court steps on a case, splitting an item, lab
requests and results, inventories, the prosecutor's disclosure desk, custody reports."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from ..access import policy
from ..access.policy import Level
from ..disclosure.desk import Desk
from ..domain import events as ev
from ..reports import chain_of_custody, labels, render
from ..store import access_queries as facts
from ..store import custody_queries as q
from ..store.engine import reading
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
    log,
    rule_guard,
)
from .problems import PROBLEM_RESPONSES, NotFound
from .routes_accounts import run
from .routes_records import Recorder
from .strict_input import said

router = APIRouter(prefix="/api", responses=PROBLEM_RESPONSES)
B = Annotated[Brady, Depends(brady)]
CaseAct = Annotated[CaseAccess, Depends(case_guard("act"))]
CaseProsecute = Annotated[CaseAccess, Depends(case_guard("prosecute"))]
ItemRead = Annotated[ItemAccess, Depends(item_guard("read"))]
ItemAct = Annotated[ItemAccess, Depends(item_guard("act"))]


# -- court steps ---------------------------------------------------------------------------


Arraignment = ev.CaseArraignFields


@router.post("/cases/{case_id}/arraignments", status_code=201, openapi_extra=access("case:act"))
def arraign(body: Arraignment, a: CaseAct, b: B) -> dict[str, Any]:
    return run(
        b,
        a.asker,
        lambda s: s.arraign(a.asker.user_id, a.case_id, **said(body)),
    )


CaseNumber = ev.CaseNumber


@router.post("/cases/{case_id}/numbers", status_code=201, openapi_extra=access("case:act"))
def add_number(body: CaseNumber, a: CaseAct, b: B) -> dict[str, Any]:
    return run(
        b,
        a.asker,
        lambda s: s.add_case_number(a.asker.user_id, a.case_id, str(body.kind), body.number),
    )


Closing = ev.Reasoned


@router.post("/cases/{case_id}/close", openapi_extra=access("case:act"))
def close(body: Closing, a: CaseAct, b: B) -> dict[str, Any]:
    return run(b, a.asker, lambda s: s.close_case(a.asker.user_id, a.case_id, **said(body)))


# -- items: split, report ---------------------------------------------------------------------


Split = ev.ItemSplitFields


@router.post("/items/{item_id}/split", status_code=201, openapi_extra=access("item:act"))
def split(body: Split, a: ItemAct, b: B) -> dict[str, Any]:
    """Part of an item becomes an item of its own (its history starts from the parent's)."""
    return run(
        b,
        a.asker,
        lambda s: s.split(a.asker.user_id, a.item_id, **said(body)),
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
        with reading(b.led.engine) as conn:
            shown = facts.produced_to(conn, a.asker.caller)
    data = chain_of_custody.build(b.led, a.item_id, shown)
    if data is None:
        raise NotFound(f"there is no item {a.item_id}")
    return Response(
        render.pdf(render.html("chain_of_custody.html.j2", **data)), media_type="application/pdf"
    )


LabelFormat = Literal["sheet", "thermal"]


@router.get(
    "/items/{item_id}/label.pdf",
    openapi_extra=access("item:act"),
    responses={200: {"content": {"application/pdf": {}}}},
)
def label_pdf(
    a: ItemAct,
    b: B,
    label_format: Annotated[LabelFormat, Query(alias="format")] = "sheet",
) -> Response:
    """The item's label (QR code, Code 128 barcode, id, case numbers): `sheet` for letter
    sheets of 3 x 10 labels (Avery 5160), `thermal` for a 2 x 1 inch label printer. For
    those who keep the item, as the label page is; each label printed is logged."""
    fmt = labels.FORMATS[label_format]
    with reading(b.led.engine) as conn:
        made = labels.item_labels(conn, [a.item_id], fmt)
    log(b, a.asker, "label", f"item:{a.item_id}", detail=f"{fmt.name} PDF")
    document = render.html("labels.html.j2", **labels.context(made, fmt))
    return Response(render.pdf(document), media_type="application/pdf")


# -- lab work ---------------------------------------------------------------------------------


LabRequest = ev.LabRequest


@router.post("/lab-requests", status_code=201, openapi_extra=access("record"))
def lab_request(body: LabRequest, asker: Recorder, b: B) -> dict[str, Any]:
    with reading(b.led.engine) as conn:
        for item_id in body.item_ids:
            if not policy.act_on_item(asker.caller, facts.item_facts(conn, item_id)):
                raise deny(b, asker, f"item:{item_id}", f"you may not send {item_id} to a lab")
    return run(
        b,
        asker,
        lambda s: s.lab_request(asker.user_id, **said(body)),
    )


def _lab_guard(request_id: str, asker: Recorder, b: B) -> tuple[Asker, str]:
    with reading(b.led.engine) as conn:
        items = q.lab_request_items(conn, request_id)
        ok = bool(items) and all(
            policy.act_on_item(asker.caller, facts.item_facts(conn, i)) for i in items
        )
    if not ok:
        raise deny(b, asker, f"lab:{request_id}", f"you may not record results of {request_id}")
    return asker, request_id


LabResult = ev.LabResultFields


@router.post("/lab-requests/{request_id}/result", status_code=201, openapi_extra=access("lab:act"))
def lab_result(
    body: LabResult, g: Annotated[tuple[Asker, str], Depends(_lab_guard)], b: B
) -> dict[str, Any]:
    asker, request_id = g
    return run(b, asker, lambda s: s.lab_result(asker.user_id, request_id, **said(body)))


# -- inventories ---------------------------------------------------------------------------


Staff = Annotated[Asker, Depends(rule_guard(lambda c: c.may_write and c.staff, "take inventories"))]
"""Inventories are taken by property room staff."""


NewInventory = ev.InventoryStartFields


@router.post("/inventories", status_code=201, openapi_extra=access("staff:write"))
def start_inventory(body: NewInventory, asker: Staff, b: B) -> dict[str, Any]:
    return run(
        b,
        asker,
        lambda s: s.start_inventory(asker.user_id, **said(body)),
    )


async def own_inventory(inventory_id: str, asker: Staff, b: B) -> Asker:
    """Another agency's inventory is answered as if it did not exist, before the request's
    body is looked at."""

    def check() -> None:
        with reading(b.led.engine) as conn:
            exists, agency_id = q.inventory_agency(conn, inventory_id)
        if not exists or not policy.take_inventory(asker.caller, agency_id):
            raise NotFound(f"there is no inventory {inventory_id}")

    await run_in_threadpool(check)
    return asker


OwnInventory = Annotated[Asker, Depends(own_inventory)]


@router.get("/inventories/{inventory_id}", openapi_extra=access("staff:write"))
def inventory(inventory_id: str, asker: Staff, b: B) -> dict[str, Any]:
    """Found, missing and unexpected so far."""
    with reading(b.led.engine) as conn:
        view = q.inventory_view(conn, inventory_id)
    if view is None or not policy.take_inventory(asker.caller, view["agency_id"]):
        raise NotFound(f"there is no inventory {inventory_id}")
    return view


Scan = ev.InventoryScanFields


@router.post(
    "/inventories/{inventory_id}/scans", status_code=201, openapi_extra=access("staff:write")
)
def scan(inventory_id: str, body: Scan, asker: OwnInventory, b: B) -> dict[str, Any]:
    return run(b, asker, lambda s: s.scan(asker.user_id, inventory_id, **said(body)))


@router.post("/inventories/{inventory_id}/close", openapi_extra=access("staff:write"))
def close_inventory(inventory_id: str, asker: OwnInventory, b: B) -> dict[str, Any]:
    return run(b, asker, lambda s: s.close_inventory(asker.user_id, inventory_id))


# -- the prosecutor's desk -------------------------------------------------------------------


CaseRules = ev.CaseRulesFields


@router.put("/cases/{case_id}/disclosure/rules", openapi_extra=access("case:prosecute"))
def case_rules(body: CaseRules, a: CaseProsecute, b: B) -> dict[str, Any]:
    return run(
        b,
        a.asker,
        lambda s: Desk(s).case_rules(a.asker.user_id, a.case_id, **said(body)),
    )


DefenseRequest = ev.DisclosureRequestFields


@router.post(
    "/cases/{case_id}/disclosure/requests",
    status_code=201,
    openapi_extra=access("case:prosecute"),
)
def defense_request(body: DefenseRequest, a: CaseProsecute, b: B) -> dict[str, Any]:
    return run(
        b,
        a.asker,
        lambda s: Desk(s).request(a.asker.user_id, a.case_id, **said(body)),
    )


Flag = ev.DisclosureFlagFields


@router.post(
    "/cases/{case_id}/disclosure/flags", status_code=201, openapi_extra=access("case:prosecute")
)
def flag(body: Flag, a: CaseProsecute, b: B) -> dict[str, Any]:
    return run(
        b,
        a.asker,
        lambda s: Desk(s).flag(a.asker.user_id, a.case_id, **said(body)),
    )


Withhold = ev.WithholdRequestFields


@router.post(
    "/cases/{case_id}/disclosure/withholdings",
    status_code=201,
    openapi_extra=access("case:prosecute"),
)
def withhold(body: Withhold, a: CaseProsecute, b: B) -> dict[str, Any]:
    return run(
        b,
        a.asker,
        lambda s: Desk(s).withhold(a.asker.user_id, a.case_id, **said(body)),
    )


Approval = ev.WithholdApproveFields


@router.post(
    "/cases/{case_id}/disclosure/withholdings/approve",
    openapi_extra=access("case:prosecute"),
)
def approve_withholding(body: Approval, a: CaseProsecute, b: B) -> dict[str, Any]:
    """A second prosecutor of the case approves (the one who asked cannot)."""
    return run(
        b, a.asker, lambda s: Desk(s).approve_withholding(a.asker.user_id, a.case_id, body.unit)
    )
