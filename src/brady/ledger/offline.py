"""Offline checks for the defense: an exported ledger, or one proof file.

Needs nothing but these files, PyNaCl and rfc8785: no database, no server,
no trust in the agency's software. The log's public key must come from a
channel you trust (a court filing, a letter), not from the export itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .audit import CHUNK, ChunkResult, audit_chunk, check_times, replay_keys
from .checkpoint import Checkpoint, InclusionProofFile, open_checkpoint
from .entry import Entry, parse_entry
from .errors import LedgerError, ProofError, RootMismatchError, TamperError
from .hashing import leaf_hash, node_hash, root_of
from .keyring import KEY_KINDS
from .note import Verifier
from .proof import verify_consistency, verify_inclusion
from .tiles import TILE_HEIGHT, TILE_WIDTH, split_hashes, tile_path, tiles_for, unbundle


@dataclass(frozen=True)
class ExportReport:
    checkpoint: Checkpoint
    entries: int
    keys: int
    against: Checkpoint | None = None


def _read(root: Path, rel: str) -> bytes:
    try:
        return (root / rel).read_bytes()
    except FileNotFoundError as exc:
        raise TamperError(f"the export is missing {rel}") from exc


def verify_export(root: Path, vkey: str, against: str | None = None) -> ExportReport:
    """Check every entry, signature and tile of an export against its signed checkpoint."""
    verifier = Verifier.from_vkey(vkey)
    cp = open_checkpoint(_read(root, "checkpoint").decode(), verifier)
    entries: list[bytes] = []
    hashes: dict[tuple[int, int], list[bytes]] = {}
    for level, n, width in tiles_for(cp.size):
        if level == 0:
            where = tile_path("entries", n, width)
            entries.extend(unbundle(_read(root, where), width, where))
        where = tile_path(level, n, width)
        hashes[(level, n)] = split_hashes(_read(root, where), width, where)
    rows = [(i, None, raw) for i, raw in enumerate(entries)]
    keyring, key_seqs = replay_keys(
        verifier.name, (r for r in rows if r[0] == 0 or _kind(r[2], r[0]) in KEY_KINDS)
    )
    if keyring.log_vkey != verifier.vkey():
        raise TamperError("the genesis entry names another log key than the one you gave", 0)
    results: list[ChunkResult] = []
    for start in range(0, cp.size, CHUNK):
        end = min(start + CHUNK, cp.size)
        results.append(
            audit_chunk(verifier.name, keyring, key_seqs, start, end, rows[start:end], None)
        )
    check_times(results)
    level_hashes = [leaf_hash(e) for e in entries]
    _check_tiles(level_hashes, hashes)
    root_hash = root_of(level_hashes)
    if root_hash != cp.root:
        raise TamperError(
            f"the entries hash to {root_hash.hex()}, the checkpoint signs {cp.root.hex()}"
        )
    published = None
    if against is not None:
        published = open_checkpoint(against, verifier)
        if published.size > cp.size:
            raise TamperError(
                f"the published checkpoint covers {published.size} entries; "
                f"the export only {cp.size}"
            )
        if root_of(level_hashes[: published.size]) != published.root:
            raise TamperError(
                f"the first {published.size} entries differ from the published checkpoint: "
                "the ledger was rewritten"
            )
    return ExportReport(cp, cp.size, len(keyring.keys), published)


def _kind(raw: bytes, seq: int) -> str:
    return parse_entry(raw, seq).kind


def _check_tiles(leaves: list[bytes], tiles: dict[tuple[int, int], list[bytes]]) -> None:
    row, tree_level = leaves, 0
    level = 0
    while row:
        if tree_level == level * TILE_HEIGHT:
            for (lv, n), got in tiles.items():
                if lv != level:
                    continue
                want = row[n * TILE_WIDTH : n * TILE_WIDTH + len(got)]
                if got != want:
                    raise TamperError(
                        f"hash tile {tile_path(level, n, len(got))} does not match the entries"
                    )
            level += 1
        row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
        tree_level += 1


def verify_proof(proof_text: str, vkey: str, entry: bytes) -> tuple[Checkpoint, Entry | None]:
    """Check a c2sp.org/tlog-proof@v1 file: the entry is at its index under the checkpoint."""
    verifier = Verifier.from_vkey(vkey)
    proof = InclusionProofFile.parse(proof_text)
    cp = open_checkpoint(proof.checkpoint_note, verifier)
    try:
        verify_inclusion(proof.index, cp.size, leaf_hash(entry), proof.path, cp.root)
    except RootMismatchError as exc:
        raise ProofError(f"entry {proof.index} is not in the checkpointed ledger: {exc}") from exc
    try:
        decoded: Entry | None = parse_entry(entry, proof.index)
    except LedgerError:
        decoded = None
    return cp, decoded


def verify_consistency_proof(old_note: str, new_note: str, vkey: str, proof: list[bytes]) -> None:
    verifier = Verifier.from_vkey(vkey)
    old, new = open_checkpoint(old_note, verifier), open_checkpoint(new_note, verifier)
    verify_consistency(old.size, new.size, proof, old.root, new.root)
