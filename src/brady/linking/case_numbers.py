"""Case numbers, full and as people write them short, reduced to a key they all meet at."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .mention import Mention

_MARKERS = ("case", "cause", "report", "incident", "file", "ref", "no", "nos", "number", "docket")
_NUMBER = re.compile(
    r"(?<![\w/.])(?:([A-Z]{1,6})\s?[-#]?\s?#?\s?)?((?:19|20)\d{2}|\d{2})-0*(\d{1,7})(?![\w/-]|\.\d)"
)
_YEAR_FIRST = re.compile(r"(?<![\w/.])((?:19|20)\d{2})-([A-Z]{1,6})-0*(\d{1,7})(?![\w/-])")
_BEFORE = re.compile(
    r"(?:\b([A-Z]{1,6})\s+)?((?:(?:" + "|".join(_MARKERS) + r")\b\.?:?\s*)+|#\s*)$",
    re.IGNORECASE,
)
_YEAR_DISTRICT = re.compile(r"((?:19|20)\d{2})-([A-Z0-9]{1,6})-0*(\d{1,7})")
"""A number held as year, district or kind, serial ('2021-10-0001')."""
_YEAR_DISTRICT_TEXT = re.compile(r"(?<![\w/.-])((?:19|20)\d{2})-(\d{1,3})-(\d{3,7})(?![\w/-]|\.\d)")
"""The same in free text, written in full: a serial of three digits or more, which no
date has ('2021-10-01' is a day; '2021-10-0001' is the sheriff's case)."""
_AGENCY_WORDS = frozenset({"PD", "SO", "SD", "DPS", "DA"})
"""Letters that name a kind of agency, not which one: 'Rio Rancho PD' is RRPD."""
_COMPACT = re.compile(r"(?<![\w/.-])([A-Z]{2,6})((?:19|20)\d{2}0\d{2,6}|\d{2}0\d{2,6})(?![\w/-])")
"""A case number written without separators, its serial zero-padded ('SO2022000149')."""
_HELD = re.compile(r"(?:([A-Z]{1,6})[-\s#]*)?((?:19|20)\d{2}|\d{2})-0*(\d{1,7})$", re.IGNORECASE)


@dataclass(frozen=True)
class CaseShape:
    """A case number reduced to what people keep when they write it short: the letters
    before the year (the agency or the kind of case), the year, and the serial number."""

    prefix: str
    year: str
    serial: int

    @property
    def key(self) -> str:
        return f"{self.year}-{self.serial}"

    def same_prefix(self, other: str) -> bool | None:
        """True if the prefixes agree ('SFSO' and 'SF'), False if they differ, None if
        either is missing."""
        if not self.prefix or not other:
            return None
        a, b = self.prefix.upper(), other.upper()
        return a.startswith(b) or b.startswith(a) or a.endswith(b) or b.endswith(a)


def case_shape(number: str) -> CaseShape | None:
    """The shape of a case number Brady holds ('SO-2021-000114', 'D-1314-CR-2021-00077',
    '2024-SF-000415'), if it has a year and a serial."""
    number = number.strip().upper()
    m = _YEAR_FIRST.search(number) or _YEAR_DISTRICT.fullmatch(number)
    if m is not None:
        return CaseShape(
            m.group(2) if m.group(2).isalpha() else "", m.group(1)[-2:], int(m.group(3))
        )
    m = _HELD.search(number)
    if m is None or not int(m.group(3)):
        return None
    return CaseShape(m.group(1) or "", m.group(2)[-2:], int(m.group(3)))


def case_ref_key(number: str) -> str | None:
    """The short form of a full case number ('2024-SF-000415' -> '24-415'), if it has one."""
    shape = case_shape(number)
    return None if shape is None else shape.key


def case_refs(text: str) -> list[Mention]:
    """Case numbers as people write them: with or without the agency's letters, a year
    of two or four digits, with or without leading zeros ('SO-21-114', 'PD case 22-0981',
    'cause no. CR-2021-077'). A bare 'yy-n' counts only after a word that says it is a
    number ('case', 'no.', '#'), so a date or a street number is not read as one."""
    out = []
    for m in _YEAR_DISTRICT_TEXT.finditer(text):
        if int(m.group(3)):
            short = CaseShape("", m.group(1)[-2:], int(m.group(3))).key
            out.append(Mention("case_number", m.group(0).upper(), m.group(0)))
            out.append(Mention("case_ref", short, m.group(0)))
    for m in _YEAR_FIRST.finditer(text):
        shape = CaseShape(m.group(2).upper(), m.group(1)[-2:], int(m.group(3)))
        out.append(Mention("case_ref", shape.key, m.group(0)))
    for m in _COMPACT.finditer(text):
        # 'SO2022000149': the year may be two digits or four; both readings are kept
        # (a reading that is no case's number finds nothing).
        prefix, digits = m.group(1), m.group(2)
        for year, serial in ((digits[:4], digits[4:]), (digits[:2], digits[2:])):
            if (year[:2] in {"19", "20"} or len(year) == 2) and serial and int(serial):
                key = CaseShape(prefix, year[-2:], int(serial)).key
                out.append(Mention("case_ref", key, m.group(0)))
    for m in _NUMBER.finditer(text):
        prefix, year, serial = m.group(1) or "", m.group(2), int(m.group(3))
        if not serial or prefix.lower() in _MARKERS:
            prefix = "" if prefix.lower() in _MARKERS else prefix
        if not serial:
            continue
        before = _BEFORE.search(text[max(0, m.start() - 40) : m.start()])
        marked = before is not None or "#" in m.group(0)
        if not prefix and before is not None and before.group(1):
            candidate = before.group(1)
            if candidate.isupper() and candidate.lower() not in _MARKERS:
                prefix = candidate
                if candidate in _AGENCY_WORDS:  # 'Rio Rancho PD': the town's initials too
                    start = max(0, m.start() - 40) + before.start(1)
                    town = re.search(r"((?:[A-Z][a-z]+\s+){1,3})$", text[:start])
                    if town is not None:
                        prefix = "".join(w[0] for w in town.group(1).split()) + candidate
        long_form = len(year) == 4 and len(m.group(0).rsplit("-", 1)[-1]) >= 3
        if not (prefix or marked or long_form):
            continue
        shape = CaseShape(prefix.upper(), year[-2:], serial)
        written = m.group(0) if prefix in m.group(0) else f"{prefix} {m.group(0)}"
        out.append(Mention("case_ref", shape.key, written.strip()))
    return out
