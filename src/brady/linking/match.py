"""Scoring and explaining link suggestions: deterministic, readable, recall first.

Each kind of shared mention has a weight; a case's score combines its distinct
pieces of evidence as independent signals (1 - product of (1 - weight)), so
several weak hints add up and one strong one (a serial number, a case number)
is enough. The default threshold is low on purpose: a missed link ends cases;
an extra suggestion costs a reviewer a minute.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..store.link_queries import Evidence

DEFAULT_WEIGHTS: Mapping[str, float] = {
    "case_number": 1.0,
    "serial": 0.9,
    "case_ref": 0.5,
    "person": 0.6,
    "phone": 0.6,
    "plate": 0.6,
    "person_like": 0.45,
    "organization": 0.4,
    "place": 0.3,
    "name_word": 0.2,
    "caliber": 0.2,
    "make": 0.1,
}
DEFAULT_THRESHOLD = 0.3
RARE = 25
"""A mention shared with more open cases than this counts for less, in proportion:
'Cerrillos Road' in 250 open case files is a tenth of the hint it is in 25. Numbers
that identify one thing (case numbers, serials, phones, plates) always count in full."""
IDENTIFIERS = frozenset({"case_number", "case_ref", "serial", "phone", "plate"})

_KIND_WORDS = {
    "caliber": "caliber",
    "make": "make",
    "serial": "serial number",
    "phone": "phone number",
    "plate": "plate",
    "organization": "organization",
    "place": "place",
    "case_number": "case number",
    "case_ref": "short case number",
}


@dataclass(frozen=True)
class Suggestion:
    case_id: str
    score: float
    reasons: tuple[str, ...]


def score(
    evidence: Iterable[Evidence],
    exclude: set[str],
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Suggestion]:
    by_case: dict[str, dict[tuple[str, str], list[Evidence]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for ev in evidence:
        if ev.case_id not in exclude:
            by_case[ev.case_id][(ev.kind, ev.key)].append(ev)
    sharing: dict[tuple[str, str], int] = defaultdict(int)
    for pieces in by_case.values():
        for piece in pieces:
            sharing[piece] += 1

    def weight(piece: tuple[str, str]) -> float:
        w = weights.get(piece[0], 0.0)
        if piece[0] in IDENTIFIERS or sharing[piece] <= RARE:
            return w
        return w * RARE / sharing[piece]

    out = []
    for case_id, pieces in by_case.items():
        miss = 1.0
        for piece in pieces:
            miss *= 1.0 - weight(piece)
        total = round(1.0 - miss, 3)
        if total >= threshold:
            ranked = sorted(pieces.items(), key=lambda kv: (-weight(kv[0]), kv[0]))
            reasons = tuple(_reason(evs, sharing[piece]) for piece, evs in ranked)
            out.append(Suggestion(case_id, total, reasons))
    return sorted(out, key=lambda s: (-s.score, s.case_id))


def _reason(evs: list[Evidence], shared_by: int) -> str:
    said = _said(evs)
    if evs[0].kind not in IDENTIFIERS and shared_by > RARE:
        said += f" (so do {shared_by - 1} other open cases, so it counts for less)"
    return said


def _said(evs: list[Evidence]) -> str:
    first = evs[0]
    people = sorted({e.detail for e in evs if e.via == "party"})
    if people:
        if first.kind == "person_like":
            return f"it names {first.text}, spelled like {'; '.join(people)} in this case"
        if first.kind == "name_word":
            return f"it mentions the surname {first.text}, like {'; '.join(people)} in this case"
        return f"it names {first.text} ({'; '.join(people)} in this case)"
    what = _KIND_WORDS.get(first.kind, "name" if first.kind == "person" else first.kind)
    if first.kind == "case_number":
        return f"it names this case's number {first.text}"
    if first.kind == "case_ref" and first.via == "case":
        return f"it names {first.text}, which may be this case's number written short ({first.key})"
    items = [e for e in evs if e.via == "item"]
    if items:
        count = sum(int(e.detail or 1) for e in items)
        example = min(e.via_id for e in items)
        like = f"item {example}" if count == 1 else f"{count} items (such as {example})"
        return f"it mentions the {what} {first.text}, like {like} of this case"
    return f"it mentions the {what} {first.text}, as this case's file does"
