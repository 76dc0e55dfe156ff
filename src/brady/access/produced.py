"""What defense counsel were given, and an item's record as it was produced to them.

Counsel's right is to what the State produced, not to the State's file: an item's history
shown to counsel ends at the last production that held the item, and leaves out the steps
that would tell what was not produced (another file attached, a filing under another
case, lab work not produced, a link suggestion). Every face (API, web, the custody PDF,
the production bag itself) builds counsel's view through this one module, so a rule fixed
here is fixed everywhere. Pure: the facts come in, nothing is read here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

UNLIMITED = 2**62
"""As a production's entry number: the production being built now (everything so far)."""

NEVER_SHOWN = frozenset(
    {
        "link.suggest",
        "link.reject",
        "file.read",
        "relation.suggest",
        "relation.accept",
        "relation.reject",
    }
)
"""The State's own linking work and what a document was read to mention."""

STATE_FIELDS = (
    "status",
    "custodian",
    "custodian_name",
    "location_id",
    "location_name",
    "since",
    "pending_to",
    "checkout_to",
    "checkout_purpose",
    "due_back",
    "disposition",
    "disposition_method",
    "disposition_requested_by",
    "last_seq",
    "children",
)
"""Where the item is now and what became of it: later than any production, so not shown."""


@dataclass(frozen=True)
class Produced:
    """The units produced in some cases, each with the ledger entry of the last production
    that held it (a later production of the same item shows its history up to then)."""

    cases: frozenset[str]
    units: Mapping[str, int]

    def until(self, item_id: str) -> int | None:
        """The last ledger entry of the item's history counsel may see (None: not produced)."""
        return self.units.get(f"item:{item_id}")

    def has_file(self, sha256: str) -> bool:
        return f"file:{sha256}" in self.units

    def has_lab(self, request_id: str) -> bool:
        return f"lab:{request_id}" in self.units

    def shows(self, kind: str, payload: Mapping[str, Any]) -> bool:
        """Whether one step of a produced item's history is part of what was produced."""
        if kind in NEVER_SHOWN:
            return False
        if kind == "file.attach":
            return self.has_file(str(payload.get("sha256", "")))
        if kind.startswith("lab."):
            return self.has_lab(str(payload.get("request_id", "")))
        if kind in ("item.file_case", "link.accept"):
            return str(payload.get("case_id", "")) in self.cases
        return True

    def redact(self, kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The step as counsel may read it: other cases' numbers taken out."""
        shown = dict(payload)
        if kind == "item.intake" and "case_ids" in shown:
            shown["case_ids"] = [c for c in shown["case_ids"] if c in self.cases]
        return shown

    def history(
        self, item_id: str, steps: Iterable[tuple[dict[str, Any], str, Mapping[str, Any]]]
    ) -> list[dict[str, Any]]:
        """The rows of `steps` (row, kind, payload; oldest first) counsel may see."""
        last = self.until(item_id)
        if last is None:
            return []
        return [
            row for row, kind, payload in steps if row["seq"] <= last and self.shows(kind, payload)
        ]

    def item(self, view: Mapping[str, Any]) -> dict[str, Any]:
        """The item's record without its present state, its other cases and unproduced files."""
        shown = {k: v for k, v in view.items() if k not in STATE_FIELDS}
        shown["cases"] = [c for c in view.get("cases", []) if c["case_id"] in self.cases]
        shown["files"] = [f for f in view.get("files", []) if self.has_file(str(f["sha256"]))]
        last = self.until(str(view["item_id"]))
        shown["as_produced"] = True
        shown["produced_through"] = last if last != UNLIMITED else None
        return shown


def for_production(case_id: str, earlier: Mapping[str, int], units: Iterable[str]) -> Produced:
    """What a production being built shows: the case's earlier units and its own, in full."""
    return Produced(frozenset({case_id}), {**earlier, **{u: UNLIMITED for u in units}})
