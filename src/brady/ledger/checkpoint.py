"""C2SP tlog-checkpoint bodies and tlog-proof files.

A checkpoint is the log's signed statement "the tree of this size has this
root". Handing one to the defense commits the agency to that history: every
later checkpoint must be provably consistent with it.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from ._b64 import b64decode_strict
from .ed25519 import Signer
from .errors import NoteError, ProofError
from .hashing import HASH_SIZE
from .note import Verifier, open_note, sign_note

PROOF_HEADER = "c2sp.org/tlog-proof@v1"
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    def sign(self, signer: Signer) -> str:
        return sign_note(self.body(), self.origin, signer)


def _decimal(text: str, what: str) -> int:
    if not _DECIMAL.fullmatch(text):
        raise NoteError(f"{what} {text!r} is not a decimal without leading zeros")
    return int(text)


def _hash(text: str, what: str) -> bytes:
    try:
        raw = b64decode_strict(text, what)
    except ValueError as exc:
        raise ProofError(str(exc)) from exc
    if len(raw) != HASH_SIZE:
        raise ProofError(f"{what} is {len(raw)} bytes, not {HASH_SIZE}")
    return raw


def parse_checkpoint_body(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("checkpoint body needs origin, size and root lines")
    origin, size, root = lines[0], lines[1], lines[2]
    if not origin:
        raise NoteError("checkpoint origin is empty")
    if any(not ext for ext in lines[3:-1]):
        raise NoteError("checkpoint extension lines must not be empty")
    return Checkpoint(origin, _decimal(size, "tree size"), _hash(root, "root hash"))


def open_checkpoint(note: str, verifier: Verifier) -> Checkpoint:
    """Verify a signed checkpoint note and parse it. The key name must be its origin."""
    cp = parse_checkpoint_body(open_note(note, verifier))
    if cp.origin != verifier.name:
        raise NoteError(f"checkpoint origin {cp.origin!r} is not the log {verifier.name!r}")
    return cp


@dataclass(frozen=True)
class InclusionProofFile:
    """A c2sp.org/tlog-proof@v1 file: index, audit path, and the checkpoint note."""

    index: int
    path: tuple[bytes, ...]
    checkpoint_note: str
    extra: bytes | None = None

    def text(self) -> str:
        lines = [PROOF_HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode())
        lines.append(f"index {self.index}")
        lines.extend(base64.b64encode(h).decode() for h in self.path)
        return "\n".join(lines) + "\n\n" + self.checkpoint_note

    @classmethod
    def parse(cls, text: str) -> InclusionProofFile:
        head, sep, note = text.partition("\n\n")
        if not sep:
            raise ProofError("proof file has no blank line before its checkpoint")
        lines = head.split("\n")
        if lines[0] != PROOF_HEADER:
            raise ProofError(f"proof file does not start with {PROOF_HEADER}")
        pos, extra = 1, None
        if len(lines) > pos and lines[pos].startswith("extra "):
            try:
                extra = b64decode_strict(lines[pos][6:], "extra data")
            except ValueError as exc:
                raise ProofError(str(exc)) from exc
            pos += 1
        if len(lines) <= pos or not lines[pos].startswith("index "):
            raise ProofError("proof file has no index line")
        index = _decimal(lines[pos][6:], "index")
        path = tuple(_hash(x, f"proof hash {i}") for i, x in enumerate(lines[pos + 1 :]))
        return cls(index, path, note, extra)
