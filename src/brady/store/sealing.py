"""Private keys at rest, sealed under a master key the operator keeps elsewhere.

The database holds each Ed25519 seed encrypted with XSalsa20-Poly1305
(libsodium's secretbox). The 32-byte master key comes from, in order:
the BRADY_MASTER_KEY environment variable (base64), the file named by
BRADY_MASTER_KEY_FILE, the file named in the home's brady.toml, or the user's
own config folder. It is refused if it sits inside the ledger's home folder:
a copy of the home must never be enough to sign as the agency.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import nacl.exceptions
import nacl.secret
import nacl.utils
import platformdirs

from ..domain.errors import IntegrityError
from .row_seals import RowSeals

KEY_SIZE = nacl.secret.SecretBox.KEY_SIZE
ENV_KEY = "BRADY_MASTER_KEY"
ENV_FILE = "BRADY_MASTER_KEY_FILE"


class SealingError(IntegrityError):
    """The master key is missing, malformed, misplaced or wrong."""


def default_key_file() -> Path:
    return platformdirs.user_config_path("brady") / "master.key"


@dataclass(frozen=True)
class MasterKey:
    key: bytes
    source: str

    @cached_property
    def rows(self) -> RowSeals:
        """Seals for the rows that grant access (row_seals.py)."""
        return RowSeals.from_master(self.key)

    def seal(self, secret: bytes) -> bytes:
        return bytes(nacl.secret.SecretBox(self.key).encrypt(secret))

    def unseal(self, sealed: bytes, what: str) -> bytes:
        try:
            return bytes(nacl.secret.SecretBox(self.key).decrypt(sealed))
        except nacl.exceptions.CryptoError as exc:
            raise SealingError(
                f"the master key from {self.source} does not open {what}; "
                "set BRADY_MASTER_KEY_FILE to the key this ledger was created with"
            ) from exc


def _decode(text: str, source: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except binascii.Error as exc:
        raise SealingError(f"master key in {source} is not base64") from exc
    if len(key) != KEY_SIZE:
        raise SealingError(f"master key in {source} is {len(key)} bytes, expected {KEY_SIZE}")
    return key


def _outside(path: Path, home: Path) -> Path:
    path = path.expanduser().resolve()
    if path.is_relative_to(home.resolve()):
        raise SealingError(
            f"master key file {path} is inside the ledger home {home}; keep it elsewhere "
            "(set BRADY_MASTER_KEY_FILE to a path outside the home folder)"
        )
    return path


def key_file(home: Path, configured: str | None) -> Path:
    """Where the master key file is, by the order in this module's docstring."""
    name = os.environ.get(ENV_FILE) or configured
    return _outside(Path(name) if name else default_key_file(), home)


def load_master_key(home: Path, configured: str | None = None) -> MasterKey:
    if os.environ.get(ENV_KEY):
        return MasterKey(_decode(os.environ[ENV_KEY], ENV_KEY), ENV_KEY)
    path = key_file(home, configured)
    try:
        text = path.read_text()
    except FileNotFoundError as exc:
        raise SealingError(
            f"no master key at {path}; set {ENV_KEY} or {ENV_FILE}, "
            "or restore the key file this ledger was created with"
        ) from exc
    return MasterKey(_decode(text, str(path)), str(path))


def create_master_key(home: Path, configured: str | None = None) -> MasterKey:
    """Load the master key, or make one (mode 0600) where load_master_key looks."""
    if os.environ.get(ENV_KEY):
        return load_master_key(home, configured)
    path = key_file(home, configured)
    if path.exists():
        return load_master_key(home, configured)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = nacl.utils.random(KEY_SIZE)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(key).decode() + "\n")
    return MasterKey(key, str(path))
