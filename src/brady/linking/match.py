"""Weighing the evidence that an item bears on an open case (record linkage in the
Fellegi-Sunter sense), and saying why in plain words, strongest reason first.

Each agreement between the item and a case (a name, a serial number, an address...) is
worth log2(m/u) bits: m, how often such an agreement is seen when the item truly bears
on the case; u, how often it happens by chance in this agency's own record, that is the
share of open cases that have it (so a surname carried by 300 open cases, an officer
named in 40 reports, or 9mm is worth little, and a serial number held by one case is
worth much). A disagreement counts against (a date of birth that differs, a case number
with another agency's letters). The sum, added to the prior odds that an intake bears on
one given case, is the posterior probability shown as the score.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .candidates import Evidence
from .extract import case_shape
from .names import Agreement

DEFAULT_M: Mapping[str, float] = {
    "case_number": 0.9,
    "case_ref": 0.5,  # a short form whose letters agree, or that has none
    "case_ref_other": 0.02,  # a short form with another agency's letters
    "serial": 0.5,
    "serial~": 0.05,
    "plate": 0.5,
    "plate~": 0.05,
    "phone": 0.4,
    "address@": 0.4,  # the same address in the same town
    "address": 0.03,  # the same number and street, the town unknown or another
    "street": 0.05,
    "organization": 0.3,
    "place": 0.2,
    "town": 0.3,
    "caliber": 0.3,
    "make": 0.3,
    "name.4": 0.6,  # the name exactly
    "name.3": 0.15,  # a nickname or an initial
    "name.2": 0.15,  # a slip, a sound, a scanner's misreading
    "name.1": 0.05,  # the surname alone
}
"""m: how often each agreement is seen when the item truly bears on the case. Config
`[linking] weights` overrides them by kind ('caliber = 0.2')."""

PROFESSIONAL = frozenset({"officer", "lab_analyst", "prosecutor", "defense_counsel"})
PROFESSIONAL_M = 0.03
"""An officer or analyst is named in every report they write: finding their name says
little about which case an item bears on."""

RELATED_PER_INTAKE = 4.0
"""Prior: how many other open cases an intake bears on, on average."""
DOB_AGREE_M, DOB_SPAN = 0.95, 365.25 * 60
DEFAULT_THRESHOLD = 0.5
IDENTIFIERS = frozenset(
    {"case_number", "case_ref", "serial", "phone", "plate", "serial~", "plate~"}
)

_KIND_WORDS = {
    "caliber": "caliber",
    "make": "make",
    "serial": "serial number",
    "serial~": "serial number",
    "phone": "phone number",
    "plate": "plate",
    "plate~": "plate",
    "organization": "organization",
    "place": "place",
    "town": "town",
    "street": "street",
    "address": "address",
    "address@": "address",
    "case_number": "case number",
    "case_ref": "short case number",
}


@dataclass(frozen=True)
class Suggestion:
    case_id: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Piece:
    """One agreement (or disagreement) between the item and a case, with its weight."""

    factor: str  # the m key
    what: tuple[str, str]  # (kind, key): what is shared, for counting how common it is
    bits: float
    reason: str


def _born(mentions: Iterable[tuple[str, str, str]]) -> dict[str, tuple[date, date]]:
    out = {}
    for kind, key, _ in mentions:
        if kind == "born":
            name, lo, hi = key.split("|")
            out[name] = (date.fromisoformat(lo), date.fromisoformat(hi))
    return out


def score(
    evidence: Iterable[Evidence],
    exclude: set[str],
    open_cases: int,
    mentions: Iterable[tuple[str, str, str]] = (),
    m: Mapping[str, float] = DEFAULT_M,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Suggestion]:
    """Score every case the evidence names (but those in `exclude`), best first, keeping
    those whose probability reaches the threshold. `mentions`: the item's own (kind,
    key, text), for what it says beside a name (a date of birth, an officer's title)."""
    mentions = list(mentions)
    born = _born(mentions)
    officers = {key for kind, key, _ in mentions if kind == "officer"}
    n = max(open_cases, 1)
    m = {**DEFAULT_M, **m}
    by_case: dict[str, list[Evidence]] = defaultdict(list)
    for ev in evidence:
        if ev.case_id not in exclude:
            by_case[ev.case_id].append(ev)
    # How many open cases share each thing: the chance agreement the weights discount.
    sharing: dict[tuple[str, str], int] = defaultdict(int)
    for evs in by_case.values():
        for what in {_what(ev) for ev in evs}:
            sharing[what] += 1
    prior = math.log2(RELATED_PER_INTAKE / n)
    out = []
    for case_id, evs in by_case.items():
        pieces = _pieces(evs, m, n, sharing, born, officers)
        bits = prior + sum(p.bits for p in pieces)
        probability = round(1 / (1 + 2 ** (-bits)), 3)
        if probability >= threshold and any(p.bits > 0 for p in pieces):
            ranked = sorted(pieces, key=lambda p: -p.bits)
            out.append(Suggestion(case_id, probability, tuple(p.reason for p in ranked)))
    return sorted(out, key=lambda s: (-s.score, s.case_id))


def _what(ev: Evidence) -> tuple[str, str]:
    if ev.via == "party":
        return ("name", f"{ev.key}|{ev.level}")
    return (ev.kind, ev.key)


def _weight(m: float, shared: int, n: int) -> float:
    """log2(m/u), with u the share of open cases that have the same thing."""
    u = min(1.0, max(shared, 1) / n)
    return math.log2(max(m, 1e-6) / u)


def _pieces(
    evs: list[Evidence],
    m: Mapping[str, float],
    n: int,
    sharing: Mapping[tuple[str, str], int],
    born: Mapping[str, tuple[date, date]],
    officers: set[str],
) -> list[Piece]:
    pieces: list[Piece] = []
    # People: for each name the item writes, the party of this case it agrees with best.
    best: dict[str, Evidence] = {}
    for ev in evs:
        if ev.via != "party":
            continue
        held = best.get(ev.key)
        rank = (ev.level, ev.role not in PROFESSIONAL)
        if held is None or rank > (held.level, held.role not in PROFESSIONAL):
            best[ev.key] = ev
    for key, ev in best.items():
        professional = ev.role in PROFESSIONAL or key in officers
        factor = f"name.{ev.level}"
        mk = m[factor] * (PROFESSIONAL_M if professional else 1.0)
        bits = _weight(mk, sharing[_what(ev)], n)
        pieces.append(Piece(factor, _what(ev), bits, _said_person(ev, professional)))
        dob = _dob_piece(ev, born.get(key))
        if dob is not None:
            pieces.append(dob)
    # Things: each shared thing once, whether through the case's items or its file.
    things: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    for ev in evs:
        if ev.via != "party":
            things[(ev.kind, ev.key)].append(ev)
    kinds = {kind for kind, _ in things}
    for (kind, key), group in things.items():
        if kind in {"serial~", "plate~"} and kind[:-1] in kinds:
            continue  # the number itself agrees: the near key adds nothing
        if kind == "address" and "address@" in kinds:
            continue
        if kind == "street" and ({"address@", "address"} & kinds):
            continue
        factor = kind
        if kind == "case_ref":
            factor = _case_ref_factor(group)
        mk = m.get(factor, 0.05)
        bits = _weight(mk, sharing[(kind, key)], n)
        pieces.append(Piece(factor, (kind, key), bits, _said_thing(group, factor)))
    return pieces


def _dob_piece(ev: Evidence, said: tuple[date, date] | None) -> Piece | None:
    """A date of birth (or an age) beside the name: agreeing it all but settles who it
    is; disagreeing, it is someone else with the same name."""
    if said is None or not ev.dob:
        return None
    try:
        dob = date.fromisoformat(ev.dob)
    except ValueError:
        return None
    lo, hi = said
    if lo <= dob <= hi:
        span = max((hi - lo).days + 1, 1)
        bits = math.log2(DOB_AGREE_M / (span / DOB_SPAN))
        return Piece(
            "dob",
            ("dob", ev.via_id),
            bits,
            f"the date of birth (or age) given agrees with {ev.detail.split(',')[0]}'s",
        )
    bits = math.log2((1 - DOB_AGREE_M) / (1 - 1 / DOB_SPAN))
    who = ev.detail.split(",")[0]
    text = f"but the date of birth (or age) given does not agree with {who}'s ({ev.dob})"
    return Piece("dob_other", ("dob", ev.via_id), bits, f"{text}: it may be someone else")


def _case_ref_factor(group: list[Evidence]) -> str:
    written = re.sub(r"[^A-Za-z].*$", "", group[0].text.strip()) if group[0].text else ""
    for ev in group:
        if ev.via != "case":
            continue
        shape = case_shape(ev.detail)
        if shape is not None and shape.same_prefix(written) is False:
            return "case_ref_other"
    return "case_ref"


def _said_person(ev: Evidence, professional: bool) -> str:
    who = ev.detail
    level = Agreement(ev.level)
    if level == Agreement.EXACT:
        said = f"it names {ev.text} ({who} in this case)"
    elif level == Agreement.SURNAME:
        said = f"it mentions the surname {ev.text}, like {who} in this case"
    else:
        said = f"it names {ev.text}, spelled like {who} in this case"
    if professional:
        said += " (named in reports as an officer or analyst, so it counts for little)"
    return said


def _said_thing(evs: list[Evidence], factor: str) -> str:
    first = evs[0]
    what = _KIND_WORDS.get(first.kind, first.kind)
    if first.kind == "case_number":
        return f"it names this case's number {first.text}"
    if first.kind == "case_ref":
        held = next((e.detail for e in evs if e.via == "case"), first.key)
        if factor == "case_ref_other":
            return (
                f"it names {first.text}, which has this case's year and number ({held}) "
                "but another agency's letters"
            )
        return f"it names {first.text}, which may be this case's number {held} written short"
    near = " (one character apart, or a look-alike)" if first.kind.endswith("~") else ""
    if first.kind == "address":
        near = " (in another town, or with no town given)"
    items = [e for e in evs if e.via == "item"]
    if items:
        count = sum(int(e.detail or 1) for e in items)
        example = min(e.via_id for e in items)
        like = f"item {example}" if count == 1 else f"{count} items (such as {example})"
        return f"it mentions the {what} {first.text}{near}, like {like} of this case"
    return f"it mentions the {what} {first.text}{near}, as this case's file does"
