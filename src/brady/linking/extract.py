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
from datetime import date

from .addresses import Address, addresses, parse_address
from .case_numbers import CaseShape, case_ref_key, case_refs, case_shape
from .firms_and_places import organizations, places
from .identifiers import id_shape, phones, plates, serials
from .mention import Mention
from .names import fold, latin
from .organizations import ORG_SUFFIXES, org_key
from .patterns import DEFAULT_CALIBERS, DEFAULT_CASE_NUMBERS, DEFAULT_MAKES, DEFAULTS, Patterns
from .people import people

__all__ = [  # what this module held before its parts had modules of their own
    "DEFAULTS",
    "DEFAULT_CALIBERS",
    "DEFAULT_CASE_NUMBERS",
    "DEFAULT_MAKES",
    "ORG_SUFFIXES",
    "Address",
    "CaseShape",
    "Mention",
    "Patterns",
    "case_ref_key",
    "case_shape",
    "extract",
    "id_shape",
    "org_key",
    "parse_address",
]


def _marked(text: str, low: str, patterns: Patterns) -> list[Mention]:
    """What the text marks by its own shape, read as written (`text`) or folded (`low`):
    calibers, makes, serials, phones, plates and case numbers."""
    found: list[Mention] = []
    for key, pattern in patterns.calibers:
        found += [Mention("caliber", key, m.group(0).strip()) for m in re.finditer(pattern, low)]
    found += [
        Mention("make", patterns.makes[m.group(0)], m.group(0))
        for m in patterns._makes_re.finditer(low)
    ]
    found += serials(text)
    found += phones(text)
    found += plates(text)
    for pattern in patterns.case_numbers:
        found += [
            Mention("case_number", m.group(0).upper(), m.group(0))
            for m in re.finditer(pattern, text, re.IGNORECASE)
        ]
    found += case_refs(text)
    return found


def extract(text: str, patterns: Patterns = DEFAULTS, today: date | None = None) -> list[Mention]:
    """Every mention in a text, sorted and without duplicates. `today`: the day the text
    speaks of, to read an age ('34 y/o') as a range of birth dates."""
    low = fold(text)
    found = _marked(text, low, patterns)
    # The rest is read in Latin letters, with the spans that name things kept apart so
    # that no person is read into them.
    lat = latin(text)
    if len(lat) != len(fold(lat)):
        lat = fold(lat)  # rare: a transliteration changed the length; read it all folded
    firms, things = organizations(lat, patterns)
    found += firms
    named_places, place_spans = places(lat, patterns, things)
    found += named_places
    things += place_spans
    found += [Mention("town", m.group(0), m.group(0)) for m in patterns.places_in(low)]
    at_addresses = addresses(lat, patterns)
    found += [a for a, _ in at_addresses]
    things += [span for _, span in at_addresses]
    found += people(lat, patterns, today, things)
    return sorted(set(found))
