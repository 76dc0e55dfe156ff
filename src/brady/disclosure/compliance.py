"""What the State owes the defense in one case, what it gave and when, and what blocks a
certificate of compliance.

Everything here is read from the state tables and computed, never stored: the due
dates come from the rule set recorded on the ledger, so the same record always gives
the same answer. What is owed ("units"): every item filed under a charged case or
linked to it by an accepted suggestion, every file attached to such an item, and every
lab result about one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from ..domain.moments import UTC_ZONE, local_day, recorded_late
from ..store import disclosure_queries as dq
from ..store import file_queries, lab_queries, link_queries
from ..store.custody_queries import item_description
from ..store.ledger_store import recorded_times
from . import rules

DUE_SOON = 7
"""Days before a deadline at which an undisclosed unit is 'due soon'."""


@dataclass
class Unit:
    unit: str
    what: str
    obtained: str  # date the State obtained it (YYYY-MM-DD, the agency's day)
    due: str | None  # None: the clock has not started (no trigger yet)
    rule: str  # the rule the due date comes from, in words
    status: str  # disclosed | late | withheld | withhold_pending | overdue | due_soon | pending
    produced: str | None = None
    production_id: str | None = None
    bates: str | None = None
    received: str | None = None
    days_late: int = 0
    exculpatory: bool = False
    impeachment: bool = False
    withheld_reason: str | None = None
    recorded: str | None = None
    """The day it was recorded, when that was more than a day after it was obtained (a
    late-filed intake, a lab result entered late, history imported later)."""


@dataclass
class Compliance:
    case_id: str
    title: str
    charged: bool
    rule_set: str | None
    trigger: str | None  # e.g. "arraignment on 2024-01-31"
    units: list[Unit] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)

    @property
    def certifiable(self) -> bool:
        return not self.blockers

    @property
    def recorded_late(self) -> list[Unit]:
        return [u for u in self.units if u.recorded]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for u in self.units:
            out[u.status] = out.get(u.status, 0) + 1
        return out

    def shown(self, counsel: bool) -> dict[str, Any]:
        """What a reader may see: defense counsel get whether the case can be certified,
        not the State's list of what it still owes (that is the prosecutor's work list)."""
        data = self.to_json()
        return {k: data[k] for k in COUNSEL_SEES} if counsel else data

    def to_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "title": self.title,
            "charged": self.charged,
            "rule_set": self.rule_set,
            "trigger": self.trigger,
            "certifiable": self.certifiable,
            "counts": self.counts(),
            "units": [asdict(u) for u in self.units],
            "blockers": self.blockers,
        }


COUNSEL_SEES = ("case_id", "title", "charged", "rule_set", "certifiable")


def _day(text: str | None, zone: ZoneInfo) -> str | None:
    return local_day(text, zone) if text else None


@dataclass(frozen=True)
class Held:
    """One thing the case holds: its unit, in words, when the State obtained it (ledger
    time) and the entry that recorded it (None where the record keeps no entry)."""

    unit: str
    what: str
    obtained_at: str
    seq: int | None = None


def units_of(conn: Connection, case_id: str) -> list[Held]:
    """Everything the case holds."""
    items = dq.items_obtained(conn, case_id)
    out = [Held(f"item:{i}", f"{i}: {d}", str(at), seq) for i, d, at, seq in items]
    files = file_queries.case_files_obtained(conn, case_id)
    out += [Held(f"file:{h}", f"file {n} of {i}", str(at), sq) for i, h, n, at, sq in files]
    ids = {i for i, _, _, _ in items}
    out += [
        Held(f"lab:{r}", f"lab result {r} ({lab})", str(at))
        for r, lab, item_ids, at in lab_queries.lab_results(conn)
        if ids & set(item_ids)
    ]
    return out


def _trigger(
    conn: Connection,
    case_id: str,
    rs: rules.RuleSet,
    custody: rules.Custody | None,
    zone: ZoneInfo,
) -> tuple[rules.Period, str | None]:
    period = rs.initial_for(custody)
    return period, _day(dq.first_trigger(conn, case_id, period.trigger), zone)


def _case_rules(
    conn: Connection, case_id: str
) -> tuple[str | None, rules.Custody | None, rules.RuleSet | None]:
    """The rule set chosen for the case (its id, and its body when it is on record) and
    whether the defendant is in custody, which picks the initial disclosure period."""
    chosen = dq.case_rules(conn, case_id)
    if chosen is None:
        return None, None, None
    rule_set_id, in_custody, body = chosen
    rule_set = str(rule_set_id)
    custody: rules.Custody | None = None
    if in_custody is not None:
        custody = "in_custody" if in_custody else "not_in_custody"
    rs = rules.from_dict(json.loads(body), rule_set) if body is not None else None
    return rule_set, custody, rs


def _clock(
    conn: Connection,
    out: Compliance,
    rs: rules.RuleSet | None,
    custody: rules.Custody | None,
    zone: ZoneInfo,
) -> tuple[rules.Period | None, str | None]:
    """The initial period and the day it started (None: not yet, or not knowable); says
    on `out` what started the clock, or, as a blocker, why it cannot be known."""
    if rs is None:
        out.blockers.append(
            "no disclosure rule set is chosen for this case: choose one "
            "(brady disclosure rules CASE RULE_SET)"
        )
        return None, None
    start: str | None = None
    initial: rules.Period | None = None
    try:
        initial, start = _trigger(conn, out.case_id, rs, custody, zone)
    except rules.RuleError as exc:
        out.blockers.append(str(exc))
    if initial is not None:
        out.trigger = (
            f"{rules.TRIGGER_WORDS[initial.trigger]} on {start}"
            if start
            else f"not yet ({rules.TRIGGER_WORDS[initial.trigger]} has not happened)"
        )
    return initial, start


def compute(
    conn: Connection, case_id: str, today: date, zone: ZoneInfo = UTC_ZONE
) -> Compliance | None:
    """The case's disclosure picture as of `today` (None: there is no such case), read
    afresh each time so the same record always gives the same answer. Days are the
    agency's (`zone`): an intake at 18:30 in Santa Fe is that day's, not the next."""
    case = dq.case_status(conn, case_id)
    if case is None:
        return None
    charged = dq.is_charged(conn, case_id)
    out = Compliance(case_id, str(case[0]), charged, None, None)
    out.rule_set, custody, rs = _case_rules(conn, case_id)
    if not charged:
        return out  # nothing is owed before a charge
    initial, start = _clock(conn, out, rs, custody, zone)
    produced = _produced(conn, case_id, zone)
    flags = _flags(conn, case_id)
    held = _withheld(conn, case_id)
    held_now = units_of(conn, case_id)
    recorded = recorded_times(conn, [h.seq for h in held_now if h.seq is not None])
    for h in held_now:
        obtained = local_day(h.obtained_at, zone)
        due, rule = _due(rs, initial, start, obtained)
        u = Unit(h.unit, h.what, obtained, due, rule, "pending")
        at = recorded.get(h.seq) if h.seq is not None else None
        if at is not None and recorded_late(h.obtained_at, at):
            u.recorded = local_day(at, zone)
        u.exculpatory, u.impeachment = flags.get(h.unit, (False, False))
        _status(u, produced.get(h.unit), held.get(h.unit), today)
        out.units.append(u)
    out.blockers += _blockers(conn, case_id, out.units)
    return out


def _due(
    rs: rules.RuleSet | None,
    initial: rules.Period | None,
    start: str | None,
    obtained: str,
) -> tuple[str | None, str]:
    """A unit's due date and the rule it comes from, in words: what the State had when
    the clock started is due under the initial period, what it obtained later under the
    continuing duty, counted from the day it was obtained."""
    if rs is None or initial is None or start is None:
        return None, "the clock has not started"
    if obtained <= start:
        period, base = initial, start
    else:
        period, base = rs.continuing, obtained
    due = rules.due_date(date.fromisoformat(base), period, rs.holidays).isoformat()
    return due, f"{period.days} days after {rules.TRIGGER_WORDS[period.trigger]} ({base})"


def _flags(conn: Connection, case_id: str) -> dict[str, tuple[bool, bool]]:
    """unit -> (exculpatory, impeachment), as the prosecutor marked it."""
    return {u: (bool(e), bool(i)) for u, e, i in dq.flags(conn, case_id)}


def _withheld(conn: Connection, case_id: str) -> dict[str, tuple[str, str, Any]]:
    """unit -> (reason, court order, approving prosecutor or None) of each withholding."""
    return {u: (str(r), str(o), a) for u, r, o, a in dq.withholdings(conn, case_id)}


def _produced(
    conn: Connection, case_id: str, zone: ZoneInfo
) -> dict[str, tuple[str, str, str, str | None]]:
    """unit -> (first production date, production id, Bates number, receipt date)."""
    out: dict[str, tuple[str, str, str, str | None]] = {}
    for unit, at, pid, bates, received in dq.produced_units(conn, case_id):
        day = local_day(str(at), zone)
        out.setdefault(str(unit), (day, str(pid), str(bates), _day(received, zone)))
    return out


def _status(
    u: Unit,
    produced: tuple[str, str, str, str | None] | None,
    held: tuple[str, str, Any] | None,
    today: date,
) -> None:
    if produced is not None:
        u.produced, u.production_id, u.bates, u.received = produced
        late = (date.fromisoformat(u.produced) - date.fromisoformat(u.due)).days if u.due else 0
        u.status, u.days_late = ("late", late) if late > 0 else ("disclosed", 0)
        return
    if held is not None:
        reason, order, approver = held
        u.withheld_reason = f"{reason} (under {order})"
        u.status = "withheld" if approver else "withhold_pending"
        return
    if u.due is None:
        u.status = "pending"
        return
    left = (date.fromisoformat(u.due) - today).days
    if left < 0:
        u.status, u.days_late = "overdue", -left
    elif left <= DUE_SOON:
        u.status = "due_soon"
    else:
        u.status = "pending"


def _blockers(conn: Connection, case_id: str, units: list[Unit]) -> list[str]:
    out = []
    for u in units:
        if u.status in {"overdue", "due_soon", "pending"}:
            when = f"due {u.due}" if u.due else "the clock has not started"
            late = f", {u.days_late} days overdue" if u.status == "overdue" else ""
            out.append(f"{u.what} has not been disclosed ({when}{late})")
        elif u.status == "withhold_pending":
            out.append(f"withholding {u.what} awaits a second prosecutor's approval")
    for sid, item_id in link_queries.open_for_case(conn, case_id):
        desc = item_description(conn, item_id)
        what = f"{item_id} ({desc})" if desc is not None else str(item_id)
        out.append(
            f"link suggestion {sid} is not reviewed: item {what}, filed under another case, "
            "may bear on this one"
        )
    for item_id, to, due_back in dq.checked_out(conn, case_id):
        out.append(f"{item_id} is checked out to {to} (due back {due_back}) and not returned")
    ids = {u.unit.removeprefix("item:") for u in units if u.unit.startswith("item:")}
    for request_id, lab, item_ids in lab_queries.lab_requests_waiting(conn):
        if ids & set(item_ids):
            out.append(f"lab request {request_id} ({lab}) has no result yet")
    for pid in dq.unreceived(conn, case_id):
        out.append(f"production {pid} has no receipt from defense counsel")
    return out
