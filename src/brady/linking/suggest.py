"""Which open cases an item may bear on: candidates from the index, weighed by the model.

The one place the linking service, the dry run of the CLI and the evaluation ask, so
all three always agree.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from sqlalchemy.engine import Connection

from . import candidates, match
from .name_counts import name_counts


def scored(
    conn: Connection,
    item_id: str,
    weights: Mapping[str, float] | None = None,
    threshold: float = match.DEFAULT_THRESHOLD,
    exclude: Collection[str] = (),
    reading: candidates.ItemReading | None = None,
    cases: Collection[str] = (),
    evidence: list[candidates.Evidence] | None = None,
) -> list[match.Suggestion]:
    """Every open case the item may bear on (but those it is filed under and `exclude`),
    best first, weighed with the trained model (`brady links train`) and `[linking]
    weights` over it, whatever reviewers decided before (`reading`: if read already;
    `cases`: cases it is filed under that the record does not hold yet; `evidence`: if
    gathered already)."""
    reading = reading or candidates.read_item(conn, item_id)
    mentions = reading.mentions
    if evidence is None:
        evidence = candidates.evidence_for_item(conn, item_id, mentions)
    named: dict[str, set[str]] = {}
    recorded: dict[str, str] = {}
    for ev in evidence:
        if ev.via == "party" and ev.name:
            named.setdefault(ev.via_id, set()).update((ev.name, ev.text))
            recorded[ev.via_id] = ev.name
    trained, counts, filed = candidates.model_and_record(
        conn, item_id, ("open_cases", "people", "organizations"), reading.indexed
    )
    filed |= set(cases)
    record = match.Record(
        counts["open_cases"],
        counts["people"],
        name_counts(conn, named, recorded),
        counts["organizations"],
        trained.prior if trained.prior is not None else match.RELATED_PER_INTAKE,
    )
    return match.score(
        evidence,
        filed | set(exclude),
        record,
        mentions,
        {**match.DEFAULT_M, **trained.m, **(weights or {})},
        max(threshold, trained.threshold),
        own=filed,
    )


def suggest(
    conn: Connection,
    item_id: str,
    weights: Mapping[str, float] | None = None,
    threshold: float = match.DEFAULT_THRESHOLD,
) -> list[match.Suggestion]:
    """The cases the item may bear on, best first, with their reasons: not those it is
    filed under or has an open suggestion for, nor one a reviewer rejected unless the
    evidence now holds something that suggestion did not rest on."""
    reading = candidates.read_item(conn, item_id)
    before = reading.before
    pending = {case for case, (state, _) in before.items() if state != "rejected"}
    out = []
    for s in scored(conn, item_id, weights, threshold, pending, reading):
        if s.case_id not in before:
            out.append(s)
            continue
        new = [e for e in s.evidence if e not in before[s.case_id][1]]
        if new:  # rejected before; raised again for what is new, said first
            again = "raised again: a reviewer rejected it before, and there is new evidence"
            out.append(replace(s, reasons=(again, *s.reasons)))
    return out


def suggest_new(
    conn: Connection,
    item_id: str,
    mentions: list[tuple[str, str, str]],
    cases: Collection[str],
    weights: Mapping[str, float] | None = None,
    threshold: float = match.DEFAULT_THRESHOLD,
    evidence: list[candidates.Evidence] | None = None,
) -> list[match.Suggestion]:
    """What `suggest` will give for an item not yet taken in, with these `mentions` (as
    stored) and filed under `cases`, on the record as `conn` reads it now (`evidence`:
    if gathered already)."""
    reading = candidates.new_item_reading(mentions)
    return scored(conn, item_id, weights, threshold, (), reading, cases, evidence)
