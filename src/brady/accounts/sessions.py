"""Browser sessions: started at sign-in, ended by signing out, by a password change or
lock, or after thirty minutes without use; only the cookie secret's hash is kept. A session
is of use only once the use notification was acknowledged after it began."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy.engine import Connection

from ..ledger.entry import format_time
from ..store import account_queries
from ..store.engine import reading
from .account_rows import AccountRows
from .credentials import TOUCH_EVERY, Credential, secret_sha256

IDLE_LIMIT = timedelta(minutes=30)


class Sessions(AccountRows):
    """The session half of the Accounts service (service.py)."""

    def start_session(self, user_id: str) -> tuple[str, Credential]:
        """(the cookie's secret, the credential); only the secret's hash is kept."""
        secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        at = self._now()
        with self._write() as conn:
            row = {
                "secret_sha256": secret_sha256(secret),
                "user_id": user_id,
                "csrf": csrf,
                "created_at": at,
                "ended_at": None,
            }
            account_queries.add_session(conn, self.seals, row, last_seen_at=at)
        return secret, Credential(user_id, "session", "write", csrf=csrf, banner_ack=False)

    def session(self, secret: str, touch: bool = True) -> Credential | None:
        """The session's user, if it is open and was used within the idle limit. With
        `touch` False nothing is written (its last use is not moved, an idle session is
        not ended): for a look at who is signed in, as an error page takes."""
        key = secret_sha256(secret)
        now = self.clock()
        with reading(self.engine) as conn:
            row = account_queries.session_row(conn, key)
            if row is None or row["ended_at"] is not None or not self._holds("web_session", row):
                return None
            state = account_queries.account_state(conn, row["user_id"])
        banner_ack_at, locked_at = state if state is not None else (None, None)
        if locked_at is not None:
            return None
        if row["last_seen_at"] < format_time(now - IDLE_LIMIT):
            if touch:
                self._touch_session(key, ended=True)
            return None
        if touch and row["last_seen_at"] < format_time(now - TOUCH_EVERY):
            self._touch_session(key, ended=False)
        # The use notification is acknowledged at every sign-in: an acknowledgment from
        # before this session began does not open it.
        ack = banner_ack_at is not None and banner_ack_at >= row["created_at"]
        return Credential(
            row["user_id"], "session", "write", csrf=row["csrf"], banner_ack=ack, session_key=key
        )

    def _touch_session(self, key: str, ended: bool) -> None:
        at = self._now()
        with self._write() as conn:
            if ended:
                account_queries.end_session(conn, self.seals, key, at)
            else:
                account_queries.touch_session(conn, key, at)

    def end_session(self, secret: str, source: str | None = None) -> None:
        with self._write() as conn:
            user_id = account_queries.session_user(conn, secret_sha256(secret))
            account_queries.end_session(conn, self.seals, secret_sha256(secret), self._now())
        if user_id is not None:
            self.log("signout", user_id, source=source)

    def end_session_key(self, key: str) -> None:
        with self._write() as conn:
            account_queries.end_session(conn, self.seals, key, self._now())

    def _end_sessions(self, conn: Connection, user_id: str, keep: str | None = None) -> None:
        account_queries.end_user_sessions(conn, self.seals, user_id, self._now(), keep=keep)
