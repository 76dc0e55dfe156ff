"""`brady import`: all or nothing, errors that name the record and field, YAML's own types;
a production made before Brady, imported with the bag that was handed over."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import bagit
import pytest

from brady.custody.service import Custody
from brady.disclosure.production import bag_hash
from brady.importing.importer import ImportRefusedError, load_file, run_import
from brady.ledger.entry import parse_entry
from brady.store import disclosure_queries as dq

SCENARIO = """
brady_import: 1
users:
  - {user_id: pop, name: Marissa Poppell, roles: [property_clerk]}
locations:
  - {location_id: EV, name: Evidence room, kind: room}
persons:
  - {person_id: reed, name: Thell Reed}
events:
  - {do: case.open, by: pros, at: 2024-03-01T09:00:00-07:00, case_id: supp,
     title: Supplemental report, numbers: [{kind: agency, number: 2024-SF-1}]}
  - {do: case.party, by: pros, case_id: supp, person_id: reed, role: witness}
  - {do: item.intake, by: pop, at: 2024-03-06T15:00:00-07:00, category: ammunition,
     description: .45 Colt round, location_id: EV, case_ids: [supp], count: 3}
  - {do: item.checkout, by: pop, at: 2024-03-07T10:00:00-07:00, item_id: ITM-000001,
     to: State lab, purpose: lab, due_back: 2024-04-01}
  - {do: case.add_number, by: pros, case_id: supp, kind: court, number: D-101-CR-2024-90001}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


def test_scenario_loads_with_unquoted_yaml_times(custody: Custody, tmp_path: Path) -> None:
    report = run_import(custody, load_file(write(tmp_path, SCENARIO)), "admin")
    assert (report.records, report.items) == (5, 3)
    entry = custody.led.store.entry(custody.led.store.size() - 2)
    assert b'"occurred_at":"2024-03-07T17:00:00.000000Z"' in entry  # the checkout, in UTC


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("to: State lab,", "to: State lab, colour: red,"),
            "events[3] (item.checkout): unknown field 'colour'",
        ),
        (
            ("person_id: reed, role: witness", "person_id: nobody, role: witness"),
            "events[1] (case.party) (field person_id): there is no person 'nobody'",
        ),
        (
            ("do: item.checkout, by: pop", "do: item.checkout, by: reed"),
            "events[3] (item.checkout) (field by): 'reed' is not a Brady user",
        ),
        (("count: 3", "count: 0"), "count must be a whole number"),
        (("do: case.add_number", "do: case.renumber"), "unknown action 'case.renumber'"),
        (("brady_import: 1", "brady_import: 2"), "brady_import: 1"),
    ],
)
def test_a_bad_record_is_named_and_nothing_is_recorded(
    custody: Custody, tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    before = custody.led.store.size()
    with pytest.raises(ImportRefusedError, match=re.escape(message)):
        run_import(custody, load_file(write(tmp_path, SCENARIO.replace(*edit))), "admin")
    assert custody.led.store.size() == before


def test_a_failed_import_can_be_fixed_and_rerun(custody: Custody, tmp_path: Path) -> None:
    broken = SCENARIO.replace(
        "role: witness",
        "role: witness}\n  - {do: case.party, by: pros, "
        "case_id: supp, person_id: reed, role: witness",
    )
    with pytest.raises(ImportRefusedError, match="already a witness"):
        run_import(custody, load_file(write(tmp_path, broken)), "admin")
    # Same Custody object: keys made for the refused users must not linger.
    assert run_import(custody, load_file(write(tmp_path, SCENARIO)), "admin").items == 3


def test_arraignment_needs_a_charge(custody: Custody) -> None:
    from .test_service import refused

    refused(custody, "has not been charged", "arraign", "pros", "case-1", "p-hgr", "2024-01-02")


PRODUCED = """
brady_import: 1
users:
  - {user_id: counsel, name: Dana Defense, roles: [defense_counsel]}
events:
  - {do: item.intake, by: clerk, at: 2024-03-06T15:00:00-07:00, item_id: RND-1,
     category: ammunition, description: .45 Colt rounds, location_id: PR-B14, case_ids: [case-1]}
  - {do: item.intake, by: clerk, at: 2024-03-06T15:05:00-07:00, item_id: RND-2,
     category: ammunition, description: .45 Colt rounds, location_id: PR-B14, case_ids: [case-1]}
  - {do: disclosure.produce, by: pros, at: 2024-03-08T10:00:00-07:00, case_id: case-1,
     production_id: P1, recipient: Dana Defense, units: [item:RND-1, item:RND-2],
     bates_prefix: DA, bag: bags/P1}
  - {do: disclosure.receipt, by: counsel, at: 2024-03-11T09:00:00-07:00, production_id: P1,
     received_by: Dana Defense, bag: bags/P1}
"""


def bag(folder: Path, text: str = "What was handed over", checksum: str = "sha256") -> Path:
    folder.mkdir(parents=True)
    (folder / "list.txt").write_text(text)
    bagit.make_bag(str(folder), checksums=[checksum])
    return folder


def test_a_production_and_its_receipt_are_imported_with_their_bag(
    custody: Custody, tmp_path: Path
) -> None:
    handed = bag(tmp_path / "bags" / "P1")
    before = custody.led.store.size()
    report = run_import(custody, load_file(write(tmp_path, PRODUCED)), "admin")
    assert report.records == 4
    with custody.led.engine.connect() as conn:
        (p1,) = dq.productions(conn, "case-1")
    assert p1["bag_sha256"] == bag_hash(handed)
    assert str(p1["produced_at"]).startswith("2024-03-08T17:00:00")  # when, in UTC
    assert str(p1["received_at"]).startswith("2024-03-11T16:00:00")
    assert p1["received_by"] == "Dana Defense"
    assert p1["units"] == [
        {"unit": "item:RND-1", "bates": "DA-000001"},
        {"unit": "item:RND-2", "bates": "DA-000002"},
    ]
    store = custody.led.store
    entries = [parse_entry(store.entry(seq)) for seq in range(before, store.size())]
    (produced,) = [e.payload for e in entries if e.kind == "disclosure.produce"]
    # The bag cites no checkpoint; the production names the one signed before the import.
    assert produced["checkpoint_size"] == before
    assert store.checkpoint(before).size == before


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("bates_prefix: DA, bag: bags/P1", "bates_prefix: DA, bag: bags/P9"),
            "events[2] (disclosure.produce) (field bag): there is no folder",
        ),
        (
            ("units: [item:RND-1, item:RND-2],", ""),
            "events[2] (disclosure.produce) (field units): units must be a list",
        ),
        (
            ("units: [item:RND-1, item:RND-2]", "units: [item:RND-1, item:ITM-404]"),
            "(field unit): item:ITM-404 is not part of case case-1's discovery",
        ),
        (
            ("bates_prefix: DA", "bates_prefix: da"),
            "(field bates_prefix): Bates prefix 'da' must be 1-20 capital letters or digits",
        ),
        (
            ("bates_prefix: DA,", f"bag_sha256: {'a' * 64},"),
            "(field bag_sha256): give the bag itself (bag: FOLDER)",
        ),
        (
            ("production_id: P1, recipient", "recipient"),
            "events[2] (disclosure.produce): missing field 'production_id'",
        ),
        (
            ("received_by: Dana Defense, bag: bags/P1", "received_by: Dana Defense"),
            "events[3] (disclosure.receipt) (field bag): give either bag",
        ),
        (
            ("received_by: Dana Defense, bag: bags/P1", "received_by: Dana Defense, bag: bags/P2"),
            "events[3] (disclosure.receipt) (field bag_sha256): the bag counsel received",
        ),
        (
            ("do: disclosure.receipt, by: counsel", "do: disclosure.receipt, by: clerk"),
            "events[3] (disclosure.receipt) (field by): clerk may not record a receipt",
        ),
    ],
)
def test_a_bad_production_is_named_and_nothing_is_recorded(
    custody: Custody, tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    bag(tmp_path / "bags" / "P1")
    bag(tmp_path / "bags" / "P2", "Another bag")
    before = custody.led.store.size()
    with pytest.raises(ImportRefusedError, match=re.escape(message)):
        run_import(custody, load_file(write(tmp_path, PRODUCED.replace(*edit))), "admin")
    assert custody.led.store.size() == before


def test_a_bag_that_does_not_check_out_is_refused(custody: Custody, tmp_path: Path) -> None:
    changed = bag(tmp_path / "bags" / "P1")
    (changed / "data" / "list.txt").write_text("What was handed over, changed since")
    with pytest.raises(ImportRefusedError, match=r"\(field bag\): .* is not a valid BagIt bag"):
        run_import(custody, load_file(write(tmp_path, PRODUCED)), "admin")
    shutil.rmtree(changed)
    bag(changed, checksum="md5")
    with pytest.raises(ImportRefusedError, match=re.escape("has no tagmanifest-sha256.txt")):
        run_import(custody, load_file(write(tmp_path, PRODUCED)), "admin")
    shutil.rmtree(changed)
    bag(changed)
    assert run_import(custody, load_file(write(tmp_path, PRODUCED)), "admin").records == 4


def test_postgres_learns_the_imported_tables_at_once(custody: Custody, tmp_path: Path) -> None:
    """After an import PostgreSQL's planner knows the tables hold rows (its statistics are
    gathered at the end), whether autovacuum runs or not; SQLite's are left alone."""
    engine = custody.led.engine
    postgres = engine.dialect.name == "postgresql"
    ask = (
        "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'mention_index' "
        "AND last_analyze IS NOT NULL"
        if postgres
        else "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
    )
    with engine.connect() as conn:
        before = conn.exec_driver_sql(ask).scalar()
    run_import(custody, load_file(write(tmp_path, SCENARIO)), "admin")
    with engine.connect() as conn:
        after = conn.exec_driver_sql(ask).scalar()
    assert (before, after) == ((0, 1) if postgres else (0, 0))
