"""Whether a caller may record an event: the one decision every face's commands meet.

The custody session asks this inside the transaction that writes the event, so a command
from the command line (`brady --as USER`), the API or a page is held to the same rule, and
no face can forget a check. The faces may still ask earlier (to answer 404 before reading a
body), but an answer here is final. Pure: the facts come through `Facts`, read by the store
in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from . import policy
from .policy import Caller, CaseFacts, ItemFacts

ADMINISTRATION = frozenset(
    {
        "agency.add",
        "user.add",
        "user.roles",
        "user.key",
        "linking.patterns",
        "linking.model",
        "blobs.migrate",
        "case.assign",
        "case.unassign",
        "rules.adopt",
    }
)
PROSECUTION = frozenset(
    {
        "link.accept",
        "link.reject",
        "relation.accept",
        "relation.reject",
        "case.rules",
        "disclosure.request",
        "disclosure.flag",
        "disclosure.withhold",
        "disclosure.withhold_approve",
        "disclosure.produce",
    }
)
NEW_RECORDS = frozenset({"person.add", "location.add", "organization.add", "case.open"})


class Facts(Protocol):
    def item(self, item_id: str) -> ItemFacts: ...
    def case(self, case_id: str) -> CaseFacts: ...
    def lab_items(self, request_id: str) -> list[str]: ...
    def inventory_agency(self, inventory_id: str) -> tuple[bool, str | None]: ...
    def entry_subjects(self, seq: int) -> list[str]: ...


def _subjects(subjects: Sequence[str], kind: str) -> list[str]:
    return [s.split(":", 1)[1] for s in subjects if s.startswith(f"{kind}:")]


def refusal(
    c: Caller, kind: str, data: Mapping[str, Any], subjects: Sequence[str], facts: Facts
) -> str | None:
    """Why `c` may not record this event, or None if they may."""
    if kind == "access.anchor":
        return None if policy.anchor_access_log(c) else "only an auditor or administrator may"
    if not c.may_write:
        return "a read-only role or token records nothing"
    if kind in ADMINISTRATION:
        return None if policy.administer(c) else "that is an administrator's task"
    cases = _subjects(subjects, "case")
    if kind in PROSECUTION:
        ok = bool(cases) and all(policy.prosecute(c, case) for case in cases)
        return None if ok else "that is for the case's own prosecutor"
    if kind == "disclosure.receipt":
        ok = bool(cases) and all(policy.acknowledge(c, case) for case in cases)
        return None if ok else "only the case's counsel may acknowledge a production"
    if kind.startswith("inventory."):
        return _inventory(c, kind, subjects, facts)
    if kind in NEW_RECORDS:
        return _new_record(c, kind, data)
    if kind == "lab.result":
        items = [i for r in _subjects(subjects, "lab") for i in facts.lab_items(r)]
        return _act_on(c, items, [], facts)
    if kind == "record.correct":
        seqs = [int(s) for s in _subjects(subjects, "entry")]
        corrected = [s for n in seqs for s in facts.entry_subjects(n)]
        return _act_on(c, _subjects(corrected, "item"), _subjects(corrected, "case"), facts)
    if not policy.record(c):
        return "only property room staff and prosecutors record evidence"
    return _act_on(c, _subjects(subjects, "item"), cases, facts)


def _inventory(c: Caller, kind: str, subjects: Sequence[str], facts: Facts) -> str | None:
    if not c.staff:
        return "inventories are taken by property room staff"
    if kind == "inventory.start":
        return None
    for inventory_id in _subjects(subjects, "inventory"):
        exists, agency = facts.inventory_agency(inventory_id)
        if exists and not policy.take_inventory(c, agency):
            return f"inventory {inventory_id} is another agency's"
    return None


def _new_record(c: Caller, kind: str, data: Mapping[str, Any]) -> str | None:
    if not policy.record(c):
        return "only property room staff and prosecutors create records"
    agency = data.get("agency_id")
    if kind == "case.open" and c.staff and agency is not None and agency != c.agency_id:
        return "you may open cases only for your agency"
    return None


def _act_on(c: Caller, items: Sequence[str], cases: Sequence[str], facts: Facts) -> str | None:
    for item_id in items:
        found = facts.item(item_id)
        # An item the event creates (an intake, a split) is not there yet; its cases are.
        if found.exists and not policy.act_on_item(c, found):
            return f"you may not act on item {item_id}"
    for case_id in cases:
        if not policy.act_on_case(c, facts.case(case_id)):
            return f"you may not act on case {case_id}"
    return None


class TargetFacts(Facts, Protocol):
    def suggestion_case(self, suggestion_id: str) -> str | None: ...
    def production_case(self, production_id: str) -> str | None: ...


def before(c: Caller, rule: str, targets: Sequence[str], facts: TargetFacts) -> str | None:
    """Why `c` may not run a command that `rule` governs on `targets`, asked before the
    command reads the record, so a refusal says nothing about the record's state. A target
    that does not exist is left for the command to name (the API answers 404 the same way).
    `refusal` still decides each event the command then records."""
    if not c.may_write:
        return "a read-only role or token records nothing"
    check = _BEFORE.get(rule)
    if check is None:
        raise ValueError(f"no access rule {rule!r} for a command")
    for target in targets:
        why = check(c, target, facts)
        if why is not None:
            return why
    return None


def _item(c: Caller, item_id: str, facts: TargetFacts) -> str | None:
    found = facts.item(item_id)
    ok = not found.exists or policy.act_on_item(c, found)
    return None if ok else f"you may not act on item {item_id}"


def _case(c: Caller, case_id: str, facts: TargetFacts) -> str | None:
    found = facts.case(case_id)
    ok = not found.exists or policy.act_on_case(c, found)
    return None if ok else f"you may not act on case {case_id}"


def _suggestion(c: Caller, suggestion_id: str, facts: TargetFacts) -> str | None:
    case_id = facts.suggestion_case(suggestion_id)
    ok = case_id is None or policy.prosecute(c, case_id)
    return None if ok else f"only the prosecutor of the suggested case may decide {suggestion_id}"


def _production(c: Caller, production_id: str, facts: TargetFacts) -> str | None:
    case_id = facts.production_case(production_id)
    ok = case_id is None or policy.acknowledge(c, case_id)
    return None if ok else "only the case's counsel may acknowledge a production"


def _inventory_of(c: Caller, inventory_id: str, facts: TargetFacts) -> str | None:
    if not c.staff:
        return "inventories are taken by property room staff"
    exists, agency = facts.inventory_agency(inventory_id)
    ok = not exists or policy.take_inventory(c, agency)
    return None if ok else f"inventory {inventory_id} is another agency's"


def _lab(c: Caller, request_id: str, facts: TargetFacts) -> str | None:
    if not policy.record(c):
        return "only property room staff and prosecutors record lab work"
    for item_id in facts.lab_items(request_id):
        why = _item(c, item_id, facts)
        if why is not None:
            return why
    return None


def _entry(c: Caller, seq: str, facts: TargetFacts) -> str | None:
    """A correction acts on what the corrected entry was about."""
    subjects = facts.entry_subjects(int(seq))
    for item_id in _subjects(subjects, "item"):
        why = _item(c, item_id, facts)
        if why is not None:
            return why
    return None


def _rule(check: Callable[[Caller], bool], why: str) -> Callable[[Caller, str, Any], str | None]:
    return lambda c, _target, _facts: None if check(c) else why


_BEFORE: dict[str, Callable[[Caller, str, TargetFacts], str | None]] = {
    "item": _item,
    "case": _case,
    "suggestion": _suggestion,
    "production": _production,
    "inventory": _inventory_of,
    "lab": _lab,
    "entry": _entry,
    "prosecute": lambda c, case_id, _f: (
        None if policy.prosecute(c, case_id) else "that is for the case's own prosecutor"
    ),
    "record": _rule(policy.record, "only property room staff and prosecutors create records"),
    "admin": _rule(policy.administer, "that is an administrator's task"),
    "staff": _rule(lambda c: c.staff, "inventories are taken by property room staff"),
}
