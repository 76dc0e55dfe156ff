"""Go's own verifiers accept what brady.ledger produces.

The checker, tests/interop/go/brady_interop.go, is built against Debian's copy
of golang.org/x/mod (sumdb/note for C2SP signed notes, sumdb/tlog for RFC 6962
proofs) by scripts/install-go-interop.sh. That script installs Go when it is
missing; if it cannot, these tests fail rather than skip, since an interop
claim that is never checked is no claim at all.

Proofs here come from a plain transcription of RFC 6962 §2.1.1-2.1.2 (PATH and
PROOF), cross-checked against brady.ledger's own range arithmetic and verifier,
so that the Go checker is the third, independent party.
"""

from __future__ import annotations

import base64
import fcntl
import random
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from brady.ledger.checkpoint import Checkpoint
from brady.ledger.cosignature import Cosignature, add_cosignatures, cosign
from brady.ledger.ed25519 import Signer
from brady.ledger.hashing import leaf_hash, node_hash, root_of
from brady.ledger.note import Verifier, sign_note
from brady.ledger.proof import verify_consistency, verify_inclusion
from brady.ledger.ranges import consistency_ranges, inclusion_ranges
from brady.ledger_home import OpenLedger

from ..store.helpers import fill

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "scripts" / "install-go-interop.sh"
BINARY = REPO / ".go" / "bin" / "brady-interop"
SIZES = (1, 2, 7, 8, 100)


# --- RFC 6962, transcribed ---------------------------------------------------


def _k(n: int) -> int:
    """Largest power of two strictly less than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def mth(hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes, recursively as the RFC defines it."""
    if len(hashes) == 1:
        return hashes[0]
    k = _k(len(hashes))
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def audit_path(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the inclusion proof for leaf m, leaf sibling first."""
    n = len(hashes)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*audit_path(m, hashes[:k]), mth(hashes[k:])]
    return [*audit_path(m - k, hashes[k:]), mth(hashes[:k])]


def consistency_proof(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true)."""
    return _subproof(m, hashes, True)


def _subproof(m: int, hashes: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [mth(hashes)]
    k = _k(n)
    if m <= k:
        return [*_subproof(m, hashes[:k], complete), mth(hashes[k:])]
    return [*_subproof(m - k, hashes[k:], False), mth(hashes[:k])]


# --- Fixtures ------------------------------------------------------------------


def _build_checker() -> Path:
    BINARY.parent.mkdir(parents=True, exist_ok=True)
    # Serialise installs (apt/dpkg and go build) across pytest-xdist workers.
    with (REPO / ".go" / "install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            done = subprocess.run(
                ["bash", str(INSTALL)],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    if done.returncode != 0 or not BINARY.is_file():
        pytest.fail(
            f"could not install Go / build the Go interop checker with {INSTALL} "
            f"(exit {done.returncode}); Go interop is unverified.\n"
            f"--- stdout ---\n{done.stdout}\n--- stderr ---\n{done.stderr}",
            pytrace=False,
        )
    return BINARY


@pytest.fixture(scope="session")
def go_checker() -> Path:
    # The script is idempotent and cheap when up to date; running it every
    # session also rebuilds the binary when the Go source has changed.
    return _build_checker()


@dataclass
class Log:
    origin: str
    signer: Signer
    leaves: list[bytes]  # leaf hashes of the largest tree

    @property
    def vkey(self) -> str:
        return Verifier(self.origin, self.signer.public_key).vkey()

    def checkpoint(self, size: int) -> Checkpoint:
        return Checkpoint(self.origin, size, root_of(self.leaves[:size]))


@pytest.fixture(scope="module")
def log() -> Log:
    rng = random.Random(6962)
    entries = [rng.randbytes(rng.randrange(0, 200)) for _ in range(max(SIZES))]
    signer = Signer.generate()
    origin = f"brady.test/interop/{signer.public_key[:4].hex()}"
    return Log(origin, signer, [leaf_hash(e) for e in entries])


class Checker:
    """Runs the Go binary; files go in a per-test temporary directory."""

    def __init__(self, binary: Path, tmp: Path) -> None:
        self.binary = binary
        self.tmp = tmp
        self.count = 0

    def file(self, text: str) -> str:
        self.count += 1
        path = self.tmp / f"f{self.count}"
        path.write_bytes(text.encode())
        return str(path)

    def proof_file(self, proof: Sequence[bytes]) -> str:
        return self.file("".join(base64.b64encode(h).decode() + "\n" for h in proof))

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.binary), *args], capture_output=True, text=True, timeout=30, check=False
        )

    def note(self, vkey: str, note: str) -> subprocess.CompletedProcess[str]:
        return self.run("verify-note", vkey, self.file(note))

    def inclusion(
        self, vkey: str, note: str, index: int, leaf: bytes, proof: Sequence[bytes]
    ) -> subprocess.CompletedProcess[str]:
        return self.run(
            "verify-inclusion",
            vkey,
            self.file(note),
            str(index),
            base64.b64encode(leaf).decode(),
            self.proof_file(proof),
        )

    def consistency(
        self, vkey: str, old: str, new: str, proof: Sequence[bytes]
    ) -> subprocess.CompletedProcess[str]:
        return self.run(
            "verify-consistency", vkey, self.file(old), self.file(new), self.proof_file(proof)
        )


@pytest.fixture
def go(go_checker: Path, tmp_path: Path) -> Checker:
    return Checker(go_checker, tmp_path)


def accepted(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, f"Go rejected it (exit {done.returncode}): {done.stderr}"


def rejected(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 1, (
        f"Go should reject it with exit 1, got {done.returncode}: {done.stdout}{done.stderr}"
    )


# --- Our reference proofs agree with brady.ledger ----------------------------------


def test_reference_proofs_agree_with_ledger(log: Log) -> None:
    for n in SIZES:
        hashes = log.leaves[:n]
        assert mth(hashes) == root_of(hashes)
        for i in range(n):
            path = audit_path(i, hashes)
            assert path == [root_of(hashes[b:e]) for b, e in inclusion_ranges(i, n)]
            verify_inclusion(i, n, hashes[i], path, root_of(hashes))
        for m in range(1, n + 1):
            proof = consistency_proof(m, hashes)
            assert proof == [root_of(hashes[b:e]) for b, e in consistency_ranges(m, n)]
            verify_consistency(m, n, proof, root_of(hashes[:m]), root_of(hashes))


# --- Accepted -------------------------------------------------------------------


def test_key_id_and_vkey_match_go(go: Checker, log: Log) -> None:
    for name, signer in [(log.origin, log.signer), ("example.com/other", Signer.generate())]:
        pub = base64.b64encode(signer.public_key).decode()
        done = go.run("vkey", name, pub)
        accepted(done)
        assert done.stdout.strip() == Verifier(name, signer.public_key).vkey()


def test_go_opens_our_notes(go: Checker, log: Log) -> None:
    texts = [cp.body() for cp in map(log.checkpoint, (0, *SIZES))]
    texts.append("Brady interop: a plain note\nwith two lines, \u00e9 and \u2014 in it\n")
    for text in texts:
        done = go.note(log.vkey, sign_note(text, log.origin, log.signer))
        accepted(done)
        assert done.stdout == text


def test_go_opens_our_note_among_other_signatures(go: Checker, log: Log) -> None:
    """A checkpoint also cosigned by a witness still opens with the log's key."""
    body = log.checkpoint(7).body()
    ours = log.checkpoint(7).sign(log.signer)
    witness = sign_note(body, "witness.example", Signer.generate())
    both = ours + witness.split("\n\n", 1)[1]
    done = go.note(log.vkey, both)
    accepted(done)
    assert done.stdout == body


def test_go_opens_a_cosigned_checkpoint_with_the_log_key_alone(go: Checker, log: Log) -> None:
    """c2sp.org/tlog-cosignature: a checkpoint carrying witnesses' cosignature/v1 lines
    opens with the log's verifier, and Go ignores the cosignatures it was not given; given
    a witness's key (a cosignature/v1 verifier written in Go from the specification), it
    checks that witness's line and still ignores the other."""
    body = log.checkpoint(8).body()
    witnesses = [(Signer.generate(), n) for n in ("clerk.example/w1", "defense.example/w1")]
    lines = [cosign(body, name, s, 1_700_000_000 + i) for i, (s, name) in enumerate(witnesses)]
    cosigned = add_cosignatures(log.checkpoint(8).sign(log.signer), lines)
    accepted(done := go.note(log.vkey, cosigned))
    assert done.stdout == body
    file = go.file(cosigned)
    alone = go.run("open-cosigned", log.vkey, file)
    accepted(alone)
    assert alone.stdout == (
        f"{body}verified {log.origin}\nunverified clerk.example/w1\nunverified defense.example/w1\n"
    )
    clerk, name = witnesses[0]
    clerk_key = base64.b64encode(clerk.public_key).decode()
    one = go.run("open-cosigned", log.vkey, file, name, clerk_key)
    accepted(one)
    assert one.stdout == (
        f"{body}verified {log.origin}\nverified clerk.example/w1\nunverified defense.example/w1\n"
    )
    # A cosignature line Go can check but that does not verify makes the note malformed,
    # for Go as for brady.ledger.cosignature.
    moved = Cosignature(name, lines[0].key_id, lines[0].timestamp + 1, lines[0].signature)
    bad = add_cosignatures(log.checkpoint(8).sign(log.signer), [moved])
    rejected(go.run("open-cosigned", log.vkey, go.file(bad), name, clerk_key))
    accepted(go.run("open-cosigned", log.vkey, go.file(bad)))


@pytest.mark.parametrize("size", SIZES)
def test_go_accepts_inclusion_proofs(go: Checker, log: Log, size: int) -> None:
    hashes = log.leaves[:size]
    note = log.checkpoint(size).sign(log.signer)
    for i in range(size):
        accepted(go.inclusion(log.vkey, note, i, hashes[i], audit_path(i, hashes)))


@pytest.mark.parametrize("size", SIZES)
def test_go_accepts_consistency_proofs(go: Checker, log: Log, size: int) -> None:
    hashes = log.leaves[:size]
    new = log.checkpoint(size).sign(log.signer)
    small = size <= 8
    old_sizes = range(1, size + 1) if small else (1, 2, 3, 7, 8, 31, 32, 33, 64, 65, 99, 100)
    for m in old_sizes:
        old = log.checkpoint(m).sign(log.signer)
        accepted(go.consistency(log.vkey, old, new, consistency_proof(m, hashes)))


# --- Rejected -------------------------------------------------------------------


def test_go_rejects_note_signed_by_another_key(go: Checker, log: Log) -> None:
    body = log.checkpoint(8).body()
    impostor = Signer.generate()
    # Same name, other key: a different key id, so Go finds no signature it knows.
    rejected(go.note(log.vkey, sign_note(body, log.origin, impostor)))
    # Other name, other key.
    rejected(go.note(log.vkey, sign_note(body, "impostor.example", impostor)))
    # Our key id and name, but the impostor's signature bytes.
    ours = sign_note(body, log.origin, log.signer)
    theirs = sign_note(body, log.origin, impostor)
    forged_blob = base64.b64encode(
        base64.b64decode(ours.split()[-1])[:4] + base64.b64decode(theirs.split()[-1])[4:]
    ).decode()
    rejected(go.note(log.vkey, ours.replace(ours.split()[-1], forged_blob)))
    # And the checkers for proofs refuse such a checkpoint as well.
    hashes = log.leaves[:8]
    rejected(
        go.inclusion(
            log.vkey, sign_note(body, log.origin, impostor), 3, hashes[3], audit_path(3, hashes)
        )
    )
    # A checkpoint whose origin is not the signing key's name is no log's checkpoint.
    alias = Verifier("alias.example", log.signer.public_key).vkey()
    aliased = sign_note(body, "alias.example", log.signer)
    accepted(go.note(alias, aliased))
    rejected(go.inclusion(alias, aliased, 3, hashes[3], audit_path(3, hashes)))


def test_go_rejects_tampered_root(go: Checker, log: Log) -> None:
    size = 100
    hashes = log.leaves[:size]
    good = log.checkpoint(size)
    note = good.sign(log.signer)
    bad_root = bytes([good.root[0] ^ 1]) + good.root[1:]
    bad = Checkpoint(log.origin, size, bad_root)

    # The root edited in a signed note: the signature no longer verifies.
    edited = note.replace(base64.b64encode(good.root).decode(), base64.b64encode(bad_root).decode())
    assert edited != note
    rejected(go.note(log.vkey, edited))
    rejected(go.inclusion(log.vkey, edited, 5, hashes[5], audit_path(5, hashes)))

    # A wrong root, properly signed: the proofs no longer lead to it.
    signed_bad = bad.sign(log.signer)
    accepted(go.note(log.vkey, signed_bad))
    rejected(go.inclusion(log.vkey, signed_bad, 5, hashes[5], audit_path(5, hashes)))
    old = log.checkpoint(7).sign(log.signer)
    rejected(go.consistency(log.vkey, old, signed_bad, consistency_proof(7, hashes)))
    bad_old = Checkpoint(log.origin, 7, bytes(32)).sign(log.signer)
    rejected(go.consistency(log.vkey, bad_old, note, consistency_proof(7, hashes)))


def _flip(h: bytes) -> bytes:
    return bytes([h[0] ^ 0x80]) + h[1:]


def test_go_rejects_wrong_inclusion_proofs(go: Checker, log: Log) -> None:
    size, i = 100, 37
    hashes = log.leaves[:size]
    note = log.checkpoint(size).sign(log.signer)
    path = audit_path(i, hashes)
    accepted(go.inclusion(log.vkey, note, i, hashes[i], path))
    for j in range(len(path)):
        rejected(
            go.inclusion(log.vkey, note, i, hashes[i], [*path[:j], _flip(path[j]), *path[j + 1 :]])
        )
    rejected(go.inclusion(log.vkey, note, i, hashes[i], path[:-1]))  # too short
    rejected(go.inclusion(log.vkey, note, i, hashes[i], [*path, path[-1]]))  # too long
    rejected(go.inclusion(log.vkey, note, i, hashes[i], path[::-1]))  # root-first order
    rejected(go.inclusion(log.vkey, note, i + 1, hashes[i], path))  # wrong index
    rejected(go.inclusion(log.vkey, note, i, hashes[i + 1], path))  # wrong leaf
    rejected(go.inclusion(log.vkey, note, size, hashes[i], path))  # index beyond the tree
    # The raw entry is not its leaf hash (the 0x00 prefix matters).
    one = log.checkpoint(1).sign(log.signer)
    rejected(go.inclusion(log.vkey, one, 0, node_hash(hashes[0], hashes[0]), []))


def test_go_rejects_wrong_consistency_proofs(go: Checker, log: Log) -> None:
    size, m = 100, 37
    hashes = log.leaves[:size]
    new = log.checkpoint(size).sign(log.signer)
    old = log.checkpoint(m).sign(log.signer)
    proof = consistency_proof(m, hashes)
    accepted(go.consistency(log.vkey, old, new, proof))
    for j in range(len(proof)):
        rejected(go.consistency(log.vkey, old, new, [*proof[:j], _flip(proof[j]), *proof[j + 1 :]]))
    rejected(go.consistency(log.vkey, old, new, proof[:-1]))
    rejected(go.consistency(log.vkey, old, new, [*proof, proof[-1]]))
    rejected(go.consistency(log.vkey, old, new, proof[::-1]))
    rejected(go.consistency(log.vkey, new, old, proof))  # sizes swapped
    other_old = log.checkpoint(m + 1).sign(log.signer)
    rejected(go.consistency(log.vkey, other_old, new, proof))  # proof for another size
    # A tree that forked: same size as `old`, different leaves, honestly signed.
    forked = [*hashes[: m - 1], leaf_hash(b"rewritten history"), *hashes[m:]]
    fork_note = Checkpoint(log.origin, size, root_of(forked)).sign(log.signer)
    rejected(go.consistency(log.vkey, old, fork_note, consistency_proof(m, forked)))


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_go_accepts_what_a_real_ledger_serves(go: Checker, ledger: OpenLedger) -> None:
    """End to end: the stored checkpoints and the proofs `brady ledger` serves."""
    fill(ledger, batches=6, per_batch=7)
    store, vkey = ledger.store, ledger.config.log_vkey
    latest = store.checkpoint()
    accepted(go.note(vkey, latest.note))
    for index in (0, 1, 17, latest.size - 1):
        leaf = leaf_hash(store.entry(index))
        accepted(
            go.inclusion(vkey, latest.note, index, leaf, store.inclusion_proof(index, latest.size))
        )
    old = store.checkpoint(9)
    accepted(go.consistency(vkey, old.note, latest.note, store.consistency_proof(9, latest.size)))
