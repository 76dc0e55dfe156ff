"""Disclosure events: the rules a case follows, what the defense asked for, what is owed
and flagged or withheld, what was produced and the receipt."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from .payload import Id, Occurred, Payload, Sha256, Text, Unit


class RulesAdopt(Payload):
    """A jurisdiction rule set, with every deadline filled in, as the agency adopted it."""

    rule_set: dict[str, Any]
    reason: Text


class CaseRulesFields(Payload):
    rule_set_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
    in_custody: bool | None = None


class CaseRules(CaseRulesFields):
    case_id: Id


class DisclosureRequestFields(Occurred):
    """The defense asked for discovery (the trigger under Fed. R. Crim. P. 16)."""

    requested_by: Text


class DisclosureRequest(DisclosureRequestFields):
    case_id: Id


class DisclosureFlagFields(Payload):
    unit: Unit
    exculpatory: bool = False
    impeachment: bool = False
    note: Text | None = None


class DisclosureFlag(DisclosureFlagFields):
    case_id: Id


class WithholdRequestFields(Payload):
    unit: Unit
    reason: Text
    order_ref: Text
    """The protective order or court order that allows it."""


class WithholdRequest(WithholdRequestFields):
    case_id: Id


class WithholdApproveFields(Payload):
    unit: Unit


class WithholdApprove(WithholdApproveFields):
    case_id: Id


class AccessAnchor(Payload):
    """The access log's chain head at a size, fixed on the ledger so it cannot be rewritten."""

    size: int = Field(ge=1)
    head: Sha256


class ProducedUnit(Payload):
    unit: Unit
    bates: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9-]{1,40}$")]


class DisclosureProduce(Occurred):
    production_id: Id
    case_id: Id
    recipient: Text
    units: list[ProducedUnit] = Field(min_length=1)
    bag_sha256: Sha256
    """SHA-256 of the bag's tag manifest, which covers every file in it."""
    checkpoint_size: int = Field(ge=1)


class DisclosureReceiptFields(Occurred):
    received_by: Text
    bag_sha256: Sha256


class DisclosureReceipt(DisclosureReceiptFields):
    production_id: Id
