"""Proof that a log showed two histories (a split view), from two of its own checkpoints.

A log signs each checkpoint with its key; two signed checkpoints of one log that cannot
both be true are a portable proof that it misbehaved, which anyone holding the log's
public key can check without trusting the person who shows them. Two cases prove it:

- the same size with different roots: a tree of that size has one root;
- different sizes m < n, with a consistency proof that leads to the larger checkpoint's
  root and shows that its first m entries hash to another root than the smaller one
  signs. Such a proof binds that other root to the larger checkpoint (finding two hash
  chains to one root would take a SHA-256 collision), so the larger tree does not extend
  the smaller. When m is a power of two RFC 6962 leaves the root at m out of the proof,
  so the proof must then start with it (one extra first line).

Anything else is not proven: a proof that simply fails says nothing about the log (anyone
can write a wrong proof), and two sizes without a proof may well be consistent.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ._b64 import b64decode_strict
from .checkpoint import Checkpoint, open_checkpoint
from .errors import LedgerError, NoteError, ProofError, RootMismatchError
from .note import Verifier
from .proof import verify_consistency

EVIDENCE_HEADER = "brady split-view proof v1"
_MARK = re.compile(r"--- (checkpoint [AB]|consistency proof|end) ---")


@dataclass(frozen=True)
class Verdict:
    """What two checkpoints of one log show about it.

    `proven` is True for a split view; `reason` says why in plain words either way.
    `older` is the smaller (or, at equal sizes, the first given) checkpoint.
    """

    proven: bool
    reason: str
    older: Checkpoint
    newer: Checkpoint
    older_note: str
    newer_note: str
    proof: tuple[bytes, ...] = ()

    def evidence(self, vkey: str) -> str:
        """A self-contained document: the log's key, the reason, both notes, the proof."""
        if not self.proven:
            raise ValueError("only a proven split view has evidence to show")
        parts = [
            f"{EVIDENCE_HEADER}\n",
            f"log {vkey}\n",
            f"{self.reason}\n",
            "\n",
            "--- checkpoint A ---\n",
            self.older_note,
            "--- checkpoint B ---\n",
            self.newer_note,
        ]
        if self.proof:
            parts.append("--- consistency proof ---\n")
            parts.extend(base64.b64encode(h).decode() + "\n" for h in self.proof)
        parts.append("--- end ---\n")
        return "".join(parts)


def _b64(h: bytes) -> str:
    return base64.b64encode(h).decode()


def judge(note_a: str, note_b: str, vkey: str, proof: Sequence[bytes] | None = None) -> Verdict:
    """Whether two checkpoints signed by the log `vkey` prove a split view.

    Both must verify under the log's key (NoteError otherwise: an unsigned or altered
    checkpoint proves nothing about the log). `proof` is a consistency proof from the
    smaller size to the larger, as the larger checkpoint's log would give it.
    """
    verifier = Verifier.from_vkey(vkey)
    a, b = open_checkpoint(note_a, verifier), open_checkpoint(note_b, verifier)
    if b.size < a.size:
        a, b, note_a, note_b = b, a, note_b, note_a

    def verdict(proven: bool, reason: str, used: Sequence[bytes] = ()) -> Verdict:
        return Verdict(proven, reason, a, b, note_a, note_b, tuple(used))

    if a.size == b.size:
        if a.root == b.root:
            return verdict(False, f"Both checkpoints sign the same tree of {a.size} entries.")
        return verdict(
            True,
            f"The log {a.origin} signed two different trees of the same size, {a.size} "
            f"entries: root {_b64(a.root)} and root {_b64(b.root)}. A tree of one size has "
            "one root, so the log showed two different histories.",
        )
    if proof is None:
        return verdict(
            False,
            f"The checkpoints have different sizes ({a.size} and {b.size}); without a "
            "consistency proof between them nothing shows they disagree.",
        )
    proven, reason = _judge_sizes(a, b, list(proof))
    return verdict(proven, reason, proof if proven else ())


def _judge_sizes(a: Checkpoint, b: Checkpoint, proof: list[bytes]) -> tuple[bool, str]:
    try:
        verify_consistency(a.size, b.size, proof, a.root, b.root)
        return (
            False,
            f"The checkpoints are consistent: the tree of {b.size} entries extends the "
            f"tree of {a.size}.",
        )
    except LedgerError as exc:
        failure: LedgerError = exc
    prefix, rest = _claimed_prefix(a, b, proof, failure)
    if prefix is not None and prefix != a.root:
        try:
            verify_consistency(a.size, b.size, rest, prefix, b.root)
        except LedgerError:
            pass
        else:
            return (
                True,
                f"The log {a.origin} signed a tree of {a.size} entries with root "
                f"{_b64(a.root)}, and a tree of {b.size} entries whose first {a.size} "
                f"entries hash to {_b64(prefix)} (the consistency proof leads to its signed "
                "root). The larger tree does not extend the smaller: the log rewrote "
                "its history.",
            )
    return (
        False,
        f"The consistency proof does not verify ({failure}), but it does not tie the "
        f"checkpoint of {b.size} entries to another history either: ask the log for its "
        "proof. A wrong proof alone proves nothing against the log.",
    )


def _claimed_prefix(
    a: Checkpoint, b: Checkpoint, proof: list[bytes], failure: LedgerError
) -> tuple[bytes | None, list[bytes]]:
    """The root of b's first a.size entries that the proof claims, and the proof without it."""
    if a.size & (a.size - 1) == 0:
        # A power of two: the proof omits that subtree; a fork proof gives it first.
        return (proof[0], proof[1:]) if proof else (None, proof)
    if isinstance(failure, RootMismatchError) and failure.expected == a.root:
        return failure.calculated, proof
    return None, proof


def parse_evidence(text: str) -> tuple[str, str, str, list[bytes]]:
    """The log key, the two notes and the proof of a document `Verdict.evidence` wrote."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0] != EVIDENCE_HEADER + "\n":
        raise NoteError(f"this is not a split-view proof (it does not start {EVIDENCE_HEADER!r})")
    if len(lines) < 2 or not lines[1].startswith("log "):
        raise NoteError("the split-view proof does not name the log's key")
    vkey = lines[1][4:].strip()
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines[2:]:
        mark = _MARK.fullmatch(line.rstrip("\n"))
        if mark:
            current = sections.setdefault(mark.group(1), [])
        elif current is not None:
            current.append(line)
    if "checkpoint A" not in sections or "checkpoint B" not in sections or "end" not in sections:
        raise NoteError("the split-view proof is missing a checkpoint or its end mark")
    hashes = []
    for i, line in enumerate(sections.get("consistency proof", [])):
        try:
            hashes.append(b64decode_strict(line.strip(), f"proof line {i + 1}"))
        except ValueError as exc:
            raise ProofError(str(exc)) from exc
    return vkey, "".join(sections["checkpoint A"]), "".join(sections["checkpoint B"]), hashes


def check_evidence(text: str, vkey: str) -> Verdict:
    """Re-check a saved split-view proof against the log key you trust (not the one it names)."""
    named, note_a, note_b, hashes = parse_evidence(text)
    if Verifier.from_vkey(named) != Verifier.from_vkey(vkey):
        raise NoteError("the split-view proof names another log key than the one you gave")
    return judge(note_a, note_b, vkey, hashes or None)
