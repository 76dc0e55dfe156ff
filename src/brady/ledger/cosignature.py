"""Witness cosignatures on checkpoints (c2sp.org/tlog-cosignature, cosignature/v1, Ed25519).

A cosignature is a witness saying "as of this time, this is the largest tree of this log
I have seen, and it extends every earlier one I saw". It is one more signature line on
the checkpoint note, so a cosigned checkpoint still opens with the log's key alone
(`note.open_note` skips lines it does not know) and a verifier that trusts witnesses
counts their lines here. Pure functions, no I/O: the witness, the agency and
brady-verify all build on them.

The line is `— <name> base64(key id || timestamp || signature)` where the key id is
SHA-256(name || 0x0A || 0x04 || public key)[:4] (type 0x04, so a witness's key can never
be mistaken for a log's), the timestamp is 8 bytes big-endian (POSIX seconds), and the
Ed25519 signature covers "cosignature/v1\\ntime <timestamp>\\n" followed by the whole
checkpoint body.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ._b64 import b64decode_strict
from .ed25519 import SIGNATURE_SIZE, Signer, verify
from .errors import NoteError
from .note import MAX_NOTE_BYTES, check_key_name, format_vkey, key_id, parse_vkey

COSIGNATURE_TYPE = b"\x04"
HEADER = "cosignature/v1"
MAX_TIMESTAMP = (1 << 63) - 1
TIMESTAMP_SIZE = 8
COSIGNATURE_BYTES = TIMESTAMP_SIZE + SIGNATURE_SIZE  # after the key id
SIG_PREFIX = "\u2014 "  # em dash, space: every signature line starts so
_KEY_ID_SIZE = 4
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")  # C0 controls but the newline


def cosigner_key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || 0x04 || public key)[:4]."""
    return key_id(name, public_key, COSIGNATURE_TYPE)


def _check_timestamp(timestamp: int) -> None:
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise NoteError(f"cosignature time {timestamp} is outside 0 .. 2^63-1")


def signed_message(body: str, timestamp: int) -> bytes:
    """The bytes a cosigner signs: header line, time line, then the checkpoint body.

    `body` is the note text without its signatures, ending in a newline.
    """
    _check_timestamp(timestamp)
    if not body.endswith("\n"):
        raise NoteError("checkpoint body must end with a newline")
    return f"{HEADER}\ntime {timestamp}\n{body}".encode()


@dataclass(frozen=True)
class NoteSignature:
    """One signature line of a note, not yet checked: who claims to have signed, and
    the bytes after the key id (whatever the signature type)."""

    name: str
    key_id: bytes
    payload: bytes

    def line(self) -> str:
        blob = base64.b64encode(self.key_id + self.payload).decode()
        return f"{SIG_PREFIX}{self.name} {blob}\n"


def split_note(note: str) -> tuple[str, tuple[NoteSignature, ...]]:
    """A note's text and every signature line on it, as the signed-note format frames them.

    Checks the framing only (size, blank line, line shape, canonical base64); no
    signature is verified here.
    """
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise NoteError("note is too large")
    if not note.endswith("\n"):
        raise NoteError("note does not end with a newline")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise NoteError("note has no blank line before its signatures")
    text, block = note[: cut + 1], note[cut + 2 :]
    if _CONTROL.search(note):
        raise NoteError("note holds a control character")
    sigs = []
    for line in block[:-1].split("\n"):
        if not line.startswith(SIG_PREFIX):
            raise NoteError(f"malformed signature line {line!r}")
        name, _, blob = line[len(SIG_PREFIX) :].rpartition(" ")
        check_key_name(name)
        try:
            raw = b64decode_strict(blob, f"signature line for {name!r}")
        except ValueError as exc:
            raise NoteError(str(exc)) from exc
        if len(raw) <= _KEY_ID_SIZE:
            raise NoteError(f"signature line for {name!r} is too short")
        sigs.append(NoteSignature(name, raw[:_KEY_ID_SIZE], raw[_KEY_ID_SIZE:]))
    return text, tuple(sigs)


def join_note(text: str, signatures: Iterable[NoteSignature]) -> str:
    """A note from its text and signature lines, each line once, in the order given."""
    lines = list(dict.fromkeys(s.line() for s in signatures))
    if not lines:
        raise NoteError("a note needs at least one signature")
    return text + "\n" + "".join(lines)


@dataclass(frozen=True)
class Cosigner:
    """A witness's name and Ed25519 public key, as in its verifier key string."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return cosigner_key_id(self.name, self.public_key)

    def vkey(self) -> str:
        """`<name>+<hex key id>+<base64(0x04 || public key)>`: what a verifier is given."""
        return format_vkey(self.name, self.public_key, COSIGNATURE_TYPE)

    @classmethod
    def from_vkey(cls, vkey: str) -> Cosigner:
        return cls(
            *parse_vkey(
                vkey,
                COSIGNATURE_TYPE,
                "witness key",
                "witness key is not an Ed25519 cosignature key (type 0x04, 32 bytes); "
                "a log's own key (type 0x01) cannot be used as a witness key",
            )
        )

    def matches(self, sig: NoteSignature) -> bool:
        return sig.name == self.name and sig.key_id == self.key_id


@dataclass(frozen=True)
class Cosignature:
    """A parsed cosignature/v1 line: who, when, and the 64 signature bytes."""

    name: str
    key_id: bytes
    timestamp: int
    signature: bytes

    def line(self) -> str:
        return self.as_note_signature().line()

    def as_note_signature(self) -> NoteSignature:
        stamp = self.timestamp.to_bytes(TIMESTAMP_SIZE, "big")
        return NoteSignature(self.name, self.key_id, stamp + self.signature)

    @classmethod
    def from_note_signature(cls, sig: NoteSignature) -> Cosignature:
        if len(sig.payload) != COSIGNATURE_BYTES:
            raise NoteError(
                f"cosignature by {sig.name} is {len(sig.payload)} bytes after its key id; "
                f"a cosignature/v1 holds {COSIGNATURE_BYTES}"
            )
        timestamp = int.from_bytes(sig.payload[:TIMESTAMP_SIZE], "big")
        _check_timestamp(timestamp)
        return cls(sig.name, sig.key_id, timestamp, sig.payload[TIMESTAMP_SIZE:])


def cosign(body: str, name: str, signer: Signer, timestamp: int) -> Cosignature:
    """The witness's cosignature on a checkpoint body at the given POSIX time."""
    check_key_name(name)
    sig = signer.sign(signed_message(body, timestamp))
    return Cosignature(name, cosigner_key_id(name, signer.public_key), timestamp, sig)


def verify_cosignature(body: str, cosignature: Cosignature, cosigner: Cosigner) -> None:
    """NoteError unless `cosignature` is the cosigner's valid signature on this body."""
    if cosignature.name != cosigner.name or cosignature.key_id != cosigner.key_id:
        raise NoteError(f"the cosignature is by {cosignature.name}, not by {cosigner.name}")
    message = signed_message(body, cosignature.timestamp)
    if not verify(cosigner.public_key, message, cosignature.signature):
        raise NoteError(f"the cosignature by {cosigner.name} does not verify")


def cosignatures_on(
    note: str, cosigners: Sequence[Cosigner], not_after: int | None = None
) -> dict[str, Cosignature]:
    """The valid cosignatures on a note from the given witnesses, keyed by witness vkey.

    Lines from keys not given are ignored, as the specification requires. A line that
    names a given witness and its key id but does not verify makes the note malformed
    (NoteError), as does one timestamped after `not_after` when that is given.
    The log's own signature is not checked here: open the note with the log's key too.
    """
    text, sigs = split_note(note)
    found: dict[str, Cosignature] = {}
    for sig in sigs:
        for cosigner in cosigners:
            if not cosigner.matches(sig):
                continue
            cosig = Cosignature.from_note_signature(sig)
            verify_cosignature(text, cosig, cosigner)
            if not_after is not None and cosig.timestamp > not_after:
                raise NoteError(
                    f"the cosignature by {cosigner.name} is dated {cosig.timestamp}, "
                    f"in the future (now {not_after})"
                )
            found[cosigner.vkey()] = cosig
    return found


def add_cosignatures(note: str, cosignatures: Iterable[Cosignature]) -> str:
    """The note with the cosignature lines appended (a line already there is kept once)."""
    text, sigs = split_note(note)
    return join_note(text, [*sigs, *(c.as_note_signature() for c in cosignatures)])
