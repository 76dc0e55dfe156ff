"""`brady user|person|location|case|item ...`: custody commands for the people who keep evidence.

The commands live by area (custody_people.py, custody_cases.py, custody_items.py) on the
groups of custody_common.py; importing this module registers them all, in this order, and
the other command modules take the groups and helpers from here.
"""

from __future__ import annotations

from . import custody_cases, custody_items, custody_people
from .custody_common import (
    GROUPS,
    When,
    _open,
    _read,
    _record,
    _record_all,
    _table,
    case_app,
    item_app,
    lab_app,
    location_app,
    person_app,
    user_app,
)

__all__ = [
    "GROUPS",
    "When",
    "_open",
    "_read",
    "_record",
    "_record_all",
    "_table",
    "case_app",
    "item_app",
    "lab_app",
    "location_app",
    "person_app",
    "user_app",
]

AREAS = (custody_people, custody_cases, custody_items)
"""The modules whose commands fill the groups, in the order `--help` lists them."""
