"""Sealed private keys in the database: the log key and the actors' keys.

Only sealed seeds are stored (see sealing.py); a key is opened in memory when
a command needs to sign, and never written anywhere in the clear.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..ledger._ed25519 import Signer
from ..ledger.entry import actor_key_id, now
from .sealing import MasterKey
from .tables import sealed_key

LOG = "log"
ACTOR = "actor"


class KeyNotFoundError(LookupError):
    pass


def save_key(conn: Connection, master: MasterKey, signer: Signer, role: str, holder: str) -> str:
    key_id = actor_key_id(signer.public_key)
    conn.execute(
        sealed_key.insert(),
        {
            "key_id": key_id,
            "role": role,
            "holder": holder,
            "public_key": signer.public_key,
            "sealed": master.seal(signer.seed),
            "created_at": now(),
        },
    )
    return key_id


def _open(master: MasterKey, row: object) -> Signer:
    key_id: str = row.key_id  # type: ignore[attr-defined]
    signer = Signer(master.unseal(bytes(row.sealed), f"key {key_id}"))  # type: ignore[attr-defined]
    if actor_key_id(signer.public_key) != key_id:
        raise KeyNotFoundError(f"sealed key {key_id} opens to a different key")
    return signer


def load_key(conn: Connection, master: MasterKey, key_id: str) -> Signer:
    row = conn.execute(select(sealed_key).where(sealed_key.c.key_id == key_id)).first()
    if row is None:
        raise KeyNotFoundError(f"no private key {key_id} is held by this ledger")
    return _open(master, row)


def load_role(conn: Connection, master: MasterKey, role: str, holder: str | None = None) -> Signer:
    """The newest key of a role (and holder): after a rotation, the new key."""
    query = select(sealed_key).where(sealed_key.c.role == role)
    if holder is not None:
        query = query.where(sealed_key.c.holder == holder)
    row = conn.execute(query.order_by(sealed_key.c.created_at.desc()).limit(1)).first()
    if row is None:
        who = f" for {holder}" if holder else ""
        raise KeyNotFoundError(f"this ledger holds no {role} key{who}")
    return _open(master, row)
