"""How many items a random inventory sample must check, and which ones.

Property-room audit practice samples high-risk items (guns, drugs, money) at
95% confidence with a 3% margin of error. The draw is seeded and the seed
recorded, so anyone can redraw the same sample from the same population.
"""

from __future__ import annotations

import hashlib
import math
import random
from statistics import NormalDist


def sample_size(population: int, confidence: float = 0.95, margin: float = 0.03) -> int:
    """Cochran's formula with the finite-population correction, worst case p = 0.5."""
    if population <= 0:
        return 0
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    n0 = z * z * 0.25 / (margin * margin)
    return min(population, math.ceil(n0 / (1 + (n0 - 1) / population)))


def draw(population: list[str], seed: str, size: int) -> list[str]:
    """The sample, sorted; the same population and seed always give the same sample."""
    rng = random.Random(seed)
    return sorted(rng.sample(sorted(population), size))


def expected_items(pool: list[str], scope: str, seed: str | None) -> list[str]:
    """What an inventory expects: the whole pool, or the seeded sample of it."""
    if scope == "sample":
        if seed is None:
            raise ValueError("a sampled inventory needs its seed")
        return draw(pool, seed, sample_size(len(pool)))
    return sorted(pool)


def list_digest(ids: list[str]) -> str:
    """SHA-256 of the ids, one per line: how an entry pins down a long list."""
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()
