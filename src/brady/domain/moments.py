"""Moments as people give and read them: in the agency's own time zone, stored as UTC.

A person asks for "the record as of 2024-07-12": the end of that day where the agency is,
not in Greenwich. A time without an offset is the agency's local time too. Every time a
person reads is shown local, with its offset, so a time copied into a motion is exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import InvalidInputError

LEAP = re.compile(r":60(\.[0-9]+)?(?=Z|[+-]|$)")
DEFAULT_ZONE = "UTC"
UTC_ZONE = ZoneInfo(DEFAULT_ZONE)


def zone(name: str) -> ZoneInfo:
    """An IANA time zone by name (America/Denver), or a clear error naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInputError(
            f"time zone {name!r} is not an IANA time zone name like America/Denver",
            "time_zone",
        ) from exc


FIRST, LAST = "0001-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.999999Z"


def _ledger(moment: datetime) -> str:
    """The ledger's form: UTC, microseconds, 'Z' (as brady.ledger.entry.format_time); a
    moment whose UTC falls outside years 1 to 9999 is the first or last there is."""
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        return FIRST if moment.year == 1 else LAST
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


@dataclass(frozen=True)
class Moment:
    """A moment a reader asked for: `at` in the ledger's form, the local day it falls in
    (deadlines are counted at that day), and the words to say which moment it was."""

    at: str
    day: date
    said: str


def end_of_day(day: date, where: ZoneInfo) -> str:
    """The last microsecond of a local day, in the ledger's form."""
    return _ledger(datetime.combine(day, time.max, where))


def moment(value: str, where: ZoneInfo, field: str) -> Moment:
    """A date (the end of that day, local) or a time (local unless it has an offset)."""
    # RFC 3339 allows lower-case t and z, and a leap second (read as its last instant).
    text = LEAP.sub(":59.999999", value.strip().upper())
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return Moment(end_of_day(day, where), day, f"{day.isoformat()} (end of day, {where})")
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInputError(
            f"{field} {value!r} is not a date like 2024-07-12 or a time like "
            "2024-07-12T17:00:00-06:00",
            field,
        ) from exc
    if at.tzinfo is None:
        at = at.replace(tzinfo=where)
    try:
        day = at.astimezone(where).date()
    except OverflowError:
        day = at.date()
    return Moment(_ledger(at), day, f"{at.isoformat()}")


def as_datetime(ledger_time: str) -> datetime:
    return datetime.fromisoformat(ledger_time.replace("Z", "+00:00"))


def local(ledger_time: str, where: ZoneInfo) -> str:
    """A stored time as a person reads it: local, to the second, with its offset."""
    shown = as_datetime(ledger_time).astimezone(where)
    return shown.isoformat(sep=" ", timespec="seconds")


def local_minute(ledger_time: str, where: ZoneInfo) -> str:
    """A stored time to the minute, local, with its offset: 2024-03-06 14:30-07:00."""
    shown = local(ledger_time, where)  # 2024-03-06 14:30:00-07:00
    return shown[:16] + shown[19:]


def local_day(ledger_time: str, where: ZoneInfo) -> str:
    """The agency's day a stored time falls on (YYYY-MM-DD)."""
    return as_datetime(ledger_time).astimezone(where).date().isoformat()


SLACK = timedelta(days=1)
"""When an event was recorded more than this after it happened, both times are shown."""


def recorded_late(occurred_at: str, recorded_at: str) -> bool:
    return as_datetime(recorded_at) - as_datetime(occurred_at) > SLACK
