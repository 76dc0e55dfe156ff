"""`--as-of` and `--as-recorded`: a case or item shown as the record stood at a moment,
by when things happened or by what had been recorded (store/as_of.py says why both)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer
from sqlalchemy.engine import Connection

from ..domain.errors import InvalidInputError
from ..domain.moments import local
from ..ledger_home import OpenLedger
from ..store import as_of
from .custody_common import _open
from .output import friendly_errors, options

T = TypeVar("T")

AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Show what the State held and had done by this date (the end of the day in "
        "the agency's time zone) or time, by when things happened; what was recorded "
        "later is marked late.",
    ),
]
AsRecorded = Annotated[
    str | None,
    typer.Option(
        "--as-recorded",
        help="Show exactly what the record said at this date or time, at this many ledger "
        "entries, or at a checkpoint kept in a file (give its path).",
    ),
]


FLAGS = ("--as-of", "--as-recorded")


@dataclass
class Moment:
    """Which view was shown, in words for the reader, and what it found recorded late."""

    said: str = ""
    day: date | None = None
    late: list[as_of.Late] = field(default_factory=list)
    left_out: list[as_of.Late] = field(default_factory=list)
    size: int | None = None
    note: str | None = None
    """The checkpoint the reader gave for the view, if they gave one."""
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))


@contextmanager
def opened_at(
    ctx: typer.Context, dated: str | None, recorded: str | None, subject: str | None = None
) -> Iterator[tuple[OpenLedger, Connection, Moment]]:
    """The ledger (the operator's, read-only) and a connection to the record asked for:
    the live one, or the record as it stood (one view at a time; with `subject`,
    'case:ID' or 'item:ID', only as much of it as a view of that needs)."""
    opts = options(ctx)
    with _open(opts, writable=False) as led, friendly_errors():
        note = None
        if recorded is not None and Path(recorded).is_file():
            note, recorded = Path(recorded).read_text(encoding="utf-8"), None
        zone = led.config.zone
        wanted = as_of.asked(led.store, zone, dated, recorded, note, led.config.log_vkey, FLAGS)
        with as_of.viewed(led.store, wanted, subject) as view:
            if view is None or wanted is None:
                with led.engine.connect() as conn:
                    yield led, conn, Moment(zone=zone)
                return
            seen = Moment(
                wanted.words, wanted.day, view.late, view.left_out, view.size, wanted.note, zone
            )
            yield led, view.conn, seen


def read_at(
    ctx: typer.Context,
    dated: str | None,
    recorded: str | None,
    what: Callable[[Connection, date | None, ZoneInfo], T],
    subject: str | None = None,
) -> tuple[T, Moment]:
    """`what` run on the record asked for; it is given the view's local day (None for the
    live record), for deadlines, and the agency's time zone."""
    with opened_at(ctx, dated, recorded, subject) as (_led, conn, seen):
        return what(conn, seen.day, seen.zone), seen


def late_lines(moment: Moment, only: Callable[[as_of.Late], bool] = lambda _l: True) -> list[str]:
    return [
        f"{late.kind} on {', '.join(late.subjects)}: happened "
        f"{local(late.occurred_at, moment.zone)}, recorded "
        f"{local(late.recorded_at, moment.zone)} (entry {late.seq})"
        for late in moment.late
        if only(late)
    ]


def say_left_out(moment: Moment) -> None:
    """Steps dated by the moment but before what they act on cannot be placed in it."""
    for step in moment.left_out:
        typer.echo(
            f"  left out: {step.kind} on {', '.join(step.subjects)} dated "
            f"{local(step.occurred_at, moment.zone)} (entry {step.seq}) acts on something "
            "dated later; check its date",
            err=True,
        )


def as_json(moment: Moment) -> dict[str, Any]:
    if not moment.said:
        return {}
    return {
        "view": moment.said,
        "size": moment.size,
        "recorded_late": [late.__dict__ for late in moment.late],
        "left_out": [step.__dict__ for step in moment.left_out],
    }


def today_or(day: date | None, value: str | None = None) -> date:
    """The day deadlines are counted at: --today if given, else the view's, else today."""
    if value is not None:
        try:
            return date.fromisoformat(value)
        except ValueError:
            with friendly_errors():
                raise InvalidInputError(
                    f"--today {value!r} is not a date like 2024-07-12", "--today"
                ) from None
    return day or datetime.now(UTC).date()
