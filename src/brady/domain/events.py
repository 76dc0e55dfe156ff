"""Custody and case events: their kinds, their payloads, and how a payload is checked.

Every payload is validated here before it is signed, and the same models
read it back when projections are rebuilt from the ledger. Times are UTC in
the ledger's own format; `occurred_at` says when a thing happened, beside the
entry's `recorded_at`, which says when Brady learned of it.

A payload whose record comes from elsewhere (the case in the address, the number Brady
gives) has a `...Fields` model beside it: what the person states. The API's request bodies
and the forms are those models, so a field and its rule are declared once.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationError

from ..ledger.entry import Event
from .disclosure_events import (
    AccessAnchor,
    CaseRules,
    CaseRulesFields,
    DisclosureFlag,
    DisclosureFlagFields,
    DisclosureProduce,
    DisclosureReceipt,
    DisclosureReceiptFields,
    DisclosureRequest,
    DisclosureRequestFields,
    ProducedUnit,
    RulesAdopt,
    WithholdApprove,
    WithholdApproveFields,
    WithholdRequest,
    WithholdRequestFields,
)
from .errors import InvalidInputError
from .item_events import (
    Correction,
    DispositionApprove,
    DispositionDone,
    DispositionDoneFields,
    DispositionRequest,
    DispositionRequestFields,
    DispositionWithdraw,
    FileAttach,
    FileRead,
    InventoryClose,
    InventoryScan,
    InventoryScanFields,
    InventoryStart,
    InventoryStartFields,
    ItemCheckin,
    ItemCheckinFields,
    ItemCheckout,
    ItemCheckoutFields,
    ItemFileCase,
    ItemFileCaseFields,
    ItemIntake,
    ItemIntakeFields,
    ItemMove,
    ItemMoveFields,
    ItemReceive,
    ItemSplit,
    ItemSplitFields,
    ItemTransfer,
    ItemTransferCancel,
    ItemTransferFields,
    LabRequest,
    LabResult,
    LabResultFields,
    LinkAccept,
    LinkDecision,
    LinkReject,
    LinkSuggest,
    PageMention,
    RelationAccept,
    RelationDecision,
    RelationReject,
    RelationSuggest,
)
from .payload import (
    VISIBLE,
    Day,
    Id,
    LongText,
    MentionKey,
    Occurred,
    Pattern,
    Payload,
    Reasoned,
    Sha256,
    Text,
    Time,
    Unit,
    first_field,
    has_nul,
    ledger_time,
)
from .settings_events import (
    AgencyAdd,
    BlobsMigrate,
    Factor,
    LinkingModel,
    LinkingPatterns,
    UserAdd,
    UserAddFields,
    UserKey,
    UserKeyFields,
    UserRoles,
    UserRolesFields,
)
from .vocabulary import (
    AssignmentRole,
    CaseNumberKind,
    Category,
    CheckoutPurpose,
    DispositionMethod,
    LocationKind,
    PartyRole,
)


class PersonAdd(Payload):
    person_id: Id
    name: Text
    aliases: list[Text] = Field(default_factory=list)
    dob: Day | None = None


class OrganizationAdd(Payload):
    """A business or body involved in cases (a prop supplier, a lab, a production company)."""

    org_id: Id
    name: Text
    aliases: list[Text] = Field(default_factory=list)
    address: Text | None = None


class LocationAdd(Payload):
    location_id: Id
    name: Text
    kind: LocationKind
    parent_id: Id | None = None


# -- cases -------------------------------------------------------------------


class CaseNumber(Payload):
    kind: CaseNumberKind
    number: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=VISIBLE)
    ]


class CaseOpen(Occurred):
    case_id: Id
    title: Text
    agency_id: Id | None = None
    numbers: list[CaseNumber] = Field(default_factory=list)
    narrative: LongText | None = None


class CaseAddNumber(Occurred):
    case_id: Id
    number: CaseNumber


class CaseAddPartyFields(Occurred):
    person_id: Id
    role: PartyRole


class CaseAddParty(CaseAddPartyFields):
    case_id: Id


class CaseAssignFields(Payload):
    """A user is assigned to work a case: what prosecutors, counsel and judges may see."""

    user_id: Id
    role: AssignmentRole


class CaseAssign(CaseAssignFields):
    case_id: Id


class CaseUnassign(Payload):
    case_id: Id
    user_id: Id
    reason: Text


class CaseChargeFields(Occurred):
    person_id: Id
    charges: list[Text] = Field(min_length=1)
    charged_on: Day


class CaseCharge(CaseChargeFields):
    case_id: Id


class CaseArraignFields(Occurred):
    person_id: Id
    arraigned_on: Day


class CaseArraign(CaseArraignFields):
    case_id: Id


class CaseClose(Reasoned):
    case_id: Id


PAYLOADS: dict[str, type[Payload]] = {
    "agency.add": AgencyAdd,
    "user.add": UserAdd,
    "user.roles": UserRoles,
    "user.key": UserKey,
    "linking.patterns": LinkingPatterns,
    "linking.model": LinkingModel,
    "person.add": PersonAdd,
    "location.add": LocationAdd,
    "organization.add": OrganizationAdd,
    "case.open": CaseOpen,
    "case.add_number": CaseAddNumber,
    "case.add_party": CaseAddParty,
    "case.assign": CaseAssign,
    "case.unassign": CaseUnassign,
    "case.charge": CaseCharge,
    "case.arraign": CaseArraign,
    "case.close": CaseClose,
    "item.intake": ItemIntake,
    "item.transfer": ItemTransfer,
    "item.receive": ItemReceive,
    "item.transfer_cancel": ItemTransferCancel,
    "item.disposition_withdraw": DispositionWithdraw,
    "item.checkout": ItemCheckout,
    "item.checkin": ItemCheckin,
    "item.move": ItemMove,
    "item.split": ItemSplit,
    "item.file_case": ItemFileCase,
    "item.disposition_request": DispositionRequest,
    "item.disposition_approve": DispositionApprove,
    "item.disposition": DispositionDone,
    "file.attach": FileAttach,
    "file.read": FileRead,
    "lab.request": LabRequest,
    "lab.result": LabResult,
    "link.suggest": LinkSuggest,
    "link.accept": LinkAccept,
    "link.reject": LinkReject,
    "relation.suggest": RelationSuggest,
    "relation.accept": RelationAccept,
    "relation.reject": RelationReject,
    "inventory.start": InventoryStart,
    "inventory.scan": InventoryScan,
    "inventory.close": InventoryClose,
    "record.correct": Correction,
    "rules.adopt": RulesAdopt,
    "case.rules": CaseRules,
    "disclosure.request": DisclosureRequest,
    "disclosure.flag": DisclosureFlag,
    "disclosure.withhold": WithholdRequest,
    "disclosure.withhold_approve": WithholdApprove,
    "disclosure.produce": DisclosureProduce,
    "disclosure.receipt": DisclosureReceipt,
    "access.anchor": AccessAnchor,
    "blobs.migrate": BlobsMigrate,
}
KIND_OF = {model: kind for kind, model in PAYLOADS.items()}
if len(KIND_OF) != len(PAYLOADS):
    raise RuntimeError("each event kind needs a payload model of its own")


def describe(error: ValidationError) -> str:
    """One line per problem: which field, what was wrong, what was given."""
    parts = []
    for e in error.errors():
        where = ".".join(str(p) for p in e["loc"]) or "payload"
        got = e.get("input")
        shown = "" if isinstance(got, dict) else f" (got {got!r})"
        parts.append(f"{where}: {e['msg']}{shown}")
    return "; ".join(parts)


def parse_payload(kind: str, data: dict[str, Any]) -> Payload:
    model = PAYLOADS.get(kind)
    if model is None:
        raise InvalidInputError(f"Brady does not know the event kind {kind!r}", "kind")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]["loc"]
        raise InvalidInputError(
            f"{kind}: {describe(exc)}", str(first[0]) if first else None
        ) from exc


def to_event(payload: Payload, subjects: list[str]) -> Event:
    """The ledger event for a validated payload; empty optional fields are left out."""
    data = payload.model_dump(mode="json", exclude_none=True)
    return Event(KIND_OF[type(payload)], tuple(subjects), data)


__all__ = [
    "KIND_OF",
    "PAYLOADS",
    "AccessAnchor",
    "AgencyAdd",
    "AssignmentRole",
    "BlobsMigrate",
    "CaseAddNumber",
    "CaseAddParty",
    "CaseAddPartyFields",
    "CaseArraign",
    "CaseArraignFields",
    "CaseAssign",
    "CaseAssignFields",
    "CaseCharge",
    "CaseChargeFields",
    "CaseClose",
    "CaseNumber",
    "CaseNumberKind",
    "CaseOpen",
    "CaseRules",
    "CaseRulesFields",
    "CaseUnassign",
    "Category",
    "CheckoutPurpose",
    "Correction",
    "Day",
    "DisclosureFlag",
    "DisclosureFlagFields",
    "DisclosureProduce",
    "DisclosureReceipt",
    "DisclosureReceiptFields",
    "DisclosureRequest",
    "DisclosureRequestFields",
    "DispositionApprove",
    "DispositionDone",
    "DispositionDoneFields",
    "DispositionMethod",
    "DispositionRequest",
    "DispositionRequestFields",
    "DispositionWithdraw",
    "Factor",
    "FileAttach",
    "FileRead",
    "Id",
    "InvalidInputError",
    "InventoryClose",
    "InventoryScan",
    "InventoryScanFields",
    "InventoryStart",
    "InventoryStartFields",
    "ItemCheckin",
    "ItemCheckinFields",
    "ItemCheckout",
    "ItemCheckoutFields",
    "ItemFileCase",
    "ItemFileCaseFields",
    "ItemIntake",
    "ItemIntakeFields",
    "ItemMove",
    "ItemMoveFields",
    "ItemReceive",
    "ItemSplit",
    "ItemSplitFields",
    "ItemTransfer",
    "ItemTransferCancel",
    "ItemTransferFields",
    "LabRequest",
    "LabResult",
    "LabResultFields",
    "LinkAccept",
    "LinkDecision",
    "LinkReject",
    "LinkSuggest",
    "LinkingModel",
    "LinkingPatterns",
    "LocationAdd",
    "LocationKind",
    "LongText",
    "MentionKey",
    "Occurred",
    "OrganizationAdd",
    "PageMention",
    "PartyRole",
    "Pattern",
    "Payload",
    "PersonAdd",
    "ProducedUnit",
    "Reasoned",
    "RelationAccept",
    "RelationDecision",
    "RelationReject",
    "RelationSuggest",
    "RulesAdopt",
    "Sha256",
    "Text",
    "Time",
    "Unit",
    "UserAdd",
    "UserAddFields",
    "UserKey",
    "UserKeyFields",
    "UserRoles",
    "UserRolesFields",
    "WithholdApprove",
    "WithholdApproveFields",
    "WithholdRequest",
    "WithholdRequestFields",
    "describe",
    "first_field",
    "has_nul",
    "ledger_time",
    "parse_payload",
    "to_event",
]
