"""Custody and case events: their kinds, their payloads, and how a payload is checked.

Every payload is validated here before it is signed, and the same models
read it back when projections are rebuilt from the ledger. Times are UTC in
the ledger's own format; `occurred_at` says when a thing happened, beside the
entry's `recorded_at`, which says when Brady learned of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from ..ledger.entry import Event, format_time
from .errors import RefusedError
from .vocabulary import (
    AssignmentRole,
    CaseNumberKind,
    Category,
    CheckoutPurpose,
    DispositionMethod,
    LocationKind,
    PartyRole,
    UserRole,
)

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000)]


def _to_time(value: Any) -> str:
    """Accept a datetime or ISO text; keep the ledger's fixed UTC form."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a date and time like 2024-03-06T14:30:00Z") from exc
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if not isinstance(value, datetime):
        raise ValueError(f"{value!r} is not a date and time")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_time(value)


def _to_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        # A full date and time is accepted for its day, but only if it is a real time:
        # "2024-01-01T25:00:00Z" is a typing slip to refuse, not a day to keep.
        try:
            if len(value) > 10:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
            return date.fromisoformat(value).isoformat()
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a date like 2024-01-31") from exc
    raise ValueError(f"{value!r} is not a date")


def _regex(value: Any) -> str:
    """A pattern the linker will run on narratives: it must compile and must not match
    empty text (which would find a 'mention' everywhere)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a pattern must be non-empty text")
    try:
        compiled = re.compile(value, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{value!r} is not a valid regular expression: {exc}") from exc
    if compiled.fullmatch(""):
        raise ValueError(f"{value!r} matches empty text, so it would match everywhere")
    return value


Time = Annotated[str, BeforeValidator(_to_time)]


def ledger_time(value: Any) -> str:
    """A date and time (text or datetime) in the ledger's fixed UTC form."""
    return _to_time(value)


Pattern = Annotated[str, BeforeValidator(_regex), StringConstraints(max_length=500)]
MentionKey = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, pattern=r"^[a-z0-9][a-z0-9 .&'-]{0,79}$"
    ),
]
Day = Annotated[str, BeforeValidator(_to_date)]


def first_field(value: Any, bad: Callable[[Any], bool], where: str = "") -> str | None:
    """The first field (dotted, as pydantic names them) whose value, or name, is `bad`."""
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return (where or "text") if bad(value) else None
    for key, inner in items:
        name = f"{where}.{key}" if where else str(key)
        found = name if bad(key) else first_field(inner, bad, name)
        if found is not None:
            return found
    return None


def has_nul(value: Any) -> bool:
    """PostgreSQL cannot store a NUL character and SQLite would keep it where no search finds
    it, so no event may carry one, whichever face the command came from."""
    return isinstance(value, str) and "\x00" in value


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        field = first_field(data, has_nul)
        if field is not None:
            # Raised as itself (not a ValueError) so the refusal names the field.
            raise RefusedError(
                f"{field} holds a NUL character, which a record cannot keep; remove it",
                field.split(".")[0],
            )
        return data


class Occurred(Payload):
    occurred_at: Time | None = None


# -- people, places, agencies -----------------------------------------------


class AgencyAdd(Payload):
    agency_id: Id
    name: Text
    case_number_formats: dict[CaseNumberKind, str] = Field(default_factory=dict)


class LinkingPatterns(Payload):
    """What the linker looks for beyond its built-in patterns, set by an administrator.

    Recorded on the ledger, not kept in a settings file, so that what linking
    looked for at any moment is part of the record, and a rebuild derives the
    same mentions. Each event replaces the previous set as a whole.
    """

    case_numbers: list[Pattern] = Field(default_factory=list, max_length=50)
    calibers: dict[MentionKey, Pattern] = Field(default_factory=dict, max_length=100)
    makes: dict[MentionKey, MentionKey] = Field(default_factory=dict, max_length=500)
    # The agency's towns and named places: read as places, never as people.
    places: list[MentionKey] = Field(default_factory=list, max_length=5000)
    reason: Text


class UserAdd(Payload):
    user_id: Id
    name: Text
    roles: list[UserRole] = Field(min_length=1)
    agency_id: Id | None = None
    key_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


class UserRoles(Payload):
    """A permission change: the user's roles (and agency) from now on."""

    user_id: Id
    roles: list[UserRole] = Field(min_length=1)
    agency_id: Id | None = None
    reason: Text


class UserKey(Payload):
    """Why a user's key changed (rotation or revocation); the key event itself is beside it."""

    user_id: Id
    action: Annotated[str, StringConstraints(pattern=r"^(rotate|revoke)$")]
    old_key_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    new_key_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    reason: Text


Factor = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.@~]{0,39}$")]
"""A kind of agreement linking weighs ('serial', 'name.4', 'address@')."""


class LinkingModel(Payload):
    """How much each kind of agreement weighs, learned from the agency's own reviewed
    suggestions (`brady links train`): m, the share of accepted links that rested on it,
    and the prior, how many other open cases an intake bears on. Recorded on the ledger so
    that the weights any suggestion was scored with are part of the record."""

    m: dict[Factor, Annotated[float, Field(gt=0, lt=1)]] = Field(max_length=100)
    prior: float = Field(gt=0, le=10)
    accepted: int = Field(ge=0)
    rejected: int = Field(ge=0)
    intakes: int = Field(ge=0)
    reason: Text
    # A target queue load: suggestions per 100 intakes, and the score that would have kept
    # the record's own suggestions within it (the threshold rises to it, never falls).
    queue_per_100: float | None = Field(default=None, gt=0, le=1000)
    threshold: float | None = Field(default=None, ge=0, le=1)


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
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class CaseOpen(Occurred):
    case_id: Id
    title: Text
    agency_id: Id | None = None
    numbers: list[CaseNumber] = Field(default_factory=list)
    narrative: LongText | None = None


class CaseAddNumber(Occurred):
    case_id: Id
    number: CaseNumber


class CaseAddParty(Occurred):
    case_id: Id
    person_id: Id
    role: PartyRole


class CaseAssign(Payload):
    """A user is assigned to work a case: what prosecutors, counsel and judges may see."""

    case_id: Id
    user_id: Id
    role: AssignmentRole


class CaseUnassign(Payload):
    case_id: Id
    user_id: Id
    reason: Text


class CaseCharge(Occurred):
    case_id: Id
    person_id: Id
    charges: list[Text] = Field(min_length=1)
    charged_on: Day


class CaseArraign(Occurred):
    case_id: Id
    person_id: Id
    arraigned_on: Day


class CaseClose(Occurred):
    case_id: Id
    reason: Text


# -- items -------------------------------------------------------------------


class ItemIntake(Occurred):
    item_id: Id
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
    custodian: Id


class ItemTransfer(Occurred):
    item_id: Id
    to_user: Id
    reason: Text | None = None


class ItemReceive(Occurred):
    item_id: Id


class ItemTransferCancel(Occurred):
    item_id: Id
    reason: Text


class DispositionWithdraw(Occurred):
    item_id: Id
    reason: Text


class ItemCheckout(Occurred):
    item_id: Id
    to: Text
    purpose: CheckoutPurpose
    due_back: Day


class ItemCheckin(Occurred):
    item_id: Id
    location_id: Id
    condition: Text
    seal_intact: bool


class ItemMove(Occurred):
    item_id: Id
    location_id: Id


class ItemSplit(Occurred):
    item_id: Id
    new_item_id: Id
    quantity: int = Field(ge=1, le=1_000_000_000)
    description: Text


class ItemFileCase(Occurred):
    item_id: Id
    case_id: Id
    reason: Text


class DispositionRequest(Occurred):
    item_id: Id
    method: DispositionMethod
    reason: Text


class DispositionApprove(Occurred):
    item_id: Id


class DispositionDone(Occurred):
    item_id: Id
    method: DispositionMethod
    to: Text | None = None


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


class LabResult(Occurred):
    request_id: Id
    findings: LongText
    report_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None


class InventoryStart(Occurred):
    inventory_id: Id
    scope: Annotated[str, StringConstraints(pattern=r"^(full|sample)$")]
    location_id: Id | None = None
    # The expected list itself can be thousands of ids, more than an entry holds; it is
    # fixed by the state at this entry (and the seed), and these two pin it down.
    expected_count: int = Field(ge=0)
    expected_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    population: int = Field(ge=0)
    seed: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")] | None = None
    # Whose items the inventory expects: the agency of the user who started it. Absent in
    # inventories recorded before agencies kept their own (every item was in scope then).
    agency_id: Id | None = None


class InventoryScan(Occurred):
    inventory_id: Id
    item_id: Id
    location_id: Id | None = None


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


class LinkDecision(Occurred):
    suggestion_id: Id
    reason: Text


class LinkAccept(LinkDecision):
    pass


class LinkReject(LinkDecision):
    pass


class Correction(Occurred):
    target_seq: int = Field(ge=0)
    field: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]
    value: str | int | bool | None
    reason: Text


# -- disclosure -----------------------------------------------------------------

Unit = Annotated[
    str, StringConstraints(pattern=r"^(item|file|lab):[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$")
]
"""What is owed: an item ("item:ID"), a file attached to one ("file:SHA256") or a lab
result ("lab:REQUEST_ID")."""
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class RulesAdopt(Payload):
    """A jurisdiction rule set, with every deadline filled in, as the agency adopted it."""

    rule_set: dict[str, Any]
    reason: Text


class CaseRules(Payload):
    case_id: Id
    rule_set_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
    in_custody: bool | None = None


class DisclosureRequest(Occurred):
    """The defense asked for discovery (the trigger under Fed. R. Crim. P. 16)."""

    case_id: Id
    requested_by: Text


class DisclosureFlag(Payload):
    case_id: Id
    unit: Unit
    exculpatory: bool = False
    impeachment: bool = False
    note: Text | None = None


class WithholdRequest(Payload):
    case_id: Id
    unit: Unit
    reason: Text
    order_ref: Text
    """The protective order or court order that allows it."""


class WithholdApprove(Payload):
    case_id: Id
    unit: Unit


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


class DisclosureReceipt(Occurred):
    production_id: Id
    received_by: Text
    bag_sha256: Sha256


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
        raise RefusedError(f"Brady does not know the event kind {kind!r}", "kind")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]["loc"]
        raise RefusedError(f"{kind}: {describe(exc)}", str(first[0]) if first else None) from exc


def to_event(payload: Payload, subjects: list[str]) -> Event:
    """The ledger event for a validated payload; empty optional fields are left out."""
    data = payload.model_dump(mode="json", exclude_none=True)
    return Event(KIND_OF[type(payload)], tuple(subjects), data)
