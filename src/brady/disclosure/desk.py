"""Disclosure commands: the prosecutor's desk. Each one checks who asks and what the
record allows, then records one signed event through the custody session, so it
shares the transaction, the signatures and the rules of every other command."""

from __future__ import annotations

from ..custody.service import CHARGING, Session, held_to
from ..domain.errors import RefusedError
from ..domain.vocabulary import UserRole
from ..ledger.entry import Entry
from ..store import disclosure_queries as dq
from . import rules
from .compliance import units_of

RECEIVERS = (UserRole.PROSECUTOR, UserRole.DEFENSE_COUNSEL)


class ProducedMeanwhileError(RefusedError):
    """Another production of the case was recorded between this one's planning and its
    recording (its id or Bates numbers are taken): made again, it takes the next ones."""


class Desk:
    def __init__(self, session: Session) -> None:
        self.s = session
        self.conn = session.conn

    @held_to(("admin", None))
    def adopt_rules(
        self, by: str, name: str, settings: dict[str, int], source: str | None, reason: str
    ) -> Entry:
        """Adopt a rule set (shipped or the agency's own file), deadlines filled in."""
        self.s.require_admin(by)
        try:
            adopted = rules.with_settings(rules.find(name), settings, source)
        except rules.RuleError as exc:
            raise RefusedError(str(exc), "rule_set") from exc
        return self.s.record(
            by,
            "rules.adopt",
            {"rule_set": adopted.model_dump(mode="json"), "reason": reason},
            [f"rules:{adopted.id}"],
        )

    @held_to(("prosecute", "case_id"))
    def case_rules(
        self, by: str, case_id: str, rule_set_id: str, in_custody: bool | None = None
    ) -> Entry:
        self.s.require_role(by, CHARGING, "choose a case's disclosure rules")
        self.s.require_case(case_id)
        if not dq.rule_set_adopted(self.conn, rule_set_id):
            raise RefusedError(
                f"rule set {rule_set_id!r} has not been adopted; an administrator adopts it "
                "first (brady disclosure adopt)",
                "rule_set_id",
            )
        return self.s.record(
            by,
            "case.rules",
            {"case_id": case_id, "rule_set_id": rule_set_id, "in_custody": in_custody},
            [f"case:{case_id}", f"rules:{rule_set_id}"],
        )

    @held_to(("prosecute", "case_id"))
    def request(
        self, by: str, case_id: str, requested_by: str, occurred_at: str | None = None
    ) -> Entry:
        self.s.require_role(by, CHARGING, "record a defense request")
        self.s.require_case(case_id)
        return self.s.record(
            by,
            "disclosure.request",
            {"case_id": case_id, "requested_by": requested_by, "occurred_at": occurred_at},
            [f"case:{case_id}"],
        )

    @held_to(("prosecute", "case_id"))
    def flag(
        self,
        by: str,
        case_id: str,
        unit: str,
        exculpatory: bool = False,
        impeachment: bool = False,
        note: str | None = None,
    ) -> Entry:
        self.s.require_role(by, CHARGING, "flag evidence")
        self._owed(case_id, unit)
        return self.s.record(
            by,
            "disclosure.flag",
            {
                "case_id": case_id,
                "unit": unit,
                "exculpatory": exculpatory,
                "impeachment": impeachment,
                "note": note,
            },
            [f"case:{case_id}", unit],
        )

    @held_to(("prosecute", "case_id"))
    def withhold(self, by: str, case_id: str, unit: str, reason: str, order_ref: str) -> Entry:
        """Ask to withhold one thing under a protective or court order; a second
        prosecutor must approve before it stops counting as outstanding."""
        self.s.require_role(by, CHARGING, "withhold evidence")
        self._owed(case_id, unit)
        if self._produced(case_id, unit):
            raise RefusedError(f"{unit} was already produced in this case", "unit")
        return self.s.record(
            by,
            "disclosure.withhold",
            {"case_id": case_id, "unit": unit, "reason": reason, "order_ref": order_ref},
            [f"case:{case_id}", unit],
        )

    @held_to(("prosecute", "case_id"))
    def approve_withholding(self, by: str, case_id: str, unit: str) -> Entry:
        self.s.require_role(by, CHARGING, "approve withholding")
        asked = dq.withholding(self.conn, case_id, unit)
        if asked is None:
            raise RefusedError(f"nobody asked to withhold {unit} in case {case_id}", "unit")
        requested_by, approved_by = asked
        if approved_by is not None:
            raise RefusedError(f"withholding {unit} was already approved by {approved_by}", "unit")
        if requested_by == by:
            raise RefusedError(
                f"{by} asked to withhold {unit}; another prosecutor must approve it", "by"
            )
        return self.s.record(
            by,
            "disclosure.withhold_approve",
            {"case_id": case_id, "unit": unit},
            [f"case:{case_id}", unit],
        )

    @held_to(("prosecute", "case_id"))
    def produce(
        self,
        by: str,
        case_id: str,
        production_id: str,
        recipient: str,
        units: list[dict[str, str]],
        bag_sha256: str,
        checkpoint_size: int,
        occurred_at: str | None = None,
    ) -> Entry:
        """Record a production that was built (see production.py): what, to whom, which bag,
        and when it was handed over (default: now)."""
        self.s.require_role(by, CHARGING, "produce discovery")
        self.s.require_case(case_id)
        if dq.production_exists(self.conn, production_id):
            raise ProducedMeanwhileError(
                f"production {production_id!r} already exists", "production_id"
            )
        self._owed(case_id, *(u["unit"] for u in units))
        self._continues(case_id, production_id, [u["bates"] for u in units])
        return self.s.record(
            by,
            "disclosure.produce",
            {
                "production_id": production_id,
                "case_id": case_id,
                "recipient": recipient,
                "units": units,
                "bag_sha256": bag_sha256,
                "checkpoint_size": checkpoint_size,
                "occurred_at": occurred_at,
            },
            [f"case:{case_id}", f"production:{production_id}"],
        )

    def _continues(self, case_id: str, production_id: str, bates: list[str]) -> None:
        """Refuse Bates numbers that do not follow the case's productions as recorded now,
        under the write lock: they were given before another production of the case (made
        meanwhile, perhaps on another server) was recorded, and would repeat its numbers."""
        first = dq.produced_unit_count(self.conn, case_id) + 1
        wanted = range(first, first + len(bates))
        if [b.rpartition("-")[2].lstrip("0") for b in bates] != [str(n) for n in wanted]:
            raise ProducedMeanwhileError(
                f"the Bates numbers of {production_id} must run from {first:06d} (e.g. "
                f"BRADY-{first:06d}): the case's productions so far end at {first - 1:06d}. "
                "Another production was recorded meanwhile; make this one again",
                "units",
            )

    @held_to(("production", "production_id"))
    def receipt(
        self,
        by: str,
        production_id: str,
        received_by: str,
        bag_sha256: str,
        occurred_at: str | None = None,
    ) -> Entry:
        """Defense counsel received the bag: the hash they name must be the one produced."""
        self.s.require_role(by, RECEIVERS, "record a receipt")
        produced = dq.production_case_and_bag(self.conn, production_id)
        if produced is None:
            raise RefusedError(f"there is no production {production_id!r}", "production_id")
        case_id, produced_hash = produced
        if bag_sha256 != produced_hash:
            raise RefusedError(
                f"the bag counsel received (SHA-256 {bag_sha256[:16]}...) is not the bag of "
                f"production {production_id} ({str(produced_hash)[:16]}...): check that "
                "counsel has the right copy",
                "bag_sha256",
            )
        if dq.is_received(self.conn, production_id):
            raise RefusedError(f"production {production_id} is already received", "production_id")
        return self.s.record(
            by,
            "disclosure.receipt",
            {
                "production_id": production_id,
                "received_by": received_by,
                "bag_sha256": bag_sha256,
                "occurred_at": occurred_at,
            },
            [f"case:{case_id}", f"production:{production_id}"],
        )

    # -- checks ------------------------------------------------------------------

    def _owed(self, case_id: str, *units: str) -> None:
        """Each unit is part of the case's discovery (read once for all of them)."""
        self.s.require_case(case_id)
        owed = {held.unit for held in units_of(self.conn, case_id)}
        for unit in units:
            if unit not in owed:
                raise RefusedError(
                    f"{unit} is not part of case {case_id}'s discovery (units are item:ID, "
                    "file:SHA256 of an item's file, lab:REQUEST_ID)",
                    "unit",
                )

    def _produced(self, case_id: str, unit: str) -> bool:
        return dq.is_produced(self.conn, case_id, unit)
