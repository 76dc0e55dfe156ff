"""Related cases over the API and on the case page: the prosecutor of a case lists and
decides its side; nobody else decides it, and counsel never learn of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from brady.custody.service import Custody
from brady.ledger_home import OpenLedger

from ..web.test_admin_pages import _browser
from .conftest import World, build


@pytest.fixture
def world(ledger: OpenLedger) -> Iterator[World]:
    w = build(ledger)
    with Custody(ledger).session() as s:  # Dana Delacroix, CA1's defendant, witnessed CA2
        s.add_party("clerkA", "CA2", "P1", "witness")
    with w.client:
        yield w


def _side(world: World, user: str, case_id: str) -> dict[str, object] | None:
    r = world.client.get("/api/related", headers=world.as_(user))
    assert r.status_code == 200, r.text
    return next((x for x in r.json()["items"] if x["case_id"] == case_id), None)


def test_the_prosecutor_decides_the_side_of_their_case(world: World) -> None:
    side = _side(world, "prosA", "CA1")
    assert side is not None and side["other_case_id"] == "CA2"
    assert side["person"] == "Dana Delacroix" and side["status"] == "open"
    assert _side(world, "defA", "CA1") is None  # counsel: the State's own linking work
    relation_id = side["relation_id"]
    body = {"relation_id": relation_id, "reason": "Delacroix's statement in CA2 bears on CA1"}
    for user in ("prosA2", "defA", "judgeA", "clerkA"):
        r = world.client.post("/api/cases/CA1/related/accept", json=body, headers=world.as_(user))
        assert r.status_code == 403, (user, r.status_code)
    r = world.client.post("/api/cases/CA1/related/accept", json=body, headers=world.as_("prosA"))
    assert r.status_code == 200, r.text
    assert [e["kind"] for e in r.json()["recorded"]] == ["relation.accept"]
    again = world.client.post(
        "/api/cases/CA1/related/accept", json=body, headers=world.as_("prosA")
    )
    assert again.status_code in (400, 409, 422) and "already accepted" in again.text
    wrong = world.client.post(
        "/api/cases/CA1/related/reject",
        json={"relation_id": "REL-999999", "reason": "x"},
        headers=world.as_("prosA"),
    )
    assert wrong.status_code in (400, 404, 409, 422) and "REL-999999" in wrong.text
    # An item of CA2 naming her now joins CA1 by that decision, without a queue entry.
    item = world.client.post(
        "/api/items",
        json={
            "category": "document",
            "description": "Statement of Dana Delacroix",
            "location_id": "PR",
            "case_ids": ["CA2"],
        },
        headers=world.as_("clerkA"),
    )
    assert item.status_code == 201, item.text
    item_id = item.json()["item_id"]
    case = world.client.get("/api/cases/CA1", headers=world.as_("prosA")).json()
    assert item_id in {i["item_id"] for i in case["items"]}
    queue = world.client.get("/api/links", headers=world.as_("prosA")).json()["items"]
    assert item_id not in {x["item_id"] for x in queue if x["status"] == "open"}


def test_the_case_page_shows_and_decides_it(world: World) -> None:
    prosecutor = _browser(world, "prosA")
    page = prosecutor.client.get("/cases/CA1")
    assert page.status_code == 200
    assert "Related cases" in page.text and "shares Dana Delacroix" in page.text
    side = _side(world, "prosA", "CA1")
    assert side is not None
    status, text, where = prosecutor.post(
        "/cases/CA1/related/reject",
        relation_id=str(side["relation_id"]),
        reason="She saw nothing of this case",
    )
    assert status == 200 and where.startswith("/cases/CA1?"), (status, where)
    assert "rejected" in text and "not suggested again" in text
    assert _side(world, "prosA", "CA1") is None  # no longer waiting
    other = _browser(world, "prosA2")  # CA2's side is not prosA2's to decide either
    status, text, _ = other.post(
        "/cases/CA1/related/accept", relation_id=str(side["relation_id"]), reason="x"
    )
    assert status == 403
    counsel = _browser(world, "defA").client.get("/cases/CA1")
    assert counsel.status_code == 200 and "Related cases" not in counsel.text
