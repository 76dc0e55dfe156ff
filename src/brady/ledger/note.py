"""C2SP signed notes with Ed25519 keys (c2sp.org/signed-note).

Written so that Go's golang.org/x/mod/sumdb/note opens what we sign and we open
what it signs: key IDs, verifier-key strings and signature lines are exactly as
the specification gives them.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from ._b64 import b64decode_strict
from .ed25519 import PUBLIC_KEY_SIZE, SIGNATURE_SIZE, Signer, verify
from .errors import NoteError

ED25519_TYPE = b"\x01"
_SIG_PREFIX = "\u2014 "  # em dash, space
MAX_NOTE_BYTES = 1 << 20


def key_id(name: str, public_key: bytes, key_type: bytes = ED25519_TYPE) -> bytes:
    """SHA-256(name || 0x0A || type || public key)[:4] (type 0x01 for a log's key, 0x04 for
    a witness's cosignature key)."""
    return hashlib.sha256(name.encode() + b"\n" + key_type + public_key).digest()[:4]


def format_vkey(name: str, public_key: bytes, key_type: bytes = ED25519_TYPE) -> str:
    """`<name>+<hex key id>+<base64(type || public key)>`."""
    blob = base64.b64encode(key_type + public_key).decode()
    return f"{name}+{key_id(name, public_key, key_type).hex()}+{blob}"


def parse_vkey(vkey: str, key_type: bytes, what: str, wrong_type: str) -> tuple[str, bytes]:
    """(name, public key) of a verifier key string of this type, every part checked."""
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError(f"{what} {vkey!r} is not <name>+<key id>+<key>")
    name, hex_id, blob = parts
    check_key_name(name)
    try:
        raw = b64decode_strict(blob, what)
        wanted = bytes.fromhex(hex_id)
    except ValueError as exc:
        raise NoteError(f"{what} {vkey!r} is not well encoded: {exc}") from exc
    if len(raw) != 1 + PUBLIC_KEY_SIZE or raw[:1] != key_type:
        raise NoteError(wrong_type)
    if len(hex_id) != 8 or key_id(name, raw[1:], key_type) != wanted:
        raise NoteError(f"{what} id {hex_id} does not match the key")
    return name, raw[1:]


def check_key_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 public key, as in a C2SP verifier key string."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    def vkey(self) -> str:
        """`<name>+<hex key id>+<base64(0x01 || public key)>`."""
        return format_vkey(self.name, self.public_key)

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        return cls(
            *parse_vkey(
                vkey,
                ED25519_TYPE,
                "verifier key",
                "verifier key is not an Ed25519 key (type 0x01, 32 bytes)",
            )
        )


def sign_note(text: str, name: str, signer: Signer) -> str:
    """Sign a note text (must end in a newline) with one Ed25519 key."""
    check_key_name(name)
    _check_text(text)
    sig = signer.sign(text.encode())
    blob = base64.b64encode(key_id(name, signer.public_key) + sig).decode()
    return f"{text}\n{_SIG_PREFIX}{name} {blob}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("note text holds a control character")


def open_note(note: str, verifier: Verifier) -> str:
    """Return the text of a note once the verifier's signature on it checks out.

    Signatures from other keys are ignored, as the specification requires; a
    note with no valid signature from this key is refused.
    """
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise NoteError("note is too large")
    if not note.endswith("\n"):
        raise NoteError("note does not end with a newline")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise NoteError("note has no blank line before its signatures")
    text, sig_block = note[: cut + 1], note[cut + 2 :]
    _check_text(text)
    if any(ord(c) < 0x20 and c != "\n" for c in sig_block):
        raise NoteError("note signatures hold a control character")
    found = False
    for line in sig_block[:-1].split("\n"):
        if not line.startswith(_SIG_PREFIX):
            raise NoteError(f"malformed signature line {line!r}")
        name, _, blob = line[len(_SIG_PREFIX) :].rpartition(" ")
        try:
            raw = b64decode_strict(blob, f"signature line for {name!r}")
        except ValueError as exc:
            raise NoteError(str(exc)) from exc
        if len(raw) < 4:
            raise NoteError(f"signature line for {name!r} is too short")
        if name != verifier.name or raw[:4] != verifier.key_id:
            continue
        if len(raw) != 4 + SIGNATURE_SIZE or not verify(
            verifier.public_key, text.encode(), raw[4:]
        ):
            raise NoteError(f"signature by {name} does not verify")
        found = True
    if not found:
        raise NoteError(f"note carries no signature by {verifier.name}")
    return text
