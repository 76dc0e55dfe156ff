"""The account rows as the accounts service reads and writes them: passwords, sign-in
attempts, browser sessions and API tokens.

Password, session and token rows carry a seal (row_seals.py): they are inserted with one
made here and changed only through sealed_rows.reseal, so each seal covers the row's new
values. Lock state and use times are outside the seals and are updated directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select, update
from sqlalchemy.engine import Connection

from .account_tables import account, api_token, signin_attempt, web_session
from .custody_tables import app_user
from .raw_sql import fetch_all
from .row_seals import RowSeals
from .sealed_rows import reseal


def _sealed(seals: RowSeals, table: str, row: Mapping[str, object]) -> dict[str, object]:
    return {**row, "seal": seals.seal(table, row)}


# -- users and passwords ----------------------------------------------------------------


def is_user(conn: Connection, user_id: str) -> bool:
    found = conn.execute(select(app_user.c.user_id).where(app_user.c.user_id == user_id))
    return found.first() is not None


def has_account(conn: Connection, user_id: str) -> bool:
    found = conn.execute(select(account.c.user_id).where(account.c.user_id == user_id))
    return found.first() is not None


def add_account(
    conn: Connection, seals: RowSeals, row: Mapping[str, object], changed_at: str
) -> None:
    conn.execute(insert(account).values(**_sealed(seals, "account", row), changed_at=changed_at))


def account_row(
    conn: Connection, user_id: str, *, for_update: bool = False
) -> dict[str, Any] | None:
    """The user's account row (seal included, for checking); `for_update` locks it."""
    query = select(account).where(account.c.user_id == user_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return None if row is None else dict(row._mapping)


def account_state(conn: Connection, user_id: str) -> tuple[str | None, str | None] | None:
    """(banner acknowledged at, locked at), or None when the user has no account row."""
    row = conn.execute(
        select(account.c.banner_ack_at, account.c.locked_at).where(account.c.user_id == user_id)
    ).first()
    return None if row is None else (row.banner_ack_at, row.locked_at)


def locked_at(conn: Connection, user_id: str) -> str | None:
    found: str | None = conn.execute(
        select(account.c.locked_at).where(account.c.user_id == user_id)
    ).scalar()
    return found


def account_changed_at(conn: Connection, user_id: str) -> str | None:
    """When the password was last set or the account released (earlier failures stop counting)."""
    found: str | None = conn.execute(
        select(account.c.changed_at).where(account.c.user_id == user_id)
    ).scalar()
    return found


def set_password_hash(
    conn: Connection,
    seals: RowSeals,
    user_id: str,
    password_hash: str,
    changed_at: str | None = None,
) -> int:
    values: dict[str, object] = {"password_hash": password_hash}
    if changed_at is not None:
        values["changed_at"] = changed_at
    return reseal(conn, seals, account, account.c.user_id == user_id, **values)


def lock_account(conn: Connection, user_id: str, at: str, reason: str) -> None:
    conn.execute(
        update(account)
        .where(account.c.user_id == user_id)
        .values(locked_at=at, locked_reason=reason)
    )


def release_account(conn: Connection, user_id: str, at: str) -> None:
    conn.execute(
        update(account)
        .where(account.c.user_id == user_id)
        .values(locked_at=None, locked_reason=None, changed_at=at)
    )


def acknowledge_banner(conn: Connection, user_id: str, at: str) -> None:
    conn.execute(update(account).where(account.c.user_id == user_id).values(banner_ack_at=at))


# -- sign-in attempts -------------------------------------------------------------------


def add_signin_attempt(
    conn: Connection, user_id: str, at: str, ok: bool | None, source: str | None
) -> None:
    """One attempt: ok None while the password is being weighed, then its outcome."""
    conn.execute(insert(signin_attempt).values(user_id=user_id, at=at, ok=ok, source=source))


def failures_from(conn: Connection, source: str, since: str) -> int:
    """Failed sign-ins from one network address since `since`."""
    return int(
        conn.execute(
            select(func.count()).where(
                (signin_attempt.c.source == source)
                & (signin_attempt.c.at >= since)
                & signin_attempt.c.ok.is_(False)
            )
        ).scalar_one()
    )


def last_success(conn: Connection, user_id: str) -> str | None:
    found: str | None = conn.execute(
        select(func.max(signin_attempt.c.at)).where(
            (signin_attempt.c.user_id == user_id) & signin_attempt.c.ok.is_(True)
        )
    ).scalar()
    return found


def attempts_since(conn: Connection, user_id: str, since: str, *, admitted: bool) -> int:
    """The user's failed attempts since `since` (with `admitted`: those let through to be
    weighed, whatever their outcome)."""
    counted = signin_attempt.c.ok.is_(None) if admitted else signin_attempt.c.ok.is_(False)
    return int(
        conn.execute(
            select(func.count()).where(
                (signin_attempt.c.user_id == user_id) & counted & (signin_attempt.c.at >= since)
            )
        ).scalar_one()
    )


# -- browser sessions -------------------------------------------------------------------


def add_session(
    conn: Connection, seals: RowSeals, row: Mapping[str, object], last_seen_at: str
) -> None:
    values = _sealed(seals, "web_session", row)
    conn.execute(insert(web_session).values(**values, last_seen_at=last_seen_at))


def session_row(conn: Connection, key: str) -> dict[str, Any] | None:
    """The session whose secret hashes to `key` (seal included, for checking)."""
    row = conn.execute(select(web_session).where(web_session.c.secret_sha256 == key)).first()
    return None if row is None else dict(row._mapping)


def session_user(conn: Connection, key: str) -> str | None:
    row = conn.execute(
        select(web_session.c.user_id).where(web_session.c.secret_sha256 == key)
    ).first()
    return None if row is None else str(row.user_id)


def touch_session(conn: Connection, key: str, at: str) -> None:
    conn.execute(
        update(web_session).where(web_session.c.secret_sha256 == key).values(last_seen_at=at)
    )


def end_session(conn: Connection, seals: RowSeals, key: str, at: str) -> int:
    return reseal(conn, seals, web_session, web_session.c.secret_sha256 == key, ended_at=at)


def end_user_sessions(
    conn: Connection, seals: RowSeals, user_id: str, at: str, keep: str | None = None
) -> int:
    """End the user's open sessions, but the one whose key is `keep`."""
    ending: ColumnElement[bool] = (web_session.c.user_id == user_id) & web_session.c.ended_at.is_(
        None
    )
    if keep is not None:
        ending = ending & (web_session.c.secret_sha256 != keep)
    return reseal(conn, seals, web_session, ending, ended_at=at)


# -- API tokens -------------------------------------------------------------------------


def add_token(conn: Connection, seals: RowSeals, row: Mapping[str, object], label: str) -> None:
    conn.execute(insert(api_token).values(**_sealed(seals, "api_token", row), label=label))


def revoke_token(conn: Connection, seals: RowSeals, token_id: str, at: str) -> int:
    """Revoke the token if it is active; returns how many were (0 or 1)."""
    active = (api_token.c.token_id == token_id) & api_token.c.revoked_at.is_(None)
    return reseal(conn, seals, api_token, active, revoked_at=at)


def revoke_user_tokens(conn: Connection, seals: RowSeals, user_id: str, at: str) -> int:
    active = (api_token.c.user_id == user_id) & api_token.c.revoked_at.is_(None)
    return reseal(conn, seals, api_token, active, revoked_at=at)


def user_tokens(conn: Connection, user_id: str) -> list[dict[str, object]]:
    """The user's tokens, without their secret's hash or seal."""
    cols = [c for c in api_token.c if c.name not in ("secret_sha256", "seal")]
    rows = conn.execute(select(*cols).where(api_token.c.user_id == user_id))
    return [dict(r._mapping) for r in rows]


def touch_token(conn: Connection, token_id: str, at: str) -> None:
    conn.execute(update(api_token).where(api_token.c.token_id == token_id).values(last_used_at=at))


_TOKEN_COLUMNS = (
    "token_id",
    "user_id",
    "secret_sha256",
    "scope",
    "created_at",
    "revoked_at",
    "last_used_at",
    "expires_at",
    "seal",
)


_TOKEN = (
    f"SELECT {', '.join('t.' + c for c in _TOKEN_COLUMNS)}, a.locked_at "
    "FROM api_token t LEFT JOIN account a ON a.user_id = t.user_id "
    "WHERE t.secret_sha256 = ? AND t.revoked_at IS NULL"
)


def active_token(conn: Connection, key: str) -> tuple[dict[str, Any], Any] | None:
    """(the unrevoked token whose secret hashes to `key`, its account's lock time).
    Plain SQL: read on every API request that carries a token. An expired token is returned
    too: the service refuses it, and writes to the access log that it had expired."""
    rows = fetch_all(conn, _TOKEN, (key,))
    if not rows:
        return None
    return dict(zip(_TOKEN_COLUMNS, rows[0][:-1], strict=True)), rows[0][-1]
