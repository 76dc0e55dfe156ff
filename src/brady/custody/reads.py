"""What a caller may see of an item or a case, shaped to their view: the one place every face
asks, so `brady --as USER item show` shows what USER's browser and API client are shown.

`caller=None` is the operator on the server, who sees the whole record (see the README:
with the database and the master key nothing could hold them to less). A `look` decided
elsewhere (on today's record, for a view of the past) is taken as given.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.engine import Connection

from ..access import policy
from ..access.policy import Caller, Level
from ..domain.errors import NotAllowedError, NotFoundError
from ..store import access_queries as facts
from ..store import custody_queries as q
from ..store.item_steps import with_payloads


@dataclass(frozen=True)
class Look:
    level: Level
    review: bool
    """Seen only because linking suggested the item for a case the caller prosecutes: the
    access log records such a look as a review."""


def item_look(conn: Connection, caller: Caller | None, item_id: str) -> Look:
    if caller is None:
        return Look(Level.FULL, False)
    found = facts.item_facts(conn, item_id)
    level = policy.read_item(caller, found)
    if level is None:
        raise NotAllowedError(f"{caller.user_id} may not see item {item_id}")
    own = policy.read_item(caller, replace(found, suggested_to=frozenset()))
    return Look(level, own is None)


def case_look(conn: Connection, caller: Caller | None, case_id: str) -> Look:
    if caller is None:
        return Look(Level.FULL, False)
    level = policy.read_case(caller, facts.case_facts(conn, case_id))
    if level is None:
        raise NotAllowedError(f"{caller.user_id} may not see case {case_id}")
    return Look(level, False)


def item_view(
    conn: Connection, caller: Caller | None, item_id: str, look: Look | None = None
) -> dict[str, Any]:
    """Who has it, where, since when, its cases (for counsel: the cases they work)."""
    look = look or item_look(conn, caller, item_id)
    view = q.item_view(conn, item_id)
    if view is None:
        raise NotFoundError(f"there is no item {item_id}", "item_id")
    if look.level is Level.DISCLOSED and caller is not None:
        view = facts.produced_to(conn, caller).item(view)
    view["your_view"] = str(look.level)
    return view


def item_history(
    conn: Connection, caller: Caller | None, item_id: str, look: Look | None = None
) -> list[dict[str, Any]]:
    """Every recorded step, oldest first (for counsel: the steps of what was produced)."""
    look = look or item_look(conn, caller, item_id)
    rows = q.item_history(conn, item_id)
    if look.level is Level.DISCLOSED and caller is not None:
        rows = facts.produced_to(conn, caller).history(item_id, with_payloads(conn, rows))
    return rows


def case_view(
    conn: Connection, caller: Caller | None, case_id: str, look: Look | None = None
) -> dict[str, Any]:
    """Parties, numbers, defendants, items (for defense counsel: those produced to them)."""
    look = look or case_look(conn, caller, case_id)
    view = q.case_view(conn, case_id)
    if view is None:
        raise NotFoundError(f"there is no case {case_id}", "case_id")
    if look.level is Level.DISCLOSED:
        shown = facts.disclosed_units(conn, case_id)
        view["items"] = [i for i in view["items"] if f"item:{i['item_id']}" in shown]
        view["narrative"] = None
    view["assigned"] = [{"user_id": u, "role": r} for u, r in facts.case_assignments(conn, case_id)]
    view["your_view"] = str(look.level)
    return view
