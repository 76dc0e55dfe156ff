"""Which open cases an item may bear on: candidates from the index, weighed by the model.

The one place the linking service, the dry run of the CLI and the evaluation ask, so
all three always agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy.engine import Connection

from . import candidates, match


def open_cases(conn: Connection) -> int:
    return candidates.record_count(conn, "open_cases")


def suggest(
    conn: Connection,
    item_id: str,
    weights: Mapping[str, float] | None = None,
    threshold: float = match.DEFAULT_THRESHOLD,
) -> list[match.Suggestion]:
    """The cases the item may bear on, best first, with their reasons, weighed with the
    trained model (`brady links train`) and `[linking] weights` over it: not those it is
    filed under or has an open suggestion for, nor one a reviewer rejected unless the
    evidence now holds something that suggestion did not rest on."""
    evidence = candidates.evidence_for_item(conn, item_id)
    named: dict[str, set[str]] = {}
    for ev in evidence:
        if ev.via == "party" and ev.name:
            named.setdefault(ev.via_id, set()).update((ev.name, ev.text))
    trained = candidates.trained_model(conn)
    record = match.Record(
        open_cases(conn),
        candidates.record_count(conn, "people"),
        candidates.name_counts(conn, named),
        candidates.record_count(conn, "organizations"),
        trained.prior if trained.prior is not None else match.RELATED_PER_INTAKE,
    )
    filed = candidates.filed_under(conn, item_id)
    before = candidates.suggested_before(conn, item_id)
    pending = {case for case, (state, _) in before.items() if state != "rejected"}
    found = match.score(
        evidence,
        filed | pending,
        record,
        candidates.item_mentions(conn, item_id),
        {**match.DEFAULT_M, **trained.m, **(weights or {})},
        max(threshold, trained.threshold),
        own=filed,
    )
    out = []
    for s in found:
        if s.case_id not in before:
            out.append(s)
            continue
        new = [e for e in s.evidence if e not in before[s.case_id][1]]
        if new:  # rejected before; raised again for what is new, said first
            again = "raised again: a reviewer rejected it before, and there is new evidence"
            out.append(replace(s, reasons=(again, *s.reasons)))
    return out
