"""The words of a property room, a prosecutor's office and a lab, as Brady records them."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    FIREARM = "firearm"
    AMMUNITION = "ammunition"
    DRUGS = "drugs"
    MONEY = "money"
    BIOLOGICAL = "biological"
    DOCUMENT = "document"
    DIGITAL_MEDIA = "digital_media"
    ELECTRONIC_FILE = "electronic_file"
    OTHER = "other"


HIGH_RISK = frozenset({Category.FIREARM, Category.DRUGS, Category.MONEY})
"""What property-room audit practice samples in every inventory."""


class UserRole(StrEnum):
    ADMIN = "admin"
    PROPERTY_CLERK = "property_clerk"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    LAB_ANALYST = "lab_analyst"
    PROSECUTOR = "prosecutor"
    DEFENSE_COUNSEL = "defense_counsel"
    JUDGE = "judge"  # a judge or a clerk of the court
    AUDITOR = "auditor"  # reads everything, changes nothing
    LINKER = "linker"  # Brady's own linking service: it suggests, people decide


class AssignmentRole(StrEnum):
    """Who works a case: prosecutors, defense counsel and the court see only their own."""

    PROSECUTOR = "prosecutor"
    DEFENSE_COUNSEL = "defense_counsel"
    JUDGE = "judge"


class PartyRole(StrEnum):
    DEFENDANT = "defendant"
    VICTIM = "victim"
    WITNESS = "witness"
    SUSPECT = "suspect"
    OFFICER = "officer"
    LAB_ANALYST = "lab_analyst"
    PROSECUTOR = "prosecutor"
    DEFENSE_COUNSEL = "defense_counsel"


PROFESSIONAL_ROLES = frozenset(
    {PartyRole.OFFICER, PartyRole.LAB_ANALYST, PartyRole.PROSECUTOR, PartyRole.DEFENSE_COUNSEL}
)
"""Parties named in every report they write or case they work: their names are weak
evidence of a link, and sharing one of them relates no cases."""


class CaseStatus(StrEnum):
    OPEN = "open"
    CHARGED = "charged"
    CLOSED = "closed"


class CaseNumberKind(StrEnum):
    AGENCY = "agency"
    COURT = "court"


class LocationKind(StrEnum):
    FACILITY = "facility"
    ROOM = "room"
    SHELF = "shelf"
    LOCKER = "locker"
    TEMPORARY = "temporary"


class ItemStatus(StrEnum):
    IN_CUSTODY = "in_custody"
    IN_TRANSFER = "in_transfer"
    CHECKED_OUT = "checked_out"
    DISPOSED = "disposed"


class CheckoutPurpose(StrEnum):
    LAB = "lab"
    COURT = "court"
    REVIEW = "review"
    OTHER = "other"


class DispositionMethod(StrEnum):
    RETURNED = "returned"
    DESTROYED = "destroyed"
    RELEASED = "released"
