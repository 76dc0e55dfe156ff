"""Custody projection of the items themselves: intake, every custody step, splits,
attached files and corrections, each also a line of the item's history."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ..domain import events as ev
from ..ledger.entry import Entry
from .custody_tables import correction, item, item_case, item_file, link_suggestion
from .projection_common import (
    actor_of,
    as_json,
    history_row,
    item_change,
    item_row,
    payload_of,
    record_history,
    set_item,
    when_of,
)
from .raw_sql import execute_batches, fetch_all

CORRECTABLE = frozenset(
    {
        "description",
        "quantity",
        "make",
        "model",
        "serial",
        "caliber",
        "packaging",
        "found_at",
        "received_from",
        "narrative",
    }
)


def _intake(conn: Connection, entry: Entry) -> None:
    p: ev.ItemIntake = payload_of(entry)
    when = when_of(entry, p)
    new_item = {
        "item_id": p.item_id,
        "category": str(p.category),
        "description": p.description,
        "quantity": p.quantity,
        "make": p.make,
        "model": p.model,
        "serial": p.serial,
        "caliber": p.caliber,
        "packaging": p.packaging,
        "seals": as_json(p.seals),
        "found_at": p.found_at,
        "received_from": p.received_from,
        "narrative": p.narrative,
        "status": "in_custody",
        "custodian": p.custodian,
        "location_id": p.location_id,
        "since": when,
        "intake_seq": entry.seq,
        "last_seq": entry.seq,
    }
    cases = [(p.item_id, case_id, entry.seq) for case_id in dict.fromkeys(p.case_ids)]
    execute_batches(  # one round trip on PostgreSQL
        conn,
        [
            item_row(new_item),
            ("INSERT INTO item_case (item_id, case_id, seq) VALUES (?, ?, ?)", cases),
            history_row(conn, entry, p.item_id, when),
        ],
    )


def _item_step(
    change: Callable[[Connection, Entry, Any, str], dict[str, Any]],
) -> Callable[[Connection, Entry], None]:
    """An item event: record it in the item's history and apply its change."""

    def handler(conn: Connection, entry: Entry) -> None:
        p = payload_of(entry)
        when = when_of(entry, p)
        values = change(conn, entry, p, when)
        execute_batches(
            conn,
            [item_change(entry, p.item_id, **values), history_row(conn, entry, p.item_id, when)],
        )

    return handler


def _transfer(conn: Connection, entry: Entry, p: ev.ItemTransfer, when: str) -> dict[str, Any]:
    return {"status": "in_transfer", "pending_to": p.to_user}


def _receive(conn: Connection, entry: Entry, p: ev.ItemReceive, when: str) -> dict[str, Any]:
    receiver = actor_of(conn, entry)
    roles = fetch_all(conn, "SELECT roles FROM app_user WHERE user_id = ?", (receiver,))
    keeps_shelves = bool(roles) and "property_clerk" in json.loads(roles[0][0])
    change: dict[str, Any] = {
        "status": "in_custody",
        "custodian": receiver,
        "pending_to": None,
        "since": when,
    }
    if not keeps_shelves:
        change["location_id"] = None  # in that person's hands, not on a shelf
    return change


def _transfer_cancel(
    conn: Connection, entry: Entry, p: ev.ItemTransferCancel, when: str
) -> dict[str, Any]:
    return {"status": "in_custody", "pending_to": None}


def _withdraw(
    conn: Connection, entry: Entry, p: ev.DispositionWithdraw, when: str
) -> dict[str, Any]:
    return {"disposition": None, "disposition_method": None, "disposition_requested_by": None}


def _checkout(conn: Connection, entry: Entry, p: ev.ItemCheckout, when: str) -> dict[str, Any]:
    return {
        "status": "checked_out",
        "checkout_to": p.to,
        "checkout_purpose": str(p.purpose),
        "due_back": p.due_back,
        "location_id": None,
        "since": when,
    }


def _checkin(conn: Connection, entry: Entry, p: ev.ItemCheckin, when: str) -> dict[str, Any]:
    return {
        "status": "in_custody",
        "checkout_to": None,
        "checkout_purpose": None,
        "due_back": None,
        "location_id": p.location_id,
        "since": when,
    }


def _move(conn: Connection, entry: Entry, p: ev.ItemMove, when: str) -> dict[str, Any]:
    return {"location_id": p.location_id, "since": when}


def _file_case(conn: Connection, entry: Entry, p: ev.ItemFileCase, when: str) -> dict[str, Any]:
    conn.execute(item_case.insert().values(item_id=p.item_id, case_id=p.case_id, seq=entry.seq))
    # A suggestion to link the two is settled by the filing itself.
    conn.execute(
        update(link_suggestion)
        .where(
            (link_suggestion.c.item_id == p.item_id)
            & (link_suggestion.c.case_id == p.case_id)
            & (link_suggestion.c.status == "open")
        )
        .values(
            status="filed",
            decided_by=actor_of(conn, entry),
            decided_at=when_of(entry, p),
            decision_reason=p.reason,
        )
    )
    return {}


def _request(conn: Connection, entry: Entry, p: ev.DispositionRequest, when: str) -> dict[str, Any]:
    return {
        "disposition": "requested",
        "disposition_method": str(p.method),
        "disposition_requested_by": actor_of(conn, entry),
    }


def _approve(conn: Connection, entry: Entry, p: ev.DispositionApprove, when: str) -> dict[str, Any]:
    return {"disposition": "approved"}


def _dispose(conn: Connection, entry: Entry, p: ev.DispositionDone, when: str) -> dict[str, Any]:
    return {
        "status": "disposed",
        "disposition": "done",
        "disposition_method": str(p.method),
        "location_id": None,
        "since": when,
    }


def _attach(conn: Connection, entry: Entry, p: ev.FileAttach, when: str) -> dict[str, Any]:
    conn.execute(
        item_file.insert().values(
            item_id=p.item_id,
            sha256=p.sha256,
            name=p.name,
            size=p.size,
            media_type=p.media_type,
            seq=entry.seq,
        )
    )
    return {}


def _split(conn: Connection, entry: Entry) -> None:
    p: ev.ItemSplit = payload_of(entry)
    when = when_of(entry, p)
    parent = conn.execute(select(item).where(item.c.item_id == p.item_id)).one()
    values = dict(parent._mapping)
    values.update(
        item_id=p.new_item_id,
        description=p.description,
        quantity=p.quantity,
        parent_id=p.item_id,
        since=when,
        intake_seq=entry.seq,
        last_seq=entry.seq,
        disposition=None,
        disposition_method=None,
        disposition_requested_by=None,
    )
    conn.execute(item.insert().values(**values))
    set_item(conn, entry, p.item_id, quantity=parent.quantity - p.quantity)
    for (case_id,) in conn.execute(
        select(item_case.c.case_id).where(item_case.c.item_id == p.item_id)
    ):
        conn.execute(
            item_case.insert().values(item_id=p.new_item_id, case_id=case_id, seq=entry.seq)
        )
    record_history(conn, entry, p.item_id, when)
    record_history(conn, entry, p.new_item_id, when)


def _correct(conn: Connection, entry: Entry) -> None:
    p: ev.Correction = payload_of(entry)
    target = conn.execute(select(item.c.item_id).where(item.c.intake_seq == p.target_seq)).scalar()
    applied = target is not None and p.field in CORRECTABLE
    if applied:
        set_item(conn, entry, str(target), **{p.field: p.value})
        record_history(conn, entry, str(target), when_of(entry, p))
    conn.execute(
        correction.insert().values(
            seq=entry.seq,
            target_seq=p.target_seq,
            field=p.field,
            value=as_json(p.value),
            reason=p.reason,
            applied=applied,
        )
    )


HANDLERS: dict[str, Callable[[Connection, Entry], None]] = {
    "item.intake": _intake,
    "item.transfer": _item_step(_transfer),
    "item.receive": _item_step(_receive),
    "item.transfer_cancel": _item_step(_transfer_cancel),
    "item.disposition_withdraw": _item_step(_withdraw),
    "item.checkout": _item_step(_checkout),
    "item.checkin": _item_step(_checkin),
    "item.move": _item_step(_move),
    "item.file_case": _item_step(_file_case),
    "item.disposition_request": _item_step(_request),
    "item.disposition_approve": _item_step(_approve),
    "item.disposition": _item_step(_dispose),
    "file.attach": _item_step(_attach),
    "item.split": _split,
    "record.correct": _correct,
}
