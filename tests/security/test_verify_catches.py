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


def _key_rows(led: OpenLedger) -> dict[str, tuple[str, str, bytes, bytes]]:
    with led.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT key_id, role, holder, public_key, sealed FROM sealed_key"
        ).all()
    return {str(r[2]): (str(r[0]), str(r[1]), bytes(r[3]), bytes(r[4])) for r in rows}


def _swap_sealed(led: OpenLedger) -> None:
    """The clerk's row is given the administrator's key (public key and sealed seed)."""
    keys = _key_rows(led)
    _, _, public, sealed = keys["user:admin"]
    tamper(
        led,
        (
            "UPDATE sealed_key SET public_key = :p, sealed = :s WHERE holder = 'user:prosA'",
            {"p": public, "s": sealed},
        ),
    )


def _reassign_holder(led: OpenLedger) -> None:
    """The administrator's key row now says it is the prosecutor's."""
    tamper(
        led,
        ("UPDATE sealed_key SET holder = 'user:prosA' WHERE holder = 'user:admin'", {}),
        ("DELETE FROM sealed_key WHERE key_id = :k", {"k": _key_rows(led)["user:prosA"][0]}),
    )


def _planted_key(led: OpenLedger) -> None:
    """A key of the intruder's own, sealed under nothing Brady knows, for the prosecutor."""
    from brady.ledger.ed25519 import Signer
    from brady.ledger.entry import actor_key_id

    key = Signer.generate()
    tamper(
        led,
        (
            "INSERT INTO sealed_key (key_id, role, holder, public_key, sealed, created_at) "
            "VALUES (:k, 'actor', 'user:prosA', :p, :s, '2999-01-01T00:00:00.000000Z')",
            {"k": actor_key_id(key.public_key), "p": key.public_key, "s": b"\0" * 72},
        ),
    )


@pytest.mark.parametrize("attack", [_swap_sealed, _reassign_holder, _planted_key])
def test_a_changed_stored_key_is_caught(ledger: OpenLedger, attack: object) -> None:
    _people(ledger)
    assert verify(ledger)[0] == 0
    attack(ledger)  # type: ignore[operator]
    code, report = verify(ledger)
    assert code == 1, report
    assert "key" in report["problem"]["message"], report
