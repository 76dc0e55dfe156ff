"""Scoring: widely shared hints count for less; identifiers always count in full."""

from __future__ import annotations

from brady.linking.match import RARE, score
from brady.store.link_queries import Evidence


def shared(kind: str, key: str, cases: int) -> list[Evidence]:
    return [Evidence(f"c-{n}", kind, key, key, "case", f"c-{n}", "") for n in range(cases)]


def test_a_place_in_a_few_case_files_is_a_hint() -> None:
    found = score(shared("place", "cerrillos road", RARE), set())
    assert len(found) == RARE and all(s.score == 0.3 for s in found)
    assert "counts for less" not in found[0].reasons[0]


def test_a_place_in_many_case_files_alone_suggests_nothing() -> None:
    assert score(shared("place", "cerrillos road", 4 * RARE), set()) == []
    # ...but still adds up with something else the case shares.
    evidence = shared("place", "cerrillos road", 4 * RARE)
    evidence.append(Evidence("c-7", "person", "seth kenney", "Seth Kenney", "party", "p", "x"))
    (only,) = score(evidence, set())
    assert only.case_id == "c-7" and only.score == round(1 - 0.4 * (1 - 0.3 / 4), 3)
    assert "so do 99 other open cases, so it counts for less" in only.reasons[1]


def test_identifiers_count_in_full_however_often_they_appear() -> None:
    found = score(shared("serial", "KT4471", 4 * RARE), set())
    assert len(found) == 4 * RARE and all(s.score == 0.9 for s in found)
