"""What each item, case, person and organization is known by: the keys linking matches on.

Pure: from a record's fields to the mentions it should be found under. The
projection stores them in `mention_index`, so candidate search is an indexed
lookup in the database, not a scan of every case.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .extract import (
    DEFAULTS,
    Mention,
    Patterns,
    case_ref_key,
    extract,
    fold,
    name_key,
    name_variants,
    org_key,
)

ITEM_TEXT_FIELDS = ("description", "narrative", "received_from", "found_at", "packaging", "model")


def search_patterns(formats: Iterable[str]) -> list[str]:
    """Agencies' case-number formats (anchored, for checking a number) as patterns that
    find such numbers inside a narrative."""
    return sorted({f"\\b{f.removeprefix('^').removesuffix('$')}\\b" for f in formats if f})


def item_mentions(item: dict[str, Any], patterns: Patterns = DEFAULTS) -> set[Mention]:
    """Mentions of an item: its free text, plus its structured make, serial and caliber."""
    text = "\n".join(str(item[f]) for f in ITEM_TEXT_FIELDS if item.get(f))
    found = set(extract(text, patterns))
    if item.get("caliber"):
        found |= {m for m in extract(str(item["caliber"]), patterns) if m.kind == "caliber"}
    if item.get("make"):
        make = fold(str(item["make"])).strip()
        found.add(Mention("make", patterns.makes.get(make, make), str(item["make"])))
    if item.get("serial"):
        serial = "".join(c for c in str(item["serial"]).upper() if c.isalnum())
        found.add(Mention("serial", serial, str(item["serial"])))
    return found


def case_mentions(
    narrative: str | None, numbers: Iterable[str], patterns: Patterns = DEFAULTS
) -> set[Mention]:
    found = set(extract(narrative, patterns)) if narrative else set()
    for n in numbers:
        found.add(Mention("case_number", n.upper(), n))
        short = case_ref_key(n)
        if short is not None:
            found.add(Mention("case_ref", short, n))
    return found


EDIT_KEY_MAX = 40
"""Names longer than this get no one-slip keys (they would be many and rarely needed)."""


def one_slip_keys(key: str) -> set[str]:
    """The key with any one character left out ('seth kenney' -> 'eth kenney', ...).

    Two spellings one slip apart (a letter missing, added, changed, or two swapped)
    share at least one of these keys, or one is the other's, so a misspelt name is found
    by exact, indexed lookups, however many people share its first name (a deletion
    neighbourhood, as in SymSpell)."""
    if len(key) > EDIT_KEY_MAX:
        return set()
    return {key[:i] + key[i + 1 :] for i in range(len(key))} - {key}


def person_mentions(name: str, aliases: Iterable[str]) -> set[Mention]:
    aliases = list(aliases)
    found = {Mention("person", key, name) for key in name_variants(name, aliases)}
    for full in (name, *aliases):
        found |= {Mention("name_slip", k, full) for k in one_slip_keys(name_key(full))}
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
