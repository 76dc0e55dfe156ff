"""The server end to end on one world: sign-in, views as each role allows, refusals."""

from __future__ import annotations

from .conftest import World


def test_world_builds_and_counsel_sees_only_what_was_produced(world: World) -> None:
    c = world.client
    r = c.get("/api/items/IA1", headers=world.as_("defA"))
    assert r.status_code == 200, r.text
    assert r.json()["your_view"] == "disclosed"
    r = c.get("/api/items/IA2", headers=world.as_("defA"))
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "IA2" in r.json()["detail"]
