"""`brady import`: all or nothing, errors that name the record and field, YAML's own types."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from brady.custody.service import Custody
from brady.importing.importer import ImportRefusedError, load_file, run_import

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
