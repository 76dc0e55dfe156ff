"""One world for the page tests of a module (SQLite; its tests only add to it): the server
tests' world, with a headquarters and a lab that sort before agency A's own evidence room
(EV, under A-HQ), and Brady's access-log service account."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from brady.accounts.anchors import anchor_as_system
from brady.custody.service import Custody
from brady.ledger_home import init_home

from ..api.conftest import World, build
from ..security.conftest import sign_in_page


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    led = init_home(tmp_path_factory.mktemp("site") / "home")
    world = build(led)
    custody = Custody(led)
    with custody.session() as s:
        s.add_location("admin", "A-HQ", "Agency A headquarters", "facility")
        s.add_location("admin", "CRIME-LAB", "State crime laboratory", "temporary")
        s.add_location("admin", "EV", "Agency A evidence room", "room", parent_id="A-HQ")
        s.add_location("admin", "EV-1", "Shelf 1", "shelf", parent_id="EV")
    anchor_as_system(custody)  # brady-access-log: a service account with the auditor role
    with world.client:
        yield world
    led.close()


def browser_of(world: World, user: str) -> TestClient:
    """A browser of its own, signed in through the pages as `user`."""
    client = TestClient(world.client.app, base_url="https://testserver")
    sign_in_page(client, user)
    return client
