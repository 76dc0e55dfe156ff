"""The witness: cosign a log's checkpoint only if it extends the last one it cosigned.

`Witness.add_checkpoint` is the whole of tlog-witness's add-checkpoint, apart from HTTP:
request bytes in, status code and body out, with exactly the specification's codes —
400 malformed (or old size beyond the checkpoint), 404 unknown log, 403 no valid
signature by the log's key, 409 with the size held when the old size is not it (body
"<size>\\n", Content-Type text/x.tlog.size), 422 a proof that does not verify or a
same-size checkpoint with another root, 200 with the cosignature line.

A checkpoint the log validly signed that contradicts the one the witness cosigned is
kept as evidence (both notes and the proof) and logged, whether or not it amounts to a
proof of a split view (`brady.ledger.equivocation.judge` decides that).
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..ledger.checkpoint import Checkpoint, open_checkpoint
from ..ledger.cosignature import Cosigner, cosign, join_note, split_note
from ..ledger.ed25519 import Signer
from ..ledger.equivocation import judge
from ..ledger.errors import LedgerError
from ..ledger.hashing import EMPTY_ROOT
from ..ledger.note import Verifier
from ..ledger.proof import verify_consistency
from .request import AddCheckpoint, RequestError, parse_add_checkpoint
from .store import Evidence, LogState, WitnessStore

log = logging.getLogger("brady.witness")

SIZE_TYPE = "text/x.tlog.size"
TEXT_TYPE = "text/plain; charset=utf-8"
MAX_SIZE = (1 << 63) - 1


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, body, content type."""

    status: int
    body: str
    content_type: str = TEXT_TYPE


def _size_conflict(size: int) -> Answer:
    return Answer(409, f"{size}\n", SIZE_TYPE)


class Witness:
    """One witness identity (name and key) over its store of followed logs."""

    def __init__(
        self,
        name: str,
        signer: Signer,
        store: WitnessStore,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self.signer = signer
        self.store = store
        self.clock = clock
        self.cosigner = Cosigner(name, signer.public_key)

    def add_checkpoint(self, body: bytes) -> Answer:
        try:
            req = parse_add_checkpoint(body)
        except RequestError as exc:
            return Answer(400, f"{exc}\n")
        origin = req.note.split("\n", 1)[0]
        held = self.store.log(origin)
        if held is None:
            return Answer(404, f"this witness does not follow the log {origin!r}\n")
        try:
            verifier = Verifier.from_vkey(held.vkey)
            cp = open_checkpoint(req.note, verifier)
        except LedgerError as exc:
            return Answer(403, f"the checkpoint is not validly signed by the log's key: {exc}\n")
        if req.old_size > cp.size or cp.size > MAX_SIZE:
            return Answer(400, f"old size {req.old_size} is beyond the checkpoint's {cp.size}\n")
        if cp.size == 0 and cp.root != EMPTY_ROOT:
            return Answer(422, "a checkpoint of size 0 must carry the empty tree's root\n")
        if req.old_size != held.size:  # the size held is read again before it is named
            held = self.store.log(origin, fresh=True) or held
            if req.old_size != held.size:
                return _size_conflict(held.size)
        refusal = self._refusal(req, held, cp)
        if refusal is not None:
            return refusal
        return self._cosign(req, held, cp, verifier)

    def _refusal(self, req: AddCheckpoint, held: LogState, cp: Checkpoint) -> Answer | None:
        """422 unless the proof shows `cp` extends what is held (kept as evidence if not)."""
        if held.size == 0:
            if req.proof:
                return Answer(422, "a proof from size 0 must be empty\n")
            return None
        try:
            verify_consistency(held.size, cp.size, req.proof, held.root, cp.root)
        except LedgerError as exc:
            self._keep_evidence(req, held, cp)
            return Answer(422, f"the checkpoint is not consistent with size {held.size}: {exc}\n")
        return None

    def _keep_evidence(self, req: AddCheckpoint, held: LogState, cp: Checkpoint) -> None:
        assert held.note is not None  # a log at a size above 0 has its cosigned note
        try:
            verdict = judge(held.note, req.note, held.vkey, req.proof)
        except LedgerError:  # cannot happen for two notes the witness verified
            log.exception("could not compare checkpoints of %s", held.origin)
            return
        proof = "".join(base64.b64encode(h).decode() + "\n" for h in req.proof)
        kept = self.store.keep_evidence(
            held.origin, verdict.proven, verdict.reason, held.note, req.note, proof
        )
        if kept:
            log.warning(
                "%s: %s checkpoint of %d entries refused: %s",
                held.origin,
                "SPLIT VIEW PROVEN," if verdict.proven else "inconsistent",
                cp.size,
                verdict.reason,
            )

    def _cosign(
        self, req: AddCheckpoint, held: LogState, cp: Checkpoint, verifier: Verifier
    ) -> Answer:
        text, sigs = split_note(req.note)
        cosig = cosign(text, self.name, self.signer, int(self.clock()))
        logs_own = [s for s in sigs if s.name == verifier.name and s.key_id == verifier.key_id]
        note = join_note(text, [*logs_own, cosig.as_note_signature()])
        if not self.store.advance(held, cp.size, cp.root, note):
            now = self.store.log(held.origin)
            return _size_conflict(now.size if now else held.size)
        return Answer(200, cosig.line())

    def latest(self, hashed_origin: str) -> Answer:
        """The monitoring answer: the latest cosigned checkpoint of the log so named."""
        held = self.store.log_by_hash(hashed_origin)
        if held is None or held.note is None:
            return Answer(404, "this witness has cosigned no checkpoint of that log\n")
        return Answer(200, held.note)


def evidence_document(evidence: Evidence, vkey: str) -> str:
    """What to hand over: for a proven split view, the self-contained proof that
    `brady-verify equivocation FILE --key VKEY` checks; otherwise both notes and why."""
    proof = [base64.b64decode(x) for x in evidence.proof.split()]
    verdict = judge(evidence.held_note, evidence.offered_note, vkey, proof or None)
    if verdict.proven:
        return verdict.evidence(vkey)
    return (
        f"Checkpoints of {evidence.origin} that do not prove a split view, but that the "
        f"witness refused as inconsistent.\n{verdict.reason}\n\n"
        f"--- cosigned by this witness ---\n{evidence.held_note}"
        f"--- offered later, refused ---\n{evidence.offered_note}"
        f"--- consistency proof offered with it ---\n{evidence.proof}--- end ---\n"
    )
