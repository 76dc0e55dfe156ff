"""Every route x every role x own/other agency and case x disclosed/undisclosed.

Ledger entries are read per subject (an entry of each agency, a link suggestion naming an
item and another case, an entry about no item or case) and inventories per agency (one of
each; another agency's is answered 404, as if it did not exist).

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

import orjson
import pytest

from brady.custody.service import Custody

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
REVIEW = {"IA4": {"prosA"}}
"""IA4, of the burglary CA2, was suggested for CA1: its prosecutor reviews its whole record
before deciding, but records nothing on it."""
READ_ITEM = {
    "IA1": STAFF_A | {"prosA", "judgeA", "defA", "auditor"},  # IA1 was produced to defA
    "IA2": STAFF_A | {"prosA", "judgeA", "auditor"},
    "IA3": STAFF_A | {"auditor"},
    "IA4": STAFF_A | {"auditor"} | REVIEW["IA4"],
    "IB1": {"clerkB", "auditor"},
}
FULL_ITEM = {i: users - {"defA", "defB"} for i, users in READ_ITEM.items()}
STATE_ITEM = {i: users - {"judgeA"} for i, users in FULL_ITEM.items()}  # link suggestions
ACT_ITEM = {
    i: users - {"judgeA", "auditor", "defA"} - REVIEW.get(i, set())
    for i, users in READ_ITEM.items()
}
FILE = {i: users - {"judgeA"} for i, users in READ_ITEM.items()}  # IA1's file was produced too
RECORD = STAFF_A | {"clerkB", "prosA", "prosA2"}


INVENTORY = {"INV1": STAFF_A, "INVB": {"clerkB"}}
INVENTORY_CLOSERS = {"clerkA", "superA", "clerkB"}
"""Any staff member of the agency scans; a property clerk or supervisor closes (a role the
core checks too, so it is a refusal, 403, like any other)."""
SUBJECT = {**{f"item:{k}": v for k, v in FULL_ITEM.items()}}
SUBJECT.update({f"case:{k}": v for k, v in FULL_CASE.items()})


def entry_readers(subjects: list[str]) -> set[str]:
    """An entry is read whole: by the auditor, or by whoever may read every item and case it
    is about (an entry about none of them, the auditor alone)."""
    records = [s for s in subjects if s.partition(":")[0] in ("item", "case")]
    if not records:
        return {"auditor"}
    return {"auditor"} | set.intersection(*(SUBJECT[s] for s in records))


def oracle(rule: str, params: dict[str, str], world: World | None = None) -> set[str]:
    """Who may pass, by the rules as the issue and docs state them."""
    case = params.get("case_id")
    item = params.get("item_id")
    if "inventory_id" in params:
        return INVENTORY[params["inventory_id"]]
    if rule == "entry:read" and world is not None:
        subjects = orjson.loads(world.led.store.entry(int(params["seq"])))["subjects"]
        return entry_readers([str(x) for x in subjects])
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
        "request_id": "LR1",
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
    elif "seq" in names:
        for seq in entry_targets(world):
            yield {"seq": str(seq)}
    elif "inventory_id" in names:
        for inventory in INVENTORY:
            yield {"inventory_id": inventory}
    else:
        yield {k: v for k, v in fixed.items() if k in names}


def entry_targets(world: World) -> list[int]:
    """An intake of each agency, CA1's link suggestion for the burglary's IA4 (an item of
    CA2 and the case CA1), and the first user's creation (about no item or case)."""
    with world.led.engine.connect() as conn:
        found = [
            conn.exec_driver_sql(sql).scalar_one()
            for sql in (
                "SELECT intake_seq FROM item WHERE item_id = 'IB1'",
                f"SELECT suggested_seq FROM link_suggestion WHERE suggestion_id = "
                f"'{world.suggestion}'",
                "SELECT min(seq) FROM ledger_entry WHERE kind = 'user.add'",
            )
        ]
    return [world.intake_seq, *(int(x) for x in found)]


@pytest.fixture
def world(world: World) -> World:
    """The server tests' world with an inventory of agency B beside agency A's INV1."""
    with Custody(world.led).session() as s:
        s.start_inventory("clerkB", "INVB", "full")
    return world


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
            allowed = oracle(rule, params, world)
            if "inventory_id" in params and path.endswith("/close"):
                allowed = allowed & INVENTORY_CLOSERS  # a new set: the oracle's are shared
            # Another agency's inventory is not found rather than refused.
            refused = (401, 403, 404) if "inventory_id" in params else (401, 403)
            for user in sorted(USERS):
                body = {} if method in ("POST", "PUT") else None
                r = c.request(method, url, json=body, headers=world.as_(user))
                got = r.status_code not in refused
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


def test_the_entry_oracle_is_not_all_or_nothing(world: World) -> None:
    """The entries chosen above split the users differently (else the matrix would not test
    reading per subject): CA1's suggestion is closed to CA1's own judge, who may not read
    the burglary's item it names, and agency B's intake to agency A's clerk."""
    seqs = entry_targets(world)
    readers = [
        entry_readers([str(x) for x in orjson.loads(world.led.store.entry(s))["subjects"]])
        for s in seqs
    ]
    assert "judgeA" in readers[0] and "judgeA" not in readers[2]
    assert "clerkA" in readers[0] and "clerkA" not in readers[1]
    assert readers[3] == {"auditor"}


def test_counsel_histories_and_reports_hold_only_what_was_produced(world: World) -> None:
    """For each counsel and every item: the history and custody report of what was produced
    to them stop at the production and name no unproduced file; everything else is refused."""
    c = world.client
    memo = c.post(
        "/api/items/IA1/files",
        files={"file": ("internal-memo.txt", b"never produced", "text/plain")},
        headers=world.as_("clerkA"),
    )
    assert memo.status_code == 201
    moved = c.post(
        "/api/items/IA1/steps",
        json={"action": "move", "location_id": "PR"},
        headers=world.as_("clerkA"),
    )
    with world.led.engine.connect() as conn:
        produced_at = conn.exec_driver_sql(
            f"SELECT seq FROM production WHERE production_id = '{world.production}'"
        ).scalar_one()
    for counsel in ("defA", "defB"):
        for item in ITEMS:
            history = c.get(f"/api/items/{item}/history", headers=world.as_(counsel))
            report = c.get(f"/api/items/{item}/custody-report.pdf", headers=world.as_(counsel))
            if counsel not in READ_ITEM[item]:
                assert (history.status_code, report.status_code) == (403, 403), (counsel, item)
                continue
            assert history.status_code == report.status_code == 200, (counsel, item)
            seqs = [e["seq"] for e in history.json()["items"]]
            assert seqs and max(seqs) < produced_at, (counsel, item, seqs)
            assert "internal-memo" not in history.text and memo.json()["sha256"] not in history.text
            assert b"internal-memo" not in report.content
    assert moved.status_code in (200, 201), moved.text
    state = c.get("/api/items/IA1/history", headers=world.as_("prosA")).json()["items"]
    assert max(e["seq"] for e in state) > produced_at  # the State's view goes on


def test_a_suggested_item_is_reviewed_in_full_and_the_look_is_logged(world: World) -> None:
    """IA4 belongs to the burglary; linking suggested it for CA1. CA1's prosecutor reads its
    whole record before deciding (logged as a review, not a view); CA1's judge does not."""
    c = world.client
    item = c.get("/api/items/IA4", headers=world.as_("prosA"))
    assert item.status_code == 200 and "Pawn slip signed by Dana Delacroix" in item.text
    assert c.get("/api/items/IA4/history", headers=world.as_("prosA")).status_code == 200
    assert c.get("/api/items/IA2", headers=world.as_("prosA")).status_code == 200
    assert c.get("/api/items/IA4", headers=world.as_("judgeA")).status_code == 403
    with world.led.engine.connect() as conn:
        looks = dict(
            conn.exec_driver_sql(
                "SELECT target, action FROM access_log WHERE user_id = 'prosA' "
                "AND target IN ('item:IA4', 'item:IA2')"
            ).all()
        )
    assert looks == {"item:IA4": "review", "item:IA2": "view"}
