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

from sqlalchemy.engine import Connection

from ..store._raw import fetch_all
from . import rules

DUE_SOON = 7
"""Days before a deadline at which an undisclosed unit is 'due soon'."""


@dataclass
class Unit:
    unit: str
    what: str
    obtained: str  # date the State obtained it (YYYY-MM-DD)
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


def _day(text: str | None) -> str | None:
    return text[:10] if text else None


def units_of(conn: Connection, case_id: str) -> list[tuple[str, str, str]]:
    """(unit, description, date obtained) of everything the case holds."""
    items = fetch_all(
        conn,
        "SELECT i.item_id, i.description, e.occurred_at FROM item_case ic "
        "JOIN item i ON i.item_id = ic.item_id "
        "JOIN item_event e ON e.item_id = i.item_id AND e.seq = i.intake_seq "
        "WHERE ic.case_id = ? ORDER BY i.item_id",
        (case_id,),
    )
    out = [(f"item:{i}", f"{i}: {d}", str(at)[:10]) for i, d, at in items]
    files = fetch_all(
        conn,
        "SELECT f.item_id, f.sha256, f.name, e.occurred_at FROM item_case ic "
        "JOIN item_file f ON f.item_id = ic.item_id "
        "JOIN item_event e ON e.item_id = f.item_id AND e.seq = f.seq "
        "WHERE ic.case_id = ? ORDER BY f.item_id, f.name",
        (case_id,),
    )
    out += [(f"file:{h}", f"file {n} of {i}", str(at)[:10]) for i, h, n, at in files]
    ids = {i for i, _, _ in items}
    labs = fetch_all(
        conn,
        "SELECT request_id, lab, item_ids, result_at FROM lab_request "
        "WHERE result_at IS NOT NULL ORDER BY request_id",
    )
    out += [
        (f"lab:{r}", f"lab result {r} ({lab})", str(at)[:10])
        for r, lab, item_ids, at in labs
        if ids & set(json.loads(item_ids))
    ]
    return out


def _trigger(
    conn: Connection, case_id: str, rs: rules.RuleSet, custody: rules.Custody | None
) -> tuple[rules.Period, str | None]:
    period = rs.initial_for(custody)
    if period.trigger == "arraignment":
        rows = fetch_all(
            conn, "SELECT min(arraigned_on) FROM defendant WHERE case_id = ?", (case_id,)
        )
    elif period.trigger == "charge":
        rows = fetch_all(
            conn, "SELECT min(charged_on) FROM defendant WHERE case_id = ?", (case_id,)
        )
    else:
        rows = fetch_all(
            conn,
            "SELECT min(requested_at) FROM disclosure_request WHERE case_id = ?",
            (case_id,),
        )
    return period, _day(rows[0][0]) if rows and rows[0][0] else None


def compute(conn: Connection, case_id: str, today: date) -> Compliance | None:
    case = fetch_all(conn, "SELECT title, status FROM case_file WHERE case_id = ?", (case_id,))
    if not case:
        return None
    charged = bool(fetch_all(conn, "SELECT 1 FROM defendant WHERE case_id = ?", (case_id,)))
    chosen = fetch_all(
        conn,
        "SELECT r.rule_set_id, r.in_custody, s.body FROM case_rules r "
        "LEFT JOIN rule_set s ON s.rule_set_id = r.rule_set_id WHERE r.case_id = ?",
        (case_id,),
    )
    out = Compliance(case_id, str(case[0][0]), charged, None, None)
    rs: rules.RuleSet | None = None
    custody: rules.Custody | None = None
    if chosen:
        out.rule_set = str(chosen[0][0])
        if chosen[0][1] is not None:
            custody = "in_custody" if chosen[0][1] else "not_in_custody"
        if chosen[0][2] is not None:
            rs = rules.from_dict(json.loads(chosen[0][2]), out.rule_set)
    if not charged:
        return out  # nothing is owed before a charge
    if rs is None:
        out.blockers.append(
            "no disclosure rule set is chosen for this case: choose one "
            "(brady disclosure rules CASE RULE_SET)"
        )
    start: str | None = None
    initial: rules.Period | None = None
    if rs is not None:
        try:
            initial, start = _trigger(conn, case_id, rs, custody)
        except rules.RuleError as exc:
            out.blockers.append(str(exc))
        if initial is not None:
            out.trigger = (
                f"{rules.TRIGGER_WORDS[initial.trigger]} on {start}"
                if start
                else f"not yet ({rules.TRIGGER_WORDS[initial.trigger]} has not happened)"
            )
    produced = _produced(conn, case_id)
    flags = {
        u: (bool(e), bool(i))
        for u, e, i in fetch_all(
            conn,
            "SELECT unit, exculpatory, impeachment FROM disclosure_flag WHERE case_id = ?",
            (case_id,),
        )
    }
    held = {
        u: (str(r), str(o), a)
        for u, r, o, a in fetch_all(
            conn,
            "SELECT unit, reason, order_ref, approved_by FROM withholding WHERE case_id = ?",
            (case_id,),
        )
    }
    for unit, what, obtained in units_of(conn, case_id):
        due, rule = None, "the clock has not started"
        if rs is not None and initial is not None and start is not None:
            if obtained <= start:
                period, base = initial, start
            else:
                period, base = rs.continuing, obtained
            due = rules.due_date(date.fromisoformat(base), period, rs.holidays).isoformat()
            rule = f"{period.days} days after {rules.TRIGGER_WORDS[period.trigger]} ({base})"
        u = Unit(unit, what, obtained, due, rule, "pending")
        u.exculpatory, u.impeachment = flags.get(unit, (False, False))
        _status(u, produced.get(unit), held.get(unit), today)
        out.units.append(u)
    out.blockers += _blockers(conn, case_id, out.units)
    return out


def _produced(conn: Connection, case_id: str) -> dict[str, tuple[str, str, str, str | None]]:
    """unit -> (first production date, production id, Bates number, receipt date)."""
    rows = fetch_all(
        conn,
        "SELECT pu.unit, p.produced_at, p.production_id, pu.bates, r.received_at "
        "FROM production_unit pu JOIN production p ON p.production_id = pu.production_id "
        "LEFT JOIN receipt r ON r.production_id = p.production_id "
        "WHERE pu.case_id = ? ORDER BY p.produced_at, p.production_id",
        (case_id,),
    )
    out: dict[str, tuple[str, str, str, str | None]] = {}
    for unit, at, pid, bates, received in rows:
        out.setdefault(str(unit), (str(at)[:10], str(pid), str(bates), _day(received)))
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
    for sid, item_id in fetch_all(
        conn,
        "SELECT suggestion_id, item_id FROM link_suggestion WHERE case_id = ? AND status = 'open' "
        "ORDER BY suggestion_id",
        (case_id,),
    ):
        desc = fetch_all(conn, "SELECT description FROM item WHERE item_id = ?", (item_id,))
        what = f"{item_id} ({desc[0][0]})" if desc else str(item_id)
        out.append(
            f"link suggestion {sid} is not reviewed: item {what}, filed under another case, "
            "may bear on this one"
        )
    for item_id, to, due_back in fetch_all(
        conn,
        "SELECT i.item_id, i.checkout_to, i.due_back FROM item i "
        "JOIN item_case ic ON ic.item_id = i.item_id "
        "WHERE ic.case_id = ? AND i.status = 'checked_out' ORDER BY i.item_id",
        (case_id,),
    ):
        out.append(f"{item_id} is checked out to {to} (due back {due_back}) and not returned")
    ids = {u.unit.removeprefix("item:") for u in units if u.unit.startswith("item:")}
    for request_id, lab, item_ids in fetch_all(
        conn,
        "SELECT request_id, lab, item_ids FROM lab_request WHERE result_at IS NULL "
        "ORDER BY request_id",
    ):
        if ids & set(json.loads(item_ids)):
            out.append(f"lab request {request_id} ({lab}) has no result yet")
    for (pid,) in fetch_all(
        conn,
        "SELECT p.production_id FROM production p LEFT JOIN receipt r "
        "ON r.production_id = p.production_id WHERE p.case_id = ? AND r.production_id IS NULL "
        "ORDER BY p.production_id",
        (case_id,),
    ):
        out.append(f"production {pid} has no receipt from defense counsel")
    return out
