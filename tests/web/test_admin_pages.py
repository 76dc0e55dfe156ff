"""The administrator's pages (issue 17): accounts, roles, passwords, locks, API tokens and
case assignments through the pages, each the same ledger event and access record as the
API's; auditors read them but change nothing; the access log's search and verification."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from brady.accounts.service import Accounts
from brady.domain.moments import local_minute

from ..api.conftest import PASSWORD, World
from ..security.conftest import sign_in_page

NEW_PASSWORD = "a new long password 42"


@dataclass
class Browser:
    """A browser signed in through the pages, and its session's CSRF token."""

    client: TestClient
    csrf: str

    def post(self, url: str, **data: str | list[str]) -> tuple[int, str, str]:
        """(status, the page answered with, where it went): the form posted with the token."""
        r = self.client.post(url, data={"csrf_token": self.csrf, **data})
        return r.status_code, r.text, r.url.raw_path.decode()


def _browser(world: World, user: str, password: str = PASSWORD) -> Browser:
    client = TestClient(world.client.app, base_url="https://testserver")
    return Browser(client, sign_in_page(client, user, password))


@pytest.fixture(scope="module")
def admin(site: World) -> Iterator[Browser]:
    yield _browser(site, "admin")


@pytest.fixture(scope="module")
def clerk(site: World) -> Iterator[Browser]:
    yield _browser(site, "clerkA")


@pytest.fixture(scope="module")
def auditor(site: World) -> Iterator[Browser]:
    yield _browser(site, "auditor")


def _count(world: World, sql: str, *args: str) -> int:
    with world.led.engine.connect() as conn:
        return int(conn.exec_driver_sql(sql, args).scalar_one())


def _events(world: World, kind: str) -> int:
    return _count(world, "SELECT count(*) FROM ledger_entry WHERE kind = ?", kind)


def _logged(world: World, action: str, target: str) -> int:
    return _count(
        world,
        "SELECT count(*) FROM access_log WHERE action = ? AND target = ? AND user_id = 'admin'",
        action,
        target,
    )


def _add(admin: Browser, user_id: str, roles: list[str], password: str = PASSWORD) -> None:
    """A user added through the form (with no password: one who cannot sign in yet)."""
    status, _, went = admin.post(
        "/admin/users",
        user_id=user_id,
        name=f"{user_id} Person",
        roles=roles,
        agency_id="A",
        password=password,
    )
    said = "said" if password else "warning"
    assert status == 200 and went.startswith(f"/admin/users/{user_id}?{said}="), went


def test_a_clerk_is_refused_the_admin_pages(site: World, clerk: Browser) -> None:
    for url in ("/admin/users", "/admin/users/clerkA"):
        r = clerk.client.get(url)
        assert r.status_code == 403 and "You may not see or do this" in r.text, url
    status, _, _ = clerk.post("/admin/users/clerkA/roles", roles=["admin"], reason="me")
    assert status == 403
    with site.led.engine.connect() as conn:
        roles = conn.exec_driver_sql("SELECT roles FROM app_user WHERE user_id='clerkA'").scalar()
    assert roles == '["property_clerk"]'


def test_the_auditor_reads_the_accounts_but_changes_nothing(site: World, auditor: Browser) -> None:
    listing = auditor.client.get("/admin/users")
    assert listing.status_code == 200
    assert '<a href="/admin/users/clerkA">clerkA</a>' in listing.text
    assert "Add a user" not in listing.text and 'action="/admin/users"' not in listing.text
    one = auditor.client.get("/admin/users/clerkA")
    assert one.status_code == 200 and "property clerk" in one.text
    assert "API tokens" not in one.text and '<form method="post" action="/admin' not in one.text
    before = _events(site, "user.add")
    status, page, _ = auditor.post(
        "/admin/users", user_id="sneaky", name="Sneaky", roles=["admin"], password=PASSWORD
    )
    assert status == 403 and "You may not see or do this" in page
    status, _, _ = auditor.post("/admin/users/clerkA/lock", reason="curious")
    assert status == 403
    assert _events(site, "user.add") == before
    assert auditor.client.get("/admin/users/clerkA").text.count("locked") == 0


def test_a_form_without_the_csrf_token_is_refused(site: World, admin: Browser) -> None:
    r = admin.client.post(
        "/admin/users",
        data={"user_id": "nocsrf", "name": "No Token", "roles": ["officer"], "agency_id": "A"},
    )
    assert r.status_code == 403 and "CSRF" in r.text
    assert "nocsrf" not in admin.client.get("/admin/users").text


def test_the_admin_adds_a_user_who_then_signs_in(site: World, admin: Browser) -> None:
    events = _events(site, "user.add")
    _add(admin, "clerkN", ["property_clerk"])
    assert _events(site, "user.add") == events + 1
    assert _logged(site, "account.create", "user:clerkN") == 1
    assert _logged(site, "account.password", "user:clerkN") == 1
    page = admin.client.get("/admin/users").text
    assert '<a href="/admin/users/clerkN">clerkN</a>' in page
    home = _browser(site, "clerkN").client.get("/")
    assert home.status_code == 200 and "Signed in as <strong>clerkN</strong>" in home.text


def test_a_user_the_form_cannot_add_comes_back_with_what_was_typed(
    site: World, admin: Browser
) -> None:
    events = _events(site, "user.add")
    status, page, _ = admin.post(
        "/admin/users", user_id="noroles", name="Nora Roles", agency_id="A", password=PASSWORD
    )
    assert status == 422 and "Nothing was recorded" in page
    assert 'value="noroles"' in page and 'value="Nora Roles"' in page
    assert 'id="roles-problem"' in page
    status, page, _ = admin.post(
        "/admin/users", user_id="clerkA", name="Again", roles=["officer"], password=PASSWORD
    )
    assert status == 409 and "already exists" in page and 'value="Again"' in page
    status, page, _ = admin.post(
        "/admin/users", user_id="shortpw", name="Short", roles=["officer"], password="short"
    )
    assert status == 422 and 'id="password-problem"' in page
    assert _events(site, "user.add") == events


def test_the_admin_sets_roles_with_a_reason(site: World, admin: Browser) -> None:
    _add(admin, "offR", ["officer"], password="")
    assert "no password yet: they cannot sign in" in admin.client.get("/admin/users/offR").text
    events = _events(site, "user.roles")
    status, page, went = admin.post(
        "/admin/users/offR/roles", roles=["officer", "supervisor"], agency_id="A", reason=""
    )
    assert "problem=" in went and "Reason is needed" in page
    assert _events(site, "user.roles") == events
    status, page, _ = admin.post(
        "/admin/users/offR/roles",
        roles=["officer", "supervisor"],
        agency_id="A",
        reason="promoted to sergeant",
    )
    assert status == 200 and "roles are now: officer, supervisor" in page
    assert _events(site, "user.roles") == events + 1
    assert _logged(site, "account.roles", "user:offR") == 1
    status, page, _ = admin.post("/admin/users/admin/roles", roles=["auditor"], reason="step down")
    assert "cannot take away their own administration" in page
    assert _events(site, "user.roles") == events + 1


def test_the_admin_resets_a_password_and_the_user_signs_in_with_it(
    site: World, admin: Browser
) -> None:
    _add(admin, "offP", ["officer"])
    _, page, _ = admin.post("/admin/users/offP/password", password="short", again="short")
    assert "it needs at least 12" in page
    _, page, _ = admin.post(
        "/admin/users/offP/password", password=NEW_PASSWORD, again=NEW_PASSWORD + "x"
    )
    assert "the two passwords differ" in page
    changes = _logged(site, "account.password", "user:offP")
    _, page, _ = admin.post("/admin/users/offP/password", password=NEW_PASSWORD, again=NEW_PASSWORD)
    assert "password was changed" in page
    assert _logged(site, "account.password", "user:offP") == changes + 1
    assert _browser(site, "offP", NEW_PASSWORD).client.get("/").status_code == 200
    old = TestClient(site.client.app, base_url="https://testserver")
    r = old.post("/signin", data={"user_id": "offP", "password": PASSWORD})
    assert "System use notification" not in r.text


def test_an_assigned_case_is_then_seen_and_removing_it_needs_a_reason(
    site: World, admin: Browser
) -> None:
    prosecutor = _browser(site, "prosA2")
    assert prosecutor.client.get("/cases/CA2").status_code == 403
    page = admin.client.get("/admin/users/prosA2").text
    assert '<option value="CA2">' in page and '<label for="assign-case">' in page
    _, page, _ = admin.post("/admin/users/prosA2/assignments", case_id="CA2", role="judge")
    assert "Nothing was recorded" in page and "is not a judge" in page
    events = _events(site, "case.assign")
    _, page, _ = admin.post("/admin/users/prosA2/assignments", case_id="CA2", role="prosecutor")
    assert "prosA2 now works CA2 as prosecutor" in page
    assert _events(site, "case.assign") == events + 1
    assert _logged(site, "permission.assign", "case:CA2") == 1
    assert prosecutor.client.get("/cases/CA2").status_code == 200
    assert "A burglary" in prosecutor.client.get("/").text

    url = "/admin/users/prosA2/assignments/CA2/remove"
    _, page, _ = admin.post(url, reason=" ")
    assert "say why the case is taken from them" in page
    assert prosecutor.client.get("/cases/CA2").status_code == 200
    _, page, _ = admin.post(url, reason="reassigned to another deputy")
    assert "prosA2 no longer works CA2" in page
    assert _events(site, "case.unassign") >= 1
    assert prosecutor.client.get("/cases/CA2").status_code == 403


def test_a_token_is_shown_once_works_on_the_api_and_stops_when_revoked(
    site: World, admin: Browser
) -> None:
    _add(admin, "offT", ["officer"], password="")
    status, page, _ = admin.post("/admin/users/offT/tokens", label="records export", scope="read")
    assert status == 200 and "Copy this token now" in page
    found = re.search(r'id="new-token" type="text" readonly value="(brady_[^"]+)"', page)
    assert found is not None
    token = html.unescape(found.group(1))
    api = site.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.json()["user_id"] == "offT"
    assert api.json()["scope"] == "read"
    later = admin.client.get("/admin/users/offT").text
    assert token not in later and "records export" in later
    token_id = re.search(r"Revoke (TOK-[0-9a-f]+)", later)
    assert token_id is not None
    _, page, _ = admin.post(f"/admin/users/clerkA/tokens/{token_id.group(1)}/revoke")
    assert "has no token" in page  # another user's token is not revoked from here
    _, page, _ = admin.post(f"/admin/users/offT/tokens/{token_id.group(1)}/revoke")
    assert "is revoked" in page
    api = site.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    _, page, _ = admin.post("/admin/users/offT/tokens", label="x", scope="admin")
    assert "Nothing was recorded" in page and "Copy this token now" not in page


def _expires_at(world: World, token_id: str) -> str | None:
    """The token's expiry as stored."""
    with world.led.engine.connect() as conn:
        found: str | None = conn.exec_driver_sql(
            "SELECT expires_at FROM api_token WHERE token_id = ?", (token_id,)
        ).scalar_one()
    return found


def _row_of(page: str, token_id: str) -> str:
    found = re.search(rf'<tr><td class="mono">{token_id}</td>.*?</tr>', page, re.S)
    assert found is not None, token_id
    return found.group(0)


def _issued(page: str) -> str:
    found = re.search(r"New API token (TOK-[0-9a-f]+)", page)
    assert found is not None
    return found.group(1)


def test_a_token_is_issued_with_an_expiry_and_the_list_shows_it(
    site: World, admin: Browser
) -> None:
    _add(admin, "offX", ["officer"], password="")
    form = admin.client.get("/admin/users/offX").text
    assert 'name="expires_in_days" type="number" value="90"' in form
    assert "A token does not expire" not in form
    before = datetime.now(UTC)
    status, page, _ = admin.post(
        "/admin/users/offX/tokens", label="body cameras", scope="read", expires_in_days="30"
    )
    after = datetime.now(UTC)
    assert status == 200 and "Copy this token now" in page
    month = _issued(page)
    expires_at = _expires_at(site, month)
    assert expires_at is not None
    at = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    assert before + timedelta(days=30) <= at <= after + timedelta(days=30)
    shown = local_minute(expires_at, site.led.config.zone)
    assert f"It works until <strong>{shown}</strong>" in page
    assert shown in _row_of(page, month) and f"Revoke {month}" in _row_of(page, month)

    _, page, _ = admin.post(
        "/admin/users/offX/tokens",
        label="evidence lockers",
        scope="read",
        expires_in_days="90",
        never_expires="yes",
    )
    forever = _issued(page)
    assert _expires_at(site, forever) is None
    assert "It <strong>never expires</strong>" in page
    assert '<span class="tag warn">never</span>' in _row_of(page, forever)

    # One made three days ago for a day: listed as expired, with nothing left to revoke.
    then = datetime.now(UTC) - timedelta(days=3)
    old_id, _ = Accounts(site.led.engine, site.led.master_key, clock=lambda: then).create_token(
        "offX", "trial", "read", "admin", expires=1
    )
    listed = _row_of(admin.client.get("/admin/users/offX").text, old_id)
    assert ">expired<" in listed and "Revoke" not in listed

    for days, said in (("0", "must be at least 1"), ("3651", "can be at most 3,650")):
        _, page, _ = admin.post(
            "/admin/users/offX/tokens", label="x", scope="read", expires_in_days=days
        )
        assert "Nothing was recorded" in page and f"Days until it expires {said}" in page
        assert "Copy this token now" not in page
    assert _count(site, "SELECT count(*) FROM api_token WHERE user_id = ?", "offX") == 3


def test_a_locked_account_cannot_sign_in_until_released(site: World, admin: Browser) -> None:
    _add(admin, "offL", ["officer"])
    user = _browser(site, "offL")
    _, page, _ = admin.post("/admin/users/offL/lock", reason="")
    assert "say why the account is locked" in page
    _, page, _ = admin.post("/admin/users/offL/lock", reason="badge lost")
    assert "offL is locked out" in page and "badge lost" in page
    assert _logged(site, "account.lock", "user:offL") == 1
    assert user.client.get("/", follow_redirects=False).status_code == 303  # session ended
    again = TestClient(site.client.app, base_url="https://testserver")
    r = again.post("/signin", data={"user_id": "offL", "password": PASSWORD})
    assert "System use notification" not in r.text
    _, page, _ = admin.post("/admin/users/admin/lock", reason="test")
    assert "cannot lock their own account" in page
    _, page, _ = admin.post("/admin/users/offL/release")
    assert "offL may sign in again" in page
    assert _browser(site, "offL").client.get("/").status_code == 200


def test_the_access_log_is_searched_by_its_filters(
    site: World, admin: Browser, auditor: Browser, clerk: Browser
) -> None:
    _add(admin, "clerkF", ["property_clerk"])  # this test's own record to find
    found = auditor.client.get(
        "/access", params={"user_id": "admin", "action": "account.create", "target": "user:clerkF"}
    )
    assert found.status_code == 200
    rows = re.findall(r"<tr><td>\d+</td>.*?</tr>", found.text, re.S)
    assert rows and all("account.create" in r and "user:clerkF" in r for r in rows)
    assert clerk.client.get("/admin/users").status_code == 403  # refused, and logged
    denied = auditor.client.get("/access", params={"outcome": "denied", "user_id": "clerkA"})
    rows = re.findall(r"<tr><td>\d+</td>.*?</tr>", denied.text, re.S)
    assert rows and all(">denied<" in r for r in rows)
    assert 'option value="denied" selected' in denied.text
    future = auditor.client.get("/access", params={"since": "2999-01-01"})
    assert "No access record matches this search" in future.text
    today = auditor.client.get("/access", params={"until": "2000-01-01"})
    assert "No access record matches this search" in today.text
    swapped = auditor.client.get("/access", params={"since": "2026-02-01", "until": "2026-01-01"})
    assert swapped.status_code == 422 and "Until is before since" in swapped.text
    bad = auditor.client.get("/access", params={"since": "yesterday"})
    assert bad.status_code == 422 and "must be a date" in bad.text
    assert auditor.client.get("/access").status_code == 200
    assert clerk.client.get("/access").status_code == 403


def test_the_access_log_is_verified_and_its_head_fixed(site: World, auditor: Browser) -> None:
    r = auditor.client.get("/access/verify")
    assert r.status_code == 200 and "The access log is intact" in r.text
    anchors = _events(site, "access.anchor")
    _, page, _ = auditor.post("/access/anchor")
    assert "are now fixed on the ledger" in page
    assert _events(site, "access.anchor") == anchors + 1
    verified = auditor.client.get("/access/verify").text
    assert "The access log is intact" in verified and "they match the" in verified


def test_the_pages_label_every_input_and_head_every_column(admin: Browser) -> None:
    for url in ("/admin/users", "/admin/users/prosA", "/admin/users/offT"):
        r = admin.client.get(url)
        assert r.status_code == 200, url
        main = r.text.split("<main", 1)[1]
        for tag in re.findall(r"<(?:input|select)\b[^>]*>", main):
            if 'type="hidden"' in tag:
                continue
            field_id = re.search(r'id="([^"]+)"', tag)
            assert field_id is not None, tag
            assert f'for="{field_id.group(1)}"' in main, tag
        assert "<th>" not in main, url
    assert 'href="/admin/users"' in admin.client.get("/").text
