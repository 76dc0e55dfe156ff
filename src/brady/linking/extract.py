"""Mentions in free text: the people, organizations, places, calibers, makes, serial
numbers, case numbers, phone numbers and plates an intake narrative talks about.

Pure and deterministic: patterns, not models. Every mention carries the text as
written and a normalized key, so "45 Long Colt", ".45 LC" and "Colt .45" all
meet at the key `45-colt`, and "Reed, Thell" meets "Thell Reed". Extraction
favours recall: a name-shaped phrase is a candidate even if no one knows it
yet; matching against the cases decides what it bears on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Mention:
    kind: str
    key: str
    text: str


# -- calibers ----------------------------------------------------------------------

# (key, pattern). Patterns run on lowercased text with "." and spaces kept.
DEFAULT_CALIBERS: tuple[tuple[str, str], ...] = (
    ("45-colt", r"(?:\.?45\s*(?:long\s*colt|lc|colt)\b|\bcolt\s*\.?45\b|\.?45\s*caliber\s+colt)"),
    ("45-acp", r"\.?45\s*(?:acp|auto)\b"),
    ("9mm-luger", r"\b9\s*(?:mm|x\s*19)(?:\s*(?:luger|parabellum|para))?\b"),
    ("38-special", r"\.?38\s*(?:special|spl|spc)\b"),
    ("357-magnum", r"\.?357\s*(?:magnum|mag)\b"),
    ("22-lr", r"\.?22\s*(?:lr|long\s*rifle)\b"),
    ("223-remington", r"(?:\.?223\s*(?:rem|remington)?\b|\b5\.56(?:\s*x\s*45)?\b)"),
    ("12-gauge", r"\b12\s*(?:ga|gauge|g)\b"),
    ("40-sw", r"\.?40\s*(?:s\s*&\s*w|sw|smith)"),
)

# Makes of firearms and ammunition components that narratives name.
DEFAULT_MAKES: Mapping[str, str] = {
    "pietta": "pietta",
    "f.lli pietta": "pietta",
    "colt": "colt",
    "starline": "starline",
    "starline brass": "starline",
    "ruger": "ruger",
    "glock": "glock",
    "smith & wesson": "smith-wesson",
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
}

_SERIAL = re.compile(r"\b(?:serial(?:\s*(?:nos?\.?|numbers?|#))?|s/n|sn)\s*[:#]?\s*", re.IGNORECASE)
_SERIAL_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]|[A-Za-z0-9]")
_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?(\d{3})\)?[\s.-]?(\d{3})[\s.-]?(\d{4})(?!\d)")
_PLATE = re.compile(
    r"\b(?:plate|tag|license(?:\s+plate)?)\s*(?:no\.?|number|#)?\s*[:#]?\s*"
    r"(?:[A-Z]{2}\s+)?([A-Z0-9]{1,4}[-\s]?[A-Z0-9]{1,5})\b",
    re.IGNORECASE,
)
DEFAULT_CASE_NUMBERS: tuple[str, ...] = (
    r"\bD-\d{3}-(?:CR|CV)-\d{4}-\d{5}\b",  # New Mexico district courts
    r"\b\d{4}-[A-Z]{2,4}-\d{4,6}\b",  # agency report numbers like 2024-SF-000123
)

# A case number written short, as people do on cover letters and evidence tags:
# "SFSO #24-415", "case no. 24-415" for 2024-SF-000415. Only after a marker ('#',
# 'no.', 'case' ...), so a street address or a phone fragment is not read as one.
_CASE_REF = re.compile(
    r"(?:#|\b(?:no|nos|number|case|report|incident|file|ref)\b\.?:?)\s*#?\s*"
    r"(\d{2})-(\d{1,6})(?![\d-])",
    re.IGNORECASE,
)
_YEAR_AND_SERIAL = re.compile(r"(?<!\d)(?:19|20)(\d{2})(?!\d).*?(\d+)$")


def case_ref_key(number: str) -> str | None:
    """The short form of a full case number ('2024-SF-000415' -> '24-415'), if it has one:
    a four-digit year and, after it, the number's own serial digits."""
    m = _YEAR_AND_SERIAL.search(number)
    if m is None or int(m.group(2)) == 0:
        return None
    return f"{m.group(1)}-{int(m.group(2))}"


@dataclass(frozen=True)
class Patterns:
    """What extraction looks for: Brady's defaults, plus the case-number formats of the
    agencies and the patterns an administrator recorded (event linking.patterns)."""

    case_numbers: tuple[str, ...] = DEFAULT_CASE_NUMBERS
    calibers: tuple[tuple[str, str], ...] = DEFAULT_CALIBERS
    makes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_MAKES))

    @classmethod
    def with_extra(
        cls,
        case_numbers: Iterable[str] = (),
        calibers: Iterable[tuple[str, str]] = (),
        makes: Mapping[str, str] | None = None,
    ) -> Patterns:
        return cls(
            tuple(sorted(set(DEFAULT_CASE_NUMBERS) | set(case_numbers))),
            (*DEFAULT_CALIBERS, *sorted(calibers)),
            {**DEFAULT_MAKES, **(makes or {})},
        )


DEFAULTS = Patterns()

# A name-shaped phrase: capitalized words, initials, particles, hyphens and apostrophes.
_WORD = r"(?:[A-Z][a-zA-Z'\u2019-]+|[A-Z]\.)"
_NAME = re.compile(rf"\b{_WORD}(?:\s+(?:(?:de|del|la|van|von|da|di|le|st\.?)\s+)?{_WORD}){{1,3}}")
_LAST_FIRST = re.compile(rf"\b([A-Z][a-zA-Z'\u2019-]+),\s+({_WORD}(?:\s+{_WORD})?)")
_ORG_WORDS = re.compile(
    r"\b((?:(?:[A-Z][\w'&.-]*|and)\s+){0,4}(?:&\s+[A-Z]\w*|Inc\.?|LLC|Co\.?|Corp\.?|"
    r"Company|Ltd\.?|"
    r"Arms|Ammunition|Ammo|Supply|Props?|Productions?|Studios?|Laboratory|Lab))\b"
)
_PLACE_WORDS = re.compile(
    r"\b((?:[A-Z][\w'-]*\s+){1,4}(?:Ranch|Road|Rd\.?|Street|St\.|Avenue|Ave\.?|Highway|Hwy|"
    r"Creek|Park|Lane|Boulevard|Blvd\.?|Drive|Mesa|Canyon|Trail|Plaza))\b"
)
# Capitalized words that start sentences or name things, not people.
_NOT_NAMES = frozenset(
    {
        "The",
        "A",
        "An",
        "On",
        "In",
        "At",
        "By",
        "For",
        "From",
        "To",
        "Of",
        "And",
        "Or",
        "But",
        "He",
        "She",
        "They",
        "It",
        "We",
        "I",
        "His",
        "Her",
        "Their",
        "Its",
        "This",
        "That",
        "These",
        "Those",
        "Officer",
        "Deputy",
        "Detective",
        "Sgt",
        "Sgt.",
        "Sergeant",
        "Lt",
        "Lieutenant",
        "Agent",
        "Mr",
        "Mr.",
        "Mrs",
        "Mrs.",
        "Ms",
        "Ms.",
        "Dr",
        "Dr.",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Box",
        "Bag",
        "Item",
        "Items",
        "Rounds",
        "Round",
        "Case",
        "Evidence",
        "Report",
        "State",
        "County",
        "Sheriff",
        "Office",
        "Plate",
        "Serial",
        "Call",
        "See",
        "Also",
        "Note",
        "Per",
        "Called",
        "Found",
        "Received",
        "Taken",
        "Seized",
    }
)

NICKNAMES: Mapping[str, tuple[str, ...]] = {
    "robert": ("bob", "rob", "bobby"),
    "william": ("bill", "will", "billy"),
    "richard": ("rick", "dick", "rich"),
    "james": ("jim", "jimmy"),
    "john": ("jack", "johnny"),
    "thomas": ("tom", "tommy"),
    "michael": ("mike",),
    "joseph": ("joe",),
    "charles": ("chuck",),
    "alexander": ("alex",),
    "alexandria": ("alex", "lexi"),
    "elizabeth": ("liz", "beth"),
    "katherine": ("kate", "katie", "kathy"),
    "margaret": ("maggie", "peggy"),
    "theodore": ("ted", "teddy"),
    "thell": (),
    "hannah": ("hanna",),
    "seth": (),
    "stephen": ("steve",),
    "steven": ("steve",),
    "daniel": ("dan", "danny"),
    "david": ("dave",),
    "christopher": ("chris",),
    "anthony": ("tony",),
    "jennifer": ("jen", "jenny"),
    "patricia": ("pat", "patty"),
    "patrick": ("pat",),
    "troy": (),
    "marissa": ("missy",),
    "kari": (),
    "mary": (),
}


def fold(text: str) -> str:
    """Lowercase, accents removed, curly quotes straightened: the matching form of text."""
    text = unicodedata.normalize("NFKD", text).replace("\u2019", "'")
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def org_key(name: str) -> str:
    """'Rio Grande Title and Escrow Co.' and 'Rio Grande Title & Escrow' meet."""
    words = re.findall(r"[a-z0-9']+|&", fold(name).replace(" and ", " & "))
    while words and words[-1] in {"co", "inc", "llc", "corp", "ltd", "company"}:
        words.pop()
    return " ".join(words)


def name_key(name: str) -> str:
    """'Reed, Thell' and 'THELL  REED' both give 'thell reed'."""
    name = fold(name).strip()
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}"
    return " ".join(re.findall(r"[a-z0-9'-]+", name))


def name_variants(name: str, aliases: Iterable[str] = ()) -> set[str]:
    """Keys under which a person may be written: full name, aliases, 'F. Last', nicknames."""
    out: set[str] = set()
    for full in (name, *aliases):
        key = name_key(full)
        if not key:
            continue
        out.add(key)
        parts = key.split()
        if len(parts) >= 2:
            first, last = parts[0], parts[-1]
            out.add(f"{first[0]} {last}")
            for nick in NICKNAMES.get(first, ()):
                out.add(f"{nick} {last}")
            for formal, nicks in NICKNAMES.items():
                if first in nicks:
                    out.add(f"{formal} {last}")
    return out


def _serials(text: str) -> list[Mention]:
    """Serial numbers after 'serial', 's/n' ...: one, a list, or one written with spaces
    ('BER 441872 Z'). A serial has a digit; 'serial numbers ground off' names none."""
    out: list[Mention] = []
    for m in _SERIAL.finditer(text):
        tail = re.split(r"[.;\n](?:\s|$)|\.$", text[m.end() : m.end() + 120])[0]
        runs: list[list[str]] = [[]]
        for tok in _SERIAL_TOKEN.findall(tail):
            serialish = any(c.isdigit() for c in tok) or (tok.isupper() and len(tok) <= 3)
            if serialish:
                runs[-1].append(tok)
            elif runs[-1]:
                runs.append([])
        for run in runs:
            while run and not any(c.isdigit() for c in run[-1]) and len(run[-1]) > 1:
                run.pop()  # trailing letters that are not part of it
            if not run or not any(c.isdigit() for c in "".join(run)):
                continue
            out.append(Mention("serial", "".join(run).upper().replace("-", ""), " ".join(run)))
            if len(run) > 1:  # a list of serials read as one run: each one too
                out += [
                    Mention("serial", r.upper().replace("-", ""), r)
                    for r in run
                    if sum(c.isdigit() for c in r) >= 3
                ]
    return out


def _calibers(low: str, patterns: Iterable[tuple[str, str]]) -> list[Mention]:
    out = []
    for key, pattern in patterns:
        out += [Mention("caliber", key, m.group(0).strip()) for m in re.finditer(pattern, low)]
    return out


def _makes(low: str, makes: Mapping[str, str]) -> list[Mention]:
    out = []
    for written, key in makes.items():
        for m in re.finditer(rf"(?<![\w&]){re.escape(written)}(?![\w&])", low):
            out.append(Mention("make", key, m.group(0)))
    return out


def _name_word(word: str) -> bool:
    """A word that can be part of a person's name: not a stop word, an acronym or a stub."""
    return (
        word not in _NOT_NAMES and not word.endswith("-") and not (len(word) > 2 and word.isupper())
    )


def _names(text: str, not_people: set[str]) -> list[Mention]:
    """Name-shaped phrases ('person'), and single capitalized words ('name_word') that
    matching may still find as a surname ('rounds said to be Reed's')."""
    out = []
    for m in _LAST_FIRST.finditer(text):
        if _name_word(m.group(1)):
            out.append(Mention("person", name_key(f"{m.group(2)} {m.group(1)}"), m.group(0)))
    for m in _NAME.finditer(text):
        words = [w for w in m.group(0).split() if _name_word(w)]
        key = name_key(" ".join(words))
        if (
            len(words) >= 2
            and key not in not_people
            and not any(key in other or other in key for other in not_people)
        ):
            out.append(Mention("person", key, " ".join(words)))
    for m in re.finditer(r"\b[A-Z][a-z'\u2019-]{2,}\b", text):
        word = m.group(0).removesuffix("'s").removesuffix("\u2019s")
        if _name_word(word):
            out.append(Mention("name_word", name_key(word), word))
    return out


def extract(text: str, patterns: Patterns = DEFAULTS) -> list[Mention]:
    """Every mention in a text, sorted and without duplicates."""
    low = fold(text)
    found: list[Mention] = []
    found += _calibers(low, patterns.calibers)
    found += _makes(low, patterns.makes)
    found += _serials(text)
    found += [Mention("phone", "".join(m.groups()), m.group(0)) for m in _PHONE.finditer(text)]
    for m in _PLATE.finditer(text):
        plate = re.sub(r"[^A-Z0-9]", "", m.group(1).upper())
        if len(plate) >= 5 and any(c.isdigit() for c in plate):
            found.append(Mention("plate", plate, m.group(0)))
    for pattern in patterns.case_numbers:
        found += [
            Mention("case_number", m.group(0).upper(), m.group(0))
            for m in re.finditer(pattern, text, re.IGNORECASE)
        ]
    found += [
        Mention("case_ref", f"{m.group(1)}-{int(m.group(2))}", m.group(0).strip())
        for m in _CASE_REF.finditer(text)
        if int(m.group(2))
    ]
    for m in _ORG_WORDS.finditer(text):
        key = org_key(m.group(1))
        if len(key.split()) >= 2:  # a lone suffix word ('ammo') names no one
            found.append(Mention("organization", key, m.group(1)))
    found += [
        Mention("place", fold(m.group(1)).strip(), m.group(1)) for m in _PLACE_WORDS.finditer(text)
    ]
    not_people = {m.key for m in found if m.kind in {"organization", "place", "make"}}
    not_people |= {name_key(m.text) for m in found if m.kind == "caliber"}
    found += _names(text, not_people)
    return sorted(set(found))
