"""Applies ledger entries to the custody projection tables.

The same code keeps the live tables in step inside every append and rebuilds
them from scratch for `brady verify`, so the two can be compared row for row.
It reads nothing but the entries and the tables it maintains: no clock, no
configuration, so a replay always gives the same state.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.engine import Connection

from ..domain import events as ev
from ..domain import sampling
from ..ledger.entry import Entry
from ..ledger.keyring import GENESIS, KEY_REGISTER, KEY_ROTATE
from ._raw import execute_many, fetch_all
from .custody_queries import items_in_custody
from .custody_tables import (
    actor_key,
    agency,
    app_user,
    case_assignment,
    case_file,
    case_number,
    case_party,
    correction,
    defendant,
    inventory,
    inventory_scan,
    item,
    item_case,
    item_event,
    item_file,
    lab_request,
    link_suggestion,
    location,
    organization,
    person,
)
from .ledger_store import HandlerProjector

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


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def actor_of(conn: Connection, entry: Entry) -> str:
    """The user (or key holder) who signed an entry.

    Once a key is bound to a user the binding never changes, so bound keys are
    remembered per database connection (conn.info lives with the DBAPI connection).
    """
    known: dict[str, str] = conn.info.setdefault("brady_actors", {})
    if entry.key_id in known:
        return known[entry.key_id]
    rows = fetch_all(
        conn, "SELECT user_id, holder FROM actor_key WHERE key_id = ?", (entry.key_id,)
    )
    if not rows:
        return f"key:{entry.key_id}"
    user_id, holder = rows[0]
    if user_id is not None:
        known[entry.key_id] = str(user_id)
    return str(user_id or holder)


def _when(entry: Entry, payload: ev.Payload) -> str:
    return getattr(payload, "occurred_at", None) or entry.recorded_at


def _payload(entry: Entry) -> Any:
    return ev.PAYLOADS[entry.kind].model_validate(entry.payload)


# -- keys and people -------------------------------------------------------------


def _keys(conn: Connection, entry: Entry) -> None:
    p = entry.payload
    if entry.kind in {GENESIS, KEY_REGISTER}:
        key_id, holder = p["key_id"], p.get("holder", "")
    elif entry.kind == KEY_ROTATE:
        old = conn.execute(select(actor_key).where(actor_key.c.key_id == p["key_id"])).first()
        key_id, holder = p["new_key_id"], (old.holder if old else "")
        user = old.user_id if old else None
        conn.execute(
            actor_key.insert().values(
                key_id=key_id, holder=holder, user_id=user, registered_seq=entry.seq
            )
        )
        if user is not None:
            conn.execute(update(app_user).where(app_user.c.user_id == user).values(key_id=key_id))
        return
    else:
        return
    # A key registered for an existing user replaces a revoked one: it signs for them now.
    user = None
    if holder.startswith("user:"):
        user = conn.execute(
            select(app_user.c.user_id).where(app_user.c.user_id == holder[5:])
        ).scalar()
    conn.execute(
        actor_key.insert().values(
            key_id=key_id, holder=holder, user_id=user, registered_seq=entry.seq
        )
    )
    if user is not None:
        conn.execute(update(app_user).where(app_user.c.user_id == user).values(key_id=key_id))


def _agency_add(conn: Connection, entry: Entry) -> None:
    p: ev.AgencyAdd = _payload(entry)
    formats = {str(k): v for k, v in p.case_number_formats.items()}
    conn.execute(agency.insert().values(agency_id=p.agency_id, name=p.name, formats=_json(formats)))


def _user_add(conn: Connection, entry: Entry) -> None:
    p: ev.UserAdd = _payload(entry)
    conn.execute(
        app_user.insert().values(
            user_id=p.user_id,
            name=p.name,
            roles=_json(sorted(str(r) for r in p.roles)),
            agency_id=p.agency_id,
            key_id=p.key_id,
        )
    )
    conn.execute(update(actor_key).where(actor_key.c.key_id == p.key_id).values(user_id=p.user_id))


def _user_roles(conn: Connection, entry: Entry) -> None:
    p: ev.UserRoles = _payload(entry)
    conn.execute(
        update(app_user)
        .where(app_user.c.user_id == p.user_id)
        .values(roles=_json(sorted(str(r) for r in p.roles)), agency_id=p.agency_id)
    )


def _case_assign(conn: Connection, entry: Entry) -> None:
    p: ev.CaseAssign = _payload(entry)
    key = (case_assignment.c.case_id == p.case_id) & (case_assignment.c.user_id == p.user_id)
    conn.execute(delete(case_assignment).where(key))
    conn.execute(
        case_assignment.insert().values(
            case_id=p.case_id, user_id=p.user_id, role=str(p.role), assigned_seq=entry.seq
        )
    )


def _case_unassign(conn: Connection, entry: Entry) -> None:
    p: ev.CaseUnassign = _payload(entry)
    key = (case_assignment.c.case_id == p.case_id) & (case_assignment.c.user_id == p.user_id)
    conn.execute(delete(case_assignment).where(key))


def _person_add(conn: Connection, entry: Entry) -> None:
    p: ev.PersonAdd = _payload(entry)
    conn.execute(
        person.insert().values(
            person_id=p.person_id, name=p.name, aliases=_json(p.aliases), dob=p.dob
        )
    )


def _organization_add(conn: Connection, entry: Entry) -> None:
    p: ev.OrganizationAdd = _payload(entry)
    conn.execute(
        organization.insert().values(
            org_id=p.org_id, name=p.name, aliases=_json(p.aliases), address=p.address
        )
    )


def _location_add(conn: Connection, entry: Entry) -> None:
    p: ev.LocationAdd = _payload(entry)
    conn.execute(
        location.insert().values(
            location_id=p.location_id, name=p.name, kind=str(p.kind), parent_id=p.parent_id
        )
    )


# -- cases -------------------------------------------------------------------


def _case_open(conn: Connection, entry: Entry) -> None:
    p: ev.CaseOpen = _payload(entry)
    conn.execute(
        case_file.insert().values(
            case_id=p.case_id,
            title=p.title,
            agency_id=p.agency_id,
            status="open",
            opened_at=_when(entry, p),
            closed_at=None,
            narrative=p.narrative,
        )
    )
    for n in p.numbers:
        conn.execute(
            case_number.insert().values(kind=str(n.kind), number=n.number, case_id=p.case_id)
        )


def _case_add_number(conn: Connection, entry: Entry) -> None:
    p: ev.CaseAddNumber = _payload(entry)
    conn.execute(
        case_number.insert().values(
            kind=str(p.number.kind), number=p.number.number, case_id=p.case_id
        )
    )


def _case_add_party(conn: Connection, entry: Entry) -> None:
    p: ev.CaseAddParty = _payload(entry)
    conn.execute(
        case_party.insert().values(
            case_id=p.case_id, person_id=p.person_id, role=str(p.role), added_at=_when(entry, p)
        )
    )


def _case_charge(conn: Connection, entry: Entry) -> None:
    p: ev.CaseCharge = _payload(entry)
    key = (defendant.c.case_id == p.case_id) & (defendant.c.person_id == p.person_id)
    existing = conn.execute(select(defendant.c.charges).where(key)).scalar()
    if existing is None:
        conn.execute(
            defendant.insert().values(
                case_id=p.case_id,
                person_id=p.person_id,
                charges=_json(p.charges),
                charged_on=p.charged_on,
                arraigned_on=None,
            )
        )
    else:
        charges = json.loads(existing) + [c for c in p.charges if c not in json.loads(existing)]
        conn.execute(update(defendant).where(key).values(charges=_json(charges)))
    conn.execute(update(case_file).where(case_file.c.case_id == p.case_id).values(status="charged"))


def _case_arraign(conn: Connection, entry: Entry) -> None:
    p: ev.CaseArraign = _payload(entry)
    conn.execute(
        update(defendant)
        .where((defendant.c.case_id == p.case_id) & (defendant.c.person_id == p.person_id))
        .values(arraigned_on=p.arraigned_on)
    )


def _case_close(conn: Connection, entry: Entry) -> None:
    p: ev.CaseClose = _payload(entry)
    conn.execute(
        update(case_file)
        .where(case_file.c.case_id == p.case_id)
        .values(status="closed", closed_at=_when(entry, p))
    )


# -- items -------------------------------------------------------------------


def _history(conn: Connection, entry: Entry, item_id: str, when: str) -> None:
    execute_many(
        conn,
        "INSERT INTO item_event (item_id, seq, kind, occurred_at, actor) VALUES (?, ?, ?, ?, ?)",
        [(item_id, entry.seq, entry.kind, when, actor_of(conn, entry))],
    )


_ITEM_COLUMNS = frozenset(c.name for c in item.columns)


def _set_item(conn: Connection, entry: Entry, item_id: str, **values: Any) -> None:
    values["last_seq"] = entry.seq
    unknown = set(values) - _ITEM_COLUMNS
    if unknown:
        raise ValueError(f"item has no column {sorted(unknown)}")
    names = sorted(values)
    assignments = ", ".join(f"{name} = ?" for name in names)  # names are item's own columns
    execute_many(
        conn,
        f"UPDATE item SET {assignments} WHERE item_id = ?",
        [(*(values[n] for n in names), item_id)],
    )


def _intake(conn: Connection, entry: Entry) -> None:
    p: ev.ItemIntake = _payload(entry)
    when = _when(entry, p)
    conn.execute(
        item.insert().values(
            item_id=p.item_id,
            category=str(p.category),
            description=p.description,
            quantity=p.quantity,
            make=p.make,
            model=p.model,
            serial=p.serial,
            caliber=p.caliber,
            packaging=p.packaging,
            seals=_json(p.seals),
            found_at=p.found_at,
            received_from=p.received_from,
            narrative=p.narrative,
            parent_id=None,
            status="in_custody",
            custodian=p.custodian,
            location_id=p.location_id,
            since=when,
            pending_to=None,
            checkout_to=None,
            checkout_purpose=None,
            due_back=None,
            disposition=None,
            disposition_method=None,
            disposition_requested_by=None,
            intake_seq=entry.seq,
            last_seq=entry.seq,
        )
    )
    for case_id in dict.fromkeys(p.case_ids):
        conn.execute(item_case.insert().values(item_id=p.item_id, case_id=case_id, seq=entry.seq))
    _history(conn, entry, p.item_id, when)


def _item_step(
    change: Callable[[Connection, Entry, Any, str], dict[str, Any]],
) -> Callable[[Connection, Entry], None]:
    """An item event: record it in the item's history and apply its change."""

    def handler(conn: Connection, entry: Entry) -> None:
        p = _payload(entry)
        when = _when(entry, p)
        values = change(conn, entry, p, when)
        _set_item(conn, entry, p.item_id, **values)
        _history(conn, entry, p.item_id, when)

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
            decided_at=_when(entry, p),
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
    p: ev.ItemSplit = _payload(entry)
    when = _when(entry, p)
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
    _set_item(conn, entry, p.item_id, quantity=parent.quantity - p.quantity)
    for (case_id,) in conn.execute(
        select(item_case.c.case_id).where(item_case.c.item_id == p.item_id)
    ):
        conn.execute(
            item_case.insert().values(item_id=p.new_item_id, case_id=case_id, seq=entry.seq)
        )
    _history(conn, entry, p.item_id, when)
    _history(conn, entry, p.new_item_id, when)


def _lab_request(conn: Connection, entry: Entry) -> None:
    p: ev.LabRequest = _payload(entry)
    when = _when(entry, p)
    conn.execute(
        lab_request.insert().values(
            request_id=p.request_id,
            lab=p.lab,
            item_ids=_json(p.item_ids),
            examinations=p.examinations,
            requested_at=when,
            requested_by=actor_of(conn, entry),
            result_at=None,
            findings=None,
            report_sha256=None,
        )
    )
    for item_id in p.item_ids:
        _history(conn, entry, item_id, when)


def _lab_result(conn: Connection, entry: Entry) -> None:
    p: ev.LabResult = _payload(entry)
    when = _when(entry, p)
    conn.execute(
        update(lab_request)
        .where(lab_request.c.request_id == p.request_id)
        .values(result_at=when, findings=p.findings, report_sha256=p.report_sha256)
    )
    items = conn.execute(
        select(lab_request.c.item_ids).where(lab_request.c.request_id == p.request_id)
    ).scalar_one()
    for item_id in json.loads(items):
        _history(conn, entry, item_id, when)


def _inventory_start(conn: Connection, entry: Entry) -> None:
    p: ev.InventoryStart = _payload(entry)
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
            expected=_json(expected),
            population=p.population,
            seed=p.seed,
            started_at=_when(entry, p),
            started_by=actor_of(conn, entry),
            closed_at=None,
            found=None,
            missing=None,
            unexpected=None,
        )
    )


def _inventory_scan(conn: Connection, entry: Entry) -> None:
    p: ev.InventoryScan = _payload(entry)
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
        _history(conn, entry, p.item_id, _when(entry, p))


def _inventory_close(conn: Connection, entry: Entry) -> None:
    p: ev.InventoryClose = _payload(entry)
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
            closed_at=_when(entry, p),
            found=_json(sorted(expected & present)),
            missing=_json(sorted(expected - set(scans))),
            unexpected=_json(sorted(set(scans) - (expected & present))),
        )
    )


def _link_suggest(conn: Connection, entry: Entry) -> None:
    p: ev.LinkSuggest = _payload(entry)
    conn.execute(
        link_suggestion.insert().values(
            suggestion_id=p.suggestion_id,
            item_id=p.item_id,
            case_id=p.case_id,
            score=f"{p.score:.3f}",
            reasons=_json(p.reasons),
            evidence=_json(p.evidence),
            status="open",
            suggested_seq=entry.seq,
            decided_by=None,
            decided_at=None,
            decision_reason=None,
        )
    )


def _link_decide(conn: Connection, entry: Entry) -> None:
    p: ev.LinkDecision = _payload(entry)
    accepted = entry.kind == "link.accept"
    conn.execute(
        update(link_suggestion)
        .where(link_suggestion.c.suggestion_id == p.suggestion_id)
        .values(
            status="accepted" if accepted else "rejected",
            decided_by=actor_of(conn, entry),
            decided_at=_when(entry, p),
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
    _history(conn, entry, row.item_id, entry.recorded_at)


def _correct(conn: Connection, entry: Entry) -> None:
    p: ev.Correction = _payload(entry)
    target = conn.execute(select(item.c.item_id).where(item.c.intake_seq == p.target_seq)).scalar()
    applied = target is not None and p.field in CORRECTABLE
    if applied:
        _set_item(conn, entry, str(target), **{p.field: p.value})
        _history(conn, entry, str(target), _when(entry, p))
    conn.execute(
        correction.insert().values(
            seq=entry.seq,
            target_seq=p.target_seq,
            field=p.field,
            value=_json(p.value),
            reason=p.reason,
            applied=applied,
        )
    )


_HANDLERS: dict[str, Callable[[Connection, Entry], None]] = {
    GENESIS: _keys,
    KEY_REGISTER: _keys,
    KEY_ROTATE: _keys,
    "agency.add": _agency_add,
    "user.add": _user_add,
    "user.roles": _user_roles,
    "person.add": _person_add,
    "location.add": _location_add,
    "organization.add": _organization_add,
    "case.open": _case_open,
    "case.add_number": _case_add_number,
    "case.add_party": _case_add_party,
    "case.assign": _case_assign,
    "case.unassign": _case_unassign,
    "case.charge": _case_charge,
    "case.arraign": _case_arraign,
    "case.close": _case_close,
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
    "link.suggest": _link_suggest,
    "link.accept": _link_decide,
    "link.reject": _link_decide,
    "lab.request": _lab_request,
    "lab.result": _lab_result,
    "inventory.start": _inventory_start,
    "inventory.scan": _inventory_scan,
    "inventory.close": _inventory_close,
}

TABLES: tuple[Table, ...] = (
    actor_key,
    agency,
    app_user,
    person,
    location,
    organization,
    case_file,
    case_number,
    case_party,
    case_assignment,
    defendant,
    item,
    item_case,
    item_event,
    item_file,
    lab_request,
    inventory,
    inventory_scan,
    link_suggestion,
    correction,
)


class CustodyProjector(HandlerProjector):
    """Projection of custody events; plug into LedgerStore(projectors=[...])."""

    tables = TABLES
    handlers = _HANDLERS
    version = 4
    """1: the first rules. 2: short case numbers ('#24-415') and recorded linking patterns.
    3: case assignments, role changes, a user's replacement key; one-slip name keys.
    4: what each link suggestion rested on."""
