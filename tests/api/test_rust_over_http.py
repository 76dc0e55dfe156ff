"""The Rust failure, over HTTP, each person with their own account: everything the case
held was produced before trial, so the court's certificate is granted, until the property
clerk takes in Teske's rounds under another case number; the suggestion waits in the
Baldwin prosecutor's queue; she accepts it and produces; defense counsel downloads the bag,
checks it offline, acknowledges it; the court's certificate is then granted again. Counsel
asking for another case's item is refused."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient

from brady.cli.admin import bootstrap_admin
from brady.cli.demo import DEMO_PASSWORD, demo_accounts, load_rust
from brady.custody.service import Custody
from brady.ledger.cli import run as verify_cli
from brady.ledger_home import OpenLedger
from brady.server import create_app

TESKE = "SF24-0306-01"


def _load(ledger: OpenLedger) -> Custody:
    """The record before the trial, without Teske's visit: the test makes that happen."""
    custody = Custody(ledger)
    bootstrap_admin(custody)
    load_rust(custody, lambda e: e.get("case_id") != "teske-supp" and e.get("item_id") != TESKE)
    demo_accounts(custody)
    return custody


def _sign_in(app: object, user: str) -> TestClient:
    c = TestClient(app, base_url="https://testserver")  # type: ignore[arg-type]
    r = c.post("/api/session", json={"user_id": user, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    assert c.post("/api/session/banner").status_code == 200
    return c


def test_teske_rounds_reach_the_defense_and_the_certificate(
    ledger: OpenLedger, tmp_path: Path
) -> None:
    custody = _load(ledger)
    app = create_app(custody.led, anchor_every=None)
    clerk, prosecutor, counsel, judge = (
        _sign_in(app, u) for u in ("poppell", "morrissey", "spiro", "judge")
    )
    # The State's production before trial (the scenario's) was received: nothing is owed.
    r = judge.get("/api/cases/state-v-baldwin/certificate")
    assert r.status_code == 200, r.text

    # The property clerk files the rounds under a new supplemental case.
    r = clerk.post(
        "/api/cases",
        json={
            "case_id": "teske-supp",
            "title": "Supplemental report: ammunition turned in by a member of the public",
            "agency_id": "SFCSO",
            "numbers": [{"kind": "agency", "number": "2024-SF-990207"}],
        },
    )
    assert r.status_code == 201, r.text
    r = clerk.post(
        "/api/items",
        json={
            "item_id": TESKE,
            "category": "ammunition",
            "description": ".45 Colt cartridges, assorted headstamps, some Starline Brass",
            "quantity": 24,
            "caliber": ".45 Colt",
            "received_from": "Troy Teske",
            "location_id": "SFCSO-EV-F",
            "case_ids": ["teske-supp"],
            "narrative": "Troy Teske brought in .45 Colt rounds. He said they belonged to his "
            "friend Thell Reed and came from the batch Seth Kenney of PDQ Arm & Prop took.",
        },
    )
    assert r.status_code == 201, r.text
    suggested = {s["case_id"] for s in r.json()["suggestions"]}
    assert {"state-v-baldwin", "state-v-gutierrez-reed"} <= suggested
    # The suggestion nobody has reviewed is outstanding: the certificate is refused.
    r = judge.get("/api/cases/state-v-baldwin/certificate")
    assert r.status_code == 409 and "outstanding" in r.json()["detail"]

    # The Baldwin prosecutor sees it in her queue, with the reasons.
    queue = prosecutor.get("/api/links", params={"case_id": "state-v-baldwin"}).json()["items"]
    (waiting,) = [x for x in queue if x["item_id"] == TESKE]
    said = " ".join(waiting["reasons"])
    assert "Seth Kenney" in said and ".45 colt" in said.lower()
    # Counsel cannot see the rounds yet: nothing about them was produced.
    assert counsel.get(f"/api/items/{TESKE}").status_code == 403
    r = prosecutor.post(
        f"/api/links/{waiting['suggestion_id']}/accept",
        json={"reason": "Rounds from the Rust supply chain"},
    )
    assert r.status_code == 200, r.text
    r = prosecutor.post("/api/cases/state-v-baldwin/productions", json={"recipient": "Alex Spiro"})
    assert r.status_code == 201, r.text
    production, bag_sha = r.json()["production_id"], r.json()["bag_sha256"]
    assert production == "state-v-baldwin-P2"  # after the State's production before trial
    assert [u["unit"] for u in r.json()["units"]] == [f"item:{TESKE}"]  # all that was owed

    # Defense counsel downloads the bag and checks it on their own machine.
    got = counsel.get(f"/api/productions/{production}/bag")
    assert got.status_code == 200
    zipfile.ZipFile(io.BytesIO(got.content)).extractall(tmp_path)
    bag = tmp_path / production
    tool = Path(sys.executable).with_name("bagit.py")
    checked = subprocess.run(
        [sys.executable, str(tool), "--validate", str(bag)], capture_output=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    assert verify_cli(["bundle", str(bag)]) == 0
    computed = hashlib.sha256((bag / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
    assert computed == bag_sha
    assert counsel.get(f"/api/items/{TESKE}").status_code == 200  # produced now
    r = counsel.post(
        f"/api/productions/{production}/receipt",
        json={"received_by": "Alex Spiro", "bag_sha256": computed},
    )
    assert r.status_code == 201, r.text

    # Nothing is outstanding: the court's certificate is granted.
    r = judge.get("/api/cases/state-v-baldwin/certificate")
    assert r.status_code == 200, r.text
    assert r.content.startswith(b"%PDF")

    # Counsel trying another case's item gets a refusal, and the refusal is logged.
    r = counsel.get("/api/cases/teske-supp")
    assert r.status_code == 403 and "teske-supp" in r.json()["detail"]
    auditor = _sign_in(app, "auditor")
    other_queue = auditor.get("/api/links", params={"case_id": "state-v-gutierrez-reed"})
    assert any(
        "Thell Reed" in " ".join(x["reasons"])
        for x in other_queue.json()["items"]
        if x["item_id"] == TESKE
    )
    rows = auditor.get("/api/access-log", params={"user_id": "spiro", "outcome": "denied"})
    assert any(x["target"] == "case:teske-supp" for x in rows.json()["items"])
