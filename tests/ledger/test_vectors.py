"""Every known answer and every transparency-dev proof case, failures included."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from brady.ledger.errors import ProofError
from brady.ledger.hashing import EMPTY_ROOT, leaf_hash, node_hash, root_of
from brady.ledger.proof import verify_consistency, verify_inclusion
from brady.ledger.ranges import consistency_ranges, inclusion_ranges
from brady.ledger.tree import append_nodes, frontier, hash_ranges

VECTORS = Path(__file__).resolve().parents[1] / "data" / "vectors"
KAT = json.loads((VECTORS / "rfc6962_kat.json").read_text())
CASES = sorted((VECTORS / "transparency-dev-merkle-testdata").rglob("*.json"))
LEAVES = [bytes.fromhex(x) for x in KAT["leaves_hex"]]


def test_all_196_cases_are_present() -> None:
    assert len(CASES) == 196


@pytest.mark.parametrize("case", KAT["hasher_kat"], ids=lambda c: c["desc"])
def test_hasher_known_answers(case: dict[str, Any]) -> None:
    want = bytes.fromhex(case["want"])
    if case["kind"] == "empty":
        assert root_of([]) == EMPTY_ROOT == want
    elif case["kind"] == "leaf":
        assert leaf_hash(bytes.fromhex(case["input_hex"])) == want
    else:
        assert node_hash(bytes.fromhex(case["left_hex"]), bytes.fromhex(case["right_hex"])) == want


@pytest.mark.parametrize("size", range(len(LEAVES) + 1))
def test_roots_by_size(size: int) -> None:
    want = bytes.fromhex(KAT["roots_by_tree_size"][str(size)])
    assert root_of([leaf_hash(x) for x in LEAVES[:size]]) == want


def test_stored_subtrees_give_the_same_roots_and_proofs() -> None:
    """The store's way (perfect subtrees + ranges) against the known answers."""
    hashes = [leaf_hash(x) for x in LEAVES]
    nodes: dict[tuple[int, int], bytes] = {}
    for size in range(len(hashes)):
        known = {n: nodes[n] for n in frontier(size)}
        nodes.update({(lv, i): h for lv, i, h in append_nodes(size, known, [hashes[size]])})
        n = size + 1
        assert (
            hash_ranges([(0, n)], nodes.__getitem__)[0].hex() == KAT["roots_by_tree_size"][str(n)]
        )
    for case in KAT["inclusion_happy_path"]:
        got = hash_ranges(inclusion_ranges(case["leafIdx"], case["treeSize"]), nodes.__getitem__)
        assert [h.hex() for h in got] == case["proof"]
    for case in KAT["consistency_happy_path"]:
        got = hash_ranges(consistency_ranges(case["size1"], case["size2"]), nodes.__getitem__)
        assert [h.hex() for h in got] == case["proof"]


def _b64(x: str | None) -> bytes:
    return base64.b64decode(x) if x else b""


@pytest.mark.parametrize("path", CASES, ids=lambda p: str(p.relative_to(VECTORS)))
def test_transparency_dev_case(path: Path) -> None:
    case = json.loads(path.read_text())
    proof = [_b64(h) for h in case.get("proof") or []]
    if "leafIdx" in case:

        def check() -> None:
            verify_inclusion(
                case["leafIdx"], case["treeSize"], _b64(case["leafHash"]), proof, _b64(case["root"])
            )
    else:

        def check() -> None:
            verify_consistency(
                case["size1"], case["size2"], proof, _b64(case["root1"]), _b64(case["root2"])
            )

    if case["wantErr"]:
        with pytest.raises(ProofError):
            check()
    else:
        check()
