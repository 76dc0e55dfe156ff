"""API tokens: random, shown once, stored as SHA-256, scoped to reading or writing,
expiring (after 90 days unless the administrator says otherwise), revocable; refused once
their account is locked."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

from ..domain.errors import InvalidInputError, RefusedError
from ..domain.moments import UTC_ZONE, end_of_day
from ..ledger.entry import format_time
from ..store import account_queries
from ..store.engine import reading
from .account_rows import AccountRows
from .credentials import TOUCH_EVERY, Credential, secret_sha256

SCOPES = ("read", "write")
TOKEN_PREFIX = "brady_"

TOKEN_DAYS: Final = 90
"""A new token's life when none is asked for: a token leaked and forgotten stops by itself,
and an integration's owner renews theirs each quarter."""

TOKEN_MOST_DAYS: Final = 3650
"""The longest life that can be asked for as a number of days or a day (ten years)."""

NEVER_EXPIRES: Final = "never"
"""A token that does not expire. Only given when asked for by this name (an integration that
cannot be handed a new token); revoke it when the integration stops."""

TokenExpiry = int | date | Literal["never"]
"""How long a new token works: a number of days from now, through the end of a day in the
agency's time zone, or NEVER_EXPIRES."""


class Tokens(AccountRows):
    """The API token half of the Accounts service (service.py)."""

    def create_token(
        self,
        user_id: str,
        label: str,
        scope: str,
        by: str,
        source: str | None = None,
        expires: TokenExpiry = TOKEN_DAYS,
        zone: ZoneInfo = UTC_ZONE,
    ) -> tuple[str, str]:
        """(token id, the token itself): the token is shown this once and never again. A
        day given as `expires` is the last day it works, ending at midnight in `zone`."""
        if scope not in SCOPES:
            raise RefusedError(f"scope {scope!r} is not one of {', '.join(SCOPES)}", "scope")
        expires_at = expiry_time(expires, self.clock(), zone)
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
                "expires_at": expires_at,
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
        """The user's tokens (no secret's hash, no seal); `expired`: its expiry has passed."""
        with reading(self.engine) as conn:
            rows = account_queries.user_tokens(conn, user_id)
        now = self._now()
        return [{**t, "expired": _passed(t.get("expires_at"), now)} for t in rows]

    def token(self, presented: str) -> Credential | None:
        """The token's user and scope, if it is valid, unexpired and its account not locked.
        An expired token is refused as a revoked one is; the access log says it expired."""
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
        now = self._now()
        if _passed(row["expires_at"], now):
            self.log(
                "token.expired",
                str(user_id),
                target=str(token_id),
                outcome="refused",
                detail=f"the token expired at {row['expires_at']}; its holder needs a new one",
            )
            return None
        if last_used is None or str(last_used) < format_time(self.clock() - TOUCH_EVERY):
            with self._write() as conn:
                account_queries.touch_token(conn, token_id, now)
        return Credential(str(user_id), "token", str(scope))


def _passed(expires_at: object, now: str) -> bool:
    """Whether a stored expiry is reached (times in the ledger's form sort as text)."""
    return expires_at is not None and str(expires_at) <= now


def expiry_time(expires: TokenExpiry, now: datetime, zone: ZoneInfo) -> str | None:
    """When a token made `now` stops working (the ledger's time form), or None for
    NEVER_EXPIRES. Requires 1 to TOKEN_MOST_DAYS days, or a day from today to the one
    TOKEN_MOST_DAYS days from now (days as the agency counts them, in `zone`)."""
    if expires == NEVER_EXPIRES:
        return None
    if isinstance(expires, date):
        today = now.astimezone(zone).date()
        last = (now + timedelta(days=TOKEN_MOST_DAYS)).astimezone(zone).date()
        # Refused as things stand today (as a time in the future is), not as malformed.
        if expires < today:
            raise RefusedError(
                f"{expires.isoformat()} has passed; choose the last day the token may work",
                "expires",
            )
        if expires > last:
            raise RefusedError(
                f"{expires.isoformat()} is more than {TOKEN_MOST_DAYS} days away; choose an "
                "earlier day, or ask for a token that never expires",
                "expires",
            )
        return end_of_day(expires, zone)
    if isinstance(expires, bool) or not isinstance(expires, int):
        raise InvalidInputError(f"{expires!r} is not a number of days", "expires")
    if not 1 <= expires <= TOKEN_MOST_DAYS:
        raise InvalidInputError(
            f"a token works for 1 to {TOKEN_MOST_DAYS} days; {expires} days were asked for",
            "expires",
        )
    return format_time(now + timedelta(days=expires))
