"""Item events: intake, every custody step, files, lab work, inventories, link suggestions
and decisions, corrections. Each step's `...Fields` model is what the person states; the
item comes from the address (API, page) or the argument (CLI)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from .payload import Day, Id, LongText, Occurred, Payload, Reasoned, Sha256, Text
from .vocabulary import Category, CheckoutPurpose, DispositionMethod


class ItemIntakeFields(Occurred):
    """What an intake states. The item's number (when not given) and its first custodian
    (when not named) are Brady's to fill in."""

    item_id: Id | None = None
    category: Category
    description: Text
    quantity: int = Field(default=1, ge=1, le=1_000_000_000)
    make: Text | None = None
    model: Text | None = None
    serial: Text | None = None
    caliber: Text | None = None
    packaging: Text | None = None
    seals: list[Text] = Field(default_factory=list)
    found_at: Text | None = None
    received_from: Text | None = None
    case_ids: list[Id] = Field(default_factory=list)
    narrative: LongText | None = None
    location_id: Id
    custodian: Id | None = None


class ItemIntake(ItemIntakeFields):
    item_id: Id
    custodian: Id


# A step's `...Fields` model is what the person states; the item it is about comes from
# the address (API, page) or the argument (CLI).


class ItemTransferFields(Occurred):
    to_user: Id
    reason: Text | None = None


class ItemTransfer(ItemTransferFields):
    item_id: Id


class ItemReceive(Occurred):
    item_id: Id


class ItemTransferCancel(Reasoned):
    item_id: Id


class DispositionWithdraw(Reasoned):
    item_id: Id


class ItemCheckoutFields(Occurred):
    to: Text
    purpose: CheckoutPurpose
    due_back: Day


class ItemCheckout(ItemCheckoutFields):
    item_id: Id


class ItemCheckinFields(Occurred):
    location_id: Id
    condition: Text
    seal_intact: bool


class ItemCheckin(ItemCheckinFields):
    item_id: Id


class ItemMoveFields(Occurred):
    location_id: Id


class ItemMove(ItemMoveFields):
    item_id: Id


class ItemSplitFields(Occurred):
    """A new number for the part split off is Brady's to give when none is named."""

    new_item_id: Id | None = None
    quantity: int = Field(ge=1, le=1_000_000_000)
    description: Text


class ItemSplit(ItemSplitFields):
    item_id: Id
    new_item_id: Id


class ItemFileCaseFields(Reasoned):
    case_id: Id


class ItemFileCase(ItemFileCaseFields):
    item_id: Id


class DispositionRequestFields(Reasoned):
    method: DispositionMethod


class DispositionRequest(DispositionRequestFields):
    item_id: Id


class DispositionApprove(Occurred):
    item_id: Id


class DispositionDoneFields(Occurred):
    method: DispositionMethod
    to: Text | None = None


class DispositionDone(DispositionDoneFields):
    item_id: Id


class FileAttach(Occurred):
    item_id: Id
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    size: int = Field(ge=0)
    name: Text
    media_type: Text | None = None


class PageMention(Payload):
    """One thing a page of a document mentions, as linking reads it."""

    page: int = Field(ge=1)
    kind: Annotated[str, StringConstraints(pattern=r"^[a-z_@~]{1,20}$")]
    key: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    text: Text


class FileRead(Occurred):
    """Brady's linking service read an attached file's text (its text layer, or OCR) and
    recorded what its pages mention, so that linking and its reasons ('page 3 of
    report.pdf') rest on the ledger, not on re-reading the file."""

    item_id: Id
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    reader: Text  # how: 'pdf-text', 'ocr (tesseract 5.3.0)'...
    pages: int = Field(ge=0)
    mentions: list[PageMention] = Field(default_factory=list, max_length=5000)


class LabRequest(Occurred):
    request_id: Id
    lab: Text
    item_ids: list[Id] = Field(min_length=1)
    examinations: Text


class LabResultFields(Occurred):
    findings: LongText
    report_sha256: Sha256 | None = None


class LabResult(LabResultFields):
    request_id: Id


class InventoryStartFields(Occurred):
    """What the person starting an inventory states; what it expects is Brady's to fix."""

    inventory_id: Id
    scope: Annotated[str, StringConstraints(pattern=r"^(full|sample)$")] = "full"
    location_id: Id | None = None


class InventoryStart(InventoryStartFields):
    # The expected list itself can be thousands of ids, more than an entry holds; it is
    # fixed by the state at this entry (and the seed), and these two pin it down.
    expected_count: int = Field(ge=0)
    expected_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    population: int = Field(ge=0)
    seed: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")] | None = None
    # Whose items the inventory expects: the agency of the user who started it. Absent in
    # inventories recorded before agencies kept their own (every item was in scope then).
    agency_id: Id | None = None


class InventoryScanFields(Occurred):
    item_id: Id
    location_id: Id | None = None


class InventoryScan(InventoryScanFields):
    inventory_id: Id


class InventoryClose(Occurred):
    inventory_id: Id


class LinkSuggest(Occurred):
    """occurred_at: when the event that prompted it happened (an intake, a new party)."""

    suggestion_id: Id
    item_id: Id
    case_id: Id
    score: float = Field(ge=0, le=1)
    reasons: list[Text] = Field(min_length=1)
    evidence: list[Text] = Field(default_factory=list)
    """What it rests on ('name:thell reed|p-12', 'serial:KT4471'): a rejected suggestion is
    raised again only when something new appears."""
    relation_id: Id | None = None
    """When it rests only on a party the two cases share: the related-cases suggestion it
    follows. Decided with it; once that side is accepted, linked by that decision."""


class LinkDecision(Reasoned):
    suggestion_id: Id


class LinkAccept(LinkDecision):
    pass


class LinkReject(LinkDecision):
    pass


class RelationSuggest(Occurred):
    """Two open cases share a party (one person of the record): items of either that name
    them may bear on the other. A reviewer decides each side once, and the items of that
    side follow the decision, now and later (`LinkSuggest.relation_id`). Recorded again
    with the same id when another party is shared before either side is decided."""

    relation_id: Id
    case_ids: list[Id] = Field(min_length=2, max_length=2)
    person_ids: list[Id] = Field(min_length=1)
    reasons: list[Text] = Field(min_length=1)


class RelationDecision(Reasoned):
    relation_id: Id
    case_id: Id
    """The side decided: whether the other case's items that name the party bear on this one."""


class RelationAccept(RelationDecision):
    pass


class RelationReject(RelationDecision):
    pass


class Correction(Occurred):
    target_seq: int = Field(ge=0)
    field: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]
    value: str | int | bool | None
    reason: Text
