"""What each item, case, person and organization is known by: the keys linking matches on.

Pure: from a record's fields to the mentions it should be found under. The
projection stores them in `mention_index`, so candidate search is an indexed
lookup in the database, not a scan of every case.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .extract import (
    DEFAULT_CASE_NUMBERS,
    DEFAULT_MAKES,
    Mention,
    extract,
    fold,
    name_key,
    name_variants,
    org_key,
)

ITEM_TEXT_FIELDS = ("description", "narrative", "received_from", "found_at", "packaging", "model")


def search_patterns(formats: Iterable[str]) -> list[str]:
    """Agencies' case-number formats (anchored, for checking a number) as patterns that
    find such numbers inside a narrative, beside Brady's defaults."""
    found = [f"\\b{f.removeprefix('^').removesuffix('$')}\\b" for f in formats if f]
    return sorted(set(found) | set(DEFAULT_CASE_NUMBERS))


def item_mentions(item: dict[str, Any], case_patterns: Iterable[str] = ()) -> set[Mention]:
    """Mentions of an item: its free text, plus its structured make, serial and caliber."""
    text = "\n".join(str(item[f]) for f in ITEM_TEXT_FIELDS if item.get(f))
    found = set(extract(text, case_number_patterns=search_patterns(case_patterns)))
    if item.get("caliber"):
        found |= {m for m in extract(str(item["caliber"])) if m.kind == "caliber"}
    if item.get("make"):
        make = fold(str(item["make"])).strip()
        found.add(Mention("make", DEFAULT_MAKES.get(make, make), str(item["make"])))
    if item.get("serial"):
        serial = "".join(c for c in str(item["serial"]).upper() if c.isalnum())
        found.add(Mention("serial", serial, str(item["serial"])))
    return found


def case_mentions(narrative: str | None, numbers: Iterable[str]) -> set[Mention]:
    found = set(extract(narrative)) if narrative else set()
    found |= {Mention("case_number", n.upper(), n) for n in numbers}
    return found


def person_mentions(name: str, aliases: Iterable[str]) -> set[Mention]:
    aliases = list(aliases)
    found = {Mention("person", key, name) for key in name_variants(name, aliases)}
    # A one-word alias ("Smoke") is written as a single word; it is matched as one.
    found |= {Mention("alias", name_key(a), a) for a in aliases if len(name_key(a).split()) == 1}
    for full in (name, *aliases):
        parts = name_key(full).split()
        if len(parts) >= 2:
            # Surnames, including each half of a hyphenated one (Gutierrez-Reed).
            for last in {parts[-1], *parts[-1].split("-")}:
                found.add(Mention("name_word", last, full))
    return found


def organization_mentions(name: str, aliases: Iterable[str]) -> set[Mention]:
    return {Mention("organization", org_key(n), n) for n in (name, *aliases)}
