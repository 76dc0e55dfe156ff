"""Offering a checkpoint to a witness over HTTP, as a log does (tlog-witness client side).

Standard library only, so the agency's side and any script can use it. It does not
decide policy: it says what the witness answered (cosignatures, the size it holds, or
a refusal) and leaves retrying and bookkeeping to the caller.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

from ..ledger.cosignature import (
    COSIGNATURE_BYTES,
    Cosignature,
    Cosigner,
    split_note,
    verify_cosignature,
)
from ..ledger.errors import NoteError
from .request import AddCheckpoint


@dataclass(frozen=True)
class Offer:
    """The witness's answer: `status` 200 with `cosignatures`, 409 with `held_size`,
    or another status with the witness's message in `detail`."""

    status: int
    cosignatures: tuple[Cosignature, ...] = ()
    held_size: int | None = None
    detail: str = ""


def offer_checkpoint(
    url: str, old_size: int, proof: Sequence[bytes], note: str, timeout: float = 10.0
) -> Offer:
    """POST the checkpoint to `<url>/add-checkpoint`; raises OSError if unreachable."""
    body = AddCheckpoint(old_size, tuple(proof), note).text().encode()
    request = urllib.request.Request(url.rstrip("/") + "/add-checkpoint", data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode(errors="replace")
        if status == 409 and exc.headers.get_content_type() == "text/x.tlog.size":
            return Offer(409, held_size=int(text.strip()), detail=text)
        return Offer(status, detail=text)
    return Offer(status, _cosignatures(note, text), detail=text)


def _cosignatures(note: str, lines: str) -> tuple[Cosignature, ...]:
    """Parse the response's signature lines by appending them to the note's text; lines of
    other cosignature types (e.g. ML-DSA) are left out."""
    text, _ = split_note(note)
    _, sigs = split_note(text + "\n" + lines)
    return tuple(
        Cosignature.from_note_signature(s) for s in sigs if len(s.payload) == COSIGNATURE_BYTES
    )


def checked(offer: Offer, note: str, witness: Cosigner) -> Cosignature:
    """The witness's own valid cosignature among those it returned; NoteError if none."""
    text, _ = split_note(note)
    for cosig in offer.cosignatures:
        if witness.matches(cosig.as_note_signature()):
            verify_cosignature(text, cosig, witness)
            return cosig
    raise NoteError(f"the witness returned no cosignature by {witness.name}")
