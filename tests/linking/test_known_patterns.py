"""What extraction looks for, kept per process under the hash of its changes
(linking/known_patterns.py): read again the moment anything changes it, never served
from a change that was rolled back, and rebuilt into the same hash from the ledger."""

from __future__ import annotations

import pytest

from brady.custody.service import Custody
from brady.linking import known_patterns
from brady.linking.patterns import Patterns
from brady.store.engine import reading
from brady.store.raw_sql import fetch_all

from ..custody.test_service import check


def _now(custody: Custody) -> tuple[Patterns, str | None]:
    with reading(custody.led.engine) as conn:
        pats = known_patterns.read(conn, [])[0]
        rows = fetch_all(conn, "SELECT chain FROM linking_patterns_version")
    return pats, str(rows[0][0]) if rows else None


def _organizations(pats: Patterns) -> set[str]:
    """The record's own organizations the patterns look for (by their key)."""
    return set(pats.organizations)


def test_an_organization_recorded_is_looked_for_from_the_next_read(custody: Custody) -> None:
    before, chain = _now(custody)
    assert _now(custody)[0] is before  # kept: read once per change
    assert not _organizations(before)
    with custody.session() as s:
        s.add_organization("pros", "org-1", "Sandia Pawn and Loan")
    after, moved = _now(custody)
    assert moved != chain and after is not before
    assert _organizations(after)
    check(custody)  # the rebuilt projection has the same hash


def test_a_change_rolled_back_is_never_served(custody: Custody) -> None:
    _, chain = _now(custody)
    with pytest.raises(RuntimeError), custody.session() as s:
        s.add_organization("pros", "org-1", "Sandia Pawn and Loan")
        assert _organizations(known_patterns.read(s.conn, [])[0])  # seen inside, kept
        raise RuntimeError("the clerk cancels")
    pats, now = _now(custody)
    assert now == chain and not _organizations(pats)
    with custody.session() as s:
        s.add_organization("pros", "org-2", "Rio Grande Pawn and Loan")
    kept = _organizations(_now(custody)[0])
    assert kept and all(k.startswith("rio grande") for k in kept), kept


def test_a_town_learned_from_addresses_moves_the_hash(custody: Custody) -> None:
    _, chain = _now(custody)
    for n in range(3):
        with custody.session() as s:
            s.intake(
                "clerk",
                category="other",
                description=f"Wallet {n}",
                narrative=f"Found at {n + 10} Main St, Corrales",
                location_id="PR-B14",
            )
    with reading(custody.led.engine) as conn:
        towns = fetch_all(conn, "SELECT key FROM linking_pattern WHERE kind = 'town'")
    assert towns, "Corrales was not learned: the test no longer exercises a learned town"
    assert _now(custody)[1] != chain
    check(custody)
