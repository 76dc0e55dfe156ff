"""Finding 7: write access to the database alone could act as any user through the server.

An inserted `api_token` row let a request reject a link as a prosecutor, signed with her
key; an edited password hash or a changed key row passed `brady verify`; a deleted
checkpoint between two others went unseen. Each row that grants access now carries a seal
under the master key (store/row_seals.py), checked on use and by verify; checkpoints are
chained. Each change is made as an intruder with the database's credentials would (the
append-only triggers out of the way), on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from brady.accounts.service import Accounts
from brady.custody.service import Custody
from brady.ledger_home import OpenLedger, upgrade_home
from brady.store.keys import KeyNotFoundError
from brady.store.schema import HEAD, current_revision
from brady.store.sealing import SealingError

from ..store.helpers import fill, tamper
from ..store.test_tamper import verify
from .conftest import PASSWORD, World

SECRET = "planted-secret-" + "x" * 28


def _plant_token(world: World, seal: str | None) -> dict[str, str]:
    tamper(
        world.led,
        (
            "INSERT INTO api_token (token_id, user_id, secret_sha256, label, scope, created_at, "
            "seal) VALUES ('TOK-planted', 'prosA', :h, 'x', 'write', '2026-01-01T00:00:00Z', :s)",
            {"h": hashlib.sha256(SECRET.encode()).hexdigest(), "s": seal},
        ),
    )
    return {"Authorization": f"Bearer brady_{SECRET}"}


def _true_seal(world: World) -> str:
    row = {
        "token_id": "TOK-planted",
        "user_id": "prosA",
        "secret_sha256": hashlib.sha256(SECRET.encode()).hexdigest(),
        "scope": "write",
        "created_at": "2026-01-01T00:00:00Z",
        "revoked_at": None,
    }
    return world.led.master_key.rows.seal("api_token", row)


def _reject(world: World, headers: dict[str, str]) -> Any:
    return world.client.post(
        f"/api/links/{world.suggestion}/reject",
        json={"reason": "not related"},
        headers=headers,
    )


def _forged_logged(world: World) -> int:
    with world.led.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM access_log WHERE action = 'credential.forged'")
            ).scalar_one()
        )


@pytest.mark.parametrize("seal", [None, "0" * 64, "copied"])
def test_a_token_planted_in_the_database_grants_nothing(world: World, seal: str | None) -> None:
    if seal == "copied":  # another token's valid seal, moved onto the planted row
        with world.led.engine.connect() as conn:
            seal = conn.execute(text("SELECT seal FROM api_token LIMIT 1")).scalar_one()
    headers = _plant_token(world, seal)
    refused = _reject(world, headers)
    assert refused.status_code == 401, refused.text
    assert _forged_logged(world) == 1
    code, report = verify(world.led)
    assert code == 1 and "API token TOK-planted of prosA" in report["problem"]["message"], report


def test_only_a_seal_made_with_the_master_key_opens_a_planted_row(world: World) -> None:
    """The control: the same row sealed with the master key (which the intruder does not
    have) is accepted, so the refusals above are the seal's doing."""
    headers = _plant_token(world, _true_seal(world))
    assert _reject(world, headers).status_code == 200


def test_a_revoked_token_brought_back_is_refused(world: World) -> None:
    accounts = Accounts(world.led.engine, world.led.master_key)
    token_id, secret = accounts.create_token("prosA", "laptop", "write", "admin")
    assert world.client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).is_success
    accounts.revoke_token(token_id, "admin")
    tamper(
        world.led,
        ("UPDATE api_token SET revoked_at = NULL WHERE token_id = :t", {"t": token_id}),
    )
    answer = world.client.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 401
    assert verify(world.led)[0] == 1


def test_an_edited_password_hash_opens_no_session(world: World) -> None:
    chosen = "the intruder's own password"
    tamper(
        world.led,
        (
            "UPDATE account SET password_hash = :h WHERE user_id = 'prosA'",
            {"h": PasswordHasher().hash(chosen)},
        ),
    )
    for password in (chosen, PASSWORD):
        answer = world.client.post("/api/session", json={"user_id": "prosA", "password": password})
        assert answer.status_code == 401, answer.text
    assert _forged_logged(world) >= 1
    code, report = verify(world.led)
    assert code == 1 and "password record of prosA" in report["problem"]["message"], report


def test_a_planted_or_reopened_session_is_refused(world: World) -> None:
    accounts = Accounts(world.led.engine, world.led.master_key)
    secret, _ = accounts.start_session("prosA")
    assert accounts.session(secret) is not None
    accounts.end_session(secret)
    key = hashlib.sha256(secret.encode()).hexdigest()
    tamper(
        world.led, ("UPDATE web_session SET ended_at = NULL WHERE secret_sha256 = :k", {"k": key})
    )
    assert accounts.session(secret) is None
    planted = "a session secret the intruder chose"
    tamper(
        world.led,
        (
            "INSERT INTO web_session (secret_sha256, user_id, csrf, created_at, last_seen_at) "
            "VALUES (:k, 'judgeA', 'c', '2099-01-01T00:00:00Z', '2099-01-01T00:00:00Z')",
            {"k": hashlib.sha256(planted.encode()).hexdigest()},
        ),
    )
    assert accounts.session(planted) is None
    world.client.cookies.set("brady_session", planted)
    answer = world.client.get("/api/me")
    world.client.cookies.clear()
    assert answer.status_code == 401


def test_a_key_row_moved_to_another_holder_signs_nothing(ledger: OpenLedger) -> None:
    custody = Custody(ledger)
    with custody.session() as s:
        s.add_user(None, "admin", "Ada Admin", ["admin"])
    with custody.session() as s:
        s.add_user("admin", "clerk", "Casey Clerk", ["property_clerk"])
        s.add_location("admin", "PR", "Property room", "room")
    size = ledger.store.size()
    # The administrator's key row relabelled as the clerk's and dated newest, so that it
    # would be the one Brady signs the clerk's commands with.
    tamper(
        ledger,
        (
            "UPDATE sealed_key SET holder = 'user:clerk', created_at = '2999-01-01T00:00:00Z' "
            "WHERE holder = 'ledger administrator'",
            {},
        ),
    )
    with pytest.raises(KeyNotFoundError, match="changed outside Brady"), custody.session() as s:
        s.intake(
            "clerk", item_id="I1", category="document", description="A letter", location_id="PR"
        )
    assert ledger.store.size() == size  # nothing signed with a key that is not the clerk's
    assert verify(ledger)[0] == 1


def _sizes(led: OpenLedger) -> list[int]:
    with led.engine.connect() as conn:
        return [cp.size for cp in led.store.checkpoints(conn)]


def test_a_deleted_checkpoint_between_two_others_is_caught(ledger: OpenLedger) -> None:
    fill(ledger)
    middle = _sizes(ledger)[4]
    tamper(ledger, ("DELETE FROM ledger_checkpoint WHERE size = :s", {"s": middle}))
    code, report = verify(ledger)
    assert code == 1, report
    assert "does not follow the one before it" in report["problem"]["message"], report


def test_a_deleted_newest_checkpoint_is_caught_without_the_master_key(
    ledger: OpenLedger, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    fill(ledger)
    tamper(ledger, ("DELETE FROM ledger_checkpoint WHERE size = :s", {"s": _sizes(ledger)[-1]}))
    monkeypatch.setenv("BRADY_MASTER_KEY_FILE", str(tmp_path / "absent.key"))
    code, report = verify(ledger)
    assert code == 1 and report["seals_checked"] is False, report
    assert "no stored checkpoint" in report["problem"]["message"], report


def test_verify_says_when_it_could_not_check_the_seals(
    ledger: OpenLedger, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    fill(ledger)
    assert verify(ledger)[1]["seals_checked"] is True
    monkeypatch.setenv("BRADY_MASTER_KEY_FILE", str(tmp_path / "absent.key"))
    code, report = verify(ledger)
    assert (code, report["ok"], report["seals_checked"]) == (0, True, False)


def _as_before_seals(led: OpenLedger) -> None:
    """The database as Brady left it before seals existed (0013): no seal, no chain."""
    tamper(
        led,
        *[(f"UPDATE {t} SET seal = NULL", {}) for t in ("account", "api_token", "web_session")],
        ("UPDATE sealed_key SET seal = NULL", {}),
        ("UPDATE ledger_checkpoint SET chain = NULL", {}),
        ("UPDATE alembic_version SET version_num = '0013'", {}),
    )
    if led.engine.dialect.name == "sqlite":  # tamper() dropped the guards; put them back
        from brady.store.account_tables import APPEND_ONLY as ACCESS_ONLY
        from brady.store.append_only import protect
        from brady.store.tables import APPEND_ONLY

        with led.engine.begin() as conn:
            protect(conn, (*APPEND_ONLY, *ACCESS_ONLY))


def test_upgrade_seals_the_rows_of_an_older_ledger(world: World) -> None:
    led = world.led
    accounts = Accounts(led.engine, led.master_key)
    session, _ = accounts.start_session("judgeA")
    _as_before_seals(led)
    # Planted before the upgrade, with no seal (as every row then had): a token the access
    # log never saw made must not be sealed into a working credential.
    planted = _plant_token(world, None)
    assert world.client.get("/api/me", headers=world.as_("prosA")).status_code == 401
    upgrade_home(led.config.path)
    assert current_revision(led.engine) == HEAD
    code, report = verify(led)
    assert (code, report["seals_checked"]) == (0, True), report
    assert world.client.get("/api/me", headers=world.as_("prosA")).is_success
    assert world.client.get("/api/me", headers=planted).status_code == 401
    assert accounts.session(session) is None  # sessions end at the upgrade: sign in again


def test_upgrade_without_the_master_key_stops_and_changes_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    led = world.led
    _as_before_seals(led)
    monkeypatch.setenv("BRADY_MASTER_KEY_FILE", str(tmp_path / "absent.key"))
    with pytest.raises(SealingError, match="master key"):
        upgrade_home(led.config.path)
    assert current_revision(led.engine) == "0013"
    with led.engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM account WHERE seal IS NOT NULL")).scalar() == 0
        )
    monkeypatch.undo()  # the key found again: the same upgrade now completes
    upgrade_home(led.config.path)
    assert verify(led)[0] == 0
