"""Custody projection of who is who and the cases: keys, agencies, users, assignments,
people, organizations, places, and each case's numbers, parties and charges."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from ..domain import events as ev
from ..ledger.entry import Entry
from ..ledger.keyring import GENESIS, KEY_REGISTER, KEY_ROTATE
from .custody_tables import (
    actor_key,
    agency,
    app_user,
    case_assignment,
    case_file,
    case_number,
    case_party,
    defendant,
    location,
    organization,
    person,
)
from .projection_common import as_json, payload_of, when_of

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
    p: ev.AgencyAdd = payload_of(entry)
    formats = {str(k): v for k, v in p.case_number_formats.items()}
    conn.execute(
        agency.insert().values(agency_id=p.agency_id, name=p.name, formats=as_json(formats))
    )


def _user_add(conn: Connection, entry: Entry) -> None:
    p: ev.UserAdd = payload_of(entry)
    conn.execute(
        app_user.insert().values(
            user_id=p.user_id,
            name=p.name,
            roles=as_json(sorted(str(r) for r in p.roles)),
            agency_id=p.agency_id,
            key_id=p.key_id,
        )
    )
    conn.execute(update(actor_key).where(actor_key.c.key_id == p.key_id).values(user_id=p.user_id))


def _user_roles(conn: Connection, entry: Entry) -> None:
    p: ev.UserRoles = payload_of(entry)
    conn.execute(
        update(app_user)
        .where(app_user.c.user_id == p.user_id)
        .values(roles=as_json(sorted(str(r) for r in p.roles)), agency_id=p.agency_id)
    )


def _case_assign(conn: Connection, entry: Entry) -> None:
    p: ev.CaseAssign = payload_of(entry)
    key = (case_assignment.c.case_id == p.case_id) & (case_assignment.c.user_id == p.user_id)
    conn.execute(delete(case_assignment).where(key))
    conn.execute(
        case_assignment.insert().values(
            case_id=p.case_id, user_id=p.user_id, role=str(p.role), assigned_seq=entry.seq
        )
    )


def _case_unassign(conn: Connection, entry: Entry) -> None:
    p: ev.CaseUnassign = payload_of(entry)
    key = (case_assignment.c.case_id == p.case_id) & (case_assignment.c.user_id == p.user_id)
    conn.execute(delete(case_assignment).where(key))


def _person_add(conn: Connection, entry: Entry) -> None:
    p: ev.PersonAdd = payload_of(entry)
    conn.execute(
        person.insert().values(
            person_id=p.person_id, name=p.name, aliases=as_json(p.aliases), dob=p.dob
        )
    )


def _organization_add(conn: Connection, entry: Entry) -> None:
    p: ev.OrganizationAdd = payload_of(entry)
    conn.execute(
        organization.insert().values(
            org_id=p.org_id, name=p.name, aliases=as_json(p.aliases), address=p.address
        )
    )


def _location_add(conn: Connection, entry: Entry) -> None:
    p: ev.LocationAdd = payload_of(entry)
    conn.execute(
        location.insert().values(
            location_id=p.location_id, name=p.name, kind=str(p.kind), parent_id=p.parent_id
        )
    )


# -- cases -------------------------------------------------------------------


def _case_open(conn: Connection, entry: Entry) -> None:
    p: ev.CaseOpen = payload_of(entry)
    conn.execute(
        case_file.insert().values(
            case_id=p.case_id,
            title=p.title,
            agency_id=p.agency_id,
            status="open",
            opened_at=when_of(entry, p),
            closed_at=None,
            narrative=p.narrative,
        )
    )
    for n in p.numbers:
        conn.execute(
            case_number.insert().values(kind=str(n.kind), number=n.number, case_id=p.case_id)
        )


def _case_add_number(conn: Connection, entry: Entry) -> None:
    p: ev.CaseAddNumber = payload_of(entry)
    conn.execute(
        case_number.insert().values(
            kind=str(p.number.kind), number=p.number.number, case_id=p.case_id
        )
    )


def _case_add_party(conn: Connection, entry: Entry) -> None:
    p: ev.CaseAddParty = payload_of(entry)
    conn.execute(
        case_party.insert().values(
            case_id=p.case_id, person_id=p.person_id, role=str(p.role), added_at=when_of(entry, p)
        )
    )


def _case_charge(conn: Connection, entry: Entry) -> None:
    p: ev.CaseCharge = payload_of(entry)
    key = (defendant.c.case_id == p.case_id) & (defendant.c.person_id == p.person_id)
    existing = conn.execute(select(defendant.c.charges).where(key)).scalar()
    if existing is None:
        conn.execute(
            defendant.insert().values(
                case_id=p.case_id,
                person_id=p.person_id,
                charges=as_json(p.charges),
                charged_on=p.charged_on,
                arraigned_on=None,
            )
        )
    else:
        charges = json.loads(existing) + [c for c in p.charges if c not in json.loads(existing)]
        conn.execute(update(defendant).where(key).values(charges=as_json(charges)))
    conn.execute(update(case_file).where(case_file.c.case_id == p.case_id).values(status="charged"))


def _case_arraign(conn: Connection, entry: Entry) -> None:
    p: ev.CaseArraign = payload_of(entry)
    conn.execute(
        update(defendant)
        .where((defendant.c.case_id == p.case_id) & (defendant.c.person_id == p.person_id))
        .values(arraigned_on=p.arraigned_on)
    )


def _case_close(conn: Connection, entry: Entry) -> None:
    p: ev.CaseClose = payload_of(entry)
    conn.execute(
        update(case_file)
        .where(case_file.c.case_id == p.case_id)
        .values(status="closed", closed_at=when_of(entry, p))
    )


HANDLERS: dict[str, Callable[[Connection, Entry], None]] = {
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
}
