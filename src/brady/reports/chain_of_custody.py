"""The chain-of-custody report of one item: every step, who, when, where, each signature
checked, and each entry proved against the ledger's signed checkpoint.

The facts come from the projections (item view, history) and the ledger
entries themselves; the report adds only the checks a reader would otherwise
have to run: signature under the key valid at that entry, inclusion proof.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from ..access.produced import Produced
from ..domain.moments import recorded_late
from ..ledger.audit import replay_keys
from ..ledger.checkpoint import Checkpoint, open_checkpoint
from ..ledger.entry import Entry, check_signature, parse_entry
from ..ledger.errors import LedgerError
from ..ledger.hashing import leaf_hash
from ..ledger.keyring import Keyring
from ..ledger.note import Verifier
from ..ledger.proof import verify_inclusion
from ..ledger_home import OpenLedger
from ..store import custody_queries as q
from ..store.item_steps import with_payloads
from ..store.ledger_store import LedgerStore, StoredCheckpoint, StoreError, key_rows

TOKEN = re.compile(r"(?<![\w-])[\w.+:/]+(?:-[\w.+:/]+)+(?![\w-])")
"""A token a line must not split at its hyphens: a date, a time, a Bates number, a case
number, an item or location id (2024-01-31, BRADY-000001, D-101-CR-2023-90041)."""

BATES = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,59}")
"""A Bates number as a production writes it (BRADY-000001): nothing that could end the
page stamp's CSS string."""


def unbroken(text: str) -> list[tuple[str, bool]]:
    """`text` in pieces, each hyphenated token a piece of its own marked True: the report
    prints those on one line (a PDF line may break after a hyphen, and '2021-10-2 / 2' is
    no longer a date anyone can read). A token over 40 characters may wrap."""
    pieces, at = [], 0
    for m in TOKEN.finditer(text):
        if len(m.group()) <= 40:
            pieces += [(text[at : m.start()], False), (m.group(), True)]
            at = m.end()
    pieces.append((text[at:], False))
    return [(piece, keep) for piece, keep in pieces if piece]


@dataclass(frozen=True)
class Step:
    seq: int
    occurred_at: str
    recorded_at: str
    kind: str
    actor: str
    what: str
    key_id: str
    signature_ok: bool
    proved: bool

    @property
    def late(self) -> bool:
        """Recorded more than a day after it happened: both times are shown."""
        return recorded_late(self.occurred_at, self.recorded_at)

    @property
    def what_pieces(self) -> list[tuple[str, bool]]:
        """What happened, in the pieces the report prints: ids and dates never split."""
        return unbroken(self.what)

    @property
    def actor_pieces(self) -> list[tuple[str, bool]]:
        return unbroken(self.actor)


def _names(conn: Any) -> dict[str, str]:
    return {u["user_id"]: u["name"] for u in q.list_users(conn)}


def describe(kind: str, p: dict[str, Any], names: dict[str, str]) -> str:
    """One plain sentence for a custody step."""

    def who(user: str | None) -> str:
        return f"{names.get(user or '', user)} ({user})" if user else "-"

    texts = {**_item_sentences(p, who), **_record_sentences(p), **_other_sentences(p, who)}
    text = texts.get(kind)
    # Never the event's code name: a reader of the report is not a reader of Brady's source.
    return text() if text is not None else UNDESCRIBED


def _item_sentences(
    p: dict[str, Any], who: Callable[[str | None], str]
) -> dict[str, Callable[[], str]]:
    """Sentences for what happens to the item itself: taken in, handed over, moved,
    split, filed, disposed of. Each is built only if asked for."""
    return {
        "item.intake": lambda: (
            f"Taken into custody: {p.get('quantity', 1)} x {p.get('description')}, held by "
            f"{who(p.get('custodian'))}, stored at {p.get('location_id')}"
            + (f", received from {p['received_from']}" if p.get("received_from") else "")
            + (f", seals {', '.join(p['seals'])}" if p.get("seals") else "")
        ),
        "item.transfer": lambda: (
            f"Handed to {who(p.get('to_user'))}" + (f" ({p['reason']})" if p.get("reason") else "")
        ),
        "item.receive": lambda: "Receipt acknowledged by the new custodian",
        "item.transfer_cancel": lambda: f"Hand-over cancelled: {p.get('reason')}",
        "item.disposition_withdraw": lambda: f"Disposition request withdrawn: {p.get('reason')}",
        "item.checkout": lambda: (
            f"Checked out to {p.get('to')} for {p.get('purpose')}, due back {p.get('due_back')}"
        ),
        "item.checkin": lambda: (
            f"Checked in at {p.get('location_id')}; condition: "
            f"{p.get('condition')}; seal {'intact' if p.get('seal_intact') else 'NOT intact'}"
        ),
        "item.move": lambda: f"Moved to {p.get('location_id')}",
        "item.split": lambda: (
            f"{p.get('quantity')} taken out as {p.get('new_item_id')}: {p.get('description')}"
        ),
        "item.file_case": lambda: f"Filed under case {p.get('case_id')}: {p.get('reason')}",
        "item.disposition_request": lambda: (
            f"Disposition requested ({p.get('method')}): {p.get('reason')}"
        ),
        "item.disposition_approve": lambda: "Disposition approved",
        "item.disposition": lambda: (
            f"Disposed of: {p.get('method')}" + (f" to {p['to']}" if p.get("to") else "")
        ),
    }


def _record_sentences(p: dict[str, Any]) -> dict[str, Callable[[], str]]:
    """Sentences for what is added to the item's record: files, lab work, the review of a
    suggested link, corrections. Each is built only if asked for."""
    return {
        "file.attach": lambda: (
            f"File attached: {p.get('name')} ({p.get('size')} bytes, SHA-256 {p.get('sha256')})"
        ),
        "file.read": lambda: (
            f"Text of file SHA-256 {p.get('sha256')} read for linking by Brady "
            f"({p.get('pages')} pages; {p.get('reader')})"
        ),
        "lab.request": lambda: (
            f"Lab request {p.get('request_id')} to {p.get('lab')}: {p.get('examinations')}"
        ),
        "lab.result": lambda: f"Lab result for {p.get('request_id')}: {p.get('findings')}",
        "link.accept": lambda: (
            f"Found to bear on case {p.get('case_id')} and filed under it on the "
            f"prosecutor's review: {p.get('reason')}"
        ),
        "link.reject": lambda: (
            f"Suggested link to case {p.get('case_id')} rejected on review: {p.get('reason')}"
        ),
        "record.correct": lambda: (
            f"Correction of entry {p.get('target_seq')}: {p.get('field')} "
            f"is {p.get('value')!r} ({p.get('reason')})"
        ),
    }


def _other_sentences(
    p: dict[str, Any], who: Callable[[str | None], str]
) -> dict[str, Callable[[], str]]:
    """Sentences for the ledger's other events (inventories, cases, disclosure, accounts,
    settings): an item's chain holds few of them, but none may reach a reader as a code."""
    return {
        "inventory.start": lambda: f"Inventory {p.get('inventory_id')} started ({p.get('scope')})",
        "inventory.scan": lambda: (
            f"Seen in inventory {p.get('inventory_id')}"
            + (f" at {p['location_id']}" if p.get("location_id") else "")
        ),
        "inventory.close": lambda: f"Inventory {p.get('inventory_id')} closed",
        **_case_sentences(p, who),
        "link.suggest": lambda: (
            f"Suggested by Brady's linking as bearing on case {p.get('case_id')}"
            + (
                f", following the decision on related cases {p['relation_id']}"
                if p.get("relation_id")
                else ""
            )
        ),
        "relation.suggest": lambda: (
            f"Cases {' and '.join(p.get('case_ids') or [])} found related: they share "
            f"{len(p.get('person_ids') or [])} party(ies) ({p.get('relation_id')})"
        ),
        "relation.accept": lambda: (
            f"Related cases {p.get('relation_id')} accepted for case {p.get('case_id')}: "
            f"{p.get('reason')}"
        ),
        "relation.reject": lambda: (
            f"Related cases {p.get('relation_id')} rejected for case {p.get('case_id')}: "
            f"{p.get('reason')}"
        ),
        "agency.add": lambda: f"Agency {p.get('agency_id')} added: {p.get('name')}",
        "user.add": lambda: f"User {who(p.get('user_id'))} added",
        "user.roles": lambda: f"Roles of {who(p.get('user_id'))} changed",
        "user.key": lambda: f"Signing key of {who(p.get('user_id'))} changed",
        "person.add": lambda: f"Person {p.get('person_id')} added: {p.get('name')}",
        "location.add": lambda: f"Location {p.get('location_id')} added: {p.get('name')}",
        "organization.add": lambda: f"Organization {p.get('org_id')} added: {p.get('name')}",
        "linking.patterns": lambda: "Linking patterns changed",
        "linking.model": lambda: "Linking model changed",
        "access.anchor": lambda: "Access log fixed on the ledger",
        "blobs.migrate": lambda: (
            f"Evidence files copied from {p.get('source')} to {p.get('target')}: "
            f"{p.get('files')} files read back and each hash checked"
            + (f"; {len(p['problems'])} problem(s) found" if p.get("problems") else "")
        ),
    }


def _case_sentences(
    p: dict[str, Any], who: Callable[[str | None], str]
) -> dict[str, Callable[[], str]]:
    """Sentences for a case's own events and its disclosure."""
    return {
        "case.open": lambda: f"Case {p.get('case_id')} opened: {p.get('title')}",
        "case.add_number": lambda: f"Number {p.get('number')} added to case {p.get('case_id')}",
        "case.add_party": lambda: (
            f"Person {p.get('person_id')} added to case {p.get('case_id')} as "
            f"{str(p.get('role', '')).replace('_', ' ')}"
        ),
        "case.assign": lambda: (
            f"{who(p.get('user_id'))} assigned to case {p.get('case_id')} as "
            f"{str(p.get('role', '')).replace('_', ' ')}"
        ),
        "case.unassign": lambda: f"{who(p.get('user_id'))} taken off case {p.get('case_id')}",
        "case.charge": lambda: (
            f"Person {p.get('person_id')} charged in case {p.get('case_id')} on "
            f"{p.get('charged_on')}: {', '.join(p.get('charges') or [])}"
        ),
        "case.arraign": lambda: (
            f"Person {p.get('person_id')} arraigned in case {p.get('case_id')} on "
            f"{p.get('arraigned_on')}"
        ),
        "case.close": lambda: f"Case {p.get('case_id')} closed: {p.get('reason')}",
        "case.rules": lambda: (
            f"Disclosure rules {p.get('rule_set_id')} chosen for case {p.get('case_id')}"
        ),
        "rules.adopt": lambda: "Disclosure rule set adopted by the agency",
        "disclosure.request": lambda: (
            f"Discovery requested in case {p.get('case_id')} by {p.get('requested_by')}"
        ),
        "disclosure.flag": lambda: f"Marked for disclosure review in case {p.get('case_id')}",
        "disclosure.withhold": lambda: (
            f"Withholding asked in case {p.get('case_id')} under {p.get('order_ref')}: "
            f"{p.get('reason')}"
        ),
        "disclosure.withhold_approve": lambda: f"Withholding approved in case {p.get('case_id')}",
        "disclosure.produce": lambda: (
            f"Produced to the defense in case {p.get('case_id')}: production "
            f"{p.get('production_id')} to {p.get('recipient')}"
        ),
        "disclosure.receipt": lambda: (
            f"Production {p.get('production_id')} received by {p.get('received_by')}"
        ),
    }


UNDESCRIBED = "A step this version of Brady has no words for (read its ledger entry)"


def _lineage_history(conn: Any, view: dict[str, Any]) -> list[dict[str, Any]]:
    """A split-off item's chain starts with its parent's, up to the split."""
    history = q.item_history(conn, view["item_id"])
    parent = view.get("parent_id")
    if parent:
        parent_view = q.item_view(conn, parent)
        if parent_view is not None:
            split_at = view["intake_seq"]
            earlier = [h for h in _lineage_history(conn, parent_view) if h["seq"] < split_at]
            history = earlier + history
    return history


@dataclass(frozen=True)
class Then:
    """The record as it stood, for a report of then: its connection, its size (None: as
    of a moment, read from the whole ledger) and which view it is, in words."""

    conn: Connection
    size: int | None
    said: str


def _checkpoint_of(store: LedgerStore, size: int | None) -> StoredCheckpoint:
    """The checkpoint signed at `size` when there is one, else the latest."""
    if size is not None:
        try:
            return store.checkpoint(size)
        except StoreError:
            pass
    return store.checkpoint()


def _signature_ok(entry: Entry, origin: str, keyring: Keyring) -> bool:
    """Whether the step is signed by the key its actor held at that point of the ledger."""
    try:
        check_signature(entry, origin, keyring.key_for(entry).public_key)
    except LedgerError:
        return False
    return True


def _proved(store: LedgerStore, entry: Entry, raw: bytes, checkpoint: Checkpoint) -> bool:
    """Whether the entry is proved to be in the tree the signed checkpoint commits to
    (an entry newer than the checkpoint cannot be, yet)."""
    if entry.seq >= checkpoint.size:
        return False
    try:
        proof = store.inclusion_proof(entry.seq, checkpoint.size)
        verify_inclusion(entry.seq, checkpoint.size, leaf_hash(raw), proof, checkpoint.root)
    except LedgerError:
        return False
    return True


def _agency(conn: Connection, history: list[dict[str, Any]], cases: list[dict[str, Any]]) -> str:
    """The agency whose record this is, for the report's letterhead, by name: the agency
    of whoever took the item into custody, else of the first of its cases that names one
    ('' when the record names none)."""
    found = q.user_agency(conn, str(history[0]["actor"])) if history else None
    for c in cases:
        found = found or q.case_agency(conn, str(c["case_id"]))
    return (q.agency_name(conn, found) or found) if found else ""


@dataclass(frozen=True)
class _Checks:
    """What each step is checked against: the ledger, its keys and the signed checkpoint."""

    store: LedgerStore
    keyring: Keyring
    checkpoint: Checkpoint
    names: dict[str, str]

    def step(self, h: dict[str, Any], payload: dict[str, Any], produced: Produced | None) -> Step:
        raw = self.store.entry(h["seq"])
        entry = parse_entry(raw, h["seq"])
        shown = payload if produced is None else produced.redact(entry.kind, payload)
        return Step(
            entry.seq,
            h["occurred_at"],
            entry.recorded_at,
            entry.kind,
            f"{self.names.get(h['actor'], h['actor'])} ({h['actor']})",
            describe(entry.kind, shown, self.names),
            entry.key_id,
            _signature_ok(entry, self.store.origin, self.keyring),
            _proved(self.store, entry, raw, self.checkpoint),
        )


def build(
    led: OpenLedger,
    item_id: str,
    produced: Produced | None = None,
    then: Then | None = None,
    bates: str | None = None,
) -> dict[str, Any] | None:
    """Everything the report shows, checked; for defense counsel (`produced`), the item's
    record as it was produced to them and nothing else; `then`, the record as it stood
    (its steps proved against the checkpoint of the record it was read from); `bates`, the
    Bates number of a produced copy, stamped on every page."""
    if bates is not None and not BATES.fullmatch(bates):
        raise ValueError(f"{bates!r} is not a Bates number (letters, digits and dashes)")
    store = led.store
    verifier = Verifier.from_vkey(led.config.log_vkey)
    cp_stored = _checkpoint_of(store, then.size if then else None)
    checkpoint = open_checkpoint(cp_stored.note, verifier)
    with nullcontext(then.conn) if then else led.engine.connect() as conn:
        view = q.item_view(conn, item_id)
        if view is None:
            return None
        read = with_payloads(conn, _lineage_history(conn, view))
        history = [row for row, _, _ in read]
        said = {int(row["seq"]): payload for row, _, payload in read}
        if produced is not None:
            history = produced.history(item_id, read)
            view = produced.item(view)
        names = _names(conn)
        keys = key_rows(conn)
        agency = _agency(conn, history, view.get("cases", []))
    keyring, _ = replay_keys(store.origin, keys)
    checks = _Checks(store, keyring, checkpoint, names)
    steps = [checks.step(h, said[int(h["seq"])], produced) for h in history]
    return {
        "item": view,
        "steps": steps,
        "checkpoint": checkpoint,
        "checkpoint_note": cp_stored.note,
        "log_vkey": led.config.log_vkey,
        "zone": led.config.zone,
        "view": then.said if then else "",
        "all_ok": all(s.signature_ok and s.proved for s in steps),
        "custodian_name": names.get(view.get("custodian", ""), view.get("custodian", "")),
        "agency": agency,
        "origin": store.origin,
        "bates": bates,
    }
