"""Seals on the rows that let someone act: a MAC that write access to the database alone
cannot make.

Ledger entries are signed, so a changed entry is caught. The rows that say who may sign in
(password hashes, API tokens, browser sessions) and which private key signs for whom
(`sealed_key`) are not entries: anyone able to write to the database could otherwise add a
token for a prosecutor and act as her through the server, signing with her key. Each such
row carries an HMAC-SHA256 over the columns that decide what it grants, under a key derived
(keyed BLAKE2b) from the master key, which is kept outside the database and the home folder. Brady
checks the seal each time it uses a row; `brady verify` checks every row when it is given
the master key.

Stored checkpoints carry a chain instead: each one's MAC covers the previous one's, under
a key derived from the log's own private key. A checkpoint's signature shows it is genuine,
but not that another between two stored ones was deleted; the chain does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import rfc8785

COVERED: dict[str, tuple[str, ...]] = {
    # What a password grants is the account it opens; lock state only ever refuses more.
    "account": ("user_id", "password_hash"),
    # A revoked token brought back would let a leaked secret in again, so revocation counts.
    "api_token": ("token_id", "user_id", "secret_sha256", "scope", "created_at", "revoked_at"),
    "web_session": ("secret_sha256", "user_id", "csrf", "created_at", "ended_at"),
    "sealed_key": ("key_id", "role", "holder", "public_key", "sealed", "created_at"),
}
"""The columns each table's seal covers. Use times (last_used_at, last_seen_at) are left out:
they change on every request and decide nothing but the idle limit."""

COVERED_WHEN_SET: dict[str, tuple[str, ...]] = {
    # An expiry moved later or cleared would let a leaked secret in for longer.
    "api_token": ("expires_at",),
}
"""Columns added after seals existed, covered when they hold a value: a row sealed before
the column existed (NULL there) keeps its seal, and setting, changing or clearing the value
breaks it."""

_ROW_PURPOSE = b"brady-row-seal1"
_CHAIN_PURPOSE = b"brady-cp-chain1"


def _derive(secret: bytes, purpose: bytes) -> bytes:
    """A subkey for one purpose: BLAKE2b keyed with the secret and personalised with the
    purpose, the construction of libsodium's crypto_kdf."""
    return hashlib.blake2b(b"", key=secret, person=purpose, digest_size=32).digest()


def _plain(value: object) -> Any:
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _mac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class RowSeals:
    """Makes and checks the seals of COVERED rows."""

    key: bytes

    @classmethod
    def from_master(cls, master_key: bytes) -> RowSeals:
        return cls(_derive(master_key, _ROW_PURPOSE))

    def seal(self, table: str, row: Mapping[str, Any]) -> str:
        values = {name: _plain(row[name]) for name in COVERED[table]}
        for name in COVERED_WHEN_SET.get(table, ()):
            if row.get(name) is not None:
                values[name] = _plain(row[name])
        return _mac(self.key, rfc8785.dumps({"table": table, "row": values}))

    def holds(self, table: str, row: Mapping[str, Any]) -> bool:
        """Whether the row's `seal` column is the seal of its covered columns."""
        stored = row.get("seal")
        return isinstance(stored, str) and hmac.compare_digest(stored, self.seal(table, row))


def chain_key(log_seed: bytes) -> bytes:
    """The checkpoint chain's key: only the holder of the log key can extend the chain."""
    return _derive(log_seed, _CHAIN_PURPOSE)


def chain_link(key: bytes, previous: str | None, size: int, note: str, created_at: str) -> str:
    """The MAC a stored checkpoint carries: over the previous one's and its own row."""
    row = {"previous": previous, "size": size, "note": note, "created_at": created_at}
    return _mac(key, rfc8785.dumps(row))
