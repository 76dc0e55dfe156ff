"""The linking evaluation set (tests/linking/eval/*.yaml) as a regression guard.

The same evaluation as bench/linking_eval.py (which prints every miss and false
positive with its reasons), on both databases: recall and precision of the recorded
link suggestions, micro-averaged over (item, case) pairs, may not fall below what
they were when the floors were set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from brady.custody.service import Custody
from brady.importing.importer import load_file
from brady.ledger_home import OpenLedger

from .bench_module import bench_module

EVAL = Path(__file__).resolve().parent / "eval"

# Measured at the default threshold (0.3), the same on SQLite and PostgreSQL:
# santa_fe_2024.yaml recall 31/33 = 0.939, precision 31/35 = 0.886. The two misses are
# N27 (six .45 Colt cases found on the street of a shooting: a caliber and a street
# name, weak clues the model weighs as weak). The floors are the figures rounded down;
# tests/linking/test_agency_eval.py holds the noisy agency record to its own floors.
FLOORS: dict[str, tuple[float, float]] = {  # file: (recall, precision)
    "santa_fe_2024.yaml": (0.93, 0.88),
}


@pytest.mark.parametrize("name", sorted(p.name for p in EVAL.glob("*.yaml")))
def test_linking_recall_and_precision_do_not_regress(ledger: OpenLedger, name: str) -> None:
    if name not in FLOORS:
        pytest.fail(f"{name} has no floors: run bench/linking_eval.py and add them to FLOORS")
    bench = bench_module("linking_eval.py")
    result = bench.evaluate(Custody(ledger), load_file(EVAL / name), name)
    got = bench.figures([result], bench.RECORDED)
    misses, extras = bench.errors(result, bench.RECORDED)
    detail = (
        f"recall {got.tp}/{got.tp + got.fn} = {got.recall:.3f}, "
        f"precision {got.tp}/{got.tp + got.fp} = {got.precision:.3f}; "
        f"misses {misses}; false positives {extras}"
    )
    recall, precision = FLOORS[name]
    assert got.recall >= recall, detail
    assert got.precision >= precision, detail
