"""Findings 6 and 10: what `brady verify` did not count or did not rebuild.

A planted tree node outside the current tree, a stored checkpoint's time edited, and the
name-search index that linking relies on (a deleted or edited row there
hides a person from linking, so a misfiled item is never suggested). Each is changed as an
intruder with the database's own credentials would (append-only triggers out of the way);
`brady verify` must then fail and say what it found. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from brady.custody.service import Custody
from brady.ledger_home import OpenLedger

from ..store.helpers import fill, tamper
from ..store.test_tamper import verify


def _checkpoint_sizes(led: OpenLedger) -> list[int]:
    with led.engine.connect() as conn:
        return [cp.size for cp in led.store.checkpoints(conn)]


def test_a_planted_tree_node_beyond_the_tree_is_caught(ledger: OpenLedger) -> None:
    fill(ledger)
    size = ledger.store.size()
    assert verify(ledger)[0] == 0
    tamper(
        ledger,
        (
            "INSERT INTO ledger_node (level, idx, hash) VALUES (0, :i, :h)",
            {"i": size + 3, "h": b"\1" * 32},
        ),
    )
    code, report = verify(ledger)
    assert code == 1, report
    assert "subtree hash" in report["problem"]["message"], report


def test_a_planted_upper_node_is_caught(ledger: OpenLedger) -> None:
    fill(ledger)
    tamper(
        ledger,
        ("INSERT INTO ledger_node (level, idx, hash) VALUES (5, 7, :h)", {"h": b"\2" * 32}),
    )
    code, report = verify(ledger)
    assert code == 1, report


def test_an_edited_checkpoint_time_is_caught(ledger: OpenLedger) -> None:
    fill(ledger)
    size = _checkpoint_sizes(ledger)[2]
    tamper(
        ledger,
        (
            "UPDATE ledger_checkpoint SET created_at = '2020-01-01T00:00:00Z' WHERE size = :s",
            {"s": size},
        ),
    )
    code, report = verify(ledger)
    assert code == 1, report
    assert "checkpoint" in report["problem"]["message"], report


def _people(led: OpenLedger) -> None:
    custody = Custody(led)
    with custody.session() as s:
        s.add_user(None, "admin", "Ada Admin", ["admin"])
    with custody.session() as s:
        s.add_user("admin", "prosA", "Pat Prosecutor", ["prosecutor"], None)
        for i, name in enumerate(("Daniel Ortiz", "Yuriy Kovalenko", "Maria Hernandez")):
            s.add_person("prosA", f"P{i}", name)


# Each database keeps the index its own way: SQLite an FTS5 table kept by triggers,
# PostgreSQL a trigram index on the mention index. The changes are those that database has.
CHANGES = {
    "sqlite": [
        "DELETE FROM person_name_fts WHERE owner_id = 'P1'",
        "UPDATE person_name_fts SET key = 'someone else' WHERE owner_id = 'P2'",
        "INSERT INTO person_name_fts (key, owner_id) VALUES ('planted name', 'P0')",
        "DROP TRIGGER person_name_fts_add",
        "DROP TABLE person_name_fts",
        "DELETE FROM person_name_fts_data WHERE id > 10",
    ],
    "postgresql": ["DROP INDEX ix_mention_person_trgm_gist"],
}


@pytest.mark.parametrize("n", range(6))
def test_the_name_search_index_is_checked(ledger: OpenLedger, n: int) -> None:
    changes = CHANGES[ledger.engine.dialect.name]
    _people(ledger)
    assert verify(ledger)[0] == 0
    tamper(ledger, (changes[n % len(changes)], {}))
    code, report = verify(ledger)
    assert code == 1, report
    assert "name search" in report["problem"]["message"], report
