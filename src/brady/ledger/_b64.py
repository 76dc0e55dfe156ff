"""Strict base64: one spelling per value.

The standard decoder accepts non-zero padding bits, so two different texts
can decode to the same bytes; on a ledger that would let an entry's bytes
change while its signature still verifies. Every base64 field is therefore
checked to be exactly the canonical encoding of what it decodes to.
"""

from __future__ import annotations

import base64
import binascii


def b64decode_strict(text: object, what: str) -> bytes:
    """Decode standard padded base64; ValueError naming `what` unless canonical."""
    if not isinstance(text, str) or not text.isascii():
        raise ValueError(f"{what} is not base64 text")
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"{what} is not base64: {exc}") from exc
    if base64.b64encode(raw).decode() != text:
        raise ValueError(f"{what} is not in canonical base64 (padding bits or length)")
    return raw
