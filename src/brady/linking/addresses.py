"""Street addresses in text, in USPS form, so that any spelling of one meets the others."""

from __future__ import annotations

import re
from dataclasses import dataclass

import usaddress

from .mention import Mention
from .names import fold
from .patterns import Patterns

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


def addresses(text: str, patterns: Patterns) -> list[tuple[Mention, tuple[int, int]]]:
    """The addresses in a text, each under every key it is found by, with its span."""
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
