"""Items from a legacy CSV export, through a column mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from brady.custody.service import Custody
from brady.importing.importer import ImportRefusedError, run_import
from brady.importing.legacy_csv import csv_events, load_mapping

from .test_service import state

CSV = """Barcode,Item Description,Type,Bin,Date Received,Case No,Qty
L-0001,Pietta revolver,GUN,PR-B14,2021-10-22T10:00:00-06:00,case-1,1
L-0002,.45 Colt rounds,ammo,PR-B14,2021-10-22T10:05:00-06:00,case-1,50
"""
MAPPING = """
by: clerk
columns: {item_id: Barcode, description: Item Description, category: Type,
          location_id: Bin, at: Date Received, case_ids: Case No, quantity: Qty}
categories: {GUN: firearm, AMMO: ammunition}
"""


def files(tmp_path: Path, csv_text: str) -> tuple[Path, Path]:
    (tmp_path / "items.csv").write_text(csv_text)
    (tmp_path / "map.yaml").write_text(MAPPING)
    return tmp_path / "items.csv", tmp_path / "map.yaml"


def test_csv_rows_become_intakes(custody: Custody, tmp_path: Path) -> None:
    csv_path, map_path = files(tmp_path, CSV)
    report = run_import(custody, csv_events(csv_path, load_mapping(map_path)), "admin")
    assert report.items == 2
    assert state(custody, "L-0002").quantity == 50
    assert state(custody, "L-0001").case_ids == ("case-1",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (CSV.replace("ammo", "KNIFE"), "items.csv line 3, column 'Type': no category mapping"),
        (CSV.replace(",50\n", ",fifty\n"), "line 3, column 'Qty': 'fifty' is not a whole number"),
        (CSV.replace("Bin", "Shelf"), "has no column 'Bin'"),
    ],
)
def test_csv_errors_name_line_and_column(
    custody: Custody, tmp_path: Path, text: str, message: str
) -> None:
    csv_path, map_path = files(tmp_path, text)
    with pytest.raises(ImportRefusedError, match=message):
        csv_events(csv_path, load_mapping(map_path))
