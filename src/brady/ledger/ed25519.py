"""Ed25519 through libsodium (PyNaCl): the one place that touches the library.

libsodium verifies about twice as fast as OpenSSL through `cryptography`,
which is what bounds a full audit of the ledger.
"""

from __future__ import annotations

import nacl.bindings
import nacl.exceptions

PUBLIC_KEY_SIZE = 32
SEED_SIZE = 32
SIGNATURE_SIZE = 64


class Signer:
    """An Ed25519 private key, able to sign; keep it out of logs and reprs."""

    __slots__ = ("_secret", "public_key")

    def __init__(self, seed: bytes) -> None:
        if len(seed) != SEED_SIZE:
            raise ValueError(f"an Ed25519 seed is {SEED_SIZE} bytes, not {len(seed)}")
        self.public_key, self._secret = nacl.bindings.crypto_sign_seed_keypair(seed)

    @classmethod
    def generate(cls) -> Signer:
        return cls(nacl.bindings.randombytes(SEED_SIZE))

    @property
    def seed(self) -> bytes:
        return bytes(self._secret[:SEED_SIZE])

    def sign(self, message: bytes) -> bytes:
        return bytes(nacl.bindings.crypto_sign(message, self._secret)[:SIGNATURE_SIZE])

    def __repr__(self) -> str:
        return f"Signer(public_key={self.public_key.hex()})"


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when signature is public_key's Ed25519 signature of message."""
    if len(signature) != SIGNATURE_SIZE or len(public_key) != PUBLIC_KEY_SIZE:
        return False
    try:
        nacl.bindings.crypto_sign_open(signature + message, public_key)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError):
        return False
    return True
