"""Firms and named places in text, found before people so that no person is read into them."""

from __future__ import annotations

import re
from itertools import chain
from typing import TypeAlias

from .mention import Mention
from .names import GIVEN_NAMES, fold
from .organizations import org_key
from .patterns import Patterns

_Span: TypeAlias = tuple[int, int]

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
    r"\b(?:witness|suspect|victim|defendant|complainant|owner|driver|subject|by|named|Mr|Mrs|Ms)"
    r"\.?\s+$",
    re.IGNORECASE,
)


def _firm_written(lat: str, m: re.Match[str]) -> tuple[int, str]:
    """Where a firm's name starts and how it is written, without what the words that
    end it ('Pawn', 'LLC') drew in before it."""
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
    return start, written


def organizations(lat: str, patterns: Patterns) -> tuple[list[Mention], list[_Span]]:
    """Firms named in a text, with the spans they take: those a firm's word marks
    ('Pawn', 'LLC'), then the record's own however their suffix is written."""
    found: list[Mention] = []
    things: list[_Span] = []
    makes = set(patterns.makes.values()) | set(patterns.makes)
    for m in _ORG_WORDS.finditer(lat):
        start, written = _firm_written(lat, m)
        key = org_key(written)
        if len(key.split()) >= 2 and key not in makes:  # a lone suffix word names no one
            found.append(Mention("organization", key, written))
            things.append((start, start + len(written)))
    seen = {span for span in things}
    for key, span in patterns.organizations_in(lat):
        if not any(s <= span[0] and span[1] <= e for s, e in seen):
            found.append(Mention("organization", key, lat[span[0] : span[1]]))
            things.append(span)
    return found, things


def places(lat: str, patterns: Patterns, things: list[_Span]) -> tuple[list[Mention], list[_Span]]:
    """Named places ('Coyote Mesa', 'Abiquiu Lake'), with the spans they take; none
    inside a firm's name (`things`), a person's, or a town of the agency's."""
    found: list[Mention] = []
    spans: list[_Span] = []
    for m in _PLACE_WORDS.finditer(lat):
        words = m.group(1).split()
        before = lat[max(0, m.start() - 30) : m.start()]
        if (len(words) == 2 and _PERSON_BEFORE.search(before)) or (
            fold(words[-2]).lower() in GIVEN_NAMES
        ):
            continue  # 'witness Geronimo Mesa', 'suspect Jin Park', 'Chris Mesa': a person
        if fold(m.group(1)).strip() in patterns.places:
            continue  # 'Meadow Lake' is a town here: found as one below
        if any(s <= m.start(1) and m.end(1) <= e for s, e in chain(things, spans)):
            continue  # 'Coyote Mesa' in 'Coyote Mesa Pawn & Gun' names the business
        found.append(Mention("place", fold(m.group(1)).strip(), m.group(1)))
        spans.append(m.span(1))
    return found, spans
