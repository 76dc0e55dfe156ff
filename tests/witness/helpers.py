"""A small in-memory log for witness tests: leaves, signed checkpoints, RFC 6962 proofs."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from brady.ledger.checkpoint import Checkpoint
from brady.ledger.ed25519 import Signer
from brady.ledger.hashing import leaf_hash, root_of
from brady.ledger.note import Verifier
from brady.ledger.ranges import consistency_ranges


@dataclass
class Log:
    origin: str = "brady.test/witness-log"
    signer: Signer = field(default_factory=lambda: Signer(b"\x42" * 32))
    leaves: list[bytes] = field(default_factory=list)

    @property
    def vkey(self) -> str:
        return Verifier(self.origin, self.signer.public_key).vkey()

    def grow(self, n: int, tag: str = "entry") -> Log:
        start = len(self.leaves)
        self.leaves += [leaf_hash(f"{tag} {i}".encode()) for i in range(start, start + n)]
        return self

    def fork(self, at: int, tag: str) -> Log:
        """Another history: the same first `at` entries, then different ones."""
        return Log(self.origin, self.signer, list(self.leaves[:at])).grow(
            len(self.leaves) - at, tag
        )

    def note(self, size: int | None = None) -> str:
        size = len(self.leaves) if size is None else size
        return Checkpoint(self.origin, size, root_of(self.leaves[:size])).sign(self.signer)

    def proof(self, old: int, new: int | None = None) -> list[bytes]:
        new = len(self.leaves) if new is None else new
        return [root_of(self.leaves[b:e]) for b, e in consistency_ranges(old, new)]


def body(old: int, proof: list[bytes], note: str) -> bytes:
    lines = [f"old {old}\n"] + [base64.b64encode(h).decode() + "\n" for h in proof]
    return ("".join(lines) + "\n" + note).encode()
