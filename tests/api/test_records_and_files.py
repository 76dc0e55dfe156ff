"""Records and files over HTTP: streamed uploads and verified downloads, problem details
for bad input, pagination, permission changes on the ledger, and a ledger that still
verifies after all of it."""

from __future__ import annotations

import base64
import hashlib
import os

from brady.blobs.store import BlobStore
from brady.store.audit import audit

from .conftest import World


def test_upload_streams_and_download_verifies(world: World) -> None:
    c, h = world.client, world.as_("clerkA")
    body = os.urandom(3 * 1024 * 1024 + 17)  # several chunks
    r = c.post(
        "/api/items/IA3/files",
        files={"file": ("scene.bin", body, "application/octet-stream")},
        headers=h,
    )
    assert r.status_code == 201, r.text
    digest = hashlib.sha256(body).hexdigest()
    assert r.json()["sha256"] == digest and r.json()["size"] == len(body)
    got = c.get(f"/api/items/IA3/files/{digest}", headers=h)
    assert got.status_code == 200 and got.content == body
    assert (
        got.headers["repr-digest"]
        == f"sha-256=:{base64.b64encode(bytes.fromhex(digest)).decode()}:"
    )
    # The stored copy is damaged on disk: the download is cut off, never served whole.
    path = BlobStore(world.led.config.blobs).path(digest)
    path.chmod(0o644)
    with path.open("r+b") as fh:
        fh.seek(len(body) - 1)
        fh.write(b"\x00" if body[-1] else b"\x01")
    try:
        damaged = c.get(f"/api/items/IA3/files/{digest}", headers=h)
        complete = damaged.content == body
    except Exception:  # the server aborted the response part-way
        complete = False
    assert not complete
    log = c.get(
        "/api/access-log", params={"target": f"file:{digest}"}, headers=world.as_("auditor")
    ).json()["items"]
    assert log[0]["outcome"] == "damaged"


def test_bad_input_is_a_problem_naming_the_field(world: World) -> None:
    c, h = world.client, world.as_("clerkA")
    r = c.post("/api/items", json={"category": "firearm", "location_id": "PR"}, headers=h)
    assert r.status_code == 422
    problem = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert problem["field"] == "description" and "description" in problem["detail"]
    r = c.post(
        "/api/items",
        json={"category": "spaceship", "description": "x", "location_id": "PR"},
        headers=h,
    )
    # A word outside the vocabulary is invalid input, as a missing field is: 422, by name.
    assert r.status_code == 422 and problem_field(r) == "category"
    assert "spaceship" in r.json()["detail"]
    r = c.post("/api/items/IA1/steps", json={"action": "transfer"}, headers=h)
    assert r.status_code == 422 and problem_field(r) == "transfer.to_user"
    r = c.get("/api/items", params={"sort": "colour"}, headers=h)
    assert r.status_code == 422 and "colour" in r.json()["detail"]


def problem_field(r: object) -> str | None:
    return r.json().get("field")  # type: ignore[attr-defined, no-any-return]


def test_lists_page_filter_and_sort(world: World) -> None:
    c, h = world.client, world.as_("clerkA")
    first = c.get("/api/items", params={"limit": 2, "sort": "-id"}, headers=h).json()
    second = c.get("/api/items", params={"limit": 2, "offset": 2, "sort": "-id"}, headers=h).json()
    assert first["total"] == second["total"] == 4
    ids = [i["item_id"] for i in first["items"] + second["items"]]
    assert ids == ["IA4", "IA3", "IA2", "IA1"]
    only = c.get("/api/items", params={"case_id": "CA2"}, headers=h).json()
    assert {i["item_id"] for i in only["items"]} == {"IA3", "IA4"}


def test_intake_over_http_records_suggestions_and_the_queue_shows_them(world: World) -> None:
    c = world.client
    r = c.post(
        "/api/items",
        json={
            "category": "ammunition",
            "description": "Loose rounds",
            "narrative": "Handed in; Dana Delacroix's name on the box",
            "location_id": "PR",
            "case_ids": ["CA2"],
        },
        headers=world.as_("clerkA"),
    )
    assert r.status_code == 201, r.text
    assert {s["case_id"] for s in r.json()["suggestions"]} == {"CA1"}
    queue = c.get("/api/links", params={"case_id": "CA1"}, headers=world.as_("prosA")).json()
    assert len(queue["items"]) == 2 and all(x["reasons"] for x in queue["items"])
    assert c.get("/api/links", headers=world.as_("prosA2")).json()["total"] == 0
    sid = r.json()["suggestions"][0]["suggestion_id"]
    done = c.post(
        f"/api/links/{sid}/accept", json={"reason": "Same defendant"}, headers=world.as_("prosA")
    )
    assert done.status_code == 200, done.text
    case = c.get("/api/cases/CA1", headers=world.as_("prosA")).json()
    assert r.json()["item_id"] in {i["item_id"] for i in case["items"]}


def test_permission_changes_are_signed_events_and_the_ledger_verifies(world: World) -> None:
    c, admin = world.client, world.as_("admin")
    r = c.put(
        "/api/users/prosA2/roles",
        json={"roles": ["prosecutor", "supervisor"], "agency_id": "A", "reason": "Promoted"},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert c.get("/api/cases/CA2", headers=world.as_("prosA2")).status_code == 200
    r = c.post(
        "/api/cases/CA2/assignments",
        json={"user_id": "defA", "role": "prosecutor"},
        headers=admin,
    )
    assert r.status_code == 409 and "not a prosecutor" in r.json()["detail"]
    for action in ("rotate", "revoke"):
        r = c.post(
            "/api/users/clerkA/key", json={"action": action, "reason": "Yearly"}, headers=admin
        )
        assert r.status_code == 200, r.text
    # clerkA signs with the new key from now on.
    move = {"action": "move", "location_id": "PR"}
    assert c.post("/api/items/IA1/steps", json=move, headers=world.as_("clerkA")).status_code == 201
    led = world.led
    report = audit(led.store, led.config.database_url, led.config.log_vkey, workers=1)
    assert report.ok, report.first_problem()
