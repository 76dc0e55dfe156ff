"""Schema versions: init creates the newest, open refuses a mismatch, upgrade says what it did."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from brady.ledger_home import OpenLedger, open_home, upgrade_home
from brady.store.home import HomeError
from brady.store.schema import HEAD, alembic_head, current_revision


def test_head_constant_matches_the_migration_scripts() -> None:
    assert alembic_head() == HEAD


def test_init_creates_the_newest_schema(ledger: OpenLedger) -> None:
    assert current_revision(ledger.engine) == HEAD
    assert upgrade_home(ledger.config.path) == (HEAD, HEAD, [])


def test_a_database_from_another_version_is_refused_with_advice(ledger: OpenLedger) -> None:
    with ledger.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    with pytest.raises(HomeError, match="run 'brady upgrade'"):
        open_home(ledger.config.path)


def test_upgrade_from_an_older_version_keeps_every_byte(ledger: OpenLedger) -> None:
    """A ledger at 0002 without the 0003 indexes is migrated; entries are untouched."""
    from sqlalchemy import inspect

    before = [ledger.store.entry(i) for i in range(ledger.store.size())]
    with ledger.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_item_parent_id"))
        conn.execute(text("DROP INDEX ix_item_status"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    assert upgrade_home(ledger.config.path)[:2] == ("0002", HEAD)
    names = {i["name"] for i in inspect(ledger.engine).get_indexes("item")}
    assert {"ix_item_parent_id", "ix_item_status"} <= names
    assert [ledger.store.entry(i) for i in range(ledger.store.size())] == before


def test_state_tables_built_by_older_rules_are_rebuilt_on_upgrade(ledger: OpenLedger) -> None:
    """When this Brady derives the state tables differently (new extraction rules), a
    ledger whose tables older rules built is refused until `brady upgrade` rebuilds them."""
    from brady.custody.service import Custody

    from ..custody.conftest import staff

    custody = staff(Custody(ledger))
    with custody.session() as s:
        s.intake(
            "clerk",
            category="document",
            description="Letter marked #21-1",
            location_id="PR-B14",
            case_ids=["case-1"],
        )
    with ledger.engine.begin() as conn:
        # What an older version left: no short case numbers indexed, an older version mark.
        conn.execute(text("DELETE FROM mention_index WHERE kind = 'case_ref'"))
        conn.execute(text("UPDATE projection_version SET version = 1"))
    with pytest.raises(HomeError, match=r"older version of Brady.*brady upgrade"):
        open_home(ledger.config.path)
    before = [ledger.store.entry(i) for i in range(ledger.store.size())]
    _, _, rebuilt = upgrade_home(ledger.config.path)
    assert "mention_index" in rebuilt
    led = open_home(ledger.config.path)
    with led.engine.connect() as conn:
        refs = conn.execute(text("SELECT count(*) FROM mention_index WHERE kind = 'case_ref'"))
        assert refs.scalar_one() >= 2  # the case's number and the letter's "#21-1"
    assert [led.store.entry(i) for i in range(led.store.size())] == before
    led.close()
