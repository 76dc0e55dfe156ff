"""Access rules: deny unless a rule below says yes.

* Property clerks, officers, supervisors and lab analysts work their own agency's
  cases and items (an item belongs to the agency of the user who took it in, and to
  the agencies of the cases it is filed under).
* Prosecutors see and act on the cases assigned to them, and their items.
* Judges and clerks of the court see the cases assigned to their court: the case,
  its items and custody, compliance and productions; not the evidence files.
* Defense counsel see their own cases, and in them only what was produced to the
  defense: those items, those files, the productions and the compliance view.
* Auditors read everything and change nothing; administrators manage accounts,
  roles, assignments and places, not evidence.
* A read-only API token never changes anything, whatever its user may do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ..domain.vocabulary import UserRole as R

STAFF = frozenset({R.PROPERTY_CLERK, R.OFFICER, R.SUPERVISOR, R.LAB_ANALYST})


class Level(StrEnum):
    """How much of a case or item a caller may read."""

    FULL = "full"  # everything the record holds
    COURT = "court"  # all but the evidence files themselves
    DISCLOSED = "disclosed"  # what was produced to the defense


@dataclass(frozen=True)
class Caller:
    user_id: str
    roles: frozenset[str]
    agency_id: str | None
    assigned: Mapping[str, str] = field(default_factory=dict)  # case id -> assignment role
    scope: str = "write"

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def staff(self) -> bool:
        return bool(self.roles & STAFF)

    @property
    def may_write(self) -> bool:
        return self.scope == "write" and not self.roles <= {R.AUDITOR, R.JUDGE}

    def assigned_as(self, case_id: str, role: str) -> bool:
        return self.assigned.get(case_id) == role and self.has(role)


@dataclass(frozen=True)
class CaseFacts:
    case_id: str
    exists: bool
    agency_id: str | None = None


@dataclass(frozen=True)
class ItemFacts:
    item_id: str
    exists: bool
    agency_id: str | None = None  # of the user who took it in
    cases: Mapping[str, str | None] = field(default_factory=dict)  # case id -> its agency
    disclosed_in: frozenset[str] = frozenset()  # cases whose productions include it
    suggested_to: frozenset[str] = frozenset()  # cases linking suggested it for


def read_case(c: Caller, f: CaseFacts) -> Level | None:
    if not f.exists:
        return Level.FULL if c.has(R.AUDITOR) or c.staff else None
    if c.has(R.AUDITOR):
        return Level.FULL
    if c.staff and f.agency_id == c.agency_id:
        return Level.FULL
    if c.assigned_as(f.case_id, R.PROSECUTOR):
        return Level.FULL
    if c.assigned_as(f.case_id, R.JUDGE):
        return Level.COURT
    if c.assigned_as(f.case_id, R.DEFENSE_COUNSEL):
        return Level.DISCLOSED
    return None


def read_item(c: Caller, f: ItemFacts) -> Level | None:
    if not f.exists:
        return Level.FULL if c.has(R.AUDITOR) or c.staff else None
    if c.has(R.AUDITOR):
        return Level.FULL
    if c.staff and (f.agency_id == c.agency_id or c.agency_id in f.cases.values()):
        return Level.FULL
    if any(c.assigned_as(case, R.PROSECUTOR) for case in f.cases) or reviewing(c, f):
        return Level.FULL
    if any(c.assigned_as(case, R.JUDGE) for case in f.cases):
        return Level.COURT
    if any(c.assigned_as(case, R.DEFENSE_COUNSEL) for case in f.disclosed_in):
        return Level.DISCLOSED
    return None


def reviewing(c: Caller, f: ItemFacts) -> bool:
    """Whether the caller prosecutes a case linking suggested this item for. Whoever decides
    a suggestion must see the item's whole record first (narrative, files, history, lab
    results), not one line and the reasons; such a look is logged as a review. It grants
    reading only: acting on the item stays with its own cases' people."""
    return any(c.assigned_as(case, R.PROSECUTOR) for case in f.suggested_to)


def read_file(c: Caller, item: ItemFacts, file_disclosed_in: frozenset[str]) -> bool:
    """The evidence file's bytes: never for the court view; for counsel only if produced."""
    level = read_item(c, item)
    if level is Level.FULL:
        return True
    return any(c.assigned_as(case, R.DEFENSE_COUNSEL) for case in file_disclosed_in)


def act_on_item(c: Caller, f: ItemFacts) -> bool:
    """Record a custody step, a file, a lab request on an item (the service checks roles)."""
    if not c.may_write or not f.exists:
        return False
    if c.staff and (f.agency_id == c.agency_id or c.agency_id in f.cases.values()):
        return True
    return any(c.assigned_as(case, R.PROSECUTOR) for case in f.cases)


def act_on_case(c: Caller, f: CaseFacts) -> bool:
    """Add parties, numbers, charges; file items under it."""
    if not c.may_write or not f.exists:
        return False
    return (c.staff and f.agency_id == c.agency_id) or c.assigned_as(f.case_id, R.PROSECUTOR)


def prosecute(c: Caller, case_id: str) -> bool:
    """Disclosure decisions and link reviews: the case's own prosecutor."""
    return c.may_write and c.assigned_as(case_id, R.PROSECUTOR)


def read_production(c: Caller, case_id: str) -> bool:
    """A production's bag and its files: what was handed over, to those on either side of
    the handing (the case's counsel and prosecutor) and to auditors. A judge reads the
    case's record and certificate; the bag is the parties' exchange."""
    return (
        audit(c)
        or c.assigned_as(case_id, R.DEFENSE_COUNSEL)
        or c.assigned_as(case_id, R.PROSECUTOR)
    )


def acknowledge(c: Caller, case_id: str) -> bool:
    """Receipt of a production: the case's defense counsel (or its prosecutor for them)."""
    return c.may_write and (
        c.assigned_as(case_id, R.DEFENSE_COUNSEL) or c.assigned_as(case_id, R.PROSECUTOR)
    )


def record(c: Caller) -> bool:
    """Create new records (cases, persons, intakes): staff and prosecutors."""
    return c.may_write and (c.staff or c.has(R.PROSECUTOR))


def administer(c: Caller) -> bool:
    return c.may_write and c.has(R.ADMIN)


def audit(c: Caller) -> bool:
    return c.has(R.AUDITOR)


def anchor_access_log(c: Caller) -> bool:
    """Fixing the access log's head signs a ledger entry: an auditor or an administrator may,
    but not through a read-only token, which never writes anything."""
    return c.scope == "write" and (audit(c) or administer(c))


def take_inventory(c: Caller, inventory_agency: str | None) -> bool:
    """An inventory is its agency's: the list it expects names that agency's items only."""
    return c.staff and c.agency_id == inventory_agency
