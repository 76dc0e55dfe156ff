"""Phone numbers in text (linking/identifiers.py): a text is given to the phone matcher
only if a run of digits in it is long enough to be a number Brady keeps; what is found
must be exactly what the matcher finds on every text, written any way (the matcher
alone, `matched_phones`, is the reference)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brady.linking.identifiers import matched_phones, phones

from .bench_module import bench_module

WRITTEN = [
    "call (505) 555-1212 after 5",
    "cell 505.555.1212 x12",
    "1-800-555-0199",
    "+1 505 555 1212",
    "+354 555 1234 (Reykjavik)",
    "+44 20 7946 0958",
    "505\u2013555\u20131212",  # en dashes
    "505\u00a0555\u00a01212",  # no-break spaces
    "\uff15\uff10\uff15\uff15\uff15\uff15\uff11\uff12\uff11\uff12",  # full-width digits
    "５０５ー５５５ー１２１２",  # katakana dash
    "5 0 5 5 5 5 1 2 1 2",
    "[505] 555 1212",
    "505 / 555 / 1212",
    "ph 505~555~1212",
    "case 2021-10-0001 on 03/14/2023",
    "D-101-CR-2023-00040",
    "+354 555 123",  # nine digits: the fewest a kept number could show
    "505 555 121",
    "+1 505 555 121",
    "on 01/13/2026 at 14:30",
]


@pytest.mark.parametrize("text", WRITTEN)
def test_written_any_way_the_same_as_thematched_phones(text: str) -> None:
    assert phones(text) == matched_phones(text)


def test_the_shapes_above_are_found() -> None:
    """Not a vacuous check: most of the shapes above do hold a number."""
    assert sum(bool(matched_phones(t)) for t in WRITTEN) >= 12


MARKS = "-x\u2010\u2013\u2212\u30fc\uff0d/ \u00a0\u00ad\u200b()[].~+\uff08"


@settings(max_examples=600, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="0123456789", min_size=1, max_size=5),
            st.text(alphabet=MARKS, min_size=1, max_size=5),
            st.sampled_from(["tel", "ext", " x", "Ph:", "#", "on", "\uff15\uff10", "١٢٣"]),
        ),
        max_size=14,
    )
)
def test_any_text_the_same_as_thematched_phones(parts: list[str]) -> None:
    text = "".join(parts)
    assert phones(text) == matched_phones(text)


def test_generated_narratives_the_same_as_thematched_phones() -> None:
    record: Any = bench_module("agency_record.py").generate(seed=5, cases=200, intakes=400)
    texts = [f"{i.get('description') or ''}\n{i.get('narrative') or ''}" for i in record.intakes]
    found = 0
    for text in texts:
        mine = phones(text)
        assert mine == matched_phones(text), text
        found += bool(mine)
    assert found, "no narrative held a phone number: the check would prove nothing"
