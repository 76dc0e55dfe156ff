"""Automatic item numbers: the first gap, found without counting the items, and never
shared between two processes writing to one ledger."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from brady.custody.service import Custody
from brady.ledger_home import open_home
from brady.store.numbering import first_gap


@settings(deadline=None)  # timing is not what is tested; CI machines are busy
@given(st.integers(0, 5000), st.sets(st.integers(1, 6000), max_size=20))
def test_first_gap_is_never_taken_and_follows_a_full_run(run: int, extra: set[int]) -> None:
    taken = set(range(1, run + 1)) | extra
    calls: list[int] = []

    def is_taken(n: int) -> bool:
        calls.append(n)
        return n in taken

    n = first_gap(is_taken)
    assert n >= 1
    assert n not in taken
    if not extra - set(range(1, run + 1)):
        assert n == run + 1
    assert len(calls) <= 2 * (max(taken, default=1)).bit_length() + 2


def _intake(custody: Custody, by: str = "clerk") -> str:
    with custody.session() as s:
        entry = s.intake(by, category="other", description="Box", location_id="PR")
    return str(entry.payload["item_id"])


def test_two_writers_on_one_ledger_never_share_a_number(custody: Custody) -> None:
    led = custody.led
    other = Custody(open_home(led.config.path, writable=True))  # a second process's view
    try:
        got = [_intake(custody), _intake(custody), _intake(other), _intake(custody)]
        with custody.session() as s:  # an explicit number in the automatic range
            s.intake(
                "clerk", item_id="ITM-000005", category="other", description="x", location_id="PR"
            )
        got += [_intake(other), _intake(custody)]
    finally:
        other.led.close()
    assert got == [
        "ITM-000001",
        "ITM-000002",
        "ITM-000003",
        "ITM-000004",
        "ITM-000006",
        "ITM-000007",
    ]


def test_a_rolled_back_intake_leaves_no_hole(custody: Custody) -> None:
    assert _intake(custody) == "ITM-000001"
    try:
        with custody.session() as s:
            s.intake("clerk", category="other", description="Box", location_id="PR")
            raise RuntimeError("the clerk's browser went away")
    except RuntimeError:
        pass
    assert _intake(custody) == "ITM-000002"
