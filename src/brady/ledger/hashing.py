"""RFC 6962 / RFC 9162 tree hashing.

The two prefixes keep a leaf from ever hashing like an interior node
(second-preimage resistance); everything else in the ledger builds on these.
"""

from __future__ import annotations

import hashlib

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 || entry)."""
    return hashlib.sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def fold_right(hashes: list[bytes]) -> bytes:
    """Hash of a range given its perfect subtrees, largest (leftmost) first.

    RFC 6962 splits a range at the largest power of two below its size, so a
    range is its perfect subtrees hashed together from the right.
    Requires a non-empty list.
    """
    if not hashes:
        raise ValueError("fold_right needs at least one hash")
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def root_of(leaf_hashes: list[bytes]) -> bytes:
    """Merkle Tree Hash of a whole list of leaf hashes (RFC 9162 §2.1.1).

    Linear time; for tests, small trees and independent cross-checks.
    """
    if not leaf_hashes:
        return EMPTY_ROOT
    return fold_right(
        [_perfect_root(leaf_hashes[b:e]) for b, e in split_perfect(0, len(leaf_hashes))]
    )


def _perfect_root(level: list[bytes]) -> bytes:
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def split_perfect(begin: int, end: int) -> list[tuple[int, int]]:
    """Split [begin, end) into perfect subtrees, largest first.

    Requires begin to be a multiple of a power of two >= end - begin, which
    holds for every range RFC 6962's recursion produces (and for [0, n)).
    """
    out: list[tuple[int, int]] = []
    while begin < end:
        size = 1 << ((end - begin).bit_length() - 1)
        out.append((begin, begin + size))
        begin += size
    return out
