"""Proof bundles: a handful of entries with everything needed to check them offline.

A disclosure production carries one (in its bag's data/ledger folder):

    checkpoint                  the log's signed checkpoint the proofs are against
    log.vkey                    the log's public key (compare it with a published copy)
    entries/SEQ.entry           the exact bytes of each cited entry
    proofs/SEQ.proof            its c2sp.org/tlog-proof@v1 inclusion proof
    keys/SEQ.entry, .proof      the genesis and key events, so every signature can be checked
    consistency/SIZE.checkpoint a checkpoint an earlier production carried, and
    consistency/SIZE.proof      the consistency proof from it to this checkpoint

Checking a bundle: the checkpoint is signed by the log; every entry is in the tree it
signs; every entry is signed by a key that was valid at its position; and every earlier
checkpoint is a prefix of this one, so nothing shown before was removed or rewritten.
The key events in a bundle are those the State included: a full export
(`brady ledger export`, verified with `brady-verify export`) proves none was left out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ._b64 import b64decode_strict
from .audit import replay_keys
from .checkpoint import Checkpoint, InclusionProofFile, open_checkpoint
from .entry import check_signature, parse_entry
from .errors import LedgerError, ProofError, RootMismatchError, TamperError
from .hashing import leaf_hash
from .keyring import GENESIS, KEY_KINDS
from .note import Verifier
from .proof import verify_consistency, verify_inclusion


@dataclass
class BundleReport:
    checkpoint: Checkpoint
    entries: int = 0
    keys: int = 0
    earlier: list[int] = field(default_factory=list)
    """Sizes of the earlier checkpoints this one was proved to extend."""


def _included(folder: Path, seq: int, cp_note: str, cp: Checkpoint) -> bytes:
    raw = (folder / f"{seq}.entry").read_bytes()
    proof = InclusionProofFile.parse((folder / f"{seq}.proof").read_text(encoding="utf-8"))
    if proof.index != seq:
        raise ProofError(f"{folder.name}/{seq}.proof is for entry {proof.index}, not {seq}")
    if proof.checkpoint_note != cp_note:
        raise ProofError(f"{folder.name}/{seq}.proof is against another checkpoint")
    try:
        verify_inclusion(seq, cp.size, leaf_hash(raw), proof.path, cp.root)
    except RootMismatchError as exc:
        raise TamperError(
            f"entry {seq} ({folder.name}/{seq}.entry) is not the entry the signed ledger holds "
            f"at that position: {exc}",
            seq,
        ) from exc
    return raw


def _seqs(folder: Path) -> list[int]:
    if not folder.is_dir():
        return []
    out = []
    for f in folder.glob("*.entry"):
        if not f.stem.isdigit():
            raise ProofError(f"{folder.name}/{f.name} is not named by its position")
        out.append(int(f.stem))
    return sorted(out)


def verify_bundle(root: Path, vkey: str, earlier: list[str] | None = None) -> BundleReport:
    """Check a proof bundle; `earlier` are checkpoints from earlier bundles of the case.

    Raises LedgerError naming the first problem.
    """
    verifier = Verifier.from_vkey(vkey)
    note = (root / "checkpoint").read_text(encoding="utf-8")
    cp = open_checkpoint(note, verifier)
    report = BundleReport(cp)
    key_rows = []
    for seq in _seqs(root / "keys"):
        raw = _included(root / "keys", seq, note, cp)
        key_rows.append((seq, None, raw))
    keyring, key_seqs = replay_keys(cp.origin, key_rows)
    report.keys = len(key_seqs)
    for seq in _seqs(root / "entries"):
        raw = _included(root / "entries", seq, note, cp)
        entry = parse_entry(raw, seq)
        if entry.kind in KEY_KINDS or entry.kind == GENESIS:
            if seq not in key_seqs:
                raise TamperError(f"entry {seq} is a key event missing from keys/", seq)
        else:
            check_signature(entry, cp.origin, keyring.key_for(entry).public_key)
        report.entries += 1
    notes = {
        int(f.stem): f.read_text(encoding="utf-8")
        for f in (root / "consistency").glob("*.checkpoint")
        if f.stem.isdigit()
    }
    for given in earlier or []:
        old = open_checkpoint(given, verifier)
        if old.size not in notes:
            raise ProofError(
                f"this bundle has no consistency proof from the earlier checkpoint of size "
                f"{old.size}; it cannot show the ledger was only appended to since"
            )
        if notes[old.size] != given:
            raise TamperError(
                f"the checkpoint of size {old.size} in this bundle is not the one given "
                "earlier: the ledger was rewritten between the two",
                old.size,
            )
    for size, old_note in sorted(notes.items()):
        old = open_checkpoint(old_note, verifier)
        lines = (root / "consistency" / f"{size}.proof").read_text(encoding="ascii").split()
        proof = [
            b64decode_strict(x, f"consistency/{size}.proof line {i + 1}")
            for i, x in enumerate(lines)
        ]
        try:
            verify_consistency(old.size, cp.size, proof, old.root, cp.root)
        except LedgerError as exc:
            raise TamperError(
                f"the ledger at {cp.size} entries does not extend the checkpoint of "
                f"{old.size} entries: {exc}",
                old.size,
            ) from exc
        report.earlier.append(old.size)
    return report


def check_manifest(bag: Path) -> int:
    """Check a BagIt bag's payload against manifest-sha256.txt (RFC 8493 section 3):
    every listed file has its hash, and no file under data/ is unlisted. Returns the
    number of files. The standard tool (`bagit.py --validate`) checks the same and more;
    this keeps the verifier free of other dependencies."""
    listed: dict[str, str] = {}
    for n, line in enumerate((bag / "manifest-sha256.txt").read_text("utf-8").splitlines()):
        digest, sep, rel = line.partition(" ")
        rel = rel.lstrip(" ").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
        if not sep or len(digest) != 64 or not rel.startswith("data/"):
            raise TamperError(f"manifest-sha256.txt line {n + 1} is not 'HASH data/PATH'")
        listed[rel] = digest.lower()
    present = {p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file()}
    for rel in sorted(present - listed.keys()):
        raise TamperError(f"{rel} is in the bag but not in its manifest")
    for rel, digest in sorted(listed.items()):
        path = bag / rel
        if not path.is_file():
            raise TamperError(f"{rel} is listed in the manifest but missing from the bag")
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        if h.hexdigest() != digest:
            raise TamperError(f"{rel} does not match its hash in the manifest: it was changed")
    return len(listed)
