"""Verifying RFC 9162 inclusion and consistency proofs.

Pure functions with the strict edge-case rules of transparency-dev/merkle:
a bad index, a wrong proof length or a short hash is an error, never a
wrong answer. Every hash must be exactly 32 bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import ProofError, RootMismatchError
from .hashing import HASH_SIZE, node_hash


def _check_hash(name: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{name} is {len(value)} bytes; a SHA-256 hash is {HASH_SIZE}")


def _decompose(index: int, size: int) -> tuple[int, int]:
    """Split an audit path's length into its inner and border parts."""
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    return inner, border


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        seed = node_hash(seed, h) if (index >> i) & 1 == 0 else node_hash(h, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        if (index >> i) & 1 == 1:
            seed = node_hash(h, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for h in proof:
        seed = node_hash(h, seed)
    return seed


def root_from_inclusion_proof(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes]
) -> bytes:
    """The root implied by an audit path. Requires 0 <= index < size."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is beyond a tree of size {size}")
    _check_hash("leaf hash", leaf_hash)
    for i, h in enumerate(proof):
        _check_hash(f"proof hash {i}", h)
    inner, border = _decompose(index, size)
    if len(proof) != inner + border:
        raise ProofError(
            f"wrong proof length {len(proof)} for index {index} in size {size}; "
            f"expected {inner + border}"
        )
    res = _chain_inner(leaf_hash, proof[:inner], index)
    return _chain_border_right(res, proof[inner:])


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that leaf_hash is at index in the tree of this size and root.

    Raises ProofError (RootMismatchError when only the root differs).
    """
    _check_hash("root", root)
    calculated = root_from_inclusion_proof(index, size, leaf_hash, proof)
    if calculated != root:
        raise RootMismatchError(root, calculated)


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that the tree (size2, root2) extends the tree (size1, root1).

    Rules: size1 <= size2; equal sizes need an empty proof and equal roots;
    a proof from the empty tree (size1 == 0) is refused, even to the empty tree,
    since it proves nothing; otherwise the proof must be non-empty.
    """
    if size2 < size1:
        raise ProofError(f"size2 ({size2}) < size1 ({size1})")
    if size1 == 0:
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if size1 == size2:
        # As transparency-dev/merkle: equal trees need no proof, just equal roots.
        if proof:
            raise ProofError("size1 == size2 but the proof is not empty")
        if root1 != root2:
            raise RootMismatchError(root1, root2)
        return
    _check_hash("root1", root1)
    _check_hash("root2", root2)
    for i, h in enumerate(proof):
        _check_hash(f"proof hash {i}", h)
    if not proof:
        raise ProofError("empty consistency proof for different sizes")

    inner, border = _decompose(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1
    inner -= shift
    # The proof starts with the hash of the subtree of size 2^shift that
    # ends at size1, unless size1 is that very subtree (then it is root1).
    if size1 == 1 << shift:
        seed, rest = root1, list(proof)
    else:
        seed, rest = proof[0], list(proof[1:])
    if len(rest) != inner + border:
        raise ProofError(
            f"wrong proof length {len(proof)} for sizes {size1} -> {size2}; "
            f"expected {len(proof) - len(rest) + inner + border}"
        )
    mask = (size1 - 1) >> shift
    hash1 = _chain_border_right(_chain_inner_right(seed, rest[:inner], mask), rest[inner:])
    if hash1 != root1:
        raise RootMismatchError(root1, hash1)
    hash2 = _chain_border_right(_chain_inner(seed, rest[:inner], mask), rest[inner:])
    if hash2 != root2:
        raise RootMismatchError(root2, hash2)
