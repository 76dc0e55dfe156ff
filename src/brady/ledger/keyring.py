"""Which actor key may sign at which sequence number.

Actor keys live on the ledger itself: the genesis entry registers the first
administrator key, later `key.register`, `key.rotate` and `key.revoke` entries
change the set. Replaying those entries in order tells, for any sequence
number, which key was valid then; that is how an old signature stays valid
after its key is retired, and a retired key cannot sign anything new.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ._b64 import b64decode_strict
from .entry import Entry, Event, actor_key_id, check_signature
from .errors import SignatureError

GENESIS = "ledger.genesis"
KEY_REGISTER = "key.register"
KEY_ROTATE = "key.rotate"
KEY_REVOKE = "key.revoke"
KEY_KINDS = frozenset({GENESIS, KEY_REGISTER, KEY_ROTATE, KEY_REVOKE})


@dataclass(frozen=True, slots=True)
class ActorKey:
    key_id: str
    public_key: bytes
    holder: str
    admin: bool
    registered_at: int
    ended_at: int | None = None
    end_reason: str | None = None

    def valid_at(self, seq: int) -> bool:
        """Valid from the entry after its registration through the entry that ends it."""
        return self.registered_at < seq and (self.ended_at is None or seq <= self.ended_at)


def _public_key(payload: dict[str, Any], field: str, key_field: str, seq: int) -> tuple[str, bytes]:
    try:
        public_key = b64decode_strict(payload.get(field), field)
    except ValueError as exc:
        raise SignatureError(f"payload needs base64 {field!r}: {exc}", seq) from exc
    key_id = payload.get(key_field)
    if len(public_key) != 32 or key_id != actor_key_id(public_key):
        raise SignatureError(
            f"{key_field} {key_id!r} does not name the key given in {field!r}", seq
        )
    return key_id, public_key


class Keyring:
    """The actor keys known after replaying some prefix of the ledger."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.keys: dict[str, ActorKey] = {}
        self.log_vkey: str | None = None

    def copy(self) -> Keyring:
        other = Keyring(self.origin)
        other.keys = dict(self.keys)
        other.log_vkey = self.log_vkey
        return other

    def key_for(self, entry: Entry) -> ActorKey:
        key = self.keys.get(entry.key_id)
        if key is None:
            raise SignatureError(f"signed by unknown key {entry.key_id}", entry.seq)
        if not key.valid_at(entry.seq):
            if key.ended_at is not None and entry.seq > key.ended_at:
                why = f"{key.end_reason} at entry {key.ended_at}"
            else:
                why = f"registered only at entry {key.registered_at}"
            raise SignatureError(f"signed by key {entry.key_id}, which was {why}", entry.seq)
        return key

    def check(self, entry: Entry) -> None:
        """Verify an entry's signature and apply it if it changes the key set.

        Entries must be given in sequence order.
        """
        if entry.seq == 0 or entry.kind == GENESIS:
            self._genesis(entry)
            return
        key = self.key_for(entry)
        check_signature(entry, self.origin, key.public_key)
        if entry.kind in KEY_KINDS:
            self._apply(entry, key)

    def admit(self, entry: Entry, public_key: bytes) -> None:
        """Check that a just-signed entry's key may sign at its seq, and apply it.

        For the writer, which has just made the signature with `public_key`:
        checking who may sign is what protects the ledger; re-verifying a
        signature we computed a moment ago would only halve append speed.
        """
        if entry.seq == 0 or entry.kind == GENESIS:
            self._genesis(entry)
            return
        key = self.key_for(entry)
        if key.public_key != public_key:
            raise SignatureError(f"key id {entry.key_id} does not name the signing key", entry.seq)
        if entry.kind in KEY_KINDS:
            self._apply(entry, key)

    def _genesis(self, entry: Entry) -> None:
        if entry.seq != 0 or entry.kind != GENESIS:
            raise SignatureError(
                f"{GENESIS} must be entry 0 and entry 0 must be {GENESIS}", entry.seq
            )
        payload = entry.payload
        if payload.get("origin") != self.origin:
            raise SignatureError(
                f"genesis names origin {payload.get('origin')!r}, not {self.origin!r}", 0
            )
        key_id, public_key = _public_key(payload, "public_key", "key_id", 0)
        if key_id != entry.key_id:
            raise SignatureError("genesis entry is not signed by the key it registers", 0)
        check_signature(entry, self.origin, public_key)
        log_vkey = payload.get("log_vkey")
        if not isinstance(log_vkey, str):
            raise SignatureError("genesis entry has no log_vkey", 0)
        self.log_vkey = log_vkey
        self.keys[key_id] = ActorKey(key_id, public_key, str(payload.get("holder", "")), True, -1)

    def _apply(self, entry: Entry, signer: ActorKey) -> None:
        payload, seq = entry.payload, entry.seq
        if entry.kind == KEY_REGISTER:
            if not signer.admin:
                raise SignatureError("key.register is signed by a key without key_admin", seq)
            key_id, public_key = _public_key(payload, "public_key", "key_id", seq)
            if key_id in self.keys:
                raise SignatureError(f"key {key_id} is already registered", seq)
            holder = payload.get("holder")
            if not isinstance(holder, str) or not holder:
                raise SignatureError("key.register needs a holder", seq)
            self.keys[key_id] = ActorKey(
                key_id, public_key, holder, payload.get("key_admin") is True, seq
            )
            return
        target = self._target(payload, signer, seq, entry.kind)
        if entry.kind == KEY_ROTATE:
            new_id, new_public = _public_key(payload, "new_public_key", "new_key_id", seq)
            if new_id in self.keys:
                raise SignatureError(f"key {new_id} is already registered", seq)
            self.keys[target.key_id] = replace(target, ended_at=seq, end_reason="rotated")
            self.keys[new_id] = ActorKey(new_id, new_public, target.holder, target.admin, seq)
        else:
            self.keys[target.key_id] = replace(target, ended_at=seq, end_reason="revoked")

    def _target(self, payload: dict[str, Any], signer: ActorKey, seq: int, kind: str) -> ActorKey:
        key_id = payload.get("key_id")
        target = self.keys.get(key_id) if isinstance(key_id, str) else None
        if target is None or not target.valid_at(seq):
            raise SignatureError(
                f"{kind} names key {payload.get('key_id')!r}, not a valid key", seq
            )
        if signer.key_id != target.key_id and not signer.admin:
            raise SignatureError(f"{kind} must be signed by that key or by a key_admin", seq)
        return target


def genesis_payload(origin: str, log_vkey: str, public_key: bytes, holder: str) -> dict[str, Any]:
    return {
        "origin": origin,
        "log_vkey": log_vkey,
        "key_id": actor_key_id(public_key),
        "public_key": base64.b64encode(public_key).decode(),
        "holder": holder,
    }


def register_event(public_key: bytes, holder: str, *, key_admin: bool = False) -> Event:
    key_id = actor_key_id(public_key)
    return Event(
        KEY_REGISTER,
        (f"key:{key_id}",),
        {
            "key_id": key_id,
            "public_key": base64.b64encode(public_key).decode(),
            "holder": holder,
            "key_admin": key_admin,
        },
    )


def rotate_event(key_id: str, new_public_key: bytes) -> Event:
    new_id = actor_key_id(new_public_key)
    return Event(
        KEY_ROTATE,
        (f"key:{key_id}", f"key:{new_id}"),
        {
            "key_id": key_id,
            "new_key_id": new_id,
            "new_public_key": base64.b64encode(new_public_key).decode(),
        },
    )


def revoke_event(key_id: str, reason: str) -> Event:
    return Event(KEY_REVOKE, (f"key:{key_id}",), {"key_id": key_id, "reason": reason})


def _concerns(entry: Entry) -> set[str]:
    """The keys a genesis or key event registers, replaces or ends."""
    payload = entry.payload
    named = {payload.get("key_id"), payload.get("new_key_id")}
    return {k for k in named if isinstance(k, str)}


def key_events_for(key_entries: Sequence[Entry], signers: Iterable[str]) -> list[int]:
    """The positions of the genesis and key events that show `signers` valid where they
    signed: every event that made, replaced or ended one of those keys, and, the same way,
    the keys that signed those events. A bundle needs no other user's keys (a production
    for one counsel carries nothing about another's); replaying these in order gives the
    same verdict on the signers as replaying them all."""
    wanted = set(signers)
    chosen: set[int] = set()
    grew = True
    while grew:
        grew = False
        for entry in key_entries:
            if entry.seq in chosen:
                continue
            if entry.kind == GENESIS or _concerns(entry) & wanted:
                chosen.add(entry.seq)
                wanted |= _concerns(entry) | {entry.key_id}
                grew = True
    return sorted(chosen)
