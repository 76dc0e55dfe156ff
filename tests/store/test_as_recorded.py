"""The record "as recorded" at N entries is the state a copy of the ledger cut at N entries
rebuilds by itself: for random cuts of a real ledger (the Rust scenario, then random custody
steps), every projection table of the in-memory view equals the table `brady rebuild`
makes on a truncated copy of the database file. Real SQLite files (a copy of a PostgreSQL
database is not a file; the view's code does not depend on the store's engine, and
test_as_of.py runs it on PostgreSQL)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from brady.cli.admin import bootstrap_admin
from brady.cli.demo import load_rust
from brady.custody.service import Custody
from brady.ledger_home import OpenLedger, init_home, open_home
from brady.store import as_of
from brady.store.projection_check import rebuild

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> OpenLedger:
    led = init_home(tmp_path_factory.mktemp("grown") / "home")
    custody = Custody(led)
    bootstrap_admin(custody)
    load_rust(custody)
    return led


def _tables(led: OpenLedger) -> list[Any]:
    return [t for p in led.store.projectors for t in getattr(p, "tables", ())]


def _rows(conn: Any, table: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(r) for r in conn.execute(select(table)))


def _cut_copy(led: OpenLedger, size: int, where: Path) -> OpenLedger:
    """A copy of the home whose database holds only the first `size` entries, its
    projections rebuilt from them by the ordinary rebuild."""
    shutil.copytree(led.config.path, where, ignore=shutil.ignore_patterns("brady.db*"))
    source = sqlite3.connect(led.config.path / "brady.db")
    target = sqlite3.connect(where / "brady.db")
    source.backup(target)
    source.close()
    triggers = target.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ledger_entry'"
    ).fetchall()
    for (name,) in triggers:
        target.execute(f"DROP TRIGGER {name}")
    target.execute("DELETE FROM ledger_entry WHERE seq >= ?", (size,))
    target.commit()
    target.close()
    cut = open_home(where, writable=True)
    rebuild(cut.store)
    return cut


@settings(
    max_examples=6,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(fraction=st.floats(min_value=0.0, max_value=1.0))
def test_as_recorded_equals_a_truncated_copy_rebuilt(
    grown: OpenLedger, tmp_path_factory: pytest.TempPathFactory, fraction: float
) -> None:
    size = grown.store.size()
    cut_at = max(1, round(size * fraction))
    cut = _cut_copy(grown, cut_at, tmp_path_factory.mktemp("cut") / "home")
    try:
        with as_of.as_recorded(grown.store, cut_at) as view, cut.engine.connect() as conn:
            assert view.size == cut_at
            differ = [t.name for t in _tables(grown) if _rows(view.conn, t) != _rows(conn, t)]
    finally:
        cut.close()
    assert not differ, f"cut at {cut_at} of {size}: {differ}"
