"""Ledger entries: canonical JSON, signed by the actor who made the event.

An entry's bytes are the RFC 8785 form of one JSON object:

    {"format": 1, "seq": 7, "recorded_at": "2026-11-24T12:00:00.000000Z",
     "key_id": "...", "kind": "item.intake", "subjects": ["item:..."],
     "payload": {...}, "signature": "<base64 Ed25519 signature>"}

The signature covers the same object without "signature", canonicalized, after
a domain-separation prefix naming the log (see docs/ledger-format.md), so a
signature can neither be replayed in another log nor mistaken for any other
kind of Brady signature. The leaf hash covers the whole entry, signature and all.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ._b64 import b64decode_strict
from ._canonical import NotCanonicalError, canonical, decode_canonical
from .ed25519 import PUBLIC_KEY_SIZE, SIGNATURE_SIZE, Signer, verify
from .errors import EntryError, SignatureError

FORMAT_VERSION = 1
# tlog-tiles entry bundles prefix each entry with a 16-bit length.
MAX_ENTRY_BYTES = 65535
SIGNING_PREFIX = b"brady-ledger-entry/v1\n"

_FIELDS = frozenset(
    {"format", "seq", "recorded_at", "key_id", "kind", "subjects", "payload", "signature"}
)
_KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
MAX_KIND = 100
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
_KEY_ID = re.compile(r"[0-9a-f]{32}")


def actor_key_id(public_key: bytes) -> str:
    """An actor key's id: hex of the first 16 bytes of SHA-256(public key)."""
    return hashlib.sha256(public_key).digest()[:16].hex()


def format_time(moment: datetime) -> str:
    """UTC, microseconds, 'Z': fixed width, so text order is time order. (strftime's %Y
    does not pad a year before 1000 to four digits; isoformat does.)"""
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"


def signing_message(origin: str, body: bytes) -> bytes:
    return SIGNING_PREFIX + origin.encode() + b"\n" + body


@dataclass(frozen=True, slots=True)
class Event:
    """What an actor asks the ledger to record; the ledger adds seq, time and signature."""

    kind: str
    subjects: tuple[str, ...] = ()
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Entry:
    """A decoded entry; `raw` is exactly what the leaf hash covers."""

    seq: int
    recorded_at: str
    key_id: str
    kind: str
    subjects: tuple[str, ...]
    payload: dict[str, Any]
    signature: bytes
    raw: bytes

    def body(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "seq": self.seq,
            "recorded_at": self.recorded_at,
            "key_id": self.key_id,
            "kind": self.kind,
            "subjects": list(self.subjects),
            "payload": self.payload,
        }


def make_entry(
    origin: str,
    seq: int,
    recorded_at: str,
    signer: Signer,
    kind: str,
    subjects: list[str] | tuple[str, ...],
    payload: dict[str, Any],
) -> Entry:
    """Build and sign an entry. Raises EntryError on any field a verifier would refuse."""
    key = actor_key_id(signer.public_key)
    subj = tuple(subjects)
    _check_fields(seq, recorded_at, key, kind, subj, payload)
    body = {
        "format": FORMAT_VERSION,
        "seq": seq,
        "recorded_at": recorded_at,
        "key_id": key,
        "kind": kind,
        "subjects": list(subj),
        "payload": payload,
    }
    try:
        body_bytes = canonical(body)
    except ValueError as exc:
        raise EntryError(f"payload of {kind}: {exc}", seq) from exc
    signature = signer.sign(signing_message(origin, body_bytes))
    raw = _with_signature(body_bytes, signature)
    if len(raw) > MAX_ENTRY_BYTES:
        raise EntryError(
            f"{kind} is {len(raw)} bytes, over the limit of {MAX_ENTRY_BYTES}; "
            "store large content as a file (blob) and record only its hash",
            seq,
        )
    return Entry(seq, recorded_at, key, kind, subj, payload, signature, raw)


def _check_fields(
    seq: int,
    recorded_at: str,
    key_id: str,
    kind: str,
    subjects: tuple[str, ...],
    payload: Any,
) -> None:
    if type(seq) is not int or seq < 0:
        raise EntryError(f"seq must be a non-negative integer, got {seq!r}")
    if not isinstance(recorded_at, str) or not _TIME.fullmatch(recorded_at):
        raise EntryError(f"recorded_at {recorded_at!r} is not YYYY-MM-DDTHH:MM:SS.ffffffZ", seq)
    try:
        datetime.fromisoformat(recorded_at[:-1])
    except ValueError as exc:
        raise EntryError(f"recorded_at {recorded_at!r} is not a real date and time", seq) from exc
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        raise EntryError(f"key_id {key_id!r} is not 32 lowercase hex digits", seq)
    if not isinstance(kind, str) or len(kind) > MAX_KIND or not _KIND.fullmatch(kind):
        raise EntryError(f"kind {kind!r} is not dotted lowercase words like 'item.intake'", seq)
    for s in subjects:
        if type(s) is not str or not s:
            raise EntryError("subjects must be non-empty strings", seq)
    if not isinstance(payload, dict):
        raise EntryError(f"payload must be a JSON object, got {type(payload).__name__}", seq)


def parse_entry(raw: bytes, expected_seq: int | None = None) -> Entry:
    """Decode an entry and check its shape; the signature is checked separately."""
    where = expected_seq
    if len(raw) > MAX_ENTRY_BYTES:
        raise EntryError(f"{len(raw)} bytes, over the limit of {MAX_ENTRY_BYTES}", where)
    try:
        obj = decode_canonical(raw)
    except NotCanonicalError as exc:
        raise EntryError(str(exc), where) from exc
    if not isinstance(obj, dict) or obj.keys() != _FIELDS:
        got = sorted(obj) if isinstance(obj, dict) else type(obj).__name__
        raise EntryError(f"fields are {got}, expected {sorted(_FIELDS)}", where)
    if type(obj["format"]) is not int or obj["format"] != FORMAT_VERSION:
        raise EntryError(f"format {obj['format']!r} is not {FORMAT_VERSION}", where)
    seq = obj["seq"]
    subjects = obj["subjects"]
    if not isinstance(subjects, list):
        raise EntryError("subjects must be a list", where)
    _check_fields(
        seq, obj["recorded_at"], obj["key_id"], obj["kind"], tuple(subjects), obj["payload"]
    )
    if expected_seq is not None and seq != expected_seq:
        raise EntryError(f"holds seq {seq}; it is stored at position {expected_seq}", where)
    try:
        signature = b64decode_strict(obj["signature"], "signature")
    except ValueError as exc:
        raise EntryError(str(exc), where) from exc
    if len(signature) != SIGNATURE_SIZE:
        raise EntryError(f"signature is {len(signature)} bytes, not {SIGNATURE_SIZE}", where)
    return Entry(
        seq,
        obj["recorded_at"],
        obj["key_id"],
        obj["kind"],
        tuple(subjects),
        obj["payload"],
        signature,
        raw,
    )


# In canonical form "signature" sorts between "seq" and "subjects", and
# "subjects" is a list of strings (whose quotes are escaped), so the last
# occurrence of these markers is the top-level member. Removing or inserting
# one member of a canonical object leaves the rest canonical, which saves a
# second canonicalization on every append and every verification.
_SIG_MARK = b',"signature":"'
_SUBJECTS_MARK = b',"subjects":['


def _with_signature(body: bytes, signature: bytes) -> bytes:
    cut = body.rindex(_SUBJECTS_MARK)
    return body[:cut] + _SIG_MARK + base64.b64encode(signature) + b'"' + body[cut:]


def _without_signature(raw: bytes) -> bytes:
    start = raw.rindex(_SIG_MARK)
    end = raw.index(b'"', start + len(_SIG_MARK)) + 1
    return raw[:start] + raw[end:]


def check_signature(entry: Entry, origin: str, public_key: bytes) -> None:
    """Raise SignatureError unless the entry is signed by public_key in this log.

    Requires an entry from parse_entry or make_entry (raw is canonical).
    """
    if len(public_key) != PUBLIC_KEY_SIZE:
        raise SignatureError(f"key {entry.key_id} is not a 32-byte Ed25519 key", entry.seq)
    message = signing_message(origin, _without_signature(entry.raw))
    if not verify(public_key, message, entry.signature):
        raise SignatureError(
            f"{entry.kind} signature does not verify under key {entry.key_id}", entry.seq
        )


def now() -> str:
    return format_time(datetime.now(UTC))
