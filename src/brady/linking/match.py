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
from .reasons import said_person, said_thing

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
NICKNAME_SPREAD = 0.5
"""A nickname ('Josie Padilla' for Josefina) is as rare by chance as the full name: a few
given names share it, and it is written a quarter as often as the name itself (its m).
An initial ('J. Padilla') stands for every J-name and keeps the VARIANT spread."""
CONTEXT = frozenset({"town", "street", "make", "caliber", "officer"})
"""Agreements that describe where and by whom, not what or who: every report names its
town and officers, and an agency's guns are of a few makes. They corroborate other
evidence; all of them together never reach a suggestion alone."""
CONTEXT_SHORT = 3.0
"""How many bits short of even odds context alone always stays (about 11 %)."""
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
    "address@": 5e-6,
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
    people with the same surname, others with the full name as recorded, people whose
    whole name is the name as written when it reads otherwise: a name written exactly as
    someone else's is likelier theirs)."""

    open_cases: int
    people: int = 0
    names: Mapping[str, tuple[int, int, int, int]] = field(default_factory=dict)
    organizations: int = 0
    related_per_intake: float = RELATED_PER_INTAKE  # the prior (brady links train)

    def organization_chance(self, shared: int) -> float:
        """How likely an unrelated intake is to name one of the businesses `shared` open
        cases name: an intake names a business now and then, one of the record's many."""
        known = self.organizations + ORGANIZATION_PRIOR
        return min(1.0, ORGANIZATION_RATE * max(shared, 1) / known)

    def name_chance(
        self, person_id: str, level: Agreement, initial: bool = False, suggested: int = 0
    ) -> float:
        """How likely an unrelated intake is to write a name that agrees at `level` with
        this person's: from how common the given name and the surname are here.
        `initial`: the given name is written as an initial only. `suggested`: how many
        people named exactly as written are parties of open cases, suggested beside this
        one: a slip ('Kelly Jonson') is still looked for then, the reviewer sees both; but
        'Ming Gao' of a closed case alone explains 'Ming Gao' better than a Min Gao."""
        given, surname, full, written = self.names.get(person_id, (0, 0, 0, 0))
        g_prior, s_prior, weight = NAME_PRIOR
        total = self.people + weight
        f_given = (given + weight * g_prior) / total
        f_surname = (surname + weight * s_prior) / total
        if level == Agreement.SURNAME:
            chance = f_surname
        else:
            if level != Agreement.EXACT:
                written = max(written - suggested, 0)
            namesakes = max(full, written) / total
            spread = NAME_SPREAD.get(level, 8.0)
            if level == Agreement.VARIANT and not initial:
                spread = NICKNAME_SPREAD
            chance = max(f_given * f_surname, namesakes) * spread
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
        if ev.via == "party" and ev.level == Agreement.EXACT:
            context.exact[ev.key].add(ev.via_id)
        if ev.case_id not in exclude and ev.case_id not in own:
            by_case[ev.case_id].append(ev)
    # How many open cases share each thing: the chance agreement the weights discount.
    for evs in by_case.values():
        for what in {_what(ev) for ev in evs}:
            context.sharing[what] += 1
    prior = math.log2(record.related_per_intake / context.n)
    cap = -prior - CONTEXT_SHORT
    out: dict[str, Suggestion] = {}
    pieces = {case_id: _pieces(evs, context) for case_id, evs in by_case.items()}
    for case_id, found in pieces.items():
        probability = round(_probability(prior + _sum(found, cap)), 3)
        if probability >= threshold and any(p.bits > 0 for p in found):
            rest = [p for p in found if p.factor != SHARED_PARTY]  # alone, below it?
            alone = len(rest) < len(found) and _probability(prior + _sum(rest, cap)) < threshold
            out[case_id] = _suggestion(case_id, probability, found, alone)
    _same_person_elsewhere(out, pieces)
    return sorted(out.values(), key=lambda s: (-s.score, s.case_id))


def _suggestion(
    case_id: str, probability: float, pieces: list[Piece], alone: bool, first: str = ""
) -> Suggestion:
    ranked = sorted(pieces, key=lambda p: -p.bits)
    rests_on = tuple(sorted({f"{p.factor}:{p.what[1]}" for p in pieces if p.bits > 0}))
    reasons = ((first,) if first else ()) + tuple(p.reason for p in ranked)
    return Suggestion(case_id, probability, reasons, rests_on, alone)


def _same_person_elsewhere(out: dict[str, Suggestion], pieces: Mapping[str, list[Piece]]) -> None:
    """A person the item names is the same record in every case they are a party to:
    once what the item says settles who it names in one case (a town, an officer, a date
    of birth beside the name), it names them in the others too, however little those
    cases' files say besides. Each such case is suggested at the best score, saying why."""
    settled: dict[tuple[str, str], Suggestion] = {}
    for case_id, suggestion in out.items():
        for p in pieces[case_id]:
            if p.factor.startswith("name.") and p.bits > 0:
                held = settled.get(p.what)
                if held is None or suggestion.score > held.score:
                    settled[p.what] = suggestion
    for case_id, found in pieces.items():
        if case_id in out:
            continue
        named = [
            settled[p.what] for p in found if p.what in settled and p.factor.startswith("name.")
        ]
        if named:
            best = max(named, key=lambda s: s.score)
            first = (
                f"it names the same person as in {best.case_id}, suggested there at {best.score}"
            )
            out[case_id] = _suggestion(case_id, best.score, found, False, first)


@dataclass
class _Context:
    m: Mapping[str, float]
    n: int
    record: Record
    born: Mapping[str, tuple[date, date]]
    officers: set[str]
    own: _Own
    sharing: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    exact: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def _probability(bits: float) -> float:
    return 1 / (1 + 2 ** (-bits))


def _sum(pieces: list[Piece], context_cap: float) -> float:
    """The pieces' bits, context's together no more than `context_cap`."""
    context = sum(p.bits for p in pieces if p.factor in CONTEXT and p.bits > 0)
    rest = sum(p.bits for p in pieces if not (p.factor in CONTEXT and p.bits > 0))
    return rest + min(context, max(context_cap, 0.0))


def _what(ev: Evidence) -> tuple[str, str]:
    """What an agreement shares, for counting how many open cases share it. An officer
    written without a full name ('Officer Garcia', 'G. Peres') could be any of the
    agency's officers so written: the cases of all of them share it."""
    if ev.via == "party" and ev.role in PROFESSIONAL and ev.level < Agreement.EXACT:
        return ("officer", ev.key)
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
        factor = "officer" if professional else f"name.{ev.level}"
        if professional:
            bits = _weight(c.m["officer"], c.sharing[_what(ev)], c.n)
        else:
            initial = len(parse(ev.text).first) == 1
            suggested = len(c.exact[key] - {ev.via_id})
            u = c.record.name_chance(ev.via_id, Agreement(ev.level), initial, suggested)
            bits = math.log2(max(c.m[factor], 1e-6) / u)
        pieces.append(Piece(factor, _what(ev), bits, said_person(ev, professional)))
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
        if ev.kind == "person" and ev.key in c.officers:
            continue  # the item names an officer so called: another file naming them too
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
        if kind == "town" and any(k == "address@" and a.endswith(f"|{key}") for k, a in things):
            continue  # the address in that town says it already
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
        piece = Piece(factor, (kind, key), bits, said_thing(group, factor))
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
