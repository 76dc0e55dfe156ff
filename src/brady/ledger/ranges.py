"""Which subtrees a proof is made of (RFC 9162 §2.1.3.1 and §2.1.4.1).

Pure index arithmetic: the functions name leaf ranges; the caller turns each
range into a hash from stored perfect subtrees, so a proof costs O(log n) reads.
"""

from __future__ import annotations

Range = tuple[int, int]


def _split_point(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """Leaf ranges whose hashes form the audit path, leaf sibling first.

    Requires 0 <= index < size.
    """
    if not 0 <= index < size:
        raise ValueError(f"index {index} is outside a tree of size {size}")
    path: list[Range] = []
    begin, end = 0, size
    while end - begin > 1:
        k = _split_point(end - begin)
        if index < begin + k:
            path.append((begin + k, end))
            end = begin + k
        else:
            path.append((begin, begin + k))
            begin = begin + k
    path.reverse()
    return path


def consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """Leaf ranges whose hashes form the consistency proof old_size -> new_size.

    Requires 0 < old_size <= new_size. Equal sizes give an empty proof.
    """
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size == new_size:
        return []
    out: list[Range] = []
    _subproof(old_size, 0, new_size, True, out)
    return out


def _subproof(m: int, begin: int, end: int, complete: bool, out: list[Range]) -> None:
    # RFC 9162 SUBPROOF(m, D[begin:end], b), iterated on the recursive branch.
    while True:
        n = end - begin
        if m == n:
            if not complete:
                out.append((begin, end))
            break
        k = _split_point(n)
        if m <= k:
            out.append((begin + k, end))
            end = begin + k
        else:
            out.append((begin, begin + k))
            m -= k
            begin += k
            complete = False
    # Appended outermost first; the RFC lists the innermost first.
    out.reverse()
