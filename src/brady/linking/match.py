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
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from ..domain.vocabulary import PROFESSIONAL_ROLES
from .candidates import Evidence
from .case_numbers import case_shape
from .names import Agreement, parse

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
    "organization": 0.4,
    "place": 0.2,
    "town": 0.5,
    "caliber": 0.3,
    "make": 0.3,
    "officer": 0.3,  # one of the case's officers or analysts
    "person": 0.02,  # a name the case's file or items write, of no party of the case
    "name.4": 0.6,  # the name exactly
    "name.3": 0.15,  # a nickname or an initial
    "name.2": 0.2,  # a slip, a sound, a scanner's misreading
    "name.1": 0.05,  # the surname alone
}
"""m: how often each agreement is seen when the item truly bears on the case. Config
`[linking] weights` overrides them by kind ('caliber = 0.2')."""

PROFESSIONAL = frozenset(str(r) for r in PROFESSIONAL_ROLES)
"""How often they are named by chance is the share of open cases they work on."""

RELATED_PER_INTAKE = 0.1
"""Prior: how many open cases besides its own an intake bears on, on average."""
NAMES_PER_INTAKE = 2.0
"""How many people an intake names, on average: the chances a name is written by chance."""
NAME_PRIOR = (1 / 500, 1 / 5000, 1000)
"""How common a given name and a surname are before the record says (and how many
people's worth of weight that guess carries): a small record learns little from itself."""
NAME_SPREAD = {Agreement.EXACT: 1.0, Agreement.VARIANT: 3.0, Agreement.CLOSE: 4.0}
"""How many other names agree at each level, for each name that agrees exactly."""
SHARED_PARTY = "same_person"
SAME_PERSON_BITS = 4.3
"""The item names a person who is a party both of a case it is filed under and of
another: by the record, it bears on both (about 0.95 alone)."""
DOB_AGREE_M, DOB_SPAN = 0.95, 365.25 * 60
DOB_SLIP_M, DOB_SLIP_DAYS = 0.03, 40
"""A date of birth a few weeks off, or with one of day, month or year wrong, is often a
slip of the pen (or an age read on another day): it counts against, but not much."""
DOB_DISAGREE_M = 1e-4
"""Years apart: another person with the same name, all but certainly."""
DEFAULT_THRESHOLD = 0.3
"""Recall first: a missed link can end a case, a wrong one costs a reviewer a minute."""
CHANCE: Mapping[str, float] = {
    "case_number": 1e-6,
    "case_ref": 2e-5,
    "serial": 1e-7,
    "serial~": 5e-6,
    "plate": 1e-7,
    "plate~": 5e-6,
    "phone": 1e-7,
    "address@": 1e-4,
    "address": 1e-3,
    "place": 1e-3,
}
"""Things that are one object wherever they appear, and how likely an unrelated intake is
to write each by chance (a serial number one character away from another is far likelier
than the same one). Shared with the item's own case, they still tie it to every other
case that holds them (the same gun in two cases). Everything else (a town, a make, an
officer) is as likely by chance as the share of open cases that have it."""
IDENTIFIERS = frozenset(CHANCE) - {"address@", "address", "place"}
ORGANIZATION_RATE, ORGANIZATION_PRIOR = 0.3, 1000
"""How often an intake names a business, and how many businesses an agency's area holds
before its record says (a small record knows few of them)."""

ONE_OF_A_KIND = frozenset({"town", "street", "make", "caliber", "organization"})
"""A case has one town, one street, a few makes and calibers: an item that names three
towns is no likelier to bear on a case than one that names its town once (and a business
under two of its names is one business), so only the strongest of each of these counts."""

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
    evidence: tuple[str, ...] = ()  # what it rests on: 'factor:key' of each agreement for it
    shared_only: bool = False  # rests on a party both cases share (custody/related_cases.py)


@dataclass(frozen=True)
class Piece:
    """One agreement (or disagreement) between the item and a case, with its weight."""

    factor: str  # the m key
    what: tuple[str, str]  # (kind, key): what is shared, for counting how common it is
    bits: float
    reason: str


@dataclass(frozen=True)
class Record:
    """How common things are in the agency's record: the chance agreements to discount.

    `names`: for each person the evidence names, (people with the same given name,
    people with the same surname, people with the same full name)."""

    open_cases: int
    people: int = 0
    names: Mapping[str, tuple[int, int, int]] = field(default_factory=dict)
    organizations: int = 0
    related_per_intake: float = RELATED_PER_INTAKE  # the prior (brady links train)

    def organization_chance(self, shared: int) -> float:
        """How likely an unrelated intake is to name one of the businesses `shared` open
        cases name: an intake names a business now and then, one of the record's many."""
        known = self.organizations + ORGANIZATION_PRIOR
        return min(1.0, ORGANIZATION_RATE * max(shared, 1) / known)

    def name_chance(self, person_id: str, level: Agreement) -> float:
        """How likely an unrelated intake is to write a name that agrees at `level` with
        this person's: from how common the given name and the surname are here."""
        given, surname, full = self.names.get(person_id, (0, 0, 0))
        g_prior, s_prior, weight = NAME_PRIOR
        total = self.people + weight
        f_given = (given + weight * g_prior) / total
        f_surname = (surname + weight * s_prior) / total
        if level == Agreement.SURNAME:
            chance = f_surname
        else:
            namesakes = max(full - 1, 0) / total  # others of the record with this name
            chance = max(f_given * f_surname, namesakes) * NAME_SPREAD.get(level, 8.0)
        return min(1.0, NAMES_PER_INTAKE * chance)


def _born(mentions: Iterable[tuple[str, str, str]]) -> dict[str, tuple[date, date]]:
    out = {}
    for kind, key, _ in mentions:
        if kind == "born":
            name, lo, hi = key.split("|")
            out[name] = (date.fromisoformat(lo), date.fromisoformat(hi))
    return out


@dataclass(frozen=True)
class _Own:
    """What the item's own cases already account for: a name or thing written because
    it belongs to the case the item is filed under is no sign of another case, unless it
    is the same person or object there too."""

    things: frozenset[tuple[str, str]]
    people: Mapping[str, frozenset[str]]  # name as written -> own parties it agrees with

    @classmethod
    def of(cls, evidence: Iterable[Evidence], own: Collection[str]) -> _Own:
        things, people = set(), defaultdict(set)
        for ev in evidence:
            if ev.case_id not in own:
                continue
            if ev.via == "party":
                if ev.level >= Agreement.SURNAME or ev.role in PROFESSIONAL:
                    people[ev.key].add(ev.via_id)
            else:
                things.add((ev.kind, ev.key))
        return cls(frozenset(things), {k: frozenset(v) for k, v in people.items()})


def score(
    evidence: Iterable[Evidence],
    exclude: Collection[str],
    record: Record,
    mentions: Iterable[tuple[str, str, str]] = (),
    m: Mapping[str, float] = DEFAULT_M,
    threshold: float = DEFAULT_THRESHOLD,
    own: Collection[str] = (),
) -> list[Suggestion]:
    """Score every case the evidence names (but those in `exclude`), best first, keeping
    those whose probability reaches the threshold. `own`: the cases the item is filed
    under (their evidence explains the names and things the item writes); `mentions`:
    the item's own (kind, key, text), for what it says beside a name (a date of birth,
    an officer's title)."""
    evidence = list(evidence)
    mentions = list(mentions)
    explained = _Own.of(evidence, own)
    context = _Context(
        {**DEFAULT_M, **m},
        max(record.open_cases, 1),
        record,
        _born(mentions),
        {key for kind, key, _ in mentions if kind == "officer"},
        explained,
    )
    by_case: dict[str, list[Evidence]] = defaultdict(list)
    for ev in evidence:
        if ev.case_id not in exclude and ev.case_id not in own:
            by_case[ev.case_id].append(ev)
    # How many open cases share each thing: the chance agreement the weights discount.
    for evs in by_case.values():
        for what in {_what(ev) for ev in evs}:
            context.sharing[what] += 1
    prior = math.log2(record.related_per_intake / context.n)
    out = []
    for case_id, evs in by_case.items():
        pieces = _pieces(evs, context)
        bits = prior + sum(p.bits for p in pieces)
        probability = round(1 / (1 + 2 ** (-bits)), 3)
        if probability >= threshold and any(p.bits > 0 for p in pieces):
            ranked = sorted(pieces, key=lambda p: -p.bits)
            rests_on = tuple(sorted({f"{p.factor}:{p.what[1]}" for p in pieces if p.bits > 0}))
            rest = [p.bits for p in pieces if p.factor != SHARED_PARTY]  # alone, below it?
            alone = len(rest) < len(pieces) and 1 / (1 + 2 ** -(prior + sum(rest))) < threshold
            reasons = tuple(p.reason for p in ranked)
            out.append(Suggestion(case_id, probability, reasons, rests_on, alone))
    return sorted(out, key=lambda s: (-s.score, s.case_id))


@dataclass
class _Context:
    m: Mapping[str, float]
    n: int
    record: Record
    born: Mapping[str, tuple[date, date]]
    officers: set[str]
    own: _Own
    sharing: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))


TRAINING_WEIGHT = 20
"""How many reviewed links' worth of weight the defaults carry when the record's own
reviews are few: a handful of accepted links moves the weights a little, hundreds a lot."""


def train(
    accepted: Iterable[Iterable[str]], intakes: int, m: Mapping[str, float] = DEFAULT_M
) -> tuple[dict[str, float], float]:
    """m for each factor (the share of accepted links that rested on it) and the prior
    (accepted links per intake), each drawn towards its default by TRAINING_WEIGHT.
    `accepted`: the evidence ('factor:key') each accepted suggestion rested on."""
    seen: dict[str, int] = defaultdict(int)
    total = 0
    for evidence in accepted:
        total += 1
        for factor in {e.split(":", 1)[0] for e in evidence}:
            seen[factor] += 1
    w = TRAINING_WEIGHT
    learned = {
        factor: round(min(0.99, max(0.001, (seen[factor] + w * m0) / (total + w))), 4)
        for factor, m0 in sorted({**DEFAULT_M, **m}.items())
    }
    prior = round((total + w * RELATED_PER_INTAKE) / (intakes + w), 4)
    return learned, max(prior, 0.001)


def queue_threshold(scores: Iterable[float], intakes: int, per_100: float) -> float:
    """The least score that would have kept these suggestions within `per_100` for every
    100 intakes (0 if they already were): the highest scores are kept."""
    ranked = sorted(scores, reverse=True)
    allowed = int(per_100 * intakes / 100)
    if len(ranked) <= allowed:
        return 0.0
    return min(1.0, round(ranked[allowed] + 0.001, 3))


def _what(ev: Evidence) -> tuple[str, str]:
    if ev.via == "party":
        return ("name", f"{ev.key}|{ev.via_id}")
    return (ev.kind, ev.key)


def _weight(m: float, shared: int, n: int) -> float:
    """log2(m/u), with u the share of open cases that have the same thing."""
    u = min(1.0, max(shared, 1) / n)
    return math.log2(max(m, 1e-6) / u)


def _person_pieces(evs: list[Evidence], c: _Context) -> list[Piece]:
    """For each name the item writes, the party of this case it agrees with best."""
    pieces: list[Piece] = []
    best: dict[str, Evidence] = {}
    for ev in evs:  # a person once, at their closest name ('Reed' and 'Thell Reed')
        held = best.get(ev.via_id)
        if held is None or ev.level > held.level:
            best[ev.via_id] = ev
    for ev in best.values():
        key = ev.key
        professional = ev.role in PROFESSIONAL
        if key in c.officers and not professional:
            continue  # the item names an officer of that name; this party is no officer
        explained = c.own.people.get(key)
        if explained is not None and (professional or ev.via_id not in explained):
            continue  # a party of the item's own case: another person, or its officer
        if explained is not None:
            bits = SAME_PERSON_BITS - math.log2(c.record.related_per_intake / c.n)
            reason = f"it names {ev.text}, who is a party both of this case ({ev.detail}) " + (
                "and of the case the item is filed under"
            )
            pieces.append(Piece(SHARED_PARTY, _what(ev), bits, reason))
            continue
        factor = f"name.{ev.level}"
        if professional:
            bits = _weight(c.m["officer"], c.sharing[_what(ev)], c.n)
        else:
            u = c.record.name_chance(ev.via_id, Agreement(ev.level))
            bits = math.log2(max(c.m[factor], 1e-6) / u)
        pieces.append(Piece(factor, _what(ev), bits, _said_person(ev, professional)))
        if ev.middle and not professional:
            pieces.append(_middle_piece(ev))
        dob = _dob_piece(ev, c.born.get(key))
        if dob is not None:
            pieces.append(dob)
    return pieces


def _pieces(evs: list[Evidence], c: _Context) -> list[Piece]:
    parties = [ev for ev in evs if ev.via == "party"]
    pieces = _person_pieces(parties, c)
    named = {ev.key for ev in parties}
    # Things: each shared thing once, whether through the case's items or its file; a
    # serial or plate one character away once for each way the item writes it.
    things: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    for ev in evs:
        if ev.via == "party" or (ev.kind == "person" and ev.key in named):
            continue  # a party's name in the case's file: the party counts, once
        if (ev.kind, ev.key) in c.own.things and ev.kind not in IDENTIFIERS:
            continue  # the item's own case accounts for it (its town, its street)
        key = ev.text if ev.kind.endswith("~") else ev.key
        things[(ev.kind, key)].append(ev)
    kinds = {kind for kind, _ in things}
    weak: dict[str, Piece] = {}
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
        mk = c.m.get(factor, 0.05)
        shared = max(c.sharing[(kind, ev.key)] for ev in group)
        if kind == "organization":
            bits = math.log2(max(mk, 1e-6) / c.record.organization_chance(shared))
        elif kind in CHANCE:
            bits = math.log2(max(mk, 1e-6) / min(1.0, max(shared, 1) * CHANCE[kind]))
        else:
            bits = _weight(mk, shared, c.n)
        piece = Piece(factor, (kind, key), bits, _said_thing(group, factor))
        if kind in ONE_OF_A_KIND:
            if kind not in weak or bits > weak[kind].bits:
                weak[kind] = piece
        else:
            pieces.append(piece)
    return pieces + list(weak.values())


MIDDLE_CHANCE = {2: 0.01, 1: 0.08}
"""How often two people of the same name share a middle name, or its initial."""
COMMON_MIDDLE = frozenset(
    {"thi", "van", "marie", "maria", "ann", "anne", "lee", "lynn", "jose", "mae", "ray"}
)
COMMON_MIDDLE_CHANCE = 0.3
"""Middle names so common (Thi, Van, Marie) that sharing one says little."""


def _middle_piece(ev: Evidence) -> Piece:
    who = ev.name or ev.detail.split(",")[0]
    if ev.middle < 0:
        said = f"but the middle name differs from {who}'s: it may be someone else"
        return Piece("middle_other", ("middle", ev.via_id), math.log2(0.05 / 0.95), said)
    chance = MIDDLE_CHANCE[ev.middle]
    if ev.middle == 2 and set(parse(ev.text).middle) & COMMON_MIDDLE:
        chance = COMMON_MIDDLE_CHANCE
    bits = math.log2(0.9 / chance)
    said = "middle name" if ev.middle == 2 else "middle initial"
    return Piece("middle", ("middle", ev.via_id), bits, f"the {said} agrees with {who}'s")


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
    gap = min(abs((dob - lo).days), abs((dob - hi).days))
    slip = gap <= DOB_SLIP_DAYS or _one_field_apart(dob, lo)
    bits = math.log2((DOB_SLIP_M if slip else DOB_DISAGREE_M) / (1 - 1 / DOB_SPAN))
    who = ev.detail.split(",")[0]
    text = f"but the date of birth (or age) given does not agree with {who}'s ({ev.dob})"
    return Piece("dob_other", ("dob", ev.via_id), bits, f"{text}: it may be someone else")


def _one_field_apart(a: date, b: date) -> bool:
    return sum(x != y for x, y in ((a.year, b.year), (a.month, b.month), (a.day, b.day))) <= 1


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
