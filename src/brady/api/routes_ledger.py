"""The ledger for anyone signed in to check: key, checkpoints, proofs; entries as allowed.

Proofs are hashes only and reveal nothing of the record, so every user may fetch
them; an entry's bytes say what happened, so they follow the case and item rules.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import PlainTextResponse, Response

from .. import ledger_witnesses
from ..access import policy
from ..access.policy import Level
from ..store import access_queries as facts
from ..store.engine import reading
from .deps import Brady, SignedIn, access, brady, deny, log
from .problems import MAX_INDEX, PROBLEM_RESPONSES

router = APIRouter(prefix="/api/ledger", responses=PROBLEM_RESPONSES)
B = Annotated[Brady, Depends(brady)]


def _b64(h: bytes) -> str:
    return base64.b64encode(h).decode()


@router.get("/key", openapi_extra=access("signed-in"))
def key(asker: SignedIn, b: B) -> dict[str, str]:
    """The log's public key (C2SP verifier key) to check checkpoints with."""
    return {"origin": b.led.config.origin, "vkey": b.led.config.log_vkey}


@router.get("/checkpoint", openapi_extra=access("signed-in"), response_class=PlainTextResponse)
def checkpoint(
    asker: SignedIn, b: B, size: Annotated[int | None, Query(ge=1, le=MAX_INDEX)] = None
) -> PlainTextResponse:
    """The signed checkpoint (C2SP signed note) with the witnesses' cosignatures kept for it
    (verifiers that do not know a witness's key skip its line)."""
    return PlainTextResponse(ledger_witnesses.cosigned_note(b.led, size))


@router.get("/proofs/inclusion/{seq}", openapi_extra=access("signed-in"))
def inclusion(
    asker: SignedIn,
    b: B,
    seq: Annotated[int, Path(ge=0, le=MAX_INDEX)],
    size: Annotated[int | None, Query(ge=1, le=MAX_INDEX)] = None,
) -> dict[str, Any]:
    """Proof that entry `seq` is in the tree of the checkpoint (c2sp.org/tlog-proof text too)."""
    proof = b.led.store.inclusion_proof_file(seq, size)
    return {
        "index": proof.index,
        "path": [_b64(h) for h in proof.path],
        "checkpoint": proof.checkpoint_note,
        "tlog_proof": proof.text(),
    }


@router.get("/proofs/consistency", openapi_extra=access("signed-in"))
def consistency(
    asker: SignedIn,
    b: B,
    old: Annotated[int, Query(ge=1, le=MAX_INDEX)],
    new: Annotated[int | None, Query(ge=1, le=MAX_INDEX)] = None,
) -> dict[str, Any]:
    """Proof that the ledger at `new` (default: latest) extends the ledger at `old`."""
    size = new if new is not None else b.led.store.checkpoint().size
    return {
        "old_size": old,
        "new_size": size,
        "proof": [_b64(h) for h in b.led.store.consistency_proof(old, size)],
    }


@router.get(
    "/entries/{seq}",
    openapi_extra=access("entry:read"),
    responses={200: {"content": {"application/json": {}}}},
)
def entry(asker: SignedIn, b: B, seq: Annotated[int, Path(ge=0, le=MAX_INDEX)]) -> Response:
    """The exact bytes of an entry (what its leaf hash covers), if you may read every item and
    case it is about: an entry is read whole, so one readable subject must not open the rest
    (a link suggestion names an item and another case, with its reasons)."""
    raw = b.led.store.entry(seq)
    subjects = [str(s) for s in orjson.loads(raw).get("subjects", [])]
    c = asker.caller
    readable = (Level.FULL, Level.COURT)
    with reading(b.led.engine) as conn:

        def may_read(subject: str) -> bool:
            kind, _, ident = subject.partition(":")
            if kind == "item":
                return policy.read_item(c, facts.item_facts(conn, ident)) in readable
            return policy.read_case(c, facts.case_facts(conn, ident)) in readable

        records = [s for s in subjects if s.partition(":")[0] in ("item", "case")]
        allowed = policy.audit(c) or (bool(records) and all(may_read(s) for s in records))
    if not allowed:
        raise deny(b, asker, f"entry:{seq}", f"you may not read ledger entry {seq}")
    log(b, asker, "view", f"entry:{seq}")
    return Response(raw, media_type="application/json")
