"""A world for the server's tests: two agencies, a user of every role, cases assigned to
some of them, items in each, one production to the defense. Real database (SQLite and
PostgreSQL), real files, the real app through Starlette's TestClient (HTTPS base URL, so
Secure cookies behave as in a browser)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from brady.accounts.permissions import Permissions
from brady.accounts.service import Accounts
from brady.custody.files import attach
from brady.custody.service import Custody
from brady.disclosure.desk import Desk
from brady.ledger_home import OpenLedger
from brady.server import create_app

PASSWORD = "correct horse battery staple"

USERS = {
    # user: (roles, agency)
    "admin": (["admin"], None),
    "clerkA": (["property_clerk"], "A"),
    "officerA": (["officer"], "A"),
    "superA": (["supervisor"], "A"),
    "labA": (["lab_analyst"], "A"),
    "prosA": (["prosecutor"], "A"),
    "prosA2": (["prosecutor"], "A"),
    "defA": (["defense_counsel"], None),
    "defB": (["defense_counsel"], None),
    "judgeA": (["judge"], None),
    "auditor": (["auditor"], None),
    "clerkB": (["property_clerk"], "B"),
}
ASSIGNED = {
    ("CA1", "prosA", "prosecutor"),
    ("CA1", "defA", "defense_counsel"),
    ("CA1", "judgeA", "judge"),
    ("CB1", "defB", "defense_counsel"),
}


@dataclass
class World:
    led: OpenLedger
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # item -> sha256 of its file
    production: str = ""
    bag_sha256: str = ""
    suggestion: str = ""
    spare_token: str = ""
    intake_seq: int = 0

    def as_(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def build(led: OpenLedger) -> World:
    custody = Custody(led)
    with custody.session() as s:
        s.add_user(None, "admin", "Ada Admin", ["admin"])
    with custody.session() as s:
        s.add_agency("admin", "A", "Santa Fe County Sheriff's Office", {})
        s.add_agency("admin", "B", "Albuquerque Police", {})
        for user, (roles, agency) in USERS.items():
            if user != "admin":
                s.add_user("admin", user, f"{user} Name", roles, agency)
        s.add_location("admin", "PR", "Property room", "room")
        s.add_person("prosA", "P1", "Dana Delacroix")
        s.add_person("prosA", "P2", "Wade Whitfield")
        s.open_case("prosA", "CA1", "State v. Defendant", agency_id="A")
        s.open_case("clerkA", "CA2", "A burglary", agency_id="A")
        s.open_case("clerkB", "CB1", "State v. Other", agency_id="B")
        s.add_party("prosA", "CA1", "P1", "defendant")
        s.charge("prosA", "CA1", "P1", ["Manslaughter"], "2024-01-31")
        p = Permissions(s)
        for case, user, role in sorted(ASSIGNED):
            p.assign("admin", case, user, role)
        for item, case, clerk in (
            ("IA1", "CA1", "clerkA"),
            ("IA2", "CA1", "clerkA"),
            ("IA3", "CA2", "clerkA"),
            ("IB1", "CB1", "clerkB"),
        ):
            s.intake(
                clerk,
                item_id=item,
                category="document",
                description=f"Report {item}",
                location_id="PR",
                case_ids=[case],
            )
        # Taken in under the burglary, naming CA1's defendant: a suggestion for CA1.
        s.intake(
            "clerkA",
            item_id="IA4",
            category="document",
            description="Pawn slip",
            narrative="Pawn slip signed by Dana Delacroix",
            location_id="PR",
            case_ids=["CA2"],
        )
        s.lab_request("clerkA", "LR1", "State crime lab", ["IA1"], "Latent prints")
        s.start_inventory("clerkA", "INV1", "full")
    world = World(
        led, TestClient(create_app(led, anchor_every=None), base_url="https://testserver")
    )
    for item, clerk in (("IA1", "clerkA"), ("IA2", "clerkA"), ("IB1", "clerkB")):
        body = f"contents of {item}'s file".encode()
        entry = attach(custody, clerk, item, io.BytesIO(body), f"{item}.txt", "text/plain")
        world.files[item] = str(entry.payload["sha256"])
    with custody.session() as s:
        Desk(s).adopt_rules(
            "admin",
            "us-nm-district",
            {"initial.days": 10, "continuing.days": 10},
            "NMRA 5-501",
            "New Mexico",
        )
    accounts = Accounts(led.engine, led.master_key)
    for user in USERS:
        accounts.set_password(user, PASSWORD, "admin")
        world.tokens[user] = accounts.create_token(user, "tests", "write", "admin")[1]
    world.spare_token = accounts.create_token("clerkA", "spare", "read", "admin")[0]
    with led.engine.connect() as conn:
        world.suggestion = conn.exec_driver_sql(
            "SELECT suggestion_id FROM link_suggestion WHERE item_id = 'IA4' AND case_id = 'CA1'"
        ).scalar_one()
        world.intake_seq = conn.exec_driver_sql(
            "SELECT intake_seq FROM item WHERE item_id = 'IA1'"
        ).scalar_one()
    made = world.client.post(
        "/api/cases/CA1/productions",
        json={"recipient": "defA", "units": ["item:IA1", f"file:{world.files['IA1']}"]},
        headers=world.as_("prosA"),
    )
    assert made.status_code == 201, made.text
    world.production = made.json()["production_id"]
    world.bag_sha256 = made.json()["bag_sha256"]
    return world


@pytest.fixture
def world(ledger: OpenLedger) -> Iterator[World]:
    w = build(ledger)
    with w.client:
        yield w


AS_USER = {
    "admin": "admin",
    "admin-or-auditor": "auditor",
    "admin-or-self": "clerkA",
    "auditor": "auditor",
    "link:prosecute": "prosA",
    "case:prosecute": "prosA",
    "production:read": "defA",
    "production:acknowledge": "defA",
    "staff:write": "clerkA",
}
"""For each access rule an operation declares, a user it lets in (clerkA otherwise)."""


@pytest.fixture(scope="module")
def module_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One world (SQLite) for a module whose tests only add to it."""
    from brady.ledger_home import init_home

    led = init_home(Path(tmp_path_factory.mktemp("world")) / "home")
    world = build(led)
    with world.client:
        yield world
