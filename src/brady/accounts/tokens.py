"""API tokens: random, shown once, stored as SHA-256, scoped to reading or writing,
revocable; refused once their account is locked."""

from __future__ import annotations

import secrets

from ..domain.errors import RefusedError
from ..ledger.entry import format_time
from ..store import account_queries
from ..store.engine import reading
from .account_rows import AccountRows
from .credentials import TOUCH_EVERY, Credential, secret_sha256

SCOPES = ("read", "write")
TOKEN_PREFIX = "brady_"


class Tokens(AccountRows):
    """The API token half of the Accounts service (service.py)."""

    def create_token(
        self, user_id: str, label: str, scope: str, by: str, source: str | None = None
    ) -> tuple[str, str]:
        """(token id, the token itself): the token is shown this once and never again."""
        if scope not in SCOPES:
            raise RefusedError(f"scope {scope!r} is not one of {', '.join(SCOPES)}", "scope")
        token_id = "TOK-" + secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        with self._write() as conn:
            self._ensure(conn, user_id)
            row = {
                "token_id": token_id,
                "user_id": user_id,
                "secret_sha256": secret_sha256(secret),
                "scope": scope,
                "created_at": self._now(),
                "revoked_at": None,
            }
            account_queries.add_token(conn, self.seals, row, label)
        self.log("token.create", by, target=f"user:{user_id}", source=source, detail=token_id)
        return token_id, f"{TOKEN_PREFIX}{secret}"

    def revoke_token(self, token_id: str, by: str, source: str | None = None) -> None:
        with self._write() as conn:
            done = account_queries.revoke_token(conn, self.seals, token_id, self._now())
        if not done:
            raise RefusedError(f"there is no active token {token_id!r}", "token_id")
        self.log("token.revoke", by, target=token_id, source=source)

    def tokens(self, user_id: str) -> list[dict[str, object]]:
        with self.engine.connect() as conn:
            return account_queries.user_tokens(conn, user_id)

    def token(self, presented: str) -> Credential | None:
        """The token's user and scope, if it is valid and its account is not locked."""
        if not presented.startswith(TOKEN_PREFIX):
            return None
        key = secret_sha256(presented[len(TOKEN_PREFIX) :])
        with reading(self.engine) as conn:
            found = account_queries.active_token(conn, key)
        if found is None or found[1] is not None:  # none, or its account is locked
            return None
        row = found[0]
        if not self._holds("api_token", row):
            return None
        token_id, user_id, scope, last_used = (
            row["token_id"],
            row["user_id"],
            row["scope"],
            row["last_used_at"],
        )
        if last_used is None or str(last_used) < format_time(self.clock() - TOUCH_EVERY):
            with self._write() as conn:
                account_queries.touch_token(conn, token_id, self._now())
        return Credential(str(user_id), "token", str(scope))
