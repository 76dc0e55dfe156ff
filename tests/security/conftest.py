"""The server's world (two agencies, every role, one production), for the attacks."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from brady.ledger_home import OpenLedger

from ..api.conftest import PASSWORD, World, build

__all__ = ["PASSWORD", "World", "sign_in_page"]


def sign_in_page(client: TestClient, user: str, password: str = PASSWORD) -> str:
    """Sign in through the pages as a browser does: the sign-in form, then the use
    notification (asked at every sign-in) acknowledged. The session's CSRF token."""
    banner = client.post("/signin", data={"user_id": user, "password": password})
    assert banner.status_code == 200 and "System use notification" in banner.text, banner.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', banner.text)
    assert found is not None
    home = client.post("/banner", data={"csrf_token": found.group(1), "next": "/"})
    assert home.status_code == 200 and "What needs you now" in home.text, home.text
    return found.group(1)


@pytest.fixture
def world(ledger: OpenLedger) -> Iterator[World]:
    w = build(ledger)
    with w.client:
        yield w
