"""Sign-in, sessions and tokens, with the controls the CJIS Security Policy asks for.

* Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106).
* Five failed sign-ins within fifteen minutes lock the account until an
  administrator releases it; a locked account is refused even the right password.
* A browser session ends after thirty minutes without use.
* API tokens are random, shown once, stored as SHA-256 (they carry 256 bits of
  entropy, so a slow hash adds nothing), scoped to reading or writing, revocable.
* Every sign-in, failure, lock, release, password and token change is written to the
  access log.
* Password, token and session rows carry a seal under the master key (store/row_seals.py),
  checked on every use: a row added or edited in the database by hand grants nothing, and
  the attempt is written to the access log.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, Engine, Table, func, insert, select, update
from sqlalchemy.engine import Connection

from ..domain.errors import RefusedError
from ..ledger.entry import format_time
from ..store import access_log
from ..store._raw import fetch_all
from ..store.account_tables import account, api_token, signin_attempt, web_session
from ..store.custody_tables import app_user
from ..store.engine import writing
from ..store.sealed_rows import reseal
from ..store.sealing import MasterKey

LOCK_AFTER = 5
LOCK_WINDOW = timedelta(minutes=15)
IDLE_LIMIT = timedelta(minutes=30)
TOUCH_EVERY = timedelta(seconds=60)
"""Last-use times are written at most this often: a write per request would queue every
read behind the ledger's writer."""
MIN_PASSWORD = 12
SCOPES = ("read", "write")
TOKEN_PREFIX = "brady_"

ADDRESS_LIMIT = 30
ADDRESS_WINDOW = timedelta(minutes=5)
"""Failed or undecided sign-ins from one network address before it must wait."""
REFUSED = (
    "the user name or password is wrong, or the account is locked after repeated failed "
    "sign-ins (an administrator can release it)"
)
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
PASSWORD_HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1)
"""RFC 9106's second recommended setting (64 MiB, 3 passes) on one lane: with the library's
default of four lanes each check would take every core, and a sign-in flood would take
them from everything else (bench/server_abuse.py). Hashes made with other settings still
verify: the settings travel in the hash."""
_DUMMY = PASSWORD_HASHER.hash("a password no account has")


def _sha(secret: str) -> str:
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


class Accounts:
    def __init__(
        self,
        engine: Engine,
        master: MasterKey,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.seals = master.rows
        self.clock = clock

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction that takes SQLite's write lock at BEGIN (never mid-way)."""
        with writing(self.engine) as conn:
            yield conn

    def _now(self) -> str:
        return format_time(self.clock())

    def log(self, action: str, user_id: str | None, **kw: object) -> None:
        access_log.append(self.engine, access_log.Access(action, user_id, at=self._now(), **kw))  # type: ignore[arg-type]

    # -- sealed rows ----------------------------------------------------------------

    def _sealed(self, table: Table, row: Mapping[str, object]) -> dict[str, object]:
        return {**row, "seal": self.seals.seal(table.name, row)}

    def _holds(self, table: Table, row: object, source: str | None = None) -> bool:
        """Whether a stored row is one Brady wrote; a forged or edited one is logged."""
        values = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)  # type: ignore[call-overload]
        if self.seals.holds(table.name, values):
            return True
        self.log(
            "credential.forged",
            str(values.get("user_id")) if values.get("user_id") else None,
            target=table.name,
            outcome="refused",
            source=source,
            detail="the row's seal does not match: it was added or changed outside Brady",
        )
        return False

    def _reseal(
        self, conn: Connection, table: Table, where: ColumnElement[bool], **values: object
    ) -> int:
        return reseal(conn, self.seals, table, where, **values)

    # -- passwords and sign-in ------------------------------------------------------

    def _ensure(self, conn: Connection, user_id: str) -> None:
        if (
            conn.execute(select(app_user.c.user_id).where(app_user.c.user_id == user_id)).first()
            is None
        ):
            raise RefusedError(f"{user_id!r} is not a Brady user", "user_id")
        if (
            conn.execute(select(account.c.user_id).where(account.c.user_id == user_id)).first()
            is None
        ):
            row = {"user_id": user_id, "password_hash": None}
            conn.execute(
                insert(account).values(**self._sealed(account, row), changed_at=self._now())
            )

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
            self._reseal(
                conn,
                account,
                account.c.user_id == user_id,
                password_hash=hashed,
                changed_at=self._now(),
            )
            self._end_sessions(conn, user_id, keep=keep_session)
            self._reseal(
                conn,
                api_token,
                (api_token.c.user_id == user_id) & api_token.c.revoked_at.is_(None),
                revoked_at=self._now(),
            )
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
        stored = self._admit(user_id, source)
        good = self.password_matches(stored, password)
        with self._write() as conn:
            if stored is not None:
                conn.execute(
                    insert(signin_attempt).values(
                        user_id=user_id, at=self._now(), ok=good, source=source
                    )
                )
            locked = conn.execute(
                select(account.c.locked_at).where(account.c.user_id == user_id)
            ).scalar()
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
                self._reseal(conn, account, account.c.user_id == user_id, password_hash=hashed)
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
        with self.engine.connect() as conn:
            row = conn.execute(select(account).where(account.c.user_id == user_id)).first()
        stored = row.password_hash if row is not None and self._holds(account, row) else None
        return self.password_matches(stored, password)

    def end_session_key(self, key: str) -> None:
        with self._write() as conn:
            self._reseal(
                conn, web_session, web_session.c.secret_sha256 == key, ended_at=self._now()
            )

    def _admit(self, user_id: str, source: str | None) -> str | None:
        """Record the attempt, or refuse it unweighed: a locked account, too many recent
        failures (decided with the account's row locked, so two attempts never both take
        the last place), or too many attempts from one address."""
        now = self.clock()
        with self._write() as conn:
            row = conn.execute(
                select(account).where(account.c.user_id == user_id).with_for_update()
            ).first()
            refusal = None
            if source is not None and self._from_address(conn, source, now) >= ADDRESS_LIMIT:
                refusal = "address"
            elif row is not None and row.locked_at is not None:
                refusal = "locked"
            elif row is not None and self._failures(user_id, conn, admitted=True) >= LOCK_AFTER:
                refusal = "limit"
            if refusal is None and row is not None:
                conn.execute(
                    insert(signin_attempt).values(
                        user_id=user_id, at=format_time(now), ok=None, source=source
                    )
                )
        if refusal is not None:
            self.log("signin", user_id, outcome=refusal, source=source)
            if refusal == "address":
                raise SignInError(TOO_MANY, int(ADDRESS_WINDOW.total_seconds()))
            raise SignInError(REFUSED)
        if row is None or not self._holds(account, row, source):
            return None  # weighed against no hash at all: refused in the same time
        return str(row.password_hash) if row.password_hash is not None else None

    def _from_address(self, conn: Connection, source: str, now: datetime) -> int:
        return int(
            conn.execute(
                select(func.count()).where(
                    (signin_attempt.c.source == source)
                    & (signin_attempt.c.at >= format_time(now - ADDRESS_WINDOW))
                    & signin_attempt.c.ok.is_(False)
                )
            ).scalar_one()
        )

    def _failures(
        self, user_id: str, conn: Connection | None = None, admitted: bool = False
    ) -> int:
        """Failed attempts since the window opened, the last success or the last release
        (with `admitted`: attempts let through to be weighed, whatever their outcome)."""
        if conn is None:
            with self.engine.connect() as own:
                return self._failures(user_id, own, admitted)
        now = self.clock()
        since = format_time(now - LOCK_WINDOW)
        last_ok = conn.execute(
            select(func.max(signin_attempt.c.at)).where(
                (signin_attempt.c.user_id == user_id) & signin_attempt.c.ok.is_(True)
            )
        ).scalar()
        released = conn.execute(
            select(account.c.changed_at).where(account.c.user_id == user_id)
        ).scalar()
        floor = max(x for x in (since, last_ok, released) if x is not None)
        counted = signin_attempt.c.ok.is_(None) if admitted else signin_attempt.c.ok.is_(False)
        return int(
            conn.execute(
                select(func.count()).where(
                    (signin_attempt.c.user_id == user_id) & counted & (signin_attempt.c.at >= floor)
                )
            ).scalar_one()
        )

    def _lock(self, user_id: str, reason: str, source: str | None) -> None:
        with self._write() as conn:
            conn.execute(
                update(account)
                .where(account.c.user_id == user_id)
                .values(locked_at=self._now(), locked_reason=reason)
            )
            self._end_sessions(conn, user_id)
        self.log("account.lock", None, target=f"user:{user_id}", source=source, detail=reason)

    def release(self, user_id: str, by: str, source: str | None = None) -> None:
        """An administrator unlocks the account; earlier failures no longer count."""
        with self._write() as conn:
            self._ensure(conn, user_id)
            conn.execute(
                update(account)
                .where(account.c.user_id == user_id)
                .values(locked_at=None, locked_reason=None, changed_at=self._now())
            )
        self.log("account.release", by, target=f"user:{user_id}", source=source)

    def status(self, user_id: str) -> dict[str, object]:
        with self.engine.connect() as conn:
            row = conn.execute(select(account).where(account.c.user_id == user_id)).first()
        return {
            "user_id": user_id,
            "has_password": bool(row and row.password_hash),
            "locked": bool(row and row.locked_at),
            "locked_reason": row.locked_reason if row else None,
            "banner_acknowledged": bool(row and row.banner_ack_at),
        }

    def acknowledge_banner(self, user_id: str, source: str | None = None) -> None:
        with self._write() as conn:
            self._ensure(conn, user_id)
            conn.execute(
                update(account)
                .where(account.c.user_id == user_id)
                .values(banner_ack_at=self._now())
            )
        self.log("banner.acknowledge", user_id, source=source)

    # -- browser sessions -----------------------------------------------------------

    def start_session(self, user_id: str) -> tuple[str, Credential]:
        """(the cookie's secret, the credential); only the secret's hash is kept."""
        secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        at = self._now()
        with self._write() as conn:
            row = {
                "secret_sha256": _sha(secret),
                "user_id": user_id,
                "csrf": csrf,
                "created_at": at,
                "ended_at": None,
            }
            conn.execute(
                insert(web_session).values(**self._sealed(web_session, row), last_seen_at=at)
            )
        return secret, Credential(user_id, "session", "write", csrf=csrf)

    def session(self, secret: str) -> Credential | None:
        """The session's user, if it is open and was used within the idle limit."""
        key = _sha(secret)
        now = self.clock()
        with self.engine.connect() as conn:
            row = conn.execute(
                select(web_session).where(web_session.c.secret_sha256 == key)
            ).first()
            if row is None or row.ended_at is not None or not self._holds(web_session, row):
                return None
            state = conn.execute(
                select(account.c.banner_ack_at, account.c.locked_at).where(
                    account.c.user_id == row.user_id
                )
            ).first()
        if state is not None and state.locked_at is not None:
            return None
        if row.last_seen_at < format_time(now - IDLE_LIMIT):
            self._touch_session(key, ended=True)
            return None
        if row.last_seen_at < format_time(now - TOUCH_EVERY):
            self._touch_session(key, ended=False)
        ack = state is not None and state.banner_ack_at is not None
        return Credential(
            row.user_id, "session", "write", csrf=row.csrf, banner_ack=ack, session_key=key
        )

    def _touch_session(self, key: str, ended: bool) -> None:
        at = self._now()
        with self._write() as conn:
            if ended:
                self._reseal(conn, web_session, web_session.c.secret_sha256 == key, ended_at=at)
            else:
                conn.execute(
                    update(web_session)
                    .where(web_session.c.secret_sha256 == key)
                    .values(last_seen_at=at)
                )

    def end_session(self, secret: str, source: str | None = None) -> None:
        with self._write() as conn:
            row = conn.execute(
                select(web_session.c.user_id).where(web_session.c.secret_sha256 == _sha(secret))
            ).first()
            self._reseal(
                conn, web_session, web_session.c.secret_sha256 == _sha(secret), ended_at=self._now()
            )
        if row is not None:
            self.log("signout", row.user_id, source=source)

    def _end_sessions(self, conn: Connection, user_id: str, keep: str | None = None) -> None:
        ending = (web_session.c.user_id == user_id) & web_session.c.ended_at.is_(None)
        if keep is not None:
            ending = ending & (web_session.c.secret_sha256 != keep)
        self._reseal(conn, web_session, ending, ended_at=self._now())

    # -- API tokens -----------------------------------------------------------------

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
                "secret_sha256": _sha(secret),
                "scope": scope,
                "created_at": self._now(),
                "revoked_at": None,
            }
            conn.execute(insert(api_token).values(**self._sealed(api_token, row), label=label))
        self.log("token.create", by, target=f"user:{user_id}", source=source, detail=token_id)
        return token_id, f"{TOKEN_PREFIX}{secret}"

    def revoke_token(self, token_id: str, by: str, source: str | None = None) -> None:
        with self._write() as conn:
            done = self._reseal(
                conn,
                api_token,
                (api_token.c.token_id == token_id) & api_token.c.revoked_at.is_(None),
                revoked_at=self._now(),
            )
        if not done:
            raise RefusedError(f"there is no active token {token_id!r}", "token_id")
        self.log("token.revoke", by, target=token_id, source=source)

    def tokens(self, user_id: str) -> list[dict[str, object]]:
        cols = [c for c in api_token.c if c.name not in ("secret_sha256", "seal")]
        with self.engine.connect() as conn:
            rows = conn.execute(select(*cols).where(api_token.c.user_id == user_id))
            return [dict(r._mapping) for r in rows]

    def token(self, presented: str) -> Credential | None:
        """The token's user and scope, if it is valid and its account is not locked."""
        if not presented.startswith(TOKEN_PREFIX):
            return None
        key = _sha(presented[len(TOKEN_PREFIX) :])
        with self.engine.connect() as conn:
            rows = fetch_all(conn, _TOKEN, (key,))
        if not rows or rows[0][-1] is not None:
            return None
        row = dict(zip(_TOKEN_COLUMNS, rows[0][:-1], strict=True))
        if not self._holds(api_token, row):
            return None
        token_id, user_id, scope, last_used = (
            row["token_id"],
            row["user_id"],
            row["scope"],
            row["last_used_at"],
        )
        if last_used is None or str(last_used) < format_time(self.clock() - TOUCH_EVERY):
            with self._write() as conn:
                conn.execute(
                    update(api_token)
                    .where(api_token.c.token_id == token_id)
                    .values(last_used_at=self._now())
                )
        return Credential(str(user_id), "token", str(scope))


_TOKEN_COLUMNS = (
    "token_id",
    "user_id",
    "secret_sha256",
    "scope",
    "created_at",
    "revoked_at",
    "last_used_at",
    "seal",
)
_TOKEN = (
    f"SELECT {', '.join('t.' + c for c in _TOKEN_COLUMNS)}, a.locked_at "
    "FROM api_token t LEFT JOIN account a ON a.user_id = t.user_id "
    "WHERE t.secret_sha256 = ? AND t.revoked_at IS NULL"
)
"""Plain SQL: read on every API request that carries a token."""
