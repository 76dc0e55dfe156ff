"""Why a command was refused, in words for the person who gave it, and how each face says so.

Every error Brady raises for a person to read is a `BradyError` of one `Kind`. The kind, not
the face, decides the answer: the same refusal is the same HTTP status, the same exit code
and the same error page whether it came through the command line, the API or a browser.
`answer_for` is the one place that mapping lives; the ledger's own errors (which know nothing
of Brady) are sorted into kinds there too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from ..ledger.errors import (
    EntryError,
    LedgerError,
    NoteError,
    ProofError,
    RootMismatchError,
    SignatureError,
    TamperError,
)


class Kind(StrEnum):
    REFUSED = "refused"
    """The caller may not do or see this."""
    NOT_FOUND = "not found"
    INVALID = "invalid"
    """A value that is wrong in itself, whatever the record holds (a category Brady does
    not know, a date that is not a date, a missing field)."""
    CONFLICT = "conflict"
    """The value is well formed, but the record as it stands refuses it (the item is
    checked out, the case number is taken, the time is before the item's last step)."""
    INTEGRITY = "integrity"
    """The stored record, a key or an evidence file is damaged or missing: nobody's input
    can fix it, an administrator must look."""


@dataclass(frozen=True)
class Answer:
    status: int
    title: str
    exit_code: int
    page_title: str


ANSWERS: dict[Kind, Answer] = {
    Kind.REFUSED: Answer(403, "Not allowed", 4, "You may not see or do this"),
    Kind.NOT_FOUND: Answer(404, "Not found", 3, "Not found"),
    Kind.INVALID: Answer(422, "Invalid request", 2, "Something in the form is not right"),
    Kind.CONFLICT: Answer(409, "Refused by the record", 1, "Refused by the record"),
    Kind.INTEGRITY: Answer(500, "Record integrity problem", 5, "The record needs an administrator"),
}
"""Exit code 2 for invalid input matches the command line's own usage errors."""


class BradyError(Exception):
    """Base of the errors a person is meant to read. Nothing is written when one is raised.

    `field` names the input at fault, when there is one, so forms and import files can
    point at it.
    """

    kind: ClassVar[Kind] = Kind.CONFLICT

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class RefusedError(BradyError):
    """A command that the record refuses as it stands (see `Kind.CONFLICT`); the subclasses
    say more precisely why, and every face answers each the same way."""


class InvalidInputError(RefusedError):
    kind = Kind.INVALID


class NotFoundError(RefusedError):
    kind = Kind.NOT_FOUND


class NotAllowedError(RefusedError):
    kind = Kind.REFUSED


class IntegrityError(BradyError):
    kind = Kind.INTEGRITY


def kind_of(error: BaseException) -> Kind | None:
    """The kind of any error Brady reports to a person; None for a fault in Brady itself."""
    if isinstance(error, BradyError):
        return error.kind
    if isinstance(error, TamperError | NoteError | SignatureError | RootMismatchError):
        return Kind.INTEGRITY
    if isinstance(error, EntryError):
        return Kind.INVALID
    if isinstance(error, ProofError | LedgerError):
        # A size, index or checkpoint the stored ledger does not have.
        return Kind.NOT_FOUND
    return None


def answer_for(error: BaseException) -> Answer | None:
    kind = kind_of(error)
    return None if kind is None else ANSWERS[kind]
