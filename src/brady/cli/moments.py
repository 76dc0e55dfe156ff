"""`--as-of` and `--as-recorded`: a case or item shown as the record stood at a moment,
by when things happened or by what had been recorded (store/as_of.py says why both)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.engine import Connection

from ..domain.errors import InvalidInputError
from ..ledger.entry import format_time
from ..store import as_of
from .custody_common import _open, _read
from .output import friendly_errors, options

T = TypeVar("T")

AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Show what the State held and had done by this date (end of the day, UTC) or "
        "time, by when things happened; what was recorded later is marked late.",
    ),
]
AsRecorded = Annotated[
    str | None,
    typer.Option(
        "--as-recorded",
        help="Show exactly what the record said at this date or time, or at this many "
        "ledger entries.",
    ),
]


@dataclass
class Moment:
    """Which view was shown, in words for the reader, and what it found recorded late."""

    said: str = ""
    day: date | None = None
    late: list[as_of.Late] = field(default_factory=list)
    size: int | None = None


def ledger_moment(value: str, flag: str) -> tuple[str, date]:
    """A date (its last moment, UTC) or a date and time, in the ledger's form."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return as_of.end_of_day(day), day
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInputError(
            f"{flag} {value!r} is not a date like 2024-07-12 or a time like "
            "2024-07-12T17:00:00-06:00",
            flag,
        ) from exc
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return format_time(at), at.astimezone(UTC).date()


def read_at(
    ctx: typer.Context,
    dated: str | None,
    recorded: str | None,
    what: Callable[[Connection], T],
) -> tuple[T, Moment]:
    """`what` run on the live record, or on the record as it stood (one view at a time)."""
    if dated is None and recorded is None:
        return _read(ctx, what), Moment()
    opts = options(ctx)
    with _open(opts, writable=False) as led, friendly_errors():
        if dated is not None and recorded is not None:
            raise InvalidInputError("give --as-of or --as-recorded, not both", "--as-of")
        if dated is not None:
            at, day = ledger_moment(dated, "--as-of")
            with as_of.as_of(led.store, at) as view:
                found = what(view.conn)
            said = f"As of {dated}: what had happened by then, by when it happened."
            return found, Moment(said, day, view.late)
        assert recorded is not None
        recorded_day: date | None = None
        if recorded.isdigit():
            size, label = int(recorded), f"the first {recorded} ledger entries"
        else:
            at, recorded_day = ledger_moment(recorded, "--as-recorded")
            size, label = as_of.recorded_size(led.store, at), recorded
        with as_of.as_recorded(led.store, size) as view:
            found = what(view.conn)
        said = f"As recorded at {label}: exactly what the record said then ({view.size} entries)."
        return found, Moment(said, recorded_day, size=view.size)


def late_lines(moment: Moment, only: Callable[[as_of.Late], bool] = lambda _l: True) -> list[str]:
    return [
        f"{late.kind} on {', '.join(late.subjects)}: happened {late.occurred_at[:10]}, "
        f"recorded {late.recorded_at[:10]} (entry {late.seq})"
        for late in moment.late
        if only(late)
    ]


def as_json(moment: Moment) -> dict[str, Any]:
    if not moment.said:
        return {}
    return {
        "view": moment.said,
        "size": moment.size,
        "recorded_late": [late.__dict__ for late in moment.late],
    }
