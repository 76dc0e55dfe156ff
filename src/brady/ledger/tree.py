"""Which stored subtree hashes a tree of a given size holds, and how appends add to them.

The store keeps the hash of every *perfect* subtree: node (level, index)
covers leaves [index * 2**level, (index + 1) * 2**level). Those never change
once written, so they can be stored insert-only, and any range RFC 6962 asks
for (a root, a proof step) is a few of them folded together: O(log n) reads.
Pure functions; the store does the reading and writing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from .hashing import fold_right, node_hash, split_perfect

NodeId = tuple[int, int]
Node = tuple[int, int, bytes]


def range_nodes(begin: int, end: int) -> list[NodeId]:
    """Stored nodes that make up [begin, end), largest first (see split_perfect)."""
    out: list[NodeId] = []
    for b, e in split_perfect(begin, end):
        level = (e - b).bit_length() - 1
        out.append((level, b >> level))
    return out


def frontier(size: int) -> list[NodeId]:
    """The perfect subtrees of a tree of `size` leaves: what an append builds on."""
    return range_nodes(0, size)


def node_count(size: int) -> int:
    """How many perfect-subtree nodes a tree of `size` leaves has: 2n - popcount(n)."""
    return 2 * size - size.bit_count()


def append_nodes(
    size: int, known: Mapping[NodeId, bytes], leaf_hashes: Iterable[bytes]
) -> list[Node]:
    """New nodes created by appending leaves to a tree of `size` leaves.

    `known` must hold the frontier of the old tree. Each new leaf completes
    one node per trailing one-bit of its index, each hashed from its left
    sibling (from `known` or made earlier in this batch) and itself.
    """
    made: dict[NodeId, bytes] = {}
    out: list[Node] = []
    index = size
    for h in leaf_hashes:
        level, idx, cur = 0, index, h
        out.append((0, idx, cur))
        made[(0, idx)] = cur
        while idx & 1:
            sib = (level, idx - 1)
            left = made[sib] if sib in made else known[sib]
            cur = node_hash(left, cur)
            level, idx = level + 1, idx >> 1
            out.append((level, idx, cur))
            made[(level, idx)] = cur
        index += 1
    return out


def hash_ranges(ranges: Iterable[tuple[int, int]], node: Callable[[NodeId], bytes]) -> list[bytes]:
    """Hash each leaf range from stored perfect subtrees."""
    return [fold_right([node(n) for n in range_nodes(b, e)]) for b, e in ranges]
