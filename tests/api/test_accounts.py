"""Sign-in and sessions as the CJIS Security Policy asks: Argon2 hashes, lockout after five
failures in fifteen minutes until an administrator releases it, 30 minutes idle, CSRF on
every change made from a browser, the use notification acknowledged first, revocable
tokens; and every one of these in the access log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from brady.accounts.service import REFUSED, Accounts, SignInError
from brady.store import access_log

from .conftest import PASSWORD, World


def sign_in(world: World, user: str, password: str = PASSWORD) -> dict[str, str]:
    r = world.client.post("/api/session", json={"user_id": user, "password": password})
    assert r.status_code == 200, r.text
    return r.json()


def test_password_is_stored_as_argon2id(world: World) -> None:
    with world.led.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT password_hash FROM account WHERE user_id = 'clerkA'")
        ).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_browser_session_needs_the_banner_and_the_csrf_token(world: World) -> None:
    c = world.client
    session = sign_in(world, "clerkA")
    assert "criminal justice information" in session["banner"]
    assert c.cookies.get("brady_session")
    r = c.get("/api/items/IA1")
    assert r.status_code == 403 and "use notification" in r.json()["detail"]
    assert c.post("/api/session/banner").status_code == 403  # no CSRF token
    csrf = {"X-CSRF-Token": session["csrf_token"]}
    assert c.post("/api/session/banner", headers=csrf).status_code == 200
    assert c.get("/api/items/IA1").status_code == 200
    move = {"action": "move", "location_id": "PR"}
    assert c.post("/api/items/IA1/steps", json=move).status_code == 403
    assert c.post("/api/items/IA1/steps", json=move, headers=csrf).status_code == 201
    assert c.delete("/api/session", headers=csrf).status_code == 200
    assert c.get("/api/items/IA1").status_code == 401


def test_five_failures_lock_until_an_administrator_releases(world: World) -> None:
    c = world.client
    for _ in range(5):
        r = c.post("/api/session", json={"user_id": "officerA", "password": "wrong password!"})
        assert r.status_code == 401
        assert r.json()["detail"] == REFUSED
    r = c.post("/api/session", json={"user_id": "officerA", "password": PASSWORD})
    assert r.status_code == 401 and r.json()["detail"] == REFUSED
    # Locked accounts' API tokens stop working too.
    assert c.get("/api/me", headers=world.as_("officerA")).status_code == 401
    assert c.post("/api/users/officerA/release", headers=world.as_("clerkA")).status_code == 403
    assert c.post("/api/users/officerA/release", headers=world.as_("admin")).status_code == 200
    sign_in(world, "officerA")
    with world.led.engine.connect() as conn:
        rows = access_log.search(conn, access_log.Query(target="user:officerA"))
    assert [r["action"] for r in rows][:2] == ["account.release", "account.lock"]


def test_an_unknown_user_is_told_the_same_as_a_wrong_password(world: World) -> None:
    r = world.client.post("/api/session", json={"user_id": "nobody", "password": "x" * 12})
    assert r.status_code == 401
    assert r.json()["detail"] == REFUSED


def test_session_ends_after_thirty_minutes_idle(world: World) -> None:
    moment = [datetime(2026, 11, 25, 9, 0, tzinfo=UTC)]
    accounts = Accounts(world.led.engine, world.led.master_key, clock=lambda: moment[0])
    secret, _ = accounts.sign_in("clerkA", PASSWORD)
    moment[0] += timedelta(minutes=29)
    assert accounts.session(secret) is not None  # used: the idle clock restarts
    moment[0] += timedelta(minutes=29)
    assert accounts.session(secret) is not None
    moment[0] += timedelta(minutes=31)
    assert accounts.session(secret) is None


def test_failures_older_than_fifteen_minutes_do_not_count(world: World) -> None:
    moment = [datetime(2026, 11, 25, 9, 0, tzinfo=UTC)]
    accounts = Accounts(world.led.engine, world.led.master_key, clock=lambda: moment[0])
    for _ in range(4):
        with pytest.raises(SignInError):
            accounts.sign_in("labA", "not the password")
    moment[0] += timedelta(minutes=16)
    with pytest.raises(SignInError):
        accounts.sign_in("labA", "not the password")
    assert accounts.status("labA")["locked"] is False
    accounts.sign_in("labA", PASSWORD)


def test_tokens_are_revocable_and_stored_hashed(world: World) -> None:
    c = world.client
    r = c.post(
        "/api/users/labA/tokens",
        json={"label": "LIMS", "scope": "read"},
        headers=world.as_("admin"),
    )
    assert r.status_code == 201
    token_id, token = r.json()["token_id"], r.json()["token"]
    with world.led.engine.connect() as conn:
        stored = conn.execute(text("SELECT secret_sha256 FROM api_token")).scalars().all()
    assert token not in stored and token[len("brady_") :] not in stored
    h = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/me", headers=h).json()["scope"] == "read"
    assert c.delete(f"/api/tokens/{token_id}", headers=world.as_("admin")).status_code == 200
    assert c.get("/api/me", headers=h).status_code == 401


def test_every_look_and_refusal_is_in_the_access_log(world: World) -> None:
    c = world.client
    c.get("/api/items/IA1", headers=world.as_("defA"))
    c.get("/api/items/IA2", headers=world.as_("defA"))
    r = c.get(f"/api/items/IA1/files/{world.files['IA1']}", headers=world.as_("defA"))
    assert r.status_code == 200
    r = c.get("/api/access-log", params={"user_id": "defA"}, headers=world.as_("auditor"))
    rows = r.json()["items"]
    seen = [(x["action"], x["target"], x["outcome"]) for x in rows]
    assert ("view", "item:IA1", "ok") in seen
    assert ("denied", "item:IA2", "denied") in seen
    download = next(x for x in rows if x["action"] == "download")
    assert download["bytes"] == len(b"contents of IA1's file")
    assert download["at"].endswith("Z") and len(download["at"].split(".")[1]) >= 3
    who = c.get("/api/access-log", params={"target": "item:IA1"}, headers=world.as_("auditor"))
    assert {x["user_id"] for x in who.json()["items"]} >= {"defA"}
    assert c.get("/api/access-log", headers=world.as_("admin")).status_code == 403


def test_the_access_log_is_insert_only_and_its_chain_is_fixed_on_the_ledger(world: World) -> None:
    c = world.client
    c.get("/api/items/IA1", headers=world.as_("clerkA"))
    r = c.post("/api/access-log/anchor", headers=world.as_("auditor"))
    assert r.status_code == 200 and r.json()["anchored"]
    assert c.get("/api/access-log/verify", headers=world.as_("auditor")).json()["ok"]
    with pytest.raises(Exception, match="append-only"), world.led.engine.begin() as conn:
        conn.execute(text("UPDATE access_log SET user_id = 'someone' WHERE seq = 1"))
    # Someone with the database's owner rights drops the trigger and rewrites a record.
    with world.led.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER access_log_append_only ON access_log"))
        else:
            conn.execute(text("DROP TRIGGER access_log_no_update"))
        conn.execute(text("UPDATE access_log SET user_id = 'someone' WHERE seq = 1"))
    verdict = c.get("/api/access-log/verify", headers=world.as_("auditor")).json()
    assert not verdict["ok"]
    assert "access record 1" in verdict["problems"][0]
    # A careful forger recomputes every chain value after the change: the ledger's
    # anchor, signed and in the Merkle tree, no longer matches.
    with world.led.engine.begin() as conn:
        rows = conn.execute(
            text(f"SELECT {', '.join(access_log.COLUMNS)} FROM access_log ORDER BY seq")
        ).all()
        chain = access_log.GENESIS_CHAIN
        for seq, *rest in rows:
            record = access_log.Access(**dict(zip(access_log.COLUMNS[1:], rest, strict=True)))
            chain = access_log.next_chain(chain, access_log.canonical(seq, record))
            conn.execute(
                text("UPDATE access_log SET chain = :c WHERE seq = :s"),
                {"c": chain.hex(), "s": seq},
            )
    verdict = c.get("/api/access-log/verify", headers=world.as_("auditor")).json()
    assert not verdict["ok"]
    assert "differ from those fixed on the ledger" in verdict["problems"][0]
