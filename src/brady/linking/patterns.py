"""What extraction looks for: the defaults every agency shares, and an agency's own."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from . import gazetteer
from .names import fold
from .organizations import org_key

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

_ORG_TOKEN = re.compile(r"[A-Za-z0-9'&]+")


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
        # Not inside a hyphenated name: 'Valencia-Baros' is a person, not Valencia.
        return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")

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
        return re.compile(rf"(?<![\w&-])(?:{alternatives})(?![\w&-])")

    def places_in(self, low: str) -> Iterator[re.Match[str]]:
        return iter(()) if self._places_re is None else self._places_re.finditer(low)


DEFAULTS = Patterns()
