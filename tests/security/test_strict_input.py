"""Finding 9: input the server must refuse with a 422 that names the field, never a 500.

Each case runs against the store (SQLite and PostgreSQL): NUL bytes reach PostgreSQL as an
error, an infinite number broke the error response itself, an impossible time was kept as
a date, and a '%' in a name search listed every person."""

from __future__ import annotations

import pytest

from .conftest import World

INTAKE = {
    "category": "document",
    "description": "A receipt",
    "location_id": "PR",
    "case_ids": ["CA2"],
}


def _problem(resp: object, field: str, status: int = 422) -> None:
    """A refusal naming `field`: 422 for a value wrong in itself (what no request may hold,
    an id's characters, a real date), whichever check finds it."""
    got = getattr(resp, "status_code")  # noqa: B009
    text = getattr(resp, "text")  # noqa: B009
    assert got == status, text
    assert field in text, text


def test_an_infinite_number_is_refused_by_name(world: World) -> None:
    resp = world.client.post(
        "/api/items",
        content=b'{"category":"document","description":"x","location_id":"PR",'
        b'"case_ids":["CA2"],"quantity":1e999}',
        headers={**world.as_("clerkA"), "content-type": "application/json"},
    )
    _problem(resp, "quantity")


@pytest.mark.parametrize(
    "field",
    ["description", "narrative", "location_id"],
)
def test_a_nul_byte_in_a_body_is_refused_by_name(world: World, field: str) -> None:
    body = {**INTAKE, field: INTAKE.get(field, "text") + "\x00after"}
    resp = world.client.post("/api/items", json=body, headers=world.as_("clerkA"))
    _problem(resp, field)
    with world.led.engine.connect() as conn:
        n = conn.exec_driver_sql("SELECT count(*) FROM item").scalar_one()
    assert n == 5  # nothing half-written


def test_a_nul_byte_in_a_nested_list_is_refused_by_name(world: World) -> None:
    resp = world.client.post(
        "/api/items", json={**INTAKE, "case_ids": ["CA2", "C\x00"]}, headers=world.as_("clerkA")
    )
    _problem(resp, "case_ids")


def test_a_nul_byte_in_a_query_or_path_is_refused_by_name(world: World) -> None:
    _problem(world.client.get("/api/cases?q=a%00b", headers=world.as_("prosA")), "q")
    _problem(world.client.get("/api/persons?name=%00", headers=world.as_("clerkA")), "name")
    _problem(world.client.get("/api/items/IA%001", headers=world.as_("clerkA")), "path")


def test_a_nul_byte_in_a_web_form_is_refused(world: World) -> None:
    page = world.client.get("/signin")
    assert page.status_code == 200
    resp = world.client.post(
        "/signin",
        data={"user_id": "clerk\x00A", "password": "x"},
        follow_redirects=False,
    )
    assert resp.status_code in (400, 422), resp.text
    assert "user_id" in resp.text


def test_an_impossible_time_is_refused_not_truncated(world: World) -> None:
    resp = world.client.post(
        "/api/persons",
        json={"person_id": "P9", "name": "Ann Other", "dob": "2024-01-01T25:00:00Z"},
        headers=world.as_("prosA"),
    )
    _problem(resp, "dob")
    resp = world.client.post(
        "/api/persons",
        json={"person_id": "P9", "name": "Ann Other", "dob": "2024-02-30"},
        headers=world.as_("prosA"),
    )
    _problem(resp, "dob")
    ok = world.client.post(
        "/api/persons",
        json={"person_id": "P9", "name": "Ann Other", "dob": "1990-02-28"},
        headers=world.as_("prosA"),
    )
    assert ok.status_code == 201, ok.text


def test_a_wildcard_in_a_name_search_is_itself(world: World) -> None:
    everyone = world.client.get("/api/persons", headers=world.as_("clerkA")).json()["total"]
    assert everyone >= 2
    for probe in ("%", "_", "%%"):
        resp = world.client.get(
            f"/api/persons?name={probe.replace('%', '%25')}", headers=world.as_("clerkA")
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["total"] == 0, probe
    hit = world.client.get("/api/persons?name=delacroix", headers=world.as_("clerkA")).json()
    assert [p["person_id"] for p in hit["items"]] == ["P1"]
    cases = world.client.get("/api/cases?q=%25", headers=world.as_("auditor")).json()
    assert cases["total"] == 0


def test_a_nul_byte_in_an_uploaded_file_name_is_refused_by_name(world: World) -> None:
    # Built by hand: httpx would percent-encode the NUL in a file name.
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="memo\x00.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nsome bytes\r\n--B--\r\n"
    )
    resp = world.client.post(
        "/api/items/IA1/files",
        content=body,
        headers={**world.as_("clerkA"), "content-type": "multipart/form-data; boundary=B"},
    )
    _problem(resp, "name")
    with world.led.engine.connect() as conn:
        n = conn.exec_driver_sql("SELECT count(*) FROM item_file").scalar_one()
    assert n == 3
