"""The defense's verifier installs alone, in a clean virtualenv, and checks an export.

No Brady, no database, no SQLAlchemy: only the package built from verifier/
(the same files as brady.ledger) and its two dependencies.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from brady.ledger_home import OpenLedger
from brady.store.export import export_tiles

from ..store.helpers import fill

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_standalone_verifier_in_a_clean_venv(ledger: OpenLedger, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", str(REPO / "verifier")],
        check=True,
        capture_output=True,
    )
    listed = subprocess.run(
        [str(venv / "bin" / "pip"), "list", "--format=freeze"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "brady-verify" in listed and "SQLAlchemy" not in listed and "brady==" not in listed
    fill(ledger, batches=3)
    export_tiles(ledger.store, tmp_path / "export")
    run = [
        str(venv / "bin" / "brady-verify"),
        "export",
        str(tmp_path / "export"),
        "--key",
        ledger.config.log_vkey,
    ]
    ok = subprocess.run(run, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert "17 entries" in ok.stdout
    (tmp_path / "export" / "tile" / "0" / "000.p" / "17").write_bytes(b"\0" * 32 * 17)
    bad = subprocess.run(run, capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "hash tile" in bad.stderr
