"""Every way of altering a stored ledger is caught by `brady verify` (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from brady.cli.app import app
from brady.ledger.ed25519 import Signer
from brady.ledger.entry import make_entry, now
from brady.ledger_home import OpenLedger, open_home

from .helpers import fill, tamper

runner = CliRunner()


def verify(led: OpenLedger, *extra: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["--home", str(led.config.path), "--json", "verify", *extra])
    return result.exit_code, json.loads(result.stdout)


def entry_bytes(led: OpenLedger, seq: int) -> bytes:
    return led.store.entry(seq)


def test_untouched_ledger_verifies(ledger: OpenLedger) -> None:
    fill(ledger)
    code, report = verify(ledger)
    assert (code, report["ok"], report["entries"], report["checkpoints"]) == (0, True, 42, 10)


def _edit_payload(led: OpenLedger) -> int:
    raw = entry_bytes(led, 17).replace(b"Item", b"Itex", 1)
    tamper(led, ("UPDATE ledger_entry SET entry = :e WHERE seq = 17", {"e": raw}))
    return 17


def _resign_with_own_key(led: OpenLedger) -> int:
    """Someone rewrites an entry and signs it with a key of their own."""
    forged = make_entry(led.config.origin, 12, now(), Signer.generate(), "item.intake", [], {})
    tamper(led, ("UPDATE ledger_entry SET entry = :e WHERE seq = 12", {"e": forged.raw}))
    return 12


def _edit_kind_column(led: OpenLedger) -> int:
    tamper(led, ("UPDATE ledger_entry SET kind = 'item.destroyed' WHERE seq = 20", {}))
    return 20


def _hide_key_event(led: OpenLedger) -> int:
    tamper(led, ("UPDATE ledger_entry SET kind = 'item.intake' WHERE seq = 1", {}))
    return 1


def _edit_seq_column(led: OpenLedger) -> int:
    tamper(led, ("UPDATE ledger_entry SET seq = 1000 WHERE seq = 30", {}))
    return 30


def _delete_one(led: OpenLedger) -> int:
    tamper(led, ("DELETE FROM ledger_entry WHERE seq = 25", {}))
    return 25


def _swap_two(led: OpenLedger) -> int:
    a, b = entry_bytes(led, 8), entry_bytes(led, 9)
    tamper(
        led,
        ("UPDATE ledger_entry SET entry = :e WHERE seq = 8", {"e": b}),
        ("UPDATE ledger_entry SET entry = :e WHERE seq = 9", {"e": a}),
    )
    return 8


def _truncate_tail(led: OpenLedger) -> int:
    tamper(led, ("DELETE FROM ledger_entry WHERE seq >= 39", {}))
    return 39


def _edit_subtree_hash(led: OpenLedger) -> int:
    tamper(led, ("UPDATE ledger_node SET hash = :h WHERE level = 2 AND idx = 3", {"h": b"\0" * 32}))
    return 12


def _edit_checkpoint(led: OpenLedger) -> int | None:
    note = led.store.checkpoint(22).note.replace("\n22\n", "\n23\n")
    tamper(led, ("UPDATE ledger_checkpoint SET note = :n WHERE size = 22", {"n": note}))
    return None


def _append_outside_brady(led: OpenLedger) -> int:
    clerk = Signer.generate()
    extra = make_entry(led.config.origin, 42, now(), clerk, "item.intake", [], {})
    tamper(
        led,
        (
            "INSERT INTO ledger_entry (seq, kind, entry) VALUES (42, 'item.intake', :e)",
            {"e": extra.raw},
        ),
    )
    return 42


@pytest.mark.parametrize(
    "attack",
    [
        _edit_payload,
        _resign_with_own_key,
        _edit_kind_column,
        _hide_key_event,
        _edit_seq_column,
        _delete_one,
        _swap_two,
        _truncate_tail,
        _edit_subtree_hash,
        _edit_checkpoint,
        _append_outside_brady,
    ],
)
def test_tampering_is_detected(ledger: OpenLedger, attack: Any) -> None:
    fill(ledger)
    first_bad = attack(ledger)
    code, report = verify(ledger)
    assert code == 1
    assert report["ok"] is False
    assert report["problem"]["message"]
    if first_bad is not None:
        assert report["problem"]["entry"] == first_bad, report["problem"]


def test_human_report_names_the_entry(ledger: OpenLedger) -> None:
    fill(ledger)
    _edit_payload(ledger)
    result = runner.invoke(app, ["--home", str(ledger.config.path), "verify"])
    assert result.exit_code == 1
    assert "LEDGER VERIFICATION FAILED at entry 17" in result.stdout
    assert "Stop writing to it" in result.stdout


def test_careful_truncation_is_caught_only_by_a_published_checkpoint(ledger: OpenLedger) -> None:
    """Removing the tail with its hashes and checkpoints leaves a self-consistent ledger;
    the checkpoint published before the removal exposes it."""
    fill(ledger)
    published = ledger.config.path.parent / "published.checkpoint"
    published.write_text(ledger.store.checkpoint().note)
    tamper(
        ledger,
        ("DELETE FROM ledger_entry WHERE seq >= 32", {}),
        ("DELETE FROM entry_subject WHERE seq >= 32", {}),  # the projection of them too
        ("DELETE FROM ledger_checkpoint WHERE size > 32", {}),
        *[
            (f"DELETE FROM ledger_node WHERE level = {lv} AND idx >= {32 >> lv}", {})
            for lv in range(6)
        ],
    )
    assert verify(ledger)[0] == 0
    code, report = verify(ledger, "--against", str(published))
    assert code == 1
    assert "removed" in report["problem"]["message"]


def test_older_copy_of_the_database_is_caught(
    ledger: OpenLedger, database: str | None, pg_clone: Callable[[str], str]
) -> None:
    fill(ledger, batches=3)
    home = ledger.config.path
    if database is None:
        ledger.engine.dispose()
        with ledger.engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        shutil.copy(home / "brady.db", home.parent / "old.db")
        old_url = None
    else:
        ledger.engine.dispose()
        old_url = pg_clone(database)
    # The agency records more and gives the defense a checkpoint...
    led = open_home(home, writable=True)
    fill(led, batches=2)
    published = home.parent / "published.checkpoint"
    published.write_text(led.store.checkpoint().note)
    assert verify(led, "--against", str(published))[0] == 0
    led.close()
    # ...then the database is swapped for the older copy.
    if old_url is None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{home / 'brady.db'}{suffix}").unlink(missing_ok=True)
        shutil.copy(home.parent / "old.db", home / "brady.db")
    else:
        config = (home / "brady.toml").read_text()
        (home / "brady.toml").write_text(config.replace(database, old_url))
    old = open_home(home)
    assert verify(old)[0] == 0  # the old copy is consistent in itself
    code, report = verify(old, "--against", str(published))
    assert code == 1
    assert "removed" in report["problem"]["message"]
    old.close()


def test_append_only_triggers_refuse_changes(ledger: OpenLedger) -> None:
    fill(ledger, batches=1)
    for sql in (
        "UPDATE ledger_entry SET kind = 'x.y' WHERE seq = 1",
        "DELETE FROM ledger_entry WHERE seq = 1",
        "UPDATE ledger_node SET hash = hash WHERE level = 0",
        "DELETE FROM ledger_checkpoint",
        "DELETE FROM sealed_key",
    ):
        with pytest.raises(Exception, match="append-only"), ledger.engine.begin() as conn:
            conn.execute(text(sql))
    assert verify(ledger)[0] == 0
