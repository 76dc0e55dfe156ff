"""Sealed private keys in the database: the log key and the actors' keys.

Only sealed seeds are stored (see sealing.py); a key is opened in memory when
a command needs to sign, and never written anywhere in the clear. Each row carries a seal
(row_seals.py), checked before the key is used: a row whose holder, role or date was
changed in the database is refused, so no one signs with a key that is not theirs.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from ..domain.errors import IntegrityError
from ..ledger.ed25519 import Signer
from ..ledger.entry import actor_key_id, now
from .raw_sql import fetch_all
from .sealing import MasterKey
from .tables import sealed_key

LOG = "log"
ACTOR = "actor"


class KeyNotFoundError(IntegrityError, LookupError):
    """A signer's stored key is missing or was changed in the database: nothing can be
    signed for them until an administrator restores it."""


def save_key(conn: Connection, master: MasterKey, signer: Signer, role: str, holder: str) -> str:
    key_id = actor_key_id(signer.public_key)
    row: dict[str, object] = {
        "key_id": key_id,
        "role": role,
        "holder": holder,
        "public_key": signer.public_key,
        "sealed": master.seal(signer.seed),
        "created_at": now(),
    }
    conn.execute(sealed_key.insert(), {**row, "seal": master.rows.seal("sealed_key", row)})
    return key_id


_NAMES = ("key_id", "role", "holder", "public_key", "sealed", "created_at", "seal")
_COLUMNS = f"SELECT {', '.join(_NAMES)} FROM sealed_key WHERE "


def _open(master: MasterKey, found: tuple[object, ...]) -> Signer:
    row = dict(zip(_NAMES, found, strict=True))
    key_id = str(row["key_id"])
    # Opened first: a wrong master key is told apart from a changed row.
    signer = Signer(master.unseal(bytes(row["sealed"]), f"key {key_id}"))  # type: ignore[call-overload]
    if not master.rows.holds("sealed_key", row):
        raise KeyNotFoundError(
            f"the stored key {key_id} ({row['holder']}) was changed outside Brady (its seal "
            "does not match); run `brady verify` and restore the database from a backup"
        )
    if actor_key_id(signer.public_key) != key_id:
        raise KeyNotFoundError(f"sealed key {key_id} opens to a different key")
    return signer


def load_key(conn: Connection, master: MasterKey, key_id: str) -> Signer:
    rows = fetch_all(conn, _COLUMNS + "key_id = ?", (key_id,))
    if not rows:
        raise KeyNotFoundError(f"no private key {key_id} is held by this ledger")
    return _open(master, rows[0])


def role_query(role: str, holder: str | None = None) -> tuple[str, tuple[str, ...]]:
    """The query for the newest key of a role (and holder), for a caller that sends it
    together with other reads (a command reads its user and the user's key at once)."""
    # Plain SQL: read by every command that signs.
    if holder is None:
        return _COLUMNS + "role = ?" + _FIRST, (role,)
    return _COLUMNS + "role = ? AND holder = ?" + _FIRST, (role, holder)


def open_role(
    master: MasterKey, rows: list[tuple[object, ...]], role: str, holder: str | None = None
) -> Signer:
    """The key `role_query` found, opened and its seal checked."""
    if not rows:
        who = f" for {holder}" if holder else ""
        raise KeyNotFoundError(f"this ledger holds no {role} key{who}")
    return _open(master, rows[0])


def load_role(conn: Connection, master: MasterKey, role: str, holder: str | None = None) -> Signer:
    """The newest key of a role (and holder): after a rotation, the new key."""
    return open_role(master, fetch_all(conn, *role_query(role, holder)), role, holder)


_FIRST = " ORDER BY created_at DESC LIMIT 1"
