"""Mentions in free text: the people, organizations, places, addresses, calibers, makes,
serial numbers, case numbers, phone numbers and plates a report talks about.

Pure and deterministic: patterns and parsers, no models. Every mention carries the text
as written and a normalized key, so "45 Long Colt", ".45 LC" and "Colt .45" meet at
`45-colt`, "ORTIZ, DANIEL" meets "Daniel Ortiz", "(505) 555-0142" meets "505.555.0142",
and "1423 Camino del Rey Northwest" meets "1423 CAMINO DEL REY NW". Words that name
places, vehicles and gun makers (the gazetteer) are never read as people. Extraction
favours recall: a name-shaped phrase is a candidate even if no one knows it yet;
the model decides what it bears on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import phonenumbers
import usaddress

from . import gazetteer
from .names import fold, latin, name_key


@dataclass(frozen=True, order=True)
class Mention:
    kind: str
    key: str
    text: str


# -- calibers and makes --------------------------------------------------------------

# (key, pattern). Patterns run on folded text with "." and spaces kept.
DEFAULT_CALIBERS: tuple[tuple[str, str], ...] = (
    ("45-colt", r"(?:\.?45\s*(?:long\s*colt|lc|colt)\b|\bcolt\s*\.?45\b|\.?45\s*caliber\s+colt)"),
    ("45-acp", r"\.?45\s*(?:acp|auto)\b"),
    ("9mm-luger", r"\b9\s*(?:mm|x\s*19)(?:\s*(?:luger|parabellum|para))?\b"),
    ("38-special", r"\.?38\s*(?:special|spl|spc)\b"),
    ("357-magnum", r"\.?357\s*(?:magnum|mag)\b"),
    ("22-lr", r"\.?22\s*(?:lr|long\s*rifle)\b"),
    ("223-remington", r"(?:\.?223\s*(?:rem|remington)?\b|\b5\.56(?:\s*x\s*45)?\b)"),
    ("12-gauge", r"\b12\s*(?:ga|gauge|g)\b"),
    ("20-gauge", r"\b20\s*(?:ga|gauge)\b"),
    ("40-sw", r"\.?40\s*(?:s\s*&\s*w|sw|smith|cal)"),
    ("380-acp", r"\.?380\s*(?:acp|auto)?\b"),
    ("762x39", r"\b7\.62\s*x\s*39\b"),
    ("308-winchester", r"\.?308\s*(?:win|winchester)?\b"),
    ("30-06", r"\.?30-06\b"),
    ("10mm", r"\b10\s*mm\b"),
)

# Makes of firearms and ammunition components that narratives name.
DEFAULT_MAKES: Mapping[str, str] = {
    "pietta": "pietta",
    "f.lli pietta": "pietta",
    "colt": "colt",
    "starline": "starline",
    "starline brass": "starline",
    "ruger": "ruger",
    "sturm ruger": "ruger",
    "glock": "glock",
    "smith & wesson": "smith-wesson",
    "smith and wesson": "smith-wesson",
    "s&w": "smith-wesson",
    "remington": "remington",
    "winchester": "winchester",
    "federal": "federal",
    "hornady": "hornady",
    "beretta": "beretta",
    "sig sauer": "sig-sauer",
    "taurus": "taurus",
    "uberti": "uberti",
    "magtech": "magtech",
    "pdq": "pdq",
    "mossberg": "mossberg",
    "springfield": "springfield",
    "kimber": "kimber",
    "hi-point": "hi-point",
    "kel-tec": "kel-tec",
    "walther": "walther",
    "heckler & koch": "heckler-koch",
    "canik": "canik",
}

DEFAULT_CASE_NUMBERS: tuple[str, ...] = (
    r"\bD-\d{3,4}-(?:CR|CV)-\d{4}-\d{5}\b",  # New Mexico district courts
    r"\b\d{4}-[A-Z]{2,4}-\d{4,6}\b",  # agency report numbers like 2024-SF-000123
)


@dataclass(frozen=True)
class Patterns:
    """What extraction looks for: Brady's defaults, plus the case-number formats of the
    agencies, the patterns and places an administrator recorded (linking.patterns), and
    the towns the agency's own addresses name."""

    case_numbers: tuple[str, ...] = DEFAULT_CASE_NUMBERS
    calibers: tuple[tuple[str, str], ...] = DEFAULT_CALIBERS
    makes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_MAKES))
    places: frozenset[str] = frozenset()
    organizations: frozenset[str] = frozenset()  # the record's own, by org_key

    @classmethod
    def with_extra(
        cls,
        case_numbers: Iterable[str] = (),
        calibers: Iterable[tuple[str, str]] = (),
        makes: Mapping[str, str] | None = None,
        places: Iterable[str] = (),
        organizations: Iterable[str] = (),
    ) -> Patterns:
        return cls(
            tuple(sorted(set(DEFAULT_CASE_NUMBERS) | set(case_numbers))),
            (*DEFAULT_CALIBERS, *sorted(calibers)),
            {**DEFAULT_MAKES, **(makes or {})},
            frozenset(fold(p).strip() for p in places if p.strip()),
            frozenset(o for o in organizations if len(o.split()) >= 2),
        )

    @cached_property
    def _org_starts(self) -> frozenset[str]:
        return frozenset(o.split()[0] for o in self.organizations)

    def organizations_in(self, lat: str) -> Iterator[tuple[str, tuple[int, int]]]:
        """The record's organizations named in a text however their suffix is written,
        or without one ('Roadrunner Inn' for 'Roadrunner Inn LLC'): (key, span)."""
        if not self.organizations:
            return
        words = [(m.start(), m.end(), m.group(0)) for m in _ORG_TOKEN.finditer(lat)]
        i = 0
        while i < len(words):
            found = None
            if org_key(words[i][2]) in self._org_starts:
                for j in range(min(len(words), i + 8), i + 1, -1):
                    key = org_key(lat[words[i][0] : words[j - 1][1]])
                    if key in self.organizations:
                        found = (key, (words[i][0], words[j - 1][1]), j)
                        break
            if found is None:
                i += 1
                continue
            yield found[0], found[1]
            i = found[2]

    @cached_property
    def _places_re(self) -> re.Pattern[str] | None:
        if not self.places:
            return None
        alternatives = "|".join(re.escape(p) for p in sorted(self.places, key=lambda p: -len(p)))
        return re.compile(rf"(?<![\w]){alternatives}(?![\w])")

    @cached_property
    def _makes_re(self) -> re.Pattern[str]:
        alternatives = "|".join(re.escape(m) for m in sorted(self.makes, key=lambda m: -len(m)))
        return re.compile(rf"(?<![\w&])(?:{alternatives})(?![\w&])")

    @cached_property
    def _things_re(self) -> re.Pattern[str]:
        """Phrases that name things, never people: gazetteer words and the agency's places."""
        phrases = {
            fold(p)
            for p in (
                *gazetteer.VEHICLE_MAKES,
                *gazetteer.VEHICLE_MODELS,
                *gazetteer.GUN_MAKES,
                *gazetteer.STATES,
            )
        }
        phrases |= set(self.places) | set(self.makes)
        phrases -= gazetteer.NAME_LIKE
        alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=lambda p: -len(p)))
        return re.compile(rf"(?<![\w&])(?:{alternatives})(?![\w&])")

    def places_in(self, low: str) -> Iterator[re.Match[str]]:
        return iter(()) if self._places_re is None else self._places_re.finditer(low)


DEFAULTS = Patterns()

# -- identifiers: serials, phones, plates ----------------------------------------------

_SERIAL = re.compile(
    r"\b(?:serial\b(?:\s*(?:nos?\b\.?|numbers?\b|#))?|s/n\b|sn\b)\s*[:#]?\s*", re.IGNORECASE
)
_SERIAL_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]|[A-Za-z0-9]")
_PLATE = re.compile(
    r"\b(?:license\s+plate|lic(?:ense)?\.?\s*plate|plate|tag|lic(?:ense)?|reg(?:istration)?|"
    r"registered|LP)\b\.?\s*(?:no\.?|number|#)?\s*[:#]?\s*"
    r"(?:(?:[A-Z]{2}|New Mexico|Texas|Arizona|Colorado)\s+)?"
    r"([A-Z0-9]{1,4}[-\s]?[A-Z0-9]{1,5})\b",
    re.IGNORECASE,
)
_STATE_PLATE = re.compile(
    r"\b(?:NM|TX|AZ|CO|UT|CA|OK|NV)\s+(?:plate|tag)?\s*([A-Z0-9]{2,4}[-\s]?[A-Z0-9]{2,4})\b"
)
_LOOKALIKE = str.maketrans(
    {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2", "G": "6"}
)


def id_shape(key: str) -> str:
    """A serial or plate with look-alike characters made one (O/0, I/1/L, S/5, B/8, Z/2):
    what a clerk copying it by hand, or a scanner, may have read either way."""
    return key.upper().translate(_LOOKALIKE)


def _serials(text: str) -> list[Mention]:
    """Serial numbers after 'serial', 's/n' ...: one, a list, or one written with spaces
    ('BER 441872 Z'). A serial has a digit; 'serial numbers ground off' names none."""
    out: list[Mention] = []
    for m in _SERIAL.finditer(text):
        tail = re.split(r"[.;](?:\s|$)|\n|\.$|,\s", text[m.end() : m.end() + 120])[0]
        runs: list[list[str]] = [[]]
        for tok in _SERIAL_TOKEN.findall(tail)[:6]:  # the number follows the word
            serialish = any(c.isdigit() for c in tok) or (tok.isupper() and len(tok) <= 3)
            if serialish:
                runs[-1].append(tok)
            elif runs[-1]:
                runs.append([])
        for run in runs[:1]:  # the serial follows the word; later numbers are other things
            while run and not any(c.isdigit() for c in run[-1]) and len(run[-1]) > 1:
                run.pop()  # trailing letters that are not part of it
            if not run or not any(c.isdigit() for c in "".join(run)):
                continue
            if len(run) == 1 and re.fullmatch(r"(?:19|20)\d\d", run[0]):
                continue  # a year ('serial number ground off; found 2026'), not a serial
            out.append(Mention("serial", "".join(run).upper().replace("-", ""), " ".join(run)))
            if len(run) > 1:  # a list of serials read as one run: each one too
                out += [
                    Mention("serial", r.upper().replace("-", ""), r)
                    for r in run
                    if sum(c.isdigit() for c in r) >= 3
                ]
    return out


def _plates(text: str) -> list[Mention]:
    out = []
    for pattern in (_PLATE, _STATE_PLATE):
        for m in pattern.finditer(text):
            plate = re.sub(r"[^A-Z0-9]", "", m.group(1).upper())
            if (
                5 <= len(plate) <= 8 and any(c.isdigit() for c in plate) and not plate.isdigit()
            ) or (5 <= len(plate) <= 8 and plate.isdigit() and pattern is _PLATE):
                out.append(Mention("plate", plate, m.group(1)))
    return out


def _phones(text: str) -> list[Mention]:
    out = []
    for m in phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE):
        number = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
        if len(number) >= 11:
            out.append(Mention("phone", number.removeprefix("+1"), m.raw_string))
    return out


# -- case numbers ----------------------------------------------------------------------

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
"""A number held as year, district or kind, serial ('2021-10-0001'); never looked for in
free text, where it would read dates."""
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


def _case_refs(text: str) -> list[Mention]:
    """Case numbers as people write them: with or without the agency's letters, a year
    of two or four digits, with or without leading zeros ('SO-21-114', 'PD case 22-0981',
    'cause no. CR-2021-077'). A bare 'yy-n' counts only after a word that says it is a
    number ('case', 'no.', '#'), so a date or a street number is not read as one."""
    out = []
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


# -- addresses -------------------------------------------------------------------------

_STREET_TYPES = {
    "street": "st", "st": "st", "road": "rd", "rd": "rd", "avenue": "ave", "ave": "ave",
    "av": "ave", "boulevard": "blvd", "blvd": "blvd", "drive": "dr", "dr": "dr", "lane": "ln",
    "ln": "ln", "court": "ct", "ct": "ct", "highway": "hwy", "hwy": "hwy", "place": "pl",
    "pl": "pl", "way": "way", "trail": "trl", "trl": "trl", "loop": "loop", "circle": "cir",
    "cir": "cir", "parkway": "pkwy", "pkwy": "pkwy", "terrace": "ter", "ter": "ter",
    "camino": "camino", "calle": "calle", "avenida": "avenida", "paseo": "paseo",
    "plaza": "plz", "plz": "plz", "route": "rte", "rte": "rte",
}  # fmt: skip
_ORDINALS = {
    "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
    "sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
}  # fmt: skip
_STREET_WORDS = {**_STREET_TYPES, **_ORDINALS}
_DIRECTIONS = {
    "n": "n", "north": "n", "s": "s", "south": "s", "e": "e", "east": "e", "w": "w",
    "west": "w", "nw": "nw", "northwest": "nw", "ne": "ne", "northeast": "ne", "sw": "sw",
    "southwest": "sw", "se": "se", "southeast": "se",
}  # fmt: skip
_POST = "|".join(k for k in _STREET_TYPES if k not in {"camino", "calle", "avenida", "paseo"})
_UNIT = r"(?:(?:Lot|Apt|Unit|Suite|Ste|Space|Spc|Trlr)\b\.?|#)"
_DIRECTION = r"(?:[NS]\.\s?[EW]\.|N|S|E|W|NW|NE|SW|SE|North|South|East|West)"
_ADDRESS = re.compile(
    r"(?<![\w#/-])(\d{1,6})\s+"
    rf"((?:{_DIRECTION}\.?\s+)?"
    r"(?:(?:Camino|Calle|Avenida|Paseo|Via)\s+"
    r"(?:(?:de|del|la|las|los|el)\s+|(?!(?:[NS]\.\s?[EW]\.|[NS][EW]?|[EW])\b)[A-Z0-9][\w'-]*\s*){1,4}"
    r"|(?:N\.\s?M\.|NM|State\s+(?:Road|Rd\.?|Highway|Hwy\.?)|S\.?R\.|SR|Highway|Hwy\.?|U\.\s?S\.|US)"
    r"(?:\s*-\s*|\s+)\d{1,3}\b"
    rf"|(?:[A-Z0-9][\w'-]*\.?\s+){{1,4}}(?:{_POST})\b\.?)"
    r"(?:\s*(?:[NS]\.\s?[EW]\.|(?:N|S|E|W|NW|NE|SW|SE|North|South|East|West|Northwest|"
    r"Northeast|Southwest|Southeast)\b\.?))?)"
    rf"(?:[ \t]*,?[ \t]*(?:{_UNIT}[ \t]*[\w-]+[ \t]*,?)?"  # 'Lot 52', 'Apt. 3B'
    rf"[ \t]+(?:in[ \t]+)?(?!{_UNIT})([A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+){{0,2}}))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Address:
    number: str
    street: str  # name and type, USPS abbreviations: 'camino del rey', 'main st'
    direction: str  # 'nw', wherever it was written
    town: str

    @property
    def key(self) -> str:
        return " ".join(p for p in (self.number, self.street, self.direction) if p)

    @property
    def text(self) -> str:
        return f"{self.key}, {self.town}" if self.town else self.key


def parse_address(
    written: str, places: frozenset[str] = frozenset(), town: str | None = None
) -> Address | None:
    """A street address in USPS form, or None. The direction is one slot, before or
    after the street name as written; the town is kept only if the agency knows it or
    the parser read one."""
    try:
        parts, _ = usaddress.tag(written)
    except usaddress.RepeatedLabelError:
        return None
    number = parts.get("AddressNumber", "")
    name = fold(parts.get("StreetName", ""))
    if not number.isdigit() or not name or re.search(r"\d{4}|\bblock\b|\bhrs\b", name):
        return None
    words: list[str] = []
    for label in ("StreetNamePreModifier", "StreetNamePreType"):
        words += fold(parts.get(label, "")).split()
    words += name.split()
    words += fold(parts.get("StreetNamePostType", "")).split()
    street = " ".join(_STREET_WORDS.get(w.strip("."), w.strip(".")) for w in words)
    direction = ""
    for label in ("StreetNamePreDirectional", "StreetNamePostDirectional"):
        d = fold(parts.get(label, "")).strip(".")
        direction = direction or _DIRECTIONS.get(d, "")
    town = fold(parts.get("PlaceName", "") if town is None else town).strip()
    town = re.sub(r"^(?:in|at|of)\s+", "", town)
    if places and town not in places:
        town = next((p for p in places if town.endswith(p)), "")
    return Address(number, street, direction, town)


_DOTTED_DIRECTION = re.compile(r"\b([NS])\.\s?([EW])\.(?=\W|$)|\b([NSEW])\.(?=[\s,]|$)")
_HIGHWAY = re.compile(
    r"\b(?:N\.\s?M\.|NM|State\s+(?:Road|Rd\.?|Highway|Hwy\.?)|S\.?R\.|SR|Highway|Hwy\.?|"
    r"U\.\s?S\.|US)(?:\s*-\s*|\s+)(\d{1,3})\b",
    re.IGNORECASE,
)


def _plain_street(written: str) -> str:
    """An address in one spelling before it is parsed: 'N.E.' is 'NE', and a state or
    federal highway ('N.M. 314', 'NM-314', 'State Road 314') is 'Highway 314'."""
    written = _DOTTED_DIRECTION.sub(lambda m: "".join(g for g in m.groups() if g), written)
    return _HIGHWAY.sub(lambda m: f"Highway {m.group(1)}", written)


def _addresses(text: str, patterns: Patterns) -> list[tuple[Mention, tuple[int, int]]]:
    return _addresses_in(text, patterns)


def _addresses_in(text: str, patterns: Patterns) -> list[tuple[Mention, tuple[int, int]]]:
    out: list[tuple[Mention, tuple[int, int]]] = []
    for m in _ADDRESS.finditer(text):
        town = m.group(3) or ""
        written = _plain_street(f"{m.group(1)} {m.group(2)}")
        address = parse_address(written, patterns.places, town)
        if address is None:
            continue
        raw = parse_address(written, town=town)
        if raw is not None and raw.town and town:
            out.append((Mention("town@", raw.town, town), m.span()))
        out.append((Mention("address", address.key, address.text), m.span()))
        if address.town:
            place = f"{address.key}|{address.town}"
            out.append((Mention("address@", place, address.text), m.span()))
        street_key = f"{address.street}|{address.town}" if address.town else address.street
        out.append((Mention("street", street_key, address.text), m.span()))
    return out


# -- people ----------------------------------------------------------------------------

_STOP = frozenset(fold(w) for w in gazetteer.REPORT_WORDS) | {
    "nm", "tx", "az", "co", "ut", "ca", "ok", "nv", "usa", "us", "fbi", "atf", "dea", "apd",
    "nmsp", "sfso", "vcso", "bcso", "ems", "afd", "sfpd", "ii", "iii", "iv",
}  # fmt: skip
_TITLES = frozenset(
    [
        "deputy",
        "dep",
        "officer",
        "ofc",
        "sgt",
        "sergeant",
        "det",
        "detective",
        "lt",
        "lieutenant",
        "cpl",
        "corporal",
        "trooper",
        "agent",
        "analyst",
        "investigator",
        "inv",
        "chief",
        "capt",
        "captain",
        "sheriff",
        "undersheriff",
        "patrolman",
        "examiner",
        "criminalist",
        "technician",
        "tech",
    ]
)
_ABBREVIATIONS = frozenset({"jr", "sr", "st", "mc", "mac"})
_PARTICLES = frozenset(
    [
        "de",
        "del",
        "la",
        "las",
        "los",
        "van",
        "von",
        "da",
        "di",
        "le",
        "y",
        "st",
        "du",
        "bin",
        "ibn",
        "al",
        "el",
    ]
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*\.?|[,;:()\[\]\"]|\S")
_VEHICLE_WORDS = frozenset(fold(w) for w in gazetteer.VEHICLE_MODELS) | {
    "truck", "pickup", "sedan", "suv", "van", "car", "vehicle", "coupe", "motorcycle",
}  # fmt: skip
_GUN_WORDS = frozenset(
    [
        "pistol",
        "revolver",
        "rifle",
        "shotgun",
        "handgun",
        "model",
        "caliber",
        "cal",
        "firearm",
        "carbine",
        "derringer",
        # models people write after the make ('Colt Python', 'Ruger Blackhawk')
        "python",
        "anaconda",
        "cobra",
        "peacemaker",
        "mustang",
        "commander",
        "blackhawk",
        "redhawk",
        "bearcat",
        "security-six",
        "ar-15",
        "ar15",
    ]
)

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


def _born(after: str, today: date | None) -> tuple[date, date] | None:
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


def _masked(lat: str, patterns: Patterns) -> list[tuple[int, int]]:
    """Spans that name things, not people: gazetteer phrases, and name-like makes or
    months where the words around them say so ('2014 Ford', 'Henry rifle', 'May 3')."""
    low = lat.lower()
    spans = [(m.start(), m.end()) for m in patterns._things_re.finditer(fold(lat))]
    for m in re.finditer(r"[A-Za-z]+", lat):
        word = m.group(0).lower()
        if word not in gazetteer.NAME_LIKE:
            continue
        before = low[max(0, m.start() - 6) : m.start()]
        after = low[m.end() : m.end() + 16].split()
        nxt = after[0].strip(".,") if after else ""
        if (
            re.search(r"\d\s*$", before)
            or nxt in _VEHICLE_WORDS
            or nxt in _GUN_WORDS
            or re.match(r"\d", nxt)
            or (word in {"ford", "dodge", "ram", "lincoln", "mercury"} and m.group(0).isupper())
        ):
            spans.append((m.start(), m.end()))
    return spans


def _name_token(tok: str) -> bool:
    word = tok.rstrip(".").removesuffix("'s").removesuffix("\u2019s")
    if not word or not word[0].isupper() or word.endswith("-"):
        return False
    folded = word.lower()
    if folded in _STOP or folded in _TITLES:
        return False
    if len(word) == 1:
        return True  # an initial
    if word.isupper() and len(word) == 2 and folded in _STOP:
        return False
    return word[1:].replace("'", "").replace("-", "").isalpha()


def _two_capital_surnames(run: list[tuple[int, int, str]]) -> bool:
    """'VIGIL MONTOYA, ROCIO': a records system's surnames-first form, in capitals."""
    return len(run) == 2 and all(t[2].isupper() and len(t[2]) > 1 for t in run)


def _people(  # noqa: PLR0915 (one pass over the tokens, its steps in order)
    lat: str, patterns: Patterns, today: date | None, things: list[tuple[int, int]]
) -> list[Mention]:
    """Name-shaped phrases ('person'), with a date of birth or age said right after them
    ('born'), marked when a title shows the person acted for an agency ('officer'); and
    single capitalized words that may still be a surname ('name_word')."""
    masks = sorted([*_masked(lat, patterns), *things])
    tokens = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(lat)]
    out: list[Mention] = []
    run: list[tuple[int, int, str]] = []
    comma_at = -1
    title_before = False

    def masked(start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in masks)

    def flush(next_start: int) -> None:
        nonlocal run, comma_at, title_before
        words = [t for t in run if t[2] != ","]
        while words and words[-1][2].lower() in _PARTICLES:
            if len(words) == 2 and words[-1][2][0].isupper():
                break  # 'Vi Le', 'Minh Da': a surname, not a particle left hanging
            words.pop()
        if words:
            written = re.sub(r"(?:'s|\u2019s)?\.?$", "", lat[words[0][0] : words[-1][1]])
            full = [w for w in words if len(w[2].rstrip(".")) > 1]
            if len(words) >= 2 and full:
                key = name_key(written)
                if " " in key:
                    out.append(Mention("person", key, written))
                    if title_before:
                        out.append(Mention("officer", key, written))
                    born = _born(
                        lat[words[-1][1] : min(len(lat), next_start + 60, words[-1][1] + 60)], today
                    )
                    if born is not None:
                        lo, hi = born
                        out.append(Mention("born", f"{key}|{lo}|{hi}", written))
            if len(full) == 1 and len(words) == 1:
                word = full[0][2].rstrip(".").removesuffix("'s").removesuffix("\u2019s")
                if len(word) >= 3 and not (word.isupper() and len(word) <= 3):
                    out.append(Mention("name_word", fold(word), word))
                    if title_before:
                        out.append(Mention("officer", fold(word), word))
        run, comma_at, title_before = [], -1, False

    previous = ""
    for start, end, tok in tokens:
        if run and "\n" in lat[run[-1][1] : start]:
            flush(start)  # a name does not run on into the next line (or field)
        if masked(start, end):
            flush(start)
            previous = ""
            continue
        if tok == "," and comma_at < 0 and (len(run) == 1 or _two_capital_surnames(run)):
            run.append((start, end, tok))
            comma_at = len(run)
            continue
        if _name_token(tok) or (run and tok.lower() in _PARTICLES):
            if not run:
                title_before = previous.rstrip(".").lower() in _TITLES
            if comma_at >= 0 and len(run) - comma_at >= 2:
                flush(start)
            run.append((start, end, tok))
            sentence_end = (
                tok.endswith(".") and len(tok) > 2 and tok[:-1].lower() not in _ABBREVIATIONS
            )
            if len(run) >= 5 or sentence_end:
                flush(end)
        else:
            if run and comma_at == len(run):
                run.pop()  # 'Reed, and ...': the comma ended the name
            flush(start)
            if not (tok.startswith("#") or tok.isdigit()):
                previous = tok
    flush(len(lat))
    return out


# -- organizations and places ------------------------------------------------------------

ORG_SUFFIXES = frozenset(
    [
        "co",
        "inc",
        "incorporated",
        "llc",
        "l.l.c",
        "corp",
        "corporation",
        "company",
        "ltd",
        "limited",
        "lp",
        "llp",
        "pllc",
        "pc",
    ]
)
_ORG_TOKEN = re.compile(r"[A-Za-z0-9'&]+")
_ORG_WORDS = re.compile(
    r"\b((?:(?:[A-Z][\w'&.-]*(?:\s+\d{1,3})?|and|of)\s+){0,6}(?:&\s+[A-Z]\w*|Inc\.?|LLC|"
    r"Co\.?|Corp\.?|"
    r"Company|Ltd\.?|INC\.?|CORP\.?|CO\.?|"
    r"Arms|Ammunition|Ammo|Supply|Props?|Productions?|Studios?|Laboratory|Lab|Pawn|Guns|"
    r"Outfitters|Motors|Towing|Tow|Salvage|Auto|Lounge|Bar|Cantina|Saloon|Storage|Rentals?|"
    r"Loan|Loans|Jewelry|Jewelers|Trading|Tavern|Market|Mart))\b",
)
_PLACE_WORDS = re.compile(
    r"\b((?:[A-Z][\w'-]*\s+){1,4}(?:Ranch|Creek|Park|Mesa|Canyon|Trail|Plaza|Arroyo|Pueblo|"
    r"Reservoir|Lake|Mountain|Campground|Trailhead|Bosque|Dam|Bridge))\b"
)


_PERSON_BEFORE = re.compile(
    r"\b(?:witness|suspect|victim|defendant|complainant|owner|driver|by|named|Mr|Mrs|Ms)"
    r"\.?\s+$",
    re.IGNORECASE,
)


def org_key(name: str) -> str:
    """'Rio Grande Title and Escrow Co.', 'RIO GRANDE TITLE & ESCROW, INC.' and
    'Rio Grande Title & Escrow' meet."""
    words = re.findall(r"[a-z0-9']+|&", fold(name).replace(" and ", " & ").replace(".", ""))
    while words and words[-1] in ORG_SUFFIXES:
        words.pop()
    while words and words[0] == "the":
        words.pop(0)
    return " ".join(words)


def extract(text: str, patterns: Patterns = DEFAULTS, today: date | None = None) -> list[Mention]:
    """Every mention in a text, sorted and without duplicates. `today`: the day the text
    speaks of, to read an age ('34 y/o') as a range of birth dates."""
    low = fold(text)
    found: list[Mention] = []
    for key, pattern in patterns.calibers:
        found += [Mention("caliber", key, m.group(0).strip()) for m in re.finditer(pattern, low)]
    found += [
        Mention("make", patterns.makes[m.group(0)], m.group(0))
        for m in patterns._makes_re.finditer(low)
    ]
    found += _serials(text)
    found += _phones(text)
    found += _plates(text)
    for pattern in patterns.case_numbers:
        found += [
            Mention("case_number", m.group(0).upper(), m.group(0))
            for m in re.finditer(pattern, text, re.IGNORECASE)
        ]
    found += _case_refs(text)
    # The rest is read in Latin letters, with the spans that name things kept apart so
    # that no person is read into them.
    lat = latin(text)
    if len(lat) != len(fold(lat)):
        lat = fold(lat)  # rare: a transliteration changed the length; read it all folded
    things: list[tuple[int, int]] = []
    makes = set(patterns.makes.values()) | set(patterns.makes)
    for m in _ORG_WORDS.finditer(lat):
        start, written = m.start(1), m.group(1)
        if ". " in written:  # 'Vi Tran. Pawn records': a sentence ended before the firm
            cut = written.rindex(". ") + 2
            start, written = start + cut, written[cut:]
        lead = re.match(r"(?:(?:of|and)\s+)+", written)
        if lead:  # 'the parking lot of Pinon Saloon': the firm starts after 'of'
            start, written = start + lead.end(), written[lead.end() :]
        before, of, after = written.rpartition(" of ")
        named = len(before.split()) >= 2 or re.search(r"[A-Z][a-z]+\s+$", lat[: m.start(1)])
        if of and len(after.split()) >= 2 and named:
            # 'Seth Kenney of PDQ Arm & Prop': the firm ('Land of Enchantment Pawn' stays)
            start, written = start + len(before) + len(of), after
        key = org_key(written)
        if len(key.split()) >= 2 and key not in makes:  # a lone suffix word names no one
            found.append(Mention("organization", key, written))
            things.append((start, start + len(written)))
    seen = {span for span in things}
    for key, span in patterns.organizations_in(lat):
        if not any(s <= span[0] and span[1] <= e for s, e in seen):
            found.append(Mention("organization", key, lat[span[0] : span[1]]))
            things.append(span)
    for m in _PLACE_WORDS.finditer(lat):
        if len(m.group(1).split()) == 2 and _PERSON_BEFORE.search(
            lat[max(0, m.start() - 30) : m.start()]
        ):
            continue  # 'witness Geronimo Mesa', 'suspect Jin Park': a person
        if fold(m.group(1)).strip() in patterns.places:
            continue  # 'Meadow Lake' is a town here: found as one below
        if any(s <= m.start(1) and m.end(1) <= e for s, e in things):
            continue  # 'Coyote Mesa' in 'Coyote Mesa Pawn & Gun' names the business
        found.append(Mention("place", fold(m.group(1)).strip(), m.group(1)))
        things.append(m.span(1))
    found += [Mention("town", m.group(0), m.group(0)) for m in patterns.places_in(low)]
    addresses = _addresses(lat, patterns)
    found += [a for a, _ in addresses]
    things += [span for _, span in addresses]
    found += _people(lat, patterns, today, things)
    return sorted(set(found))
