"""The certificate of compliance: rendered only for a case with nothing outstanding."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date

from ..domain.errors import InvalidInputError, RefusedError
from ..reports import render
from ..store.ledger_store import LedgerStore, StoreError
from .compliance import Compliance

STATUS_WORDS = {
    "disclosed": "disclosed on time",
    "late": "disclosed LATE",
    "withheld": "withheld (approved)",
    "withhold_pending": "withholding awaits approval",
    "overdue": "OVERDUE",
    "due_soon": "due soon",
    "pending": "not yet due",
}


class NotCertifiableError(RefusedError, ValueError):
    """The case has something outstanding (or no one is charged); `reasons` says what."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


def certificate_html(view: Compliance, today: date, citation: Citation) -> str:
    if not view.charged:
        raise NotCertifiableError(
            [f"no one is charged in {view.case_id}: there is nothing to certify"]
        )
    if not view.certifiable:
        raise NotCertifiableError(view.blockers)
    return render.html(
        "certificate.html.j2",
        view=view,
        today=today.isoformat(),
        status_words=STATUS_WORDS,
        citation=citation,
    )


@dataclass(frozen=True)
class Citation:
    """The signed checkpoint of the record a certificate describes, and the proof that
    the record at issue extends it: a reader who later holds a newer checkpoint can check
    that nothing the certificate relied on was changed (`brady-verify certificate`)."""

    view: str
    """Which record: now, as of a moment, or as recorded at one, in words."""
    cited: str
    """The checkpoint (a C2SP signed note) of the record the certificate describes."""
    size: int
    current: str
    """The latest checkpoint when the certificate was issued."""
    current_size: int
    proof: tuple[str, ...]
    """RFC 9162 consistency proof from `cited` to `current`, base64 per hash."""
    vkey: str


def cite(store: LedgerStore, vkey: str, view: str, size: int | None, note: str | None) -> Citation:
    """The citation of the record at `size` entries (None: the latest checkpoint); `note`
    is the checkpoint the reader gave for it, if any. Only a signed checkpoint is cited:
    a size no checkpoint was signed at could not be checked later."""
    current = store.checkpoint()
    if size is None or size == current.size:
        cited, size = note or current.note, current.size
    elif note is not None:
        cited = note
    else:
        try:
            cited = store.checkpoint(size).note
        except StoreError as exc:
            raise InvalidInputError(
                f"no checkpoint was signed when the ledger held {size} entries, so a "
                "certificate of that record could not be checked later; give a date or time "
                "(the checkpoint signed by then is used) or a size `brady ledger checkpoint "
                "--size N` shows",
                "as_recorded",
            ) from exc
    proof = store.consistency_proof(size, current.size) if size < current.size else []
    return Citation(
        view,
        cited,
        size,
        current.note,
        current.size,
        tuple(base64.b64encode(h).decode() for h in proof),
        vkey,
    )
