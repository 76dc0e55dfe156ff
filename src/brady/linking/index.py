"""What each item, case, person and organization is known by: the keys linking matches on.

Pure: from a record's fields to the mentions it should be found under. The linking
projection stores them in `mention_index`, so candidate search is an indexed lookup in
the database, not a scan of every case. Besides the keys as written, a person is
indexed under the keys a slip, a scanner or another transliteration would give
(`name_slip`, `name_ocr`, `name_sound`), and a serial or plate under its look-alike
shape and the shapes one character away (`serial~`, `plate~`), so that near spellings
are exact lookups too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import date
from typing import Any

from .case_numbers import case_shape
from .extract import extract
from .identifiers import id_shape
from .mention import Mention
from .names import fold, name_key, ocr_shape, one_slip_keys, parse, record_keys, sound_key
from .organizations import org_key
from .patterns import DEFAULTS, Patterns

ITEM_TEXT_FIELDS = ("description", "narrative", "received_from", "found_at", "packaging", "model")
NEAR_KINDS = {"serial": "serial~", "plate": "plate~"}


def search_patterns(formats: Iterable[str]) -> list[str]:
    """Agencies' case-number formats (anchored, for checking a number) as patterns that
    find such numbers inside a narrative."""
    return sorted({f"\\b{f.removeprefix('^').removesuffix('$')}\\b" for f in formats if f})


def near_keys(kind: str, key: str, text: str = "") -> set[Mention]:
    """The look-alike shape of a serial or plate and the shapes one character away; the
    scanner's and the ear's shape of a person's name (so that a party added to a case
    later finds the items that misspell them)."""
    if kind == "person":
        if " " not in key:
            return set()
        return {
            Mention("name_ocr~", ocr_shape(key), text),
            Mention("name_sound~", sound_key(key), text),
        }
    near = NEAR_KINDS.get(kind)
    if near is None or len(key) < 4:
        return set()
    shape = id_shape(key)
    return {Mention(near, k, key) for k in {shape, *one_slip_keys(shape)}}


def with_near_keys(mentions: Iterable[Mention]) -> set[Mention]:
    out = set(mentions)
    for m in list(out):
        out |= near_keys(m.kind, m.key, m.text)
    return out


_SEEN: OrderedDict[tuple[Any, ...], tuple[Patterns, frozenset[Mention]]] = OrderedDict()
_SEEN_MOST = 256
_SEEN_LOCK = threading.Lock()
_STRUCTURED = ("caliber", "make", "serial")  # the fields besides the text that it reads


def item_mentions(
    item: dict[str, Any], patterns: Patterns = DEFAULTS, today: date | None = None
) -> set[Mention]:
    """Mentions of an item: its free text, plus its structured make, serial and caliber.

    Remembered for the last few items read: an intake is read before the ledger's write
    lock is taken (`linking.foresight`), and the same reading is then found here by the
    projection that runs under the lock, instead of being made again while the other
    writers wait. Pure, so a remembered reading is the reading."""
    fields = tuple(str(item.get(f) or "") for f in (*ITEM_TEXT_FIELDS, *_STRUCTURED))
    key = (fields, id(patterns), today)
    with _SEEN_LOCK:
        seen = _SEEN.get(key)
        if seen is not None and seen[0] is patterns:
            _SEEN.move_to_end(key)
            return set(seen[1])
    found = _item_mentions(item, patterns, today)
    with _SEEN_LOCK:
        _SEEN[key] = (patterns, frozenset(found))
        while len(_SEEN) > _SEEN_MOST:
            _SEEN.popitem(last=False)
    return found


def _item_mentions(item: dict[str, Any], patterns: Patterns, today: date | None) -> set[Mention]:
    text = "\n".join(str(item[f]) for f in ITEM_TEXT_FIELDS if item.get(f))
    found = set(extract(text, patterns, today))
    if item.get("caliber"):
        found |= {m for m in extract(str(item["caliber"]), patterns) if m.kind == "caliber"}
    if item.get("make"):
        make = fold(str(item["make"])).strip()
        found.add(Mention("make", patterns.makes.get(make, make), str(item["make"])))
    if item.get("serial"):
        serial = "".join(c for c in str(item["serial"]).upper() if c.isalnum())
        found.add(Mention("serial", serial, str(item["serial"])))
    return with_near_keys(found)


def stored_rows(mentions: Iterable[Mention]) -> list[tuple[str, str, str]]:
    """The rows the mention index keeps of a thing's mentions, in order: (kind, key, text),
    one per kind and key, the text of the first mention in sorted order (the same in every
    replay), key and text cut to the index's sizes."""
    texts: dict[tuple[str, str], str] = {}
    for m in sorted(mentions):
        if m.key:
            texts.setdefault((m.kind, m.key[:200]), m.text[:500])
    return [(kind, key, text) for (kind, key), text in sorted(texts.items())]


def text_mentions(
    text: str, patterns: Patterns = DEFAULTS, today: date | None = None
) -> set[Mention]:
    """Mentions of a text that belongs to an item (a lab finding, a page of a document)."""
    return with_near_keys(extract(text, patterns, today))


def page_mentions(
    pages: Iterable[tuple[int, str]],
    name: str,
    patterns: Patterns = DEFAULTS,
    today: date | None = None,
) -> list[tuple[int, Mention]]:
    """What each page of a document mentions, each said with where it was read ('Thell
    Reed (page 3 of report.pdf)'), so a reviewer can find it."""
    out = []
    for number, text in pages:
        for m in sorted(with_near_keys(extract(text, patterns, today))):
            out.append((number, Mention(m.kind, m.key, f"{m.text} (page {number} of {name})")))
    return out


def case_mentions(
    narrative: str | None,
    numbers: Iterable[str],
    patterns: Patterns = DEFAULTS,
    today: date | None = None,
) -> set[Mention]:
    found = with_near_keys(extract(narrative, patterns, today)) if narrative else set()
    for n in numbers:
        found.add(Mention("case_number", n.upper(), n))
        shape = case_shape(n)
        if shape is not None:
            found.add(Mention("case_ref", shape.key, n))
    return found


def person_mentions(name: str, aliases: Iterable[str]) -> set[Mention]:
    aliases = list(aliases)
    found = {Mention("person", key, name) for key in record_keys(name, aliases)}
    for full in (name, *aliases):
        key = name_key(full)
        if " " not in key:
            continue
        found |= {Mention("name_slip", k, full) for k in one_slip_keys(key)}
        found.add(Mention("name_ocr", ocr_shape(key), full))
        found.add(Mention("name_sound", sound_key(key), full))
        # Surnames, including each half of a compound one (Gutierrez-Reed).
        last = parse(full).last
        for word in {last, *last.replace("-", " ").split()}:
            if len(word) > 2:
                found.add(Mention("name_word", word, full))
    # A one-word alias ("Smoke") is written as a single word; it is matched as one.
    found |= {Mention("alias", fold(a).strip(), a) for a in aliases if " " not in fold(a).strip()}
    return found


def name_parts(name: str) -> list[tuple[str, str]]:
    """What a person's name adds to the record's name counts: its given name, surname and
    full name, as linking_count keys them."""
    parts = parse(name)
    last = parts.last.split()[-1] if parts.last else ""  # 'del carmen martinez': martinez
    return [("given", parts.first), ("surname", last), ("name", f"{parts.first} {last}")]


def organization_mentions(name: str, aliases: Iterable[str]) -> set[Mention]:
    """A business under each of its names, and under the part of a name before '&' or
    'and' (people say 'Cash Cow Pawn' for 'Cash Cow Pawn & Jewelry LLC')."""
    found = set()
    for n in (name, *aliases):
        key = org_key(n)
        found.add(Mention("organization", key, n))
        short = key.split(" & ")[0]
        if short != key and len(short.split()) >= 2:
            found.add(Mention("organization", short, n))
    return found
