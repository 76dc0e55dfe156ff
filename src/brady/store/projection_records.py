"""Custody projection of what is recorded about items beside their custody: lab requests
and results, inventories of the shelves, link suggestions with their review, and related
cases (a shared party) with theirs."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ..domain import events as ev
from ..domain import sampling
from ..ledger.entry import Entry
from .custody_queries import items_in_custody
from .custody_tables import (
    case_relation,
    inventory,
    inventory_scan,
    item,
    item_case,
    lab_request,
    link_suggestion,
)
from .projection_common import actor_of, as_json, payload_of, record_history, when_of


def _lab_request(conn: Connection, entry: Entry) -> None:
    p: ev.LabRequest = payload_of(entry)
    when = when_of(entry, p)
    conn.execute(
        lab_request.insert().values(
            request_id=p.request_id,
            lab=p.lab,
            item_ids=as_json(p.item_ids),
            examinations=p.examinations,
            requested_at=when,
            requested_by=actor_of(conn, entry),
            result_at=None,
            findings=None,
            report_sha256=None,
        )
    )
    for item_id in p.item_ids:
        record_history(conn, entry, item_id, when)


def _lab_result(conn: Connection, entry: Entry) -> None:
    p: ev.LabResult = payload_of(entry)
    when = when_of(entry, p)
    conn.execute(
        update(lab_request)
        .where(lab_request.c.request_id == p.request_id)
        .values(result_at=when, findings=p.findings, report_sha256=p.report_sha256)
    )
    items = conn.execute(
        select(lab_request.c.item_ids).where(lab_request.c.request_id == p.request_id)
    ).scalar_one()
    for item_id in json.loads(items):
        record_history(conn, entry, item_id, when)


def _inventory_start(conn: Connection, entry: Entry) -> None:
    p: ev.InventoryStart = payload_of(entry)
    pool = items_in_custody(
        conn, p.location_id, p.scope == "sample", p.agency_id, every_agency=p.agency_id is None
    )
    expected = sampling.expected_items(pool, p.scope, p.seed)
    if len(pool) != p.population or sampling.list_digest(expected) != p.expected_sha256:
        raise ValueError(
            f"inventory {p.inventory_id}: the items in scope at entry {entry.seq} do not match "
            "the list the entry pins down"
        )
    conn.execute(
        inventory.insert().values(
            inventory_id=p.inventory_id,
            scope=p.scope,
            location_id=p.location_id,
            expected=as_json(expected),
            population=p.population,
            seed=p.seed,
            started_at=when_of(entry, p),
            started_by=actor_of(conn, entry),
            closed_at=None,
            found=None,
            missing=None,
            unexpected=None,
        )
    )


def _inventory_scan(conn: Connection, entry: Entry) -> None:
    p: ev.InventoryScan = payload_of(entry)
    status = conn.execute(select(item.c.status).where(item.c.item_id == p.item_id)).scalar()
    conn.execute(
        inventory_scan.insert().values(
            inventory_id=p.inventory_id,
            item_id=p.item_id,
            location_id=p.location_id,
            status_then=status,
            seq=entry.seq,
        )
    )
    if status is not None:
        record_history(conn, entry, p.item_id, when_of(entry, p))


def _inventory_close(conn: Connection, entry: Entry) -> None:
    p: ev.InventoryClose = payload_of(entry)
    expected = set(
        json.loads(
            conn.execute(
                select(inventory.c.expected).where(inventory.c.inventory_id == p.inventory_id)
            ).scalar_one()
        )
    )
    scans = {
        r.item_id: r.status_then
        for r in conn.execute(
            select(inventory_scan).where(inventory_scan.c.inventory_id == p.inventory_id)
        )
    }
    present = {i for i, status in scans.items() if status == "in_custody"}
    conn.execute(
        update(inventory)
        .where(inventory.c.inventory_id == p.inventory_id)
        .values(
            closed_at=when_of(entry, p),
            found=as_json(sorted(expected & present)),
            missing=as_json(sorted(expected - set(scans))),
            unexpected=as_json(sorted(set(scans) - (expected & present))),
        )
    )


def _link_suggest(conn: Connection, entry: Entry) -> None:
    p: ev.LinkSuggest = payload_of(entry)
    decided = None
    if p.relation_id is not None:
        decided = conn.execute(
            select(case_relation.c.decided_by, case_relation.c.decision_reason).where(
                (case_relation.c.relation_id == p.relation_id)
                & (case_relation.c.case_id == p.case_id)
                & (case_relation.c.status == "accepted")
            )
        ).first()
    conn.execute(
        link_suggestion.insert().values(
            suggestion_id=p.suggestion_id,
            item_id=p.item_id,
            case_id=p.case_id,
            score=f"{p.score:.3f}",
            reasons=as_json(p.reasons),
            evidence=as_json(p.evidence),
            status="open" if decided is None else "accepted",
            suggested_seq=entry.seq,
            decided_by=None if decided is None else decided.decided_by,
            decided_at=None if decided is None else when_of(entry, p),
            decision_reason=None
            if decided is None
            else f"follows the decision on related cases {p.relation_id}: "
            f"{decided.decision_reason}",
            relation_id=p.relation_id,
        )
    )
    if decided is not None:
        # That side of the related cases was accepted: the item joins the case by it.
        conn.execute(item_case.insert().values(item_id=p.item_id, case_id=p.case_id, seq=entry.seq))
        record_history(conn, entry, p.item_id, when_of(entry, p))


def _relation_suggest(conn: Connection, entry: Entry) -> None:
    p: ev.RelationSuggest = payload_of(entry)
    first, second = p.case_ids
    for case_id, other in ((first, second), (second, first)):
        for person_id in p.person_ids:
            conn.execute(
                case_relation.insert().values(
                    relation_id=p.relation_id,
                    case_id=case_id,
                    person_id=person_id,
                    other_case_id=other,
                    reasons=as_json(p.reasons),
                    status="open",
                    suggested_seq=entry.seq,
                    decided_by=None,
                    decided_at=None,
                    decision_reason=None,
                )
            )


def _relation_decide(conn: Connection, entry: Entry) -> None:
    p: ev.RelationDecision = payload_of(entry)
    conn.execute(
        update(case_relation)
        .where(
            (case_relation.c.relation_id == p.relation_id) & (case_relation.c.case_id == p.case_id)
        )
        .values(
            status="accepted" if entry.kind == "relation.accept" else "rejected",
            decided_by=actor_of(conn, entry),
            decided_at=when_of(entry, p),
            decision_reason=p.reason,
        )
    )


def _link_decide(conn: Connection, entry: Entry) -> None:
    p: ev.LinkDecision = payload_of(entry)
    accepted = entry.kind == "link.accept"
    conn.execute(
        update(link_suggestion)
        .where(link_suggestion.c.suggestion_id == p.suggestion_id)
        .values(
            status="accepted" if accepted else "rejected",
            decided_by=actor_of(conn, entry),
            decided_at=when_of(entry, p),
            decision_reason=p.reason,
        )
    )
    row = conn.execute(
        select(link_suggestion.c.item_id, link_suggestion.c.case_id).where(
            link_suggestion.c.suggestion_id == p.suggestion_id
        )
    ).one()
    if accepted:
        # The item joins that case: it is now part of the case's discovery.
        conn.execute(
            item_case.insert().values(item_id=row.item_id, case_id=row.case_id, seq=entry.seq)
        )
    record_history(conn, entry, row.item_id, entry.recorded_at)


HANDLERS: dict[str, Callable[[Connection, Entry], None]] = {
    "link.suggest": _link_suggest,
    "link.accept": _link_decide,
    "link.reject": _link_decide,
    "relation.suggest": _relation_suggest,
    "relation.accept": _relation_decide,
    "relation.reject": _relation_decide,
    "lab.request": _lab_request,
    "lab.result": _lab_result,
    "inventory.start": _inventory_start,
    "inventory.scan": _inventory_scan,
    "inventory.close": _inventory_close,
}
