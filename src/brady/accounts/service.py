"""Sign-in, sessions and tokens, with the controls the CJIS Security Policy asks for.

* Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106).
* Five failed sign-ins within fifteen minutes lock the account until an
  administrator releases it; a locked account is refused even the right password.
* A browser session ends after thirty minutes without use.
* API tokens are random, shown once, stored as SHA-256 (they carry 256 bits of
  entropy, so a slow hash adds nothing), scoped to reading or writing, revocable, and
  expire after 90 days unless the administrator gives another life (or, by name, none).
* Every sign-in, failure, lock, release, password and token change is written to the
  access log, and so is every use of an expired token.
* Password, token and session rows carry a seal under the master key (store/row_seals.py),
  checked on every use: a row added or edited in the database by hand grants nothing, and
  the attempt is written to the access log.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection

from ..domain.errors import RefusedError
from ..ledger.entry import format_time
from ..store import account_queries
from ..store.engine import reading
from .credentials import TOUCH_EVERY, Credential, SignInError
from .sessions import IDLE_LIMIT, Sessions
from .tokens import (
    NEVER_EXPIRES,
    SCOPES,
    TOKEN_DAYS,
    TOKEN_MOST_DAYS,
    TOKEN_PREFIX,
    TokenExpiry,
    Tokens,
)

__all__ = [
    "ADDRESS_LIMIT",
    "ADDRESS_WINDOW",
    "IDLE_LIMIT",
    "LOCK_AFTER",
    "LOCK_WINDOW",
    "MIN_PASSWORD",
    "NEVER_EXPIRES",
    "PASSWORD_HASHER",
    "REFUSED",
    "SCOPES",
    "SLOTS",
    "SLOT_WAIT",
    "TOKEN_DAYS",
    "TOKEN_MOST_DAYS",
    "TOKEN_PREFIX",
    "TOO_MANY",
    "TOUCH_EVERY",
    "Accounts",
    "Credential",
    "SignInError",
    "TokenExpiry",
    "busy",
]
"""The service's names, wherever they live: callers import them all from here."""

LOCK_AFTER = 5
LOCK_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 12

ADDRESS_LIMIT = 30


ADDRESS_WINDOW = timedelta(minutes=5)
"""Failed or undecided sign-ins from one network address before it must wait."""


REFUSED = (
    "That user name and password do not match an account that can sign in now. After "
    f"{LOCK_AFTER} wrong tries within {int(LOCK_WINDOW.total_seconds() // 60)} minutes an "
    "account is locked until an administrator releases it; if yours may be locked, ask "
    "your administrator to release it."
)
"""The one answer to a wrong password, an unknown user and a locked account alike (same
words, same status, about the same time): which accounts exist is nobody's to learn here."""


TOO_MANY = "too many failed sign-ins from your network address; wait five minutes and try again"


class _Slots:
    """At most a few password hashes at once in this process (each takes a core for about
    half a second): sign-ins wait their turn instead of starving the rest of the server."""

    def __init__(self, n: int, wait: float) -> None:
        self._sem = threading.BoundedSemaphore(n)
        self._wait = wait

    @contextmanager
    def turn(self) -> Iterator[None]:
        if not self._sem.acquire(timeout=self._wait):
            raise busy()
        try:
            yield
        finally:
            self._sem.release()


def busy() -> SignInError:
    return SignInError("Brady is busy checking other sign-ins; try again in a moment", 5)


SLOTS = max(1, (os.cpu_count() or 2) // 2)
"""Password checks at once in one process; the server queues sign-ins for these without
holding a worker thread (api/deps.py signing_in)."""


SLOT_WAIT = 20.0


_SLOTS = _Slots(SLOTS, wait=SLOT_WAIT)


ARGON2_TIME_COST, ARGON2_MEMORY_KIB = 3, 64 * 1024
PASSWORD_HASHER = PasswordHasher(
    time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=1
)
"""RFC 9106's second recommended setting (64 MiB, 3 passes) on one lane: with the library's
default of four lanes each check would take every core, and a sign-in flood would take
them from everything else (bench/server_abuse.py). Hashes made with other settings still
verify: the settings travel in the hash."""


_DUMMY = PASSWORD_HASHER.hash("a password no account has")


class Accounts(Sessions, Tokens):
    """The accounts of one ledger's users: passwords and sign-in here; browser sessions
    (sessions.py) and API tokens (tokens.py) come with the classes it is made of."""

    # -- passwords and sign-in ------------------------------------------------------

    def set_password(
        self,
        user_id: str,
        password: str,
        by: str,
        source: str | None = None,
        keep_session: str | None = None,
    ) -> None:
        """Set or reset a password. Every session and API token of the user ends (but the
        session whose key is `keep_session`, from which a user changed their own): whoever
        held one under the old password holds nothing now."""
        if len(password) < MIN_PASSWORD:
            raise RefusedError(
                f"the password has {len(password)} characters; it needs at least {MIN_PASSWORD}",
                "password",
            )
        if len(password) > 256:
            raise RefusedError("the password is longer than 256 characters", "password")
        with _SLOTS.turn():
            hashed = PASSWORD_HASHER.hash(password)  # slow by design: never inside the write lock
        with self._write() as conn:
            self._ensure(conn, user_id)
            account_queries.set_password_hash(
                conn, self.seals, user_id, hashed, changed_at=self._now()
            )
            self._end_sessions(conn, user_id, keep=keep_session)
            account_queries.revoke_user_tokens(conn, self.seals, user_id, self._now())
        self.log("account.password", by, target=f"user:{user_id}", source=source)

    def sign_in(
        self, user_id: str, password: str, source: str | None = None
    ) -> tuple[str, Credential]:
        """A new browser session (secret, credential), or SignInError; logged either way.

        The attempt is recorded (ok NULL: admitted) before the password is weighed, and
        admitted only while fewer than LOCK_AFTER were admitted since the last success (or
        release, or the window's start); its outcome is a second row. Parallel guesses are
        thus counted before any is checked: no burst gets more than LOCK_AFTER tries. The
        slow hash runs outside any write transaction, a few at a time, so a flood of
        sign-ins cannot hold up the recording of evidence."""
        try:
            stored = self._admit(user_id, source)
        except SignInError as refused:
            if refused.wait is None:  # locked: refused after as long as a wrong password
                self.password_matches(None, password)
            raise
        good = self.password_matches(stored, password)
        with self._write() as conn:
            if stored is not None:
                account_queries.add_signin_attempt(conn, user_id, self._now(), good, source)
            locked = account_queries.locked_at(conn, user_id)
        if not good:
            self.log("signin", user_id, outcome="failed", source=source)
            if stored is not None and self._failures(user_id) >= LOCK_AFTER:
                self._lock(user_id, f"{LOCK_AFTER} failed sign-ins within 15 minutes", source)
            raise SignInError(REFUSED)
        if locked is not None:  # an administrator locked it while the password was weighed
            self.log("signin", user_id, outcome="locked", source=source)
            raise SignInError(REFUSED)
        if PASSWORD_HASHER.check_needs_rehash(stored):  # type: ignore[arg-type]
            with _SLOTS.turn():
                hashed = PASSWORD_HASHER.hash(password)
            with self._write() as conn:
                account_queries.set_password_hash(conn, self.seals, user_id, hashed)
        started = self.start_session(user_id)
        self.log("signin", user_id, source=source)
        return started

    @staticmethod
    def password_matches(stored: str | None, password: str) -> bool:
        """Argon2 verification, a few at a time (an unknown user is weighed as long)."""
        with _SLOTS.turn():
            try:
                return PASSWORD_HASHER.verify(stored or _DUMMY, password) and stored is not None
            except (VerificationError, InvalidHashError):
                return False

    def check_password(self, user_id: str, password: str) -> bool:
        """Whether `password` is the user's own (before changing it): no session is made and
        no failure counts towards the lock, so a signed-in session cannot lock its user out."""
        with reading(self.engine) as conn:
            row = account_queries.account_row(conn, user_id)
        stored = row["password_hash"] if row is not None and self._holds("account", row) else None
        return self.password_matches(stored, password)

    def _admit(self, user_id: str, source: str | None) -> str | None:
        """Record the attempt, or refuse it unweighed: a locked account, too many recent
        failures (decided with the account's row locked, so two attempts never both take
        the last place), or too many attempts from one address."""
        now = self.clock()
        with self._write() as conn:
            row = account_queries.account_row(conn, user_id, for_update=True)
            refusal = None
            if source is not None and self._from_address(conn, source, now) >= ADDRESS_LIMIT:
                refusal = "address"
            elif row is not None and row["locked_at"] is not None:
                refusal = "locked"
            elif row is not None and self._failures(user_id, conn, admitted=True) >= LOCK_AFTER:
                refusal = "limit"
            if refusal is None and row is not None:
                account_queries.add_signin_attempt(conn, user_id, format_time(now), None, source)
        if refusal is not None:
            self.log("signin", user_id, outcome=refusal, source=source)
            if refusal == "address":
                raise SignInError(TOO_MANY, int(ADDRESS_WINDOW.total_seconds()))
            raise SignInError(REFUSED)
        if row is None or not self._holds("account", row, source):
            return None  # weighed against no hash at all: refused in the same time
        return str(row["password_hash"]) if row["password_hash"] is not None else None

    def _from_address(self, conn: Connection, source: str, now: datetime) -> int:
        return account_queries.failures_from(conn, source, format_time(now - ADDRESS_WINDOW))

    def _failures(
        self, user_id: str, conn: Connection | None = None, admitted: bool = False
    ) -> int:
        """Failed attempts since the window opened, the last success or the last release
        (with `admitted`: attempts let through to be weighed, whatever their outcome)."""
        if conn is None:
            with reading(self.engine) as own:
                return self._failures(user_id, own, admitted)
        now = self.clock()
        since = format_time(now - LOCK_WINDOW)
        last_ok = account_queries.last_success(conn, user_id)
        released = account_queries.account_changed_at(conn, user_id)
        floor = max(x for x in (since, last_ok, released) if x is not None)
        return account_queries.attempts_since(conn, user_id, floor, admitted=admitted)

    def _lock(self, user_id: str, reason: str, source: str | None) -> None:
        with self._write() as conn:
            account_queries.lock_account(conn, user_id, self._now(), reason)
            self._end_sessions(conn, user_id)
        self.log("account.lock", None, target=f"user:{user_id}", source=source, detail=reason)

    def lock(self, user_id: str, reason: str, by: str, source: str | None = None) -> None:
        """An administrator locks the account (a lost badge, a departure, a suspicion): no
        sign-in and no API token works, and open sessions end, until it is released."""
        if not reason.strip():
            raise RefusedError("say why the account is locked", "reason")
        if by == user_id:
            raise RefusedError("an administrator cannot lock their own account", "user_id")
        with self._write() as conn:
            self._ensure(conn, user_id)
            account_queries.lock_account(conn, user_id, self._now(), reason.strip())
            self._end_sessions(conn, user_id)
        self.log("account.lock", by, target=f"user:{user_id}", source=source, detail=reason)

    def release(self, user_id: str, by: str, source: str | None = None) -> None:
        """An administrator unlocks the account; earlier failures no longer count."""
        with self._write() as conn:
            self._ensure(conn, user_id)
            account_queries.release_account(conn, user_id, self._now())
        self.log("account.release", by, target=f"user:{user_id}", source=source)

    def status(self, user_id: str) -> dict[str, object]:
        """The account's state; `banner_acknowledged`: since the user last signed in (the
        notice is acknowledged at every sign-in, before the session may be used)."""
        with reading(self.engine) as conn:
            row = account_queries.account_row(conn, user_id)
            signed_in = account_queries.last_success(conn, user_id)
        acked = row["banner_ack_at"] if row else None
        return {
            "user_id": user_id,
            "has_password": bool(row and row["password_hash"]),
            "locked": bool(row and row["locked_at"]),
            "locked_reason": row["locked_reason"] if row else None,
            "banner_acknowledged": acked is not None and (signed_in is None or acked >= signed_in),
        }

    def acknowledge_banner(self, user_id: str, source: str | None = None) -> None:
        """The user read and accepted the use notification now: their sessions begun by now
        may be used (each sign-in asks again; every acknowledgment is in the access log)."""
        with self._write() as conn:
            self._ensure(conn, user_id)
            account_queries.acknowledge_banner(conn, user_id, self._now())
        self.log("banner.acknowledge", user_id, source=source)
