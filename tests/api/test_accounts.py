"""Sign-in and sessions as the CJIS Security Policy asks: Argon2 hashes, lockout after five
failures in fifteen minutes until an administrator releases it, 30 minutes idle, CSRF on
every change made from a browser, the use notification acknowledged first, revocable
tokens; and every one of these in the access log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from brady.accounts.service import (
    REFUSED,
    TOKEN_DAYS,
    TOKEN_MOST_DAYS,
    Accounts,
    SignInError,
)
from brady.custody.service import Custody
from brady.ledger_home import OpenLedger
from brady.server import create_app
from brady.store import access_log

from ..store.helpers import tamper
from ..store.test_tamper import verify
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


def test_the_servers_argon2id_settings_are_rfc_9106s() -> None:
    """The tests hash cheaply (tests/conftest.py); a server hashes with the settings the
    accounts service declares, which must be at least RFC 9106's second recommendation."""
    import argon2

    from brady.accounts.service import ARGON2_MEMORY_KIB, ARGON2_TIME_COST

    hasher = argon2.PasswordHasher(
        time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=1
    )
    made = hasher.hash("correct horse battery")
    params = argon2.extract_parameters(made)
    assert params.type is argon2.Type.ID
    assert params.memory_cost >= 64 * 1024 and params.time_cost >= 3, params


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


# -- tokens expire ----------------------------------------------------------------------


@dataclass
class Few:
    """A ledger with an administrator and one integration's account, served; no passwords
    (the slow hash is not what these tests are about)."""

    led: OpenLedger
    client: TestClient
    admin: dict[str, str]

    def bearer(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def few(ledger: OpenLedger) -> Iterator[Few]:
    custody = Custody(ledger)
    with custody.session() as s:
        s.add_user(None, "admin", "Ada Admin", ["admin"])
    with custody.session() as s:
        s.add_user("admin", "integ", "Records export", ["auditor"])
    admin = Accounts(ledger.engine, ledger.master_key).create_token(
        "admin", "tests", "write", "admin"
    )[1]
    client = TestClient(create_app(ledger, anchor_every=None), base_url="https://testserver")
    with client:
        yield Few(ledger, client, {"Authorization": f"Bearer {admin}"})


def _made_days_ago(few: Few, days: int, life: int) -> tuple[str, str]:
    """A token made `days` ago to work for `life` days: the service's own clock set back."""
    then = datetime.now(UTC) - timedelta(days=days)
    accounts = Accounts(few.led.engine, few.led.master_key, clock=lambda: then)
    return accounts.create_token("integ", "nightly export", "read", "admin", expires=life)


def test_a_token_past_its_expiry_is_refused_like_a_revoked_one_and_logged(few: Few) -> None:
    expired_id, expired = _made_days_ago(few, days=3, life=1)  # stopped two days ago
    live_id, live = _made_days_ago(few, days=3, life=4)  # works one more day
    revoked_id, revoked = _made_days_ago(few, days=3, life=4)
    Accounts(few.led.engine, few.led.master_key).revoke_token(revoked_id, "admin")
    c = few.client
    assert c.get("/api/me", headers=few.bearer(live)).json()["user_id"] == "integ"
    refused = c.get("/api/me", headers=few.bearer(expired))
    as_revoked = c.get("/api/me", headers=few.bearer(revoked))
    assert refused.status_code == as_revoked.status_code == 401
    assert refused.json() == as_revoked.json()
    assert refused.headers["www-authenticate"] == as_revoked.headers["www-authenticate"]
    # A request with a body is refused before any route, by the same check.
    banner = c.post("/api/session/banner", headers=few.bearer(expired))
    assert banner.status_code == 401
    with few.led.engine.connect() as conn:
        why = access_log.search(conn, access_log.Query(action="token.expired"))
    assert len(why) == 2 and {r["target"] for r in why} == {expired_id}
    assert all(r["user_id"] == "integ" and r["outcome"] == "refused" for r in why)
    assert "expired at" in str(why[0]["detail"])
    listed = c.get("/api/users/integ/tokens", headers=few.admin).json()["items"]
    by_id = {t["token_id"]: t for t in listed}
    assert by_id[expired_id]["expired"] is True and by_id[live_id]["expired"] is False
    assert by_id[expired_id]["expires_at"] < by_id[live_id]["expires_at"]
    assert by_id[expired_id]["last_used_at"] is None  # refused, so never used


def _life(few: Few, **asked: object) -> tuple[int, dict[str, object]]:
    r = few.client.post(
        "/api/users/integ/tokens",
        json={"label": "nightly export", "scope": "read", **asked},
        headers=few.admin,
    )
    return r.status_code, r.json()


def _between(made: object, before: datetime, after: datetime, days: int) -> bool:
    at = datetime.fromisoformat(str(made).replace("Z", "+00:00"))
    return before + timedelta(days=days) <= at <= after + timedelta(days=days)


def test_the_api_gives_a_token_the_life_asked_for(few: Few) -> None:
    before = datetime.now(UTC)
    default = _life(few)
    week = _life(few, expires_in_days=7)
    after = datetime.now(UTC)
    assert default[0] == week[0] == 201
    assert _between(default[1]["expires_at"], before, after, TOKEN_DAYS)
    assert _between(week[1]["expires_at"], before, after, 7)
    day = (after + timedelta(days=10)).date()  # the ledger's zone is UTC
    status, made = _life(few, expires_on=day.isoformat())
    assert status == 201 and made["expires_at"] == f"{day.isoformat()}T23:59:59.999999Z"
    status, made = _life(few, never_expires=True)
    assert status == 201 and made["expires_at"] is None
    token = few.bearer(str(made["token"]))
    assert few.client.get("/api/me", headers=token).status_code == 200
    for wrong in (
        {"expires_in_days": 0},
        {"expires_in_days": TOKEN_MOST_DAYS + 1},
        {"expires_in_days": 7, "never_expires": True},
        {"expires_in_days": 7, "never_expires": False},  # the schema's rule: one key at most
        {"expires_in_days": 7, "expires_on": day.isoformat()},
        {"expires_on": "next week"},
    ):
        status, said = _life(few, **wrong)
        assert status == 422, (wrong, said)
    # Well formed, but refused as things stand today (as a time in the future is).
    for day_asked, why in (("2001-01-01", "has passed"), ("2999-01-01", "days away")):
        status, said = _life(few, expires_on=day_asked)
        assert status == 409 and why in str(said["detail"]), said
    listed = few.client.get("/api/users/integ/tokens", headers=few.admin).json()["items"]
    assert len(listed) == 4  # nothing was made by a refused request


def test_an_expiry_moved_in_the_database_opens_nothing(few: Few) -> None:
    """Lengthening (or clearing) an expiry would let a leaked secret in again: the row's
    seal covers the expiry, so the token is refused and `brady verify` names it."""
    token_id, token = _made_days_ago(few, days=3, life=1)
    moving = "UPDATE api_token SET expires_at = :e WHERE token_id = :t"
    for moved in ("2999-01-01T00:00:00.000000Z", None):
        tamper(few.led, (moving, {"e": moved, "t": token_id}))
        assert few.client.get("/api/me", headers=few.bearer(token)).status_code == 401
        code, report = verify(few.led)
        assert code == 1, report
        assert f"API token {token_id} of integ does not match its seal" in str(report["problem"])
    with few.led.engine.connect() as conn:
        forged = access_log.search(conn, access_log.Query(action="credential.forged"))
    assert len(forged) == 2
