"""Applies ledger entries to the custody projection tables.

The same code keeps the live tables in step inside every append and rebuilds
them from scratch for `brady verify`, so the two can be compared row for row.
It reads nothing but the entries and the tables it maintains: no clock, no
configuration, so a replay always gives the same state.

The handlers live by area: projection_cases.py (keys, people, places, cases),
projection_items.py (intake and every custody step) and projection_records.py (lab,
inventory, link suggestions); projection_common.py holds what they share.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Table
from sqlalchemy.engine import Connection

from ..ledger.entry import Entry
from . import projection_cases, projection_items, projection_records
from .custody_tables import (
    actor_key,
    agency,
    app_user,
    case_assignment,
    case_file,
    case_number,
    case_party,
    case_relation,
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
from .projection_common import actor_of
from .projection_common import as_json as _json
from .projection_common import payload_of as _payload
from .projection_common import when_of as _when
from .projection_items import CORRECTABLE

__all__ = [
    "CORRECTABLE",
    "TABLES",
    "CustodyProjector",
    "_json",
    "_payload",
    "_when",
    "actor_of",
]
"""What other modules take from here: the projector, and the helpers the disclosure
projection and the correction rules share with it."""

_HANDLERS: dict[str, Callable[[Connection, Entry], None]] = {
    **projection_cases.HANDLERS,
    **projection_items.HANDLERS,
    **projection_records.HANDLERS,
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
    case_relation,
    correction,
)


class CustodyProjector(HandlerProjector):
    """Projection of custody events; plug into LedgerStore(projectors=[...])."""

    tables = TABLES
    handlers = _HANDLERS
    version = 5
    """1: the first rules. 2: short case numbers ('#24-415') and recorded linking patterns.
    3: case assignments, role changes, a user's replacement key; one-slip name keys.
    4: what each link suggestion rested on. 5: related cases (a shared party), reviewed once."""
