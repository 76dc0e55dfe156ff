"""The body of a tlog-witness add-checkpoint request, parsed strictly.

    old <size>
    <base64 hash>          (0 to 63 consistency proof lines)
    <blank line>
    <signed checkpoint note>

Pure: bytes in, a typed request or a RequestError (400 Bad Request) out.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from ..ledger.checkpoint import parse_checkpoint_body
from ..ledger.cosignature import split_note
from ..ledger.errors import LedgerError
from ..ledger.hashing import HASH_SIZE
from ..ledger.note import MAX_NOTE_BYTES

MAX_PROOF_LINES = 63
MAX_BODY = MAX_NOTE_BYTES + 64 * (MAX_PROOF_LINES + 1)
_OLD = re.compile(r"old (0|[1-9][0-9]{0,18})")
_HASH = re.compile(r"[A-Za-z0-9+/]{43}=")


class RequestError(ValueError):
    """The request is not a well-formed add-checkpoint body."""


@dataclass(frozen=True)
class AddCheckpoint:
    old_size: int
    proof: tuple[bytes, ...]
    note: str

    def text(self) -> str:
        """The request body again, as a client sends it."""
        lines = [f"old {self.old_size}\n"]
        lines += [base64.b64encode(h).decode() + "\n" for h in self.proof]
        return "".join(lines) + "\n" + self.note


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    if len(body) > MAX_BODY:
        raise RequestError("the request is too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestError("the request is not UTF-8 text") from exc
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise RequestError("the request has no blank line before the checkpoint")
    lines = head.split("\n")
    old = _OLD.fullmatch(lines[0])
    if old is None:
        raise RequestError("the first line must be 'old <size>' (a decimal, no leading zeros)")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise RequestError(f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for i, line in enumerate(lines[1:]):
        if not _HASH.fullmatch(line):
            raise RequestError(f"proof line {i + 1} is not a base64 SHA-256 hash")
        raw = base64.b64decode(line)
        if len(raw) != HASH_SIZE or base64.b64encode(raw).decode() != line:
            raise RequestError(f"proof line {i + 1} is not in canonical base64")
        proof.append(raw)
    try:
        body_text, _ = split_note(note)
        parse_checkpoint_body(body_text)
    except LedgerError as exc:
        raise RequestError(f"the checkpoint is malformed: {exc}") from exc
    return AddCheckpoint(int(old.group(1)), tuple(proof), note)
