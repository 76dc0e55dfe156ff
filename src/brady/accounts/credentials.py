"""The shapes sign-in, sessions and tokens share: who a request comes from, a refused
sign-in, and how secrets are kept, so each part of the accounts service speaks the same."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from ..domain.errors import RefusedError

TOUCH_EVERY = timedelta(seconds=60)
"""Last-use times are written at most this often: a write per request would queue every
read behind the ledger's writer."""


def secret_sha256(secret: str) -> str:
    """How a session's or token's secret is stored: 256 random bits need no slow hash."""
    return hashlib.sha256(secret.encode()).hexdigest()


class SignInError(RefusedError):
    """Sign-in refused. The message never says whether the user exists; `wait` is set when
    the refusal is about load or rate, not the credentials (HTTP 429)."""

    def __init__(self, message: str, wait: int | None = None) -> None:
        super().__init__(message)
        self.wait = wait


@dataclass(frozen=True)
class Credential:
    """Who a request comes from, and how it proved it."""

    user_id: str
    via: str  # session | token
    scope: str  # read | write
    csrf: str | None = None
    banner_ack: bool = True
    session_key: str | None = None  # the session's stored key (SHA-256 of its secret)
