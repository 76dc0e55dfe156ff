"""The certificate of compliance: rendered only for a case with nothing outstanding."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.engine import Connection

from ..domain.errors import InvalidInputError, RefusedError
from ..reports import render
from ..reports.chain_of_custody import unbroken
from ..store import custody_queries as q
from ..store import disclosure_queries as dq
from ..store.ledger_store import LedgerStore, StoreError
from . import rules
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


NUMBER_WORDS = {"court": "Court number", "agency": "Agency number"}
"""The case numbers every caption names, in this order, even when the record has none."""


@dataclass(frozen=True)
class Caption:
    """The heading of the filing and who may sign it, read from the case as it stands
    when the certificate is issued (a filing made today carries today's case numbers)."""

    title: str
    court: str | None
    """The courts of the case's rule set ('New Mexico district courts (criminal)')."""
    rule: str | None
    """The rule the certificate answers, as the rule set cites it."""
    defendants: tuple[str, ...] = ()
    numbers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(words, numbers) for each kind: court and agency first, then any other kind."""
    prosecutors: tuple[str, ...] = ()


def read_caption(conn: Connection, view: Compliance) -> Caption:
    """The case's caption: its court (from its rule set), title, defendants, numbers and
    the prosecutors of record."""
    case = q.case_view(conn, view.case_id)
    if case is None:
        return Caption(view.title, None, None)
    kinds: dict[str, list[str]] = {kind: [] for kind in NUMBER_WORDS}
    for text in case["numbers"]:
        kind, _, number = str(text).partition(" ")
        kinds.setdefault(kind, []).append(number)
    numbers = tuple(
        (NUMBER_WORDS.get(kind, f"{kind.replace('_', ' ').capitalize()} number"), tuple(found))
        for kind, found in kinds.items()
    )
    people = case["parties"]
    court, rule = _rule_set_words(conn, view.case_id)
    return Caption(
        str(case["title"]),
        court,
        rule,
        tuple(p["name"] for p in people if p["role"] == "defendant"),
        numbers,
        tuple(p["name"] for p in people if p["role"] == "prosecutor"),
    )


def _rule_set_words(conn: Connection, case_id: str) -> tuple[str | None, str | None]:
    """The name and citation of the rule set the case is under, when it is on record."""
    chosen = dq.case_rules(conn, case_id)
    if chosen is None or chosen[2] is None:
        return None, None
    rule_set = rules.from_dict(json.loads(chosen[2]), str(chosen[0]))
    return rule_set.name, rule_set.citation


def _caption_of(view: Compliance, citation: Citation) -> Caption:
    if citation.record is None:
        return Caption(view.title, None, None)
    with citation.record.engine.connect() as conn:
        return read_caption(conn, view)


def certificate_html(
    view: Compliance, today: date, citation: Citation, caption: Caption | None = None
) -> str:
    """The certificate as HTML (PDF: render.pdf); `caption` defaults to the case's as read
    from the ledger the citation comes from."""
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
        caption=caption or _caption_of(view, citation),
        unbroken=unbroken,
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
    record: LedgerStore | None = field(default=None, compare=False, repr=False)
    """The ledger the citation was read from: the certificate's caption (court and agency
    numbers, prosecutors of record) is read from the case there."""


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
        store,
    )
