"""Every route x every role x own/other agency and case x disclosed/undisclosed.

The routes come from the app itself: a route without an `x-access` rule, or with a
rule this test has no oracle for, fails. The oracle below is written from the access
rules in plain sets (who relates to which case, item and file in the test world), not
from the code under test. Allowed means the request got past authorization (anything
but 401/403; bodies are deliberately empty, so writes stop at validation); refused
means 403. Lists must hold exactly what the caller may see. Zero leaks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from .conftest import USERS, World

pytestmark = pytest.mark.slow

STAFF_A = {"clerkA", "officerA", "superA", "labA"}
ALL = set(USERS)
CASES = ("CA1", "CA2", "CB1")
ITEMS = ("IA1", "IA2", "IA3", "IA4", "IB1")
ITEM_CASE = {"IA1": "CA1", "IA2": "CA1", "IA3": "CA2", "IA4": "CA2", "IB1": "CB1"}

READ_CASE = {
    "CA1": STAFF_A | {"prosA", "defA", "judgeA", "auditor"},
    "CA2": STAFF_A | {"auditor"},
    "CB1": {"clerkB", "defB", "auditor"},
}
FULL_CASE = {c: users - {"defA", "defB"} for c, users in READ_CASE.items()}
ACT_CASE = {"CA1": STAFF_A | {"prosA"}, "CA2": STAFF_A, "CB1": {"clerkB"}}
READ_ITEM = {
    "IA1": STAFF_A | {"prosA", "judgeA", "defA", "auditor"},  # IA1 was produced to defA
    "IA2": STAFF_A | {"prosA", "judgeA", "auditor"},
    "IA3": STAFF_A | {"auditor"},
    "IA4": STAFF_A | {"auditor"},
    "IB1": {"clerkB", "auditor"},
}
FULL_ITEM = {i: users - {"defA", "defB"} for i, users in READ_ITEM.items()}
STATE_ITEM = {i: users - {"judgeA"} for i, users in FULL_ITEM.items()}  # link suggestions
ACT_ITEM = {i: users - {"judgeA", "auditor", "defA"} for i, users in READ_ITEM.items()}
FILE = {i: users - {"judgeA"} for i, users in READ_ITEM.items()}  # IA1's file was produced too
RECORD = STAFF_A | {"clerkB", "prosA", "prosA2"}


def oracle(rule: str, params: dict[str, str]) -> set[str]:
    """Who may pass, by the rules as the issue and docs state them."""
    case = params.get("case_id")
    item = params.get("item_id")
    fixed = {
        "public": ALL,
        "signed-in": ALL,
        "list:visible": ALL,
        "admin": {"admin"},
        "auditor": {"auditor"},
        "admin-or-auditor": {"admin", "auditor"},
        "admin-or-self": {"admin", "clerkA"},  # the path names clerkA
        "record": RECORD,
        "staff": STAFF_A | {"clerkB", "prosA", "prosA2", "auditor", "admin"},
        "link:prosecute": {"prosA"},  # the suggestion is for CA1
        "production:read": {"prosA", "defA", "auditor"},  # the production is CA1's
        "production:acknowledge": {"prosA", "defA"},
        "entry:read": FULL_ITEM["IA1"],  # the entry is IA1's intake into CA1
        "staff:write": STAFF_A | {"clerkB"},
        "lab:act": ACT_ITEM["IA1"] & RECORD,  # LR1 sent IA1 to the lab
    }
    if rule in fixed:
        return fixed[rule]
    if rule.startswith("case:"):
        assert case is not None
        return {
            "case:read": READ_CASE,
            "case:full": FULL_CASE,
            "case:act": ACT_CASE,
            "case:prosecute": {"CA1": {"prosA"}, "CA2": set(), "CB1": set()},
        }[rule][case]
    if rule.startswith(("item:", "file:")):
        assert item is not None
        return {
            "item:read": READ_ITEM,
            "item:state": STATE_ITEM,
            "item:act": ACT_ITEM,
            "file:read": FILE,
        }[rule][item]
    raise AssertionError(f"no oracle for access rule {rule!r}: add it to this test")


def operations(world: World) -> list[tuple[str, str, str | None]]:
    """(method, path, access rule) of every operation the served OpenAPI schema lists."""
    schema = world.client.get("/openapi.json").json()
    return [
        (method.upper(), path, op.get("x-access"))
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    ]


def targets(world: World, path: str) -> Iterator[dict[str, str]]:
    names = set(re.findall(r"{(\w+)}", path))
    fixed = {
        "production_id": world.production,
        "suggestion_id": world.suggestion,
        "user_id": "clerkA",
        "token_id": world.spare_token,
        "seq": str(world.intake_seq),
        "request_id": "LR1",
        "inventory_id": "INV1",
    }
    if "item_id" in names:
        for item in ITEMS:
            if "sha256" in names:
                if item not in world.files:
                    continue
                yield {"item_id": item, "sha256": world.files[item]}
            else:
                yield {"item_id": item}
    elif "case_id" in names:
        for case in CASES:
            yield {"case_id": case, **({"user_id": "clerkA"} if "user_id" in names else {})}
    else:
        yield {k: v for k, v in fixed.items() if k in names}


def test_every_route_declares_an_access_rule(world: World) -> None:
    ops = operations(world)
    assert len(ops) > 30
    missing = [f"{m} {p}" for m, p, rule in ops if not rule]
    assert not missing, f"routes without an access rule: {missing}"


def test_matrix(world: World) -> None:
    c = world.client
    checked, leaks = 0, []
    for method, path, rule in operations(world):
        assert rule is not None
        for params in targets(world, path):
            url = path.format(**params)
            allowed = oracle(rule, params)
            for user in sorted(USERS):
                body = {} if method in ("POST", "PUT") else None
                r = c.request(method, url, json=body, headers=world.as_(user))
                got = r.status_code not in (401, 403)
                if rule != "public" and r.status_code == 401:
                    leaks.append(f"{user} {method} {url}: 401 with a valid token")
                if got != (user in allowed):
                    leaks.append(
                        f"{user} {method} {url} [{rule}]: {r.status_code}, expected "
                        f"{'allowed' if user in allowed else 'refused'}"
                    )
                checked += 1
    assert not leaks, f"{len(leaks)} of {checked} checks wrong:\n" + "\n".join(leaks[:40])
    assert checked > 1000


def test_lists_hold_exactly_what_each_user_may_see(world: World) -> None:
    for user in USERS:
        cases = world.client.get("/api/cases?limit=500", headers=world.as_(user)).json()
        assert {x["case_id"] for x in cases["items"]} == {
            k for k, users in READ_CASE.items() if user in users
        }, user
        assert cases["total"] == len(cases["items"])
        items = world.client.get("/api/items?limit=500", headers=world.as_(user)).json()
        assert {x["item_id"] for x in items["items"]} == {
            k for k, users in READ_ITEM.items() if user in users
        }, user


def test_counsel_sees_only_the_produced_part_of_their_case(world: World) -> None:
    h = world.as_("defA")
    case = world.client.get("/api/cases/CA1", headers=h).json()
    assert case["your_view"] == "disclosed"
    assert [i["item_id"] for i in case["items"]] == ["IA1"]
    # A second file of IA1, never produced: counsel does not even learn its name.
    extra = world.client.post(
        "/api/items/IA1/files",
        files={"file": ("internal-memo.txt", b"not produced", "text/plain")},
        headers=world.as_("clerkA"),
    )
    assert extra.status_code == 201
    files = world.client.get("/api/items/IA1/files", headers=h).json()["items"]
    assert [f["sha256"] for f in files] == [world.files["IA1"]]
    item = world.client.get("/api/items/IA1", headers=h).json()
    assert [f["sha256"] for f in item["files"]] == [world.files["IA1"]]
    assert "internal-memo" not in world.client.get("/api/items/IA1", headers=h).text
    r = world.client.get(f"/api/items/IA1/files/{extra.json()['sha256']}", headers=h)
    assert r.status_code == 403
    compliance = world.client.get("/api/cases/CA1/compliance", headers=h).json()
    assert "units" not in compliance and "blockers" not in compliance
    # The State sees the whole of it.
    full = world.client.get("/api/cases/CA1", headers=world.as_("prosA")).json()
    assert {i["item_id"] for i in full["items"]} == {"IA1", "IA2"}


def test_read_only_token_changes_nothing(world: World) -> None:
    _, token = world.client.app.state.brady.accounts.create_token(  # type: ignore[attr-defined]
        "clerkA", "reader", "read", "admin"
    )
    h = {"Authorization": f"Bearer {token}"}
    assert world.client.get("/api/items/IA1", headers=h).status_code == 200
    r = world.client.post(
        "/api/items/IA1/steps", json={"action": "move", "location_id": "PR"}, headers=h
    )
    assert r.status_code == 403
