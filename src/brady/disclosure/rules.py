"""Jurisdiction rule sets: data files that say when disclosure is due, and the date math.

A rule set names what starts the clock (a charge, the arraignment, the defense's
request), how many days follow, whether they are calendar or business days, the
continuing duty for material the State obtains later, the holiday calendar, and the
rule's own words and citation. Where the rule's text gives no number ("promptly"),
the file says so (`confirmed = false`) and the agency must set the number when it
adopts the rule set, naming the local rule or order that sets it: Brady never guesses
a deadline. The adopted rule set, settings included, is recorded on the ledger, so the
deadlines of any case can be recomputed from the record alone.

The date math is pure and follows the common rule (Fed. R. Crim. P. 45(a), NMRA 5-104,
N.Y. Gen. Constr. Law 25-a): the trigger day is not counted, every day after it is,
and a last day on a Saturday, Sunday or legal holiday moves to the next day that is not.
"""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import holidays as holiday_calendars
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..domain.errors import InvalidInputError

Trigger = Literal["charge", "arraignment", "request", "receipt"]
Custody = Literal["in_custody", "not_in_custody"]

TRIGGER_WORDS: dict[str, str] = {
    "charge": "the charge",
    "arraignment": "the arraignment",
    "request": "the defense's request",
    "receipt": "the day the State obtained it",
}


class RuleError(InvalidInputError, ValueError):
    """A rule set file or setting that cannot be used, with what to do about it."""


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    trigger: Trigger
    days: int = Field(ge=0, le=3650)
    confirmed: bool
    count: Literal["calendar", "business"] = "calendar"
    when: Custody | None = None
    text: str = Field(min_length=1)
    set_by: str | None = None
    """For an unconfirmed period: the local rule, order or policy the agency named."""


def _initial_name(p: Period) -> str:
    """The setting name of an initial deadline: 'initial', or 'initial.in_custody'."""
    return "initial" + (f".{p.when}" if p.when else "")


class HolidayCalendar(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    country: str = Field(pattern=r"^[A-Z]{2}$")
    subdivision: str | None = Field(default=None, pattern=r"^[A-Z0-9]{1,3}$")


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    name: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    source: str = Field(min_length=1)
    holidays: HolidayCalendar
    initial: list[Period] = Field(min_length=1)
    continuing: Period

    def periods(self) -> dict[str, Period]:
        """Every period by its setting name: 'initial', 'initial.in_custody', 'continuing'."""
        out = {_initial_name(p): p for p in self.initial}
        out["continuing"] = self.continuing
        return out

    def unconfirmed(self) -> list[str]:
        return [name for name, p in self.periods().items() if not p.confirmed and not p.set_by]

    def initial_for(self, custody: Custody | None) -> Period:
        matching = [p for p in self.initial if p.when in (None, custody)]
        if not matching:
            raise RuleError(
                f"rule set {self.id} needs to know whether the defendant is in custody "
                "(set it with the case's rule set: in_custody yes or no)"
            )
        return matching[0]


def load(text: str, where: str) -> RuleSet:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{where} is not valid TOML: {exc}") from exc
    return from_dict(data, where)


def from_dict(data: dict[str, Any], where: str) -> RuleSet:
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
        )
        raise RuleError(f"{where}: {problems}") from exc


def shipped() -> dict[str, RuleSet]:
    """The rule sets that come with Brady, by id."""
    folder = resources.files(__package__) / "rulesets"
    out = {}
    for f in sorted(folder.iterdir(), key=lambda p: p.name):
        if f.name.endswith(".toml"):
            rs = load(f.read_text(encoding="utf-8"), f.name)
            out[rs.id] = rs
    return out


def find(name: str) -> RuleSet:
    """A shipped rule set by id, or an agency's own file by path."""
    known = shipped()
    if name in known:
        return known[name]
    path = Path(name)
    if path.is_file():
        return load(path.read_text(encoding="utf-8"), path.name)
    raise RuleError(
        f"there is no rule set {name!r}: use one of {', '.join(known)} or the path of "
        "an agency's own rule file"
    )


def with_settings(rules: RuleSet, settings: dict[str, int], source: str | None) -> RuleSet:
    """Fill in the deadlines the rule's text leaves open, naming who set them."""
    periods = rules.periods()
    for name in settings:
        if name.removesuffix(".days") not in periods:
            raise RuleError(
                f"{name}: rule set {rules.id} has no such deadline; it has "
                f"{', '.join(f'{p}.days' for p in periods)}"
            )
    if settings and not (source or "").strip():
        raise RuleError(
            "say which local rule, court order or office policy sets these deadlines (--source)"
        )

    def apply(name: str, p: Period) -> Period:
        key = f"{name}.days"
        if key not in settings:
            return p
        if p.confirmed:
            raise RuleError(
                f"{key}: {rules.id} takes this deadline from the rule's own text "
                f"({p.days} days); it cannot be changed by a setting"
            )
        return p.model_copy(update={"days": settings[key], "set_by": source})

    initial = [apply(_initial_name(p), p) for p in rules.initial]
    out = rules.model_copy(
        update={"initial": initial, "continuing": apply("continuing", rules.continuing)}
    )
    missing = out.unconfirmed()
    if missing:
        name, p = missing[0], out.periods()[missing[0]]
        why = (
            f"Brady reads it as {p.days} days, but that could not be confirmed from the rule's text"
            if p.days
            else "the rule's text gives no number of days"
        )
        raise RuleError(
            f"{name}: {why} ({p.text!r}); set it with --set {name}.days=N and name the rule "
            "or order that sets it with --source"
        )
    return out


@cache
def _calendar(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    days = holiday_calendars.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(days)


def is_court_day(day: date, cal: HolidayCalendar) -> bool:
    return day.weekday() < 5 and day not in _calendar(cal.country, cal.subdivision, day.year)


def due_date(start: date, period: Period, cal: HolidayCalendar) -> date:
    """The last day to disclose: `period.days` after `start`, on a court day."""
    if period.count == "business":
        day, left = start, period.days
        while left:
            day += timedelta(days=1)
            left -= is_court_day(day, cal)
    else:
        day = start + timedelta(days=period.days)
    while not is_court_day(day, cal):
        day += timedelta(days=1)
    return day
