"""What every event payload is made of: the checked field types (ids, text, times, days,
patterns) and the base model that refuses unknown fields, NUL characters and infinities.

Kept apart from the event models so that the faces (API bodies, forms, CLI options) and the
payloads declare a field's rule once: a field typed `Id` or `Time` here is checked the same
way, and described the same way in the API schema, wherever it is read.
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
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from ..ledger.entry import format_time
from .errors import InvalidInputError

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$")]
VISIBLE = r"^[^\x00]*[^\s\x85\ufeff\x00][^\x00]*$"
"""Text with a character that is not a space, and no NUL anywhere. Spaces differ between
the regular expression dialects that meet this pattern (the API schema's, Python's,
pydantic's): U+0085 is a space to pydantic but not to the schema's dialect, U+FEFF the
other way round, so both are named. NUL, which no record can keep, is refused by the same
pattern so that the API schema states it too."""
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=VISIBLE)
]
"""Text a person typed: at least one character that is not a space (the API schema says so
too, so a client learns it there rather than from a refusal)."""
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
    try:
        return format_time(value)
    except OverflowError as exc:  # 0001-01-01T00:00+01:00 is a day before the calendar
        raise ValueError(f"{value.isoformat()} falls outside the years 1 to 9999 in UTC") from exc


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


Time = Annotated[
    str, BeforeValidator(_to_time), WithJsonSchema({"type": "string", "format": "date-time"})
]


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
Day = Annotated[
    str, BeforeValidator(_to_date), WithJsonSchema({"type": "string", "format": "date"})
]


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
            raise InvalidInputError(
                f"{field} holds a NUL character, which a record cannot keep; remove it",
                field.split(".")[0],
            )
        return data


class Occurred(Payload):
    occurred_at: Time | None = None


class Reasoned(Occurred):
    """A step whose only statement is why (closing a case, cancelling a transfer, deciding
    a suggestion)."""

    reason: Text


Unit = Annotated[
    str, StringConstraints(pattern=r"^(item|file|lab):[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$")
]
"""What is owed: an item ("item:ID"), a file attached to one ("file:SHA256") or a lab
result ("lab:REQUEST_ID")."""
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
