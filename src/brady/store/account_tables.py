"""Tables of sign-in and access: credentials, sessions, API tokens and the access log.

These are not projections of the ledger. Password hashes and session secrets must
never be on a ledger that is handed to the defense, and who looked at what is
logged apart from the evidence record (defense counsel's reading is their work, not
the State's). The access log is append-only (database triggers) and hash-chained;
its chain head is fixed on the ledger from time to time (`access.anchor`), so a
rewrite of older records is caught by `brady access verify`.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, MetaData, String, Table, Text

accounts = MetaData()

account = Table(
    "account",
    accounts,
    Column("user_id", String(80), primary_key=True),
    Column("password_hash", Text, nullable=True),  # Argon2id, PHC string
    Column("locked_at", String(32), nullable=True),
    Column("locked_reason", Text, nullable=True),
    Column("banner_ack_at", String(32), nullable=True),
    Column("changed_at", String(32), nullable=False),
    Column("seal", String(64), nullable=True),  # see row_seals.py
)
signin_attempt = Table(
    "signin_attempt",
    accounts,
    Column("attempt_id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(80), nullable=False),
    Column("at", String(32), nullable=False),
    Column("ok", Boolean, nullable=True),  # NULL while the password is being checked
    Column("source", Text, nullable=True),
    Index("ix_signin_attempt_user", "user_id", "at"),
    Index("ix_signin_attempt_source", "source", "at"),
)
api_token = Table(
    "api_token",
    accounts,
    Column("token_id", String(40), primary_key=True),
    Column("user_id", String(80), nullable=False, index=True),
    Column("secret_sha256", String(64), nullable=False, unique=True),
    Column("label", Text, nullable=False),
    Column("scope", String(10), nullable=False),  # read | write
    Column("created_at", String(32), nullable=False),
    Column("revoked_at", String(32), nullable=True),
    Column("last_used_at", String(32), nullable=True),
    Column("seal", String(64), nullable=True),
    Column("expires_at", String(32), nullable=True),  # NULL: never (asked for by name)
)
web_session = Table(
    "web_session",
    accounts,
    Column("secret_sha256", String(64), primary_key=True),
    Column("user_id", String(80), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("last_seen_at", String(32), nullable=False),
    Column("ended_at", String(32), nullable=True),
    Column("seal", String(64), nullable=True),
)
access_log = Table(
    "access_log",
    accounts,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False, index=True),  # UTC, to the hundredth
    Column("action", String(40), nullable=False),
    Column("user_id", String(80), nullable=True, index=True),
    Column("target", Text, nullable=True, index=True),
    Column("outcome", String(20), nullable=False),
    Column("source", Text, nullable=True),
    Column("bytes", BigInteger, nullable=True),
    Column("detail", Text, nullable=True),
    # SHA-256 over the previous record's chain and this record's canonical form (hex).
    Column("chain", String(64), nullable=False),
)

TABLES = (account, signin_attempt, api_token, web_session, access_log)
APPEND_ONLY = ("access_log", "signin_attempt")
