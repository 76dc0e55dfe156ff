"""Projection of disclosure events into the tables of store/disclosure_tables.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, and_, delete, update
from sqlalchemy.engine import Connection

from ..domain import events as ev
from ..ledger.entry import Entry
from .custody_projection import _json, _payload, _when, actor_of
from .disclosure_tables import (
    TABLES,
    case_rules,
    disclosure_flag,
    disclosure_request,
    production,
    production_unit,
    receipt,
    rule_set,
    withholding,
)
from .ledger_store import HandlerProjector


def _put(conn: Connection, table: Table, **row: Any) -> None:
    """Insert the row, replacing the one with the same primary key (the latest event
    of its kind is what holds: a new rule set version, a changed flag)."""
    key = and_(*(c == row[c.name] for c in table.primary_key.columns))
    conn.execute(delete(table).where(key))
    conn.execute(table.insert().values(**row))


def _rules_adopt(conn: Connection, entry: Entry) -> None:
    p: ev.RulesAdopt = _payload(entry)
    _put(
        conn,
        rule_set,
        rule_set_id=str(p.rule_set["id"]),
        body=_json(p.rule_set),
        adopted_seq=entry.seq,
    )


def _case_rules(conn: Connection, entry: Entry) -> None:
    p: ev.CaseRules = _payload(entry)
    _put(
        conn,
        case_rules,
        case_id=p.case_id,
        rule_set_id=p.rule_set_id,
        in_custody=p.in_custody,
        seq=entry.seq,
    )


def _request(conn: Connection, entry: Entry) -> None:
    p: ev.DisclosureRequest = _payload(entry)
    conn.execute(
        disclosure_request.insert().values(
            seq=entry.seq,
            case_id=p.case_id,
            requested_at=_when(entry, p),
            requested_by=p.requested_by,
        )
    )


def _flag(conn: Connection, entry: Entry) -> None:
    p: ev.DisclosureFlag = _payload(entry)
    _put(
        conn,
        disclosure_flag,
        case_id=p.case_id,
        unit=p.unit,
        exculpatory=p.exculpatory,
        impeachment=p.impeachment,
        note=p.note,
    )


def _withhold(conn: Connection, entry: Entry) -> None:
    p: ev.WithholdRequest = _payload(entry)
    _put(
        conn,
        withholding,
        case_id=p.case_id,
        unit=p.unit,
        reason=p.reason,
        order_ref=p.order_ref,
        requested_by=actor_of(conn, entry),
        requested_at=entry.recorded_at,
        approved_by=None,
        approved_at=None,
    )


def _withhold_approve(conn: Connection, entry: Entry) -> None:
    p: ev.WithholdApprove = _payload(entry)
    conn.execute(
        update(withholding)
        .where((withholding.c.case_id == p.case_id) & (withholding.c.unit == p.unit))
        .values(approved_by=actor_of(conn, entry), approved_at=entry.recorded_at)
    )


def _produce(conn: Connection, entry: Entry) -> None:
    p: ev.DisclosureProduce = _payload(entry)
    conn.execute(
        production.insert().values(
            production_id=p.production_id,
            case_id=p.case_id,
            produced_at=_when(entry, p),
            produced_by=actor_of(conn, entry),
            recipient=p.recipient,
            bag_sha256=p.bag_sha256,
            checkpoint_size=p.checkpoint_size,
            seq=entry.seq,
        )
    )
    conn.execute(
        production_unit.insert(),
        [
            {
                "production_id": p.production_id,
                "unit": u.unit,
                "bates": u.bates,
                "case_id": p.case_id,
            }
            for u in p.units
        ],
    )


def _receipt(conn: Connection, entry: Entry) -> None:
    p: ev.DisclosureReceipt = _payload(entry)
    conn.execute(
        receipt.insert().values(
            production_id=p.production_id,
            received_by=p.received_by,
            received_at=_when(entry, p),
            bag_sha256=p.bag_sha256,
            seq=entry.seq,
        )
    )


_HANDLERS: dict[str, Callable[[Connection, Entry], None]] = {
    "rules.adopt": _rules_adopt,
    "case.rules": _case_rules,
    "disclosure.request": _request,
    "disclosure.flag": _flag,
    "disclosure.withhold": _withhold,
    "disclosure.withhold_approve": _withhold_approve,
    "disclosure.produce": _produce,
    "disclosure.receipt": _receipt,
}


class DisclosureProjector(HandlerProjector):
    """Plug into LedgerStore(projectors=[...]) after the custody projector."""

    tables = TABLES
    handlers = _HANDLERS
    version = 1
