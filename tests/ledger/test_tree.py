"""Stored-subtree arithmetic against the plain definitions, for arbitrary sizes and batches."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from brady.ledger.hashing import leaf_hash, root_of
from brady.ledger.proof import verify_consistency, verify_inclusion
from brady.ledger.ranges import consistency_ranges, inclusion_ranges
from brady.ledger.tree import append_nodes, frontier, hash_ranges, node_count


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=8), st.data())
def test_batches_build_the_same_tree_and_valid_proofs(
    batches: list[int], data: st.DataObject
) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(sum(batches))]
    nodes: dict[tuple[int, int], bytes] = {}
    size = 0
    sizes = []
    for b in batches:
        known = {n: nodes[n] for n in frontier(size)}
        nodes.update(
            {(lv, i): h for lv, i, h in append_nodes(size, known, leaves[size : size + b])}
        )
        size += b
        sizes.append(size)
        assert len(nodes) == node_count(size)
        assert hash_ranges([(0, size)], nodes.__getitem__)[0] == root_of(leaves[:size])
    n = data.draw(st.sampled_from(sizes))
    i = data.draw(st.integers(min_value=0, max_value=n - 1))
    root = root_of(leaves[:n])
    verify_inclusion(i, n, leaves[i], hash_ranges(inclusion_ranges(i, n), nodes.__getitem__), root)
    m = data.draw(st.integers(min_value=1, max_value=n))
    proof = hash_ranges(consistency_ranges(m, n), nodes.__getitem__)
    verify_consistency(m, n, proof, root_of(leaves[:m]), root)
