"""When a person was born, from a date of birth or an age written after their name."""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_DOB = re.compile(
    r"\b(?:dob|d\.o\.b\.?|date of birth|born)\b[:\s.-]*"
    r"(\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|\d{4}-\d{2}-\d{2}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}"
    r"|\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{4})",
    re.IGNORECASE,
)
_AGE = re.compile(
    r"(?:\b(?:age|aged)\s*:?\s*(\d{1,2})\b|\b(\d{1,2})\s*(?:y/o|yo|yoa|yrs? old|years? old|"
    r"year-old|-year-old)\b|\((\d{1,2})\)|,\s*(\d{2}),)",
    re.IGNORECASE,
)
_PAREN_DATE = re.compile(r"\((\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2})\)")


def _date(text: str) -> date | None:
    text = text.strip().rstrip(".,")
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        m = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})", text)
        if m:
            year = int(m.group(3))
            year += (1900 if year > 30 else 2000) if year < 100 else 0
            return date(year, int(m.group(1)), int(m.group(2)))
        m = re.fullmatch(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})", text)
        if m and m.group(1)[:3].lower() in _MONTHS:
            return date(int(m.group(3)), _MONTHS[m.group(1)[:3].lower()], int(m.group(2)))
        m = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{4})", text)
        if m and m.group(2)[:3].lower() in _MONTHS:
            return date(int(m.group(3)), _MONTHS[m.group(2)[:3].lower()], int(m.group(1)))
    except ValueError:
        return None
    return None


def born_between(after: str, today: date | None) -> tuple[date, date] | None:
    """When a person was born, from what follows their name: a date of birth ('DOB
    04/12/1987'), or an age on the day of the report ('34 y/o'): a one-year range."""
    m = _DOB.search(after) or _PAREN_DATE.search(after)
    if m is not None:
        born = _date(m.group(1))
        if born is not None and date(1900, 1, 1) <= born <= (today or date(2100, 1, 1)):
            return born, born
    if today is None:
        return None
    a = _AGE.search(after)
    if a is None:
        return None
    age = int(next(g for g in a.groups() if g))
    if not 12 <= age <= 99:
        return None
    latest = (
        today.replace(year=today.year - age)
        if not (today.month == 2 and today.day == 29)
        else today.replace(day=28, year=today.year - age)
    )
    return latest - timedelta(days=366), latest
