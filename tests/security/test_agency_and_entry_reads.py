"""Finding 4: reads across agencies and cases.

A clerk of agency B could view, scan into and close agency A's inventory (its expected list
names A's items and their descriptions) and start one on A's shelf that listed A's items; a
judge could read the raw ledger entry of a link suggestion about an item of a case not
theirs, because one readable subject (their case) opened the whole entry."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from brady.accounts.service import Accounts

from .conftest import PASSWORD, World, sign_in_page


def test_another_agencys_inventory_does_not_exist_for_them(world: World) -> None:
    c, b = world.client, world.as_("clerkB")
    own = c.get("/api/inventories/INV1", headers=world.as_("clerkA"))
    assert own.status_code == 200 and "IA1" in own.text  # the control: A sees its own
    assert c.get("/api/inventories/INV1", headers=b).status_code == 404
    assert (
        c.post("/api/inventories/INV1/scans", json={"item_id": "IB1"}, headers=b).status_code == 404
    )
    assert c.post("/api/inventories/INV1/close", headers=b).status_code == 404
    with world.led.engine.connect() as conn:
        closed = conn.exec_driver_sql(
            "SELECT closed_at FROM inventory WHERE inventory_id = 'INV1'"
        ).scalar_one()
        scans = conn.exec_driver_sql("SELECT count(*) FROM inventory_scan").scalar_one()
    assert (closed, scans) == (None, 0)


def test_another_agencys_inventory_is_not_on_their_pages(world: World) -> None:
    c = world.client
    sign_in_page(c, "clerkB")  # the use notification is acknowledged at every sign-in
    listing = c.get("/inventory")
    assert listing.status_code == 200 and "INV1" not in listing.text
    assert c.get("/inventory/INV1").status_code == 404


def test_an_inventory_on_a_shared_shelf_expects_only_the_agencys_items(world: World) -> None:
    c = world.client
    made = c.post(
        "/api/inventories",
        json={"inventory_id": "INVB", "location_id": "PR"},
        headers=world.as_("clerkB"),
    )
    assert made.status_code == 201, made.text
    view = c.get("/api/inventories/INVB", headers=world.as_("clerkB")).json()
    assert view["expected"] == ["IB1"]
    assert [i["item_id"] for i in view["items"]] == ["IB1"]
    assert "Report IA1" not in str(view)


def test_a_scanned_item_of_another_agency_shows_no_state(world: World) -> None:
    c, a = world.client, world.as_("clerkA")
    scanned = c.post("/api/inventories/INV1/scans", json={"item_id": "IB1"}, headers=a)
    assert scanned.status_code == 201, scanned.text
    c.post("/api/inventories/INV1/scans", json={"item_id": "IA1"}, headers=a)
    scans = {s["item_id"]: s for s in c.get("/api/inventories/INV1", headers=a).json()["scans"]}
    assert scans["IB1"]["status_then"] is None
    assert scans["IA1"]["status_then"] == "in_custody"


def _seq(world: World, kind: str, subject: str) -> int:
    with world.led.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT seq, entry FROM ledger_entry WHERE kind = :k ORDER BY seq"), {"k": kind}
        ).all()
    return next(int(seq) for seq, raw in rows if subject.encode() in bytes(raw))


def test_an_entry_is_read_only_by_who_may_read_all_it_is_about(world: World) -> None:
    suggestion = _seq(world, "link.suggest", "item:IA4")
    intake = _seq(world, "item.intake", "item:IA1")
    c = world.client
    judge = world.as_("judgeA")  # CA1's judge: the suggestion is for CA1, about CA2's IA4
    assert c.get(f"/api/ledger/entries/{intake}", headers=judge).status_code == 200
    assert c.get(f"/api/ledger/entries/{suggestion}", headers=judge).status_code == 403
    assert (
        c.get(f"/api/ledger/entries/{suggestion}", headers=world.as_("clerkB")).status_code == 403
    )
    for reader in ("clerkA", "auditor"):
        got = c.get(f"/api/ledger/entries/{suggestion}", headers=world.as_(reader))
        assert got.status_code == 200, (reader, got.text)
        assert b"IA4" in got.content


def test_a_read_only_token_never_anchors_the_access_log(world: World) -> None:
    read_only = Accounts(world.led.engine, world.led.master_key).create_token(
        "auditor", "reading", "read", "admin"
    )[1]
    c = world.client
    refused = c.post("/api/access-log/anchor", headers={"Authorization": f"Bearer {read_only}"})
    assert refused.status_code == 403, refused.text
    allowed = c.post("/api/access-log/anchor", headers=world.as_("auditor"))
    assert allowed.status_code == 200, allowed.text


def _page_session(world: World, user: str) -> tuple[TestClient, str]:
    """A browser's session for the pages: signed in, banner acknowledged; (client, csrf)."""
    client = TestClient(world.client.app, base_url="https://testserver")
    s = client.post("/api/session", json={"user_id": user, "password": PASSWORD}).json()
    client.post("/api/session/banner", headers={"X-CSRF-Token": s["csrf_token"]})
    return client, str(s["csrf_token"])


def test_a_fixity_check_is_for_keepers_of_the_item_and_its_own_files(world: World) -> None:
    """#14's finding: a read-only auditor could run a fixity check on any hash through the
    web, and a damaged copy's message showed the server's folders."""
    sha = world.files["IA1"]
    url = f"/items/IA1/files/{sha}/verify"
    auditor, token = _page_session(world, "auditor")
    assert auditor.post(url, data={"csrf_token": token}).status_code == 403
    clerk, token = _page_session(world, "clerkA")
    other = world.files["IB1"]  # agency B's file: not one of IA1's
    refused = clerk.post(f"/items/IA1/files/{other}/verify", data={"csrf_token": token})
    assert refused.status_code == 404
    blob = next(p for p in world.led.config.blobs.rglob("*") if p.is_file() and sha in p.name)
    blob.chmod(0o644)
    blob.write_bytes(b"changed on disk")
    answer = clerk.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "does NOT match the ledger" in answer.text, answer.text
    assert str(world.led.config.blobs) not in answer.text and "blobs/" not in answer.text
