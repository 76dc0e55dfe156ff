"""The home page: what needs each person now, by their role."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..access import policy
from ..api.deps import SignedIn
from ..disclosure import compliance as compliance_view
from ..store import access_queries as facts
from ..store import custody_queries as q
from ..store import link_queries, listing
from ..store import relation_queries as rq
from ..store.engine import reading
from .page_kit import B, PageRoute, today_utc
from .render import page

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, asker: SignedIn, b: B) -> Response:
    """What needs this person now."""
    c = asker.caller
    today = today_utc()
    ctx: dict[str, Any] = {}
    with reading(b.led.engine) as conn:
        cases, _ = listing.cases(conn, c, listing.Page(limit=200))
        ctx["cases"] = []
        for case in cases:
            view, said = None, None
            if not c.staff or c.has("prosecutor", "judge", "defense_counsel"):
                found = compliance_view.compute(conn, case["case_id"], today, b.led.config.zone)
                counsel = c.assigned_as(case["case_id"], "defense_counsel")
                view = found.shown(counsel) if found is not None else None
                if found is not None and not found.certifiable:
                    said = for_counsel(found) if counsel else for_state(found, today)
            ctx["cases"].append({**case, "compliance": view, "outstanding": said})
        if c.staff:
            ctx["incoming"] = q.incoming(conn, c.user_id)
            ctx["overdue"] = [
                r
                for r in q.overdue_checkouts(conn, today.isoformat())
                if policy.read_item(c, facts.item_facts(conn, r["item_id"])) is not None
            ]
        if c.has("prosecutor"):
            mine = [k for k, r in c.assigned.items() if r == "prosecutor"]
            ctx["queue"] = link_queries.open_in_cases(conn, mine)
            scope = link_queries.QueueScope(tuple(mine))
            ctx["related"] = rq.relation_queue(conn, scope, "open", limit=200, offset=0)[0]
        if c.has("admin"):
            ctx["users"] = [{**u, **b.accounts.status(u["user_id"])} for u in q.list_users(conn)]
    return page(request, "home.html.j2", asker, today=today.isoformat(), **ctx)


OWED = ("overdue", "due_soon", "pending")
"""A unit owed to the defense and not yet produced (nor withheld)."""

_STATE_WORDS = (
    ("link suggestion ", "link suggestion to review", "link suggestions to review"),
    (
        " is checked out to ",
        "item checked out and not returned",
        "items checked out and not returned",
    ),
    ("lab request ", "lab result not yet in", "lab results not yet in"),
    (
        "has no receipt from",
        "production without counsel's receipt",
        "productions without counsel's receipt",
    ),
    ("awaits a second", "withholding awaiting approval", "withholdings awaiting approval"),
)
"""What the compliance view's other blockers are about, in a few words, by what their
sentence says (disclosure/compliance.py `_blockers`); any other blocker is shown whole."""


def _earliest(dues: list[str], today: date) -> str:
    first = min(dues)
    return f"the earliest {'was' if first < today.isoformat() else 'is'} due {first}"


def for_counsel(view: compliance_view.Compliance) -> str:
    """Why the case is not complete, in what counsel may know: their own receipts to give,
    and that the State has not certified. How much the State still owes (and its due dates)
    is the prosecutor's work list, kept from counsel like the list itself (COUNSEL_SEES):
    a count of unreviewed suggestions would tell of evidence before anyone decided it bears
    on the case."""
    unreceived = [b for b in view.blockers if b.endswith("has no receipt from defense counsel")]
    said = []
    if unreceived:
        n = len(unreceived)
        said.append(
            f"{n} production{'s' if n != 1 else ''} await{'' if n != 1 else 's'} your receipt"
        )
    said.append(
        "the State has not certified that everything owed to you was produced; "
        "ask the prosecutor or the court if a deadline has passed"
    )
    text = "; ".join(said)
    return text[0].upper() + text[1:]


def for_state(view: compliance_view.Compliance, today: date) -> str:
    """What blocks the certificate, in a few words: how many things are not yet produced
    (how many overdue, the earliest due date), then the other kinds of blocker, counted."""
    owed = [u for u in view.units if u.status in OWED]
    said = []
    if owed:
        late = [u for u in owed if u.status == "overdue"]
        dues = [u.due for u in owed if u.due]
        detail = [f"{len(late)} overdue"] if late else []
        detail += [_earliest(dues, today)] if dues else []
        said.append(f"{len(owed)} not yet produced" + (f" ({'; '.join(detail)})" if detail else ""))
    counted: dict[tuple[str, str], int] = {}
    whole = []
    for b in view.blockers:
        if "has not been disclosed (" in b:
            continue  # counted above
        kind = next(((one, many) for key, one, many in _STATE_WORDS if key in b), None)
        if kind is None:
            whole.append(b)
        else:
            counted[kind] = counted.get(kind, 0) + 1
    said += [f"{n} {one if n == 1 else many}" for (one, many), n in counted.items()]
    return "; ".join(said + whole)
