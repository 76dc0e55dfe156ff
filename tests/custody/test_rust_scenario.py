"""The Rust film-set shooting (examples/rust/scenario.yaml) loads through Brady's rules.

It is the story Brady exists for: the rounds Troy Teske handed in on verdict day were
filed under an unrelated case number, so neither prosecution listed them.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from brady.cli.admin import bootstrap_admin
from brady.custody.service import Custody
from brady.importing.importer import ImportRefusedError, load_file, run_import
from brady.ledger.entry import parse_entry
from brady.ledger_home import OpenLedger
from brady.store import custody_queries as q
from brady.store.audit import audit
from brady.store.custody_tables import item, item_case

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "rust" / "scenario.yaml"
RUST_CASES = {"rust-inv", "state-v-baldwin", "state-v-gutierrez-reed"}
SEIZED = 600  # what SFCSO took in by 2021-10-27 (the "~600 items")
TESKE = "SF24-0306-01"
REVOLVER = "RUST-REVOLVER"


@pytest.fixture
def custody(ledger: OpenLedger) -> Custody:
    custody = Custody(ledger)
    bootstrap_admin(custody)
    return custody


def test_the_rust_case_loads_and_hides_the_teske_rounds(custody: Custody) -> None:
    report = run_import(custody, load_file(SCENARIO), "admin")
    assert report.items == SEIZED + 1

    led = custody.led
    with led.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(item)).scalar_one() == SEIZED + 1
        filed = set(
            conn.execute(select(item_case.c.item_id).where(item_case.c.case_id == "rust-inv"))
            .scalars()
            .all()
        )
        assert len(filed) == SEIZED

        revolver = q.item_view(conn, REVOLVER)
        assert revolver is not None
        assert (revolver["make"], revolver["caliber"]) == (
            "F.LLI Pietta",
            ".45 Colt (.45 Long Colt)",
        )
        assert {c["case_id"] for c in revolver["cases"]} == RUST_CASES
        history = q.item_history(conn, REVOLVER)
        kinds = [e["kind"] for e in history]
        lab = [
            k for k in kinds if k in {"item.checkout", "lab.request", "lab.result", "item.checkin"}
        ]
        assert lab[:4] == ["item.checkout", "lab.request", "lab.result", "item.checkin"]
        assert revolver["status"] == "in_custody"
        back = next(e for e in history if e["kind"] == "item.checkin")
        checkin = parse_entry(led.store.entry(back["seq"])).payload
        assert checkin["seal_intact"] is False
        assert "sear and cylinder stop fractured" in checkin["condition"]

        # The failure Brady exists to expose: the Teske rounds sit under another case only.
        teske = q.item_view(conn, TESKE)
        assert teske is not None
        assert [c["case_id"] for c in teske["cases"]] == ["teske-supp"]
        assert "Thell Reed" in teske["narrative"] and "Starline Brass" in teske["description"]
        for case_id in RUST_CASES:
            view = q.case_view(conn, case_id)
            assert view is not None
            assert TESKE not in {i["item_id"] for i in view["items"]}

        baldwin = q.case_view(conn, "state-v-baldwin")
        assert baldwin is not None
        assert baldwin["status"] == "closed"
        assert baldwin["closed_at"].startswith("2024-07-12")
        hgr = q.case_view(conn, "state-v-gutierrez-reed")
        assert hgr is not None
        assert hgr["status"] == "charged"
        (defendant,) = hgr["defendants"]
        assert defendant["charges"] == ["Involuntary manslaughter", "Tampering with evidence"]

    audited = audit(led.store, led.config.database_url, led.config.log_vkey, workers=1)
    assert audited.ok, audited.first_problem()
    assert audited.projections_checked


def test_a_broken_scenario_is_refused_and_records_nothing(custody: Custody) -> None:
    data: dict[str, Any] = copy.deepcopy(load_file(SCENARIO))
    events = data["events"]
    # Last of all, after some 700 entries' worth of records: Hancock handed the revolver to
    # Poppell in October 2021 and has not held it since.
    bad = len(events)
    events.append(
        {"do": "item.transfer", "by": "hancock", "item_id": REVOLVER, "to_user": "clerk2"}
    )
    before = custody.led.store.size()
    with pytest.raises(ImportRefusedError) as refused:
        run_import(custody, data, "admin")
    message = str(refused.value)
    assert message.startswith(f"events[{bad}] (item.transfer)")
    assert "only the current custodian can transfer it" in message
    assert custody.led.store.size() == before
    with custody.led.engine.connect() as conn:
        assert q.item_state(conn, REVOLVER) is None
        assert q.user_state(conn, "hancock") is None
