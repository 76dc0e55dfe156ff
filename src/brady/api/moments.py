"""`as_of` and `as_recorded` on the API's reads: a case or item as the record stood. Who may
look is decided on today's record (a counsel assigned since may see the earlier state);
what they see comes from the record of then (store/as_of.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query
from sqlalchemy.engine import Connection

from ..store import as_of
from ..store.engine import reading
from .deps import Brady, brady


@dataclass(frozen=True)
class Then:
    """The view asked for, resolved against the ledger; `asked` None is the live record."""

    asked: as_of.Asked | None

    @property
    def day(self) -> date | None:
        """The view's local day (deadlines are counted at it); None for the live record."""
        return self.asked.day if self.asked else None

    def said(self, view: as_of.View | None) -> dict[str, Any]:
        if view is None or self.asked is None:
            return {}
        late = [late.__dict__ for late in view.late]
        day = self.day.isoformat() if self.day else None
        left_out = [step.__dict__ for step in view.left_out]
        return {
            "as_of": day,
            "view": self.asked.words,
            "size": view.size,
            "late": late,
            "left_out": left_out,
        }


MOMENT = [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]
SIZE = {"type": "string", "pattern": "^[1-9][0-9]{0,15}$"}


def then(
    b: Annotated[Brady, Depends(brady)],
    as_of_: Annotated[
        str | None,
        Query(
            alias="as_of",
            max_length=40,
            description="What had happened by then, by when it happened: a date (the end "
            "of that day in the agency's time zone) or a time (ISO 8601; the agency's "
            "local time unless it has an offset).",
            json_schema_extra={"anyOf": MOMENT},
        ),
    ] = None,
    as_recorded: Annotated[
        str | None,
        Query(
            max_length=40,
            description="What the record said then: a date or time (the checkpoint signed "
            "by then), or a number of ledger entries. With `as_of`: what the record said "
            "then of what had happened by `as_of`.",
            json_schema_extra={"anyOf": [SIZE, *MOMENT]},
        ),
    ] = None,
) -> Then:
    led = b.led
    return Then(as_of.asked(led.store, led.config.zone, as_of_, as_recorded))


When = Annotated[Then, Depends(then)]


@contextmanager
def record_at(
    b: Brady, t: Then, subject: str | None = None
) -> Iterator[tuple[Connection, as_of.View | None]]:
    """The live record, or the record as it stood (of `subject`, 'case:ID' or 'item:ID',
    as much as a view of it needs): one connection either way."""
    with as_of.viewed(b.led.store, t.asked, subject) as view:
        if view is not None:
            yield view.conn, view
            return
        with reading(b.led.engine) as conn:
            yield conn, None
