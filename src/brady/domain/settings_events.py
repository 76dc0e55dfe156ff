"""Events that set Brady up rather than record evidence: agencies, users and their roles
and keys, what linking looks for and how it weighs what it finds, and where the evidence
files are kept."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from .payload import Id, MentionKey, Pattern, Payload, Sha256, Text
from .vocabulary import CaseNumberKind, UserRole

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


class UserAddFields(Payload):
    """What an administrator states about a new user; Brady makes the key."""

    user_id: Id
    name: Text
    roles: list[UserRole] = Field(min_length=1)
    agency_id: Id | None = None


class UserAdd(UserAddFields):
    key_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


class UserRolesFields(Payload):
    """A permission change: the user's roles (and agency) from now on."""

    roles: list[UserRole] = Field(min_length=1)
    agency_id: Id | None = None
    reason: Text


class UserRoles(UserRolesFields):
    user_id: Id


class UserKeyFields(Payload):
    """Why a user's key changed (rotation or revocation); the key event itself is beside it."""

    action: Annotated[str, StringConstraints(pattern=r"^(rotate|revoke)$")]
    reason: Text


class UserKey(UserKeyFields):
    user_id: Id
    old_key_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    new_key_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


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


class BlobsMigrate(Payload):
    """Every recorded file copied from one store to another (`brady blobs migrate`), each
    read back from the target and its hash checked. Recorded so that a court can see from
    the ledger itself when the files moved and that none was changed on the way: `checked`
    is the SHA-256 of the files' hashes, sorted, one per line, which anyone can recompute
    from the ledger's file.attach entries and the bags its productions name."""

    source: Text
    target: Text
    files: int = Field(ge=0)
    copied: int = Field(ge=0)
    bytes: int = Field(ge=0)
    checked: Sha256
    problems: list[Text] = Field(default_factory=list, max_length=1000)
