"""RFC 8785 (JCS) canonical JSON, with a fast path.

The `rfc8785` package is the reference. For the values Brady's entries hold
(strings, safe integers, booleans, null, lists, objects with BMP keys) the
standard library's json module produces the very same bytes about four times
faster, which the append and verify rates need. The fast path is taken only
when a value is provably in that domain; everything else goes to `rfc8785`.
A property test checks both give identical bytes.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import rfc8785

_MAX_SAFE_INT = 2**53 - 1


class NotCanonicalError(ValueError):
    """Bytes are not the canonical JSON of the value they decode to."""


def _fast_domain(value: Any) -> bool:
    t = type(value)
    if t is str or t is bool or value is None:
        return True
    if t is int:
        return bool(-_MAX_SAFE_INT <= value <= _MAX_SAFE_INT)
    if t is dict:
        return all(type(k) is str and _bmp(k) and _fast_domain(v) for k, v in value.items())
    if t is list:
        return all(_fast_domain(v) for v in value)
    return False


def _bmp(key: str) -> bool:
    return key.isascii() or max(key) < "\U00010000"


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def _fast(value: Any) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


def canonical(value: Any) -> bytes:
    """RFC 8785 bytes of a JSON value.

    Raises ValueError for what JSON cannot hold exactly (NaN, integers beyond
    2**53, lone surrogates, non-string keys).
    """
    try:
        if _fast_domain(value):
            return _fast(value)
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError, TypeError) as exc:
        raise ValueError(f"value cannot be written as canonical JSON: {exc}") from exc


class _Flags(threading.local):
    slow = False


_flags = _Flags()


def _mark_float(text: str) -> float:
    _flags.slow = True
    return float(text)


def _exact_number(text: str) -> int | float:
    n = int(text)
    if -_MAX_SAFE_INT <= n <= _MAX_SAFE_INT:
        return n
    # JSON numbers are IEEE doubles in JCS; a large integral double prints without
    # a fraction, so read it back as the double it is (an inexact one won't round-trip).
    _flags.slow = True
    return float(n)


# Floats and integers beyond 2**53 send a value to the reference encoder.
_DECODER = json.JSONDecoder(parse_float=_mark_float, parse_int=_exact_number)


def _non_bmp(raw: bytes) -> bool:
    """A 4-byte UTF-8 sequence: a character outside the Basic Multilingual Plane,
    where JCS's UTF-16 key order and Python's code-point order may differ."""
    return not raw.isascii() and max(raw) >= 0xF0


def decode_canonical(raw: bytes) -> Any:
    """Parse JSON and insist the bytes are exactly its canonical form.

    Duplicate keys, extra spaces, escapes JCS would not write, unsorted keys or
    non-canonical numbers all make the re-encoding differ, and are refused.
    """
    _flags.slow = False
    try:
        text = raw.decode("utf-8")
        value = _DECODER.decode(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotCanonicalError(f"not valid JSON: {exc}") from exc
    if _flags.slow or _non_bmp(raw):
        try:
            again = rfc8785.dumps(value)
        except rfc8785.CanonicalizationError as exc:
            raise NotCanonicalError(f"not representable as canonical JSON: {exc}") from exc
    else:
        try:
            again = _fast(value)
        except (UnicodeEncodeError, ValueError) as exc:
            raise NotCanonicalError(f"not representable as canonical JSON: {exc}") from exc
    if again != raw:
        raise NotCanonicalError("bytes are not in RFC 8785 canonical form")
    return value
