"""Checking a certificate's cited checkpoint offline: the record a certificate of
compliance describes is still, unchanged, the beginning of a later ledger.

A certificate (as HTML) carries the checkpoint it cites and, when it describes an earlier
record than the one at issue, the checkpoint at issue and the consistency proof between
them; beside a PDF certificate the cited checkpoint is a file of its own. Given a later
checkpoint and the proof from the cited one to it (or a later full export), a reader
checks, trusting only the log's key, that nothing the certificate relied on was removed
or rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ._b64 import b64decode_strict
from .checkpoint import Checkpoint, open_checkpoint
from .errors import LedgerError, ProofError, TamperError
from .note import Verifier
from .offline import verify_export
from .proof import verify_consistency

CITED, AT_ISSUE, PROOF = "cited-checkpoint", "current-checkpoint", "consistency-proof"


class _Blocks(HTMLParser):
    """The text of the certificate's <pre id=...> blocks (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: dict[str, str] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self._open = dict(attrs).get("id") or ""
            self.blocks[self._open] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.blocks[self._open] += data


@dataclass(frozen=True)
class Cited:
    """What a certificate cites: its checkpoint, and the one at issue with the proof."""

    note: str
    at_issue: str | None = None
    proof: tuple[bytes, ...] = ()


def read_cited(text: str) -> Cited:
    """From a certificate's HTML, or from the bare checkpoint file issued beside a PDF."""
    if "<pre" not in text:
        return Cited(text)
    parser = _Blocks()
    parser.feed(text)
    blocks = parser.blocks
    if CITED not in blocks:
        raise ProofError("the certificate cites no checkpoint (no 'Checkpoint cited' block)")
    proof = tuple(
        b64decode_strict(line, f"certificate proof line {i + 1}")
        for i, line in enumerate(blocks.get(PROOF, "").split())
    )
    return Cited(blocks[CITED], blocks.get(AT_ISSUE), proof)


def _extends(old: Checkpoint, new: Checkpoint, proof: list[bytes] | tuple[bytes, ...]) -> None:
    try:
        verify_consistency(old.size, new.size, list(proof), old.root, new.root)
    except LedgerError as exc:
        raise TamperError(
            f"the ledger at {new.size} entries does not begin with the {old.size} entries the "
            f"certificate cites: the record was rewritten, or the proof is not for these "
            f"checkpoints ({exc})",
            old.size,
        ) from exc


@dataclass(frozen=True)
class CitedReport:
    cited: Checkpoint
    at_issue: Checkpoint | None
    later: Checkpoint


def verify_cited(
    certificate: str,
    vkey: str,
    later: str | None = None,
    proof: list[bytes] | None = None,
    export: Path | None = None,
) -> CitedReport:
    """Check a certificate's cited checkpoint against a later checkpoint and the
    consistency proof to it, or against a later export. Raises LedgerError."""
    verifier = Verifier.from_vkey(vkey)
    cited = read_cited(certificate)
    cp = open_checkpoint(cited.note, verifier)
    issued = None
    if cited.at_issue is not None:
        issued = open_checkpoint(cited.at_issue, verifier)
        _extends(cp, issued, cited.proof)
    if export is not None:
        report = verify_export(export, vkey, cited.note)
        return CitedReport(cp, issued, report.checkpoint)
    if later is None:
        raise ProofError(
            "give a later checkpoint (with --proof) or a later export to check against"
        )
    newer = open_checkpoint(later, verifier)
    _extends(cp, newer, proof or [])
    return CitedReport(cp, issued, newer)
