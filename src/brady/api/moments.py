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
from .deps import Brady
from .problems import MAX_INDEX


@dataclass(frozen=True)
class Then:
    day: date | None
    size: int | None

    def said(self, view: as_of.View | None) -> dict[str, Any]:
        if view is None:
            return {}
        late = [late.__dict__ for late in view.late]
        return {"as_of": self.day and self.day.isoformat(), "size": view.size, "late": late}


def then(
    as_of_: Annotated[
        date | None,
        Query(
            alias="as_of",
            description="What had happened by the end of this day (UTC), by when it happened.",
        ),
    ] = None,
    as_recorded: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_INDEX,
            description="What the record said when it held this many ledger entries.",
        ),
    ] = None,
) -> Then:
    return Then(as_of_, as_recorded)


When = Annotated[Then, Depends(then)]


@contextmanager
def record_at(b: Brady, t: Then) -> Iterator[tuple[Connection, as_of.View | None]]:
    """The live record, or the record as it stood: one connection either way."""
    with as_of.viewed(b.led.store, t.day, t.size) as view:
        if view is not None:
            yield view.conn, view
            return
        with b.led.engine.connect() as conn:
            yield conn, None
