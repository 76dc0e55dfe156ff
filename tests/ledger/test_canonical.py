"""Our fast canonical JSON is byte-for-byte RFC 8785, and non-canonical bytes are refused."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from brady.ledger._canonical import NotCanonicalError, canonical, decode_canonical

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_same_bytes_as_rfc8785(value: Any) -> None:
    try:
        want = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        with pytest.raises(ValueError):
            canonical(value)
        return
    assert canonical(value) == want
    assert canonical(decode_canonical(want)) == want


@pytest.mark.parametrize(
    "raw",
    [
        b'{"b":1,"a":2}',  # keys out of order
        b'{"a": 1}',  # whitespace
        b'{"a":1,"a":2}',  # duplicate key
        b'{"a":"\\u0041"}',  # escape JCS would not write
        b'{"a":1.0}',  # number not in shortest form
        b'{"a":NaN}',
        b"\xff",
    ],
)
def test_non_canonical_bytes_are_refused(raw: bytes) -> None:
    with pytest.raises(NotCanonicalError):
        decode_canonical(raw)


def test_non_bmp_keys_sort_by_utf16() -> None:
    value = {"\U0001f600": 1, "\ufb01": 2}
    assert canonical(value) == rfc8785.dumps(value)
    assert decode_canonical(rfc8785.dumps(value)) == value
