"""Learning the model's weights from the agency's own reviews (`brady links train`), and
the least score that keeps the review queue within a target load."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from .match import DEFAULT_M, RELATED_PER_INTAKE

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
