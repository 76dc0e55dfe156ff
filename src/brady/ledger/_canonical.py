"""RFC 8785 (JCS) canonical JSON, with a fast path.

The `rfc8785` package is the reference. For the values Brady's entries hold
(strings, safe integers, booleans, null, lists, objects whose keys lie in the
Basic Multilingual Plane) orjson writes the very same bytes, and parses and
writes several times faster, which the append and verify rates need. The fast
path is taken only when a value is provably in that domain; everything else
goes through the standard library's parser and `rfc8785`. A property test
checks that both give identical bytes.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import rfc8785

_MAX_SAFE_INT = 2**53 - 1
_ORJSON = orjson.OPT_SORT_KEYS


class NotCanonicalError(ValueError):
    """Bytes are not the canonical JSON of the value they decode to."""


def _fast_domain(value: Any) -> bool:
    """True when orjson's bytes for value are provably its RFC 8785 bytes.

    Explicit loops with the common leaf types tested inline: this walk runs
    for every entry appended and every entry audited.
    """
    t = type(value)
    if t is dict:
        for k, v in value.items():
            if type(k) is not str or not (k.isascii() or _bmp(k)):
                return False
            if not _fast_leaf(v):
                return False
        return True
    if t is list:
        return all(_fast_leaf(v) for v in value)
    return _fast_leaf(value)


def _fast_leaf(v: Any) -> bool:
    t = type(v)
    if t is str or t is bool or v is None:
        return True
    if t is int:
        return bool(-_MAX_SAFE_INT <= v <= _MAX_SAFE_INT)
    if t is dict or t is list:
        return _fast_domain(v)
    return False


def _bmp(key: str) -> bool:
    # Outside the BMP, JCS's UTF-16 key order and code-point order may differ.
    return max(key) < "\U00010000"


def canonical(value: Any) -> bytes:
    """RFC 8785 bytes of a JSON value.

    Raises ValueError for what JSON cannot hold exactly (NaN, integers beyond
    2**53, lone surrogates, non-string keys).
    """
    try:
        if _fast_domain(value):
            return orjson.dumps(value, option=_ORJSON)
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, orjson.JSONEncodeError, TypeError) as exc:
        raise ValueError(f"value cannot be written as canonical JSON: {exc}") from exc


_MISSING = object()


def decode_canonical(raw: bytes) -> Any:
    """Parse JSON and insist the bytes are exactly its canonical form.

    Duplicate keys, extra spaces, escapes JCS would not write, unsorted keys or
    non-canonical numbers all make the re-encoding differ, and are refused.
    """
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        value = _MISSING
    if value is not _MISSING and _fast_domain(value):
        try:
            if orjson.dumps(value, option=_ORJSON) == raw:
                return value
        except orjson.JSONEncodeError:
            pass
    return _decode_reference(raw)


def _exact_number(text: str) -> int | float:
    n = int(text)
    if -_MAX_SAFE_INT <= n <= _MAX_SAFE_INT:
        return n
    # JSON numbers are IEEE doubles in JCS; a large integral double prints without
    # a fraction, so read it back as the double it is (an inexact one won't round-trip).
    return float(n)


_DECODER = json.JSONDecoder(parse_int=_exact_number)


def _decode_reference(raw: bytes) -> Any:
    """The exact path: the standard library's parser, then rfc8785 to re-encode."""
    try:
        value = _DECODER.decode(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotCanonicalError(f"not valid JSON: {exc}") from exc
    try:
        again = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise NotCanonicalError(f"not representable as canonical JSON: {exc}") from exc
    if again != raw:
        raise NotCanonicalError("bytes are not in RFC 8785 canonical form")
    return value
