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


def test_every_answer_carries_the_security_headers(world: World) -> None:
    c = world.client
    answers = {
        "api": c.get("/api/items/IA1", headers=world.as_("clerkA")),
        "refusal": c.get("/api/items/IA2", headers=world.as_("defA")),
        "missing": c.get("/api/no-such-thing", headers=world.as_("clerkA")),
        "page": c.get("/"),
        "static": c.get("/static/brady.css"),
    }
    assert answers["api"].status_code == 200
    assert answers["refusal"].status_code == 403
    assert answers["static"].status_code == 200
    for name, r in answers.items():
        assert r.headers["x-content-type-options"] == "nosniff", name
        assert r.headers["x-frame-options"] == "DENY", name
        assert r.headers["referrer-policy"] == "no-referrer", name
        # Evidence and who holds it never stays in a browser's cache; the style sheet may.
        assert (r.headers.get("cache-control") == "no-store") is (name != "static"), name
