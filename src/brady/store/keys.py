"""Sealed private keys in the database: the log key and the actors' keys.

Only sealed seeds are stored (see sealing.py); a key is opened in memory when
a command needs to sign, and never written anywhere in the clear.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from ..ledger._ed25519 import Signer
from ..ledger.entry import actor_key_id, now
from ._raw import fetch_all
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


def _open(master: MasterKey, key_id: str, sealed: bytes) -> Signer:
    signer = Signer(master.unseal(sealed, f"key {key_id}"))
    if actor_key_id(signer.public_key) != key_id:
        raise KeyNotFoundError(f"sealed key {key_id} opens to a different key")
    return signer


def load_key(conn: Connection, master: MasterKey, key_id: str) -> Signer:
    rows = fetch_all(conn, "SELECT key_id, sealed FROM sealed_key WHERE key_id = ?", (key_id,))
    if not rows:
        raise KeyNotFoundError(f"no private key {key_id} is held by this ledger")
    return _open(master, str(rows[0][0]), bytes(rows[0][1]))


def load_role(conn: Connection, master: MasterKey, role: str, holder: str | None = None) -> Signer:
    """The newest key of a role (and holder): after a rotation, the new key."""
    # Plain SQL: read by every command that signs.
    if holder is None:
        rows = fetch_all(conn, _NEWEST + "role = ?" + _FIRST, (role,))
    else:
        rows = fetch_all(conn, _NEWEST + "role = ? AND holder = ?" + _FIRST, (role, holder))
    if not rows:
        who = f" for {holder}" if holder else ""
        raise KeyNotFoundError(f"this ledger holds no {role} key{who}")
    return _open(master, str(rows[0][0]), bytes(rows[0][1]))


_NEWEST = "SELECT key_id, sealed FROM sealed_key WHERE "
_FIRST = " ORDER BY created_at DESC LIMIT 1"
