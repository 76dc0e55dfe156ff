"""Migration 0016 (API tokens expire) on a ledger at 0015, SQLite and PostgreSQL: the column
is added, and the tokens made before keep working, with no expiry, their seals intact."""

from __future__ import annotations

from sqlalchemy import inspect, text

from brady.accounts.service import NEVER_EXPIRES, Accounts
from brady.custody.service import Custody
from brady.ledger_home import OpenLedger, upgrade_home
from brady.store.schema import HEAD, current_revision

from .test_tamper import verify


def _columns(led: OpenLedger) -> set[str]:
    return {c["name"] for c in inspect(led.engine).get_columns("api_token")}


def test_upgrade_from_0015_adds_the_expiry_and_keeps_older_tokens_working(
    ledger: OpenLedger,
) -> None:
    with Custody(ledger).session() as s:
        s.add_user(None, "admin", "Ada Admin", ["admin"])
    accounts = Accounts(ledger.engine, ledger.master_key)
    # Made with no expiry, its row and seal are what 0015 wrote; then the column goes.
    token_id, token = accounts.create_token("admin", "old", "write", "admin", expires=NEVER_EXPIRES)
    with ledger.engine.begin() as conn:
        conn.execute(text("ALTER TABLE api_token DROP COLUMN expires_at"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0015'"))
    assert "expires_at" not in _columns(ledger)
    ledger.engine.dispose()  # SQLAlchemy's pooled connections knew the old table

    assert upgrade_home(ledger.config.path)[:2] == ("0015", HEAD)
    assert current_revision(ledger.engine) == HEAD
    assert "expires_at" in _columns(ledger)
    credential = accounts.token(token)
    assert credential is not None and credential.user_id == "admin"
    (old,) = accounts.tokens("admin")
    assert old["token_id"] == token_id and old["expires_at"] is None and not old["expired"]
    fresh_id, _ = accounts.create_token("admin", "new", "read", "admin")
    fresh = next(t for t in accounts.tokens("admin") if t["token_id"] == fresh_id)
    assert fresh["expires_at"] is not None
    code, report = verify(ledger)
    assert (code, report["seals_checked"]) == (0, True), report
