"""`brady verify --since`: the nightly audit of what was added after a checkpoint kept from
the last one (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from brady.cli.app import app
from brady.ledger.checkpoint import Checkpoint
from brady.ledger.ed25519 import Signer
from brady.ledger.entry import Event, make_entry, now
from brady.ledger.hashing import leaf_hash, root_of
from brady.ledger_home import OpenLedger

from .helpers import fill, tamper

runner = CliRunner()


def verify(led: OpenLedger, *extra: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["--home", str(led.config.path), "--json", "verify", *extra])
    return result.exit_code, json.loads(result.stdout)


def said(led: OpenLedger, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--home", str(led.config.path), "verify", *extra])
    return result.exit_code, result.stdout, result.stderr


def kept(led: OpenLedger) -> Path:
    """Last night's full audit, which saves the checkpoint tonight's run starts from."""
    path = led.config.path.parent / "last-audit.checkpoint"
    code, report = verify(led, "--save-checkpoint", str(path))
    assert (code, report["saved_to"]) == (0, str(path))
    assert path.read_text() == led.store.checkpoint().note
    return path


def test_entries_added_since_verify(ledger: OpenLedger) -> None:
    fill(ledger, batches=3)
    start = kept(ledger)
    fill(ledger, batches=4)
    code, report = verify(ledger, "--since", str(start))
    assert (code, report["ok"]) == (0, True)
    assert (report["since"], report["entries"], report["checkpoints"]) == (17, 38, 6)
    assert report["checkpoint"] == ledger.store.checkpoint().note
    assert any("state tables" in words for words in report["not_checked"])
    assert verify(ledger, "--since", "17")[0] == 0  # a size at which a checkpoint was signed


def test_the_human_report_says_what_was_and_was_not_checked(ledger: OpenLedger) -> None:
    fill(ledger, batches=2)
    start = kept(ledger)
    fill(ledger, batches=2)
    tonight = ledger.config.path.parent / "tonight.checkpoint"
    code, out, _ = said(ledger, "--since", str(start), "--save-checkpoint", str(tonight))
    assert code == 0
    assert out.startswith("Ledger verified since the checkpoint of 12 entries (entries 12 to 22")
    assert "Not checked by --since (the full audit, `brady verify` without --since" in out
    assert "who holds each item" in out
    assert out.rstrip("\n").endswith(ledger.store.checkpoint().note.rstrip("\n"))
    assert tonight.read_text() == ledger.store.checkpoint().note
    code, out, _ = said(ledger, "--since", str(tonight))
    assert code == 0
    assert "nothing was added" in out
    code, out, _ = said(ledger, "--since", "12")
    assert "You gave a size, so the checkpoint stored at that size was used" in out


def _edit_new_payload(led: OpenLedger) -> int:
    raw = led.store.entry(30).replace(b"Item", b"Itex", 1)
    tamper(led, ("UPDATE ledger_entry SET entry = :e WHERE seq = 30", {"e": raw}))
    return 30


def _resign_new_entry(led: OpenLedger) -> int:
    forged = make_entry(led.config.origin, 25, now(), Signer.generate(), "test.intake", [], {})
    tamper(led, ("UPDATE ledger_entry SET entry = :e WHERE seq = 25", {"e": forged.raw}))
    return 25


def _edit_new_hash(led: OpenLedger) -> int:
    tamper(led, ("UPDATE ledger_node SET hash = :h WHERE level = 2 AND idx = 7", {"h": b"1" * 32}))
    return 28


def _append_outside_brady(led: OpenLedger) -> int:
    extra = make_entry(led.config.origin, 43, now(), Signer.generate(), "test.intake", [], {})
    sql = "INSERT INTO ledger_entry (seq, kind, entry) VALUES (43, 'test.intake', :e)"
    tamper(led, (sql, {"e": extra.raw}))
    return 43


def _drop_a_subject_row(led: OpenLedger) -> str:
    tamper(led, ("DELETE FROM entry_subject WHERE seq = 33", {}))
    return "table entry_subject: row item:2-0/33 is missing from the database"


def _delete_a_checkpoint_since(led: OpenLedger) -> str:
    tamper(led, ("DELETE FROM ledger_checkpoint WHERE size = 33", {}))
    return "the stored checkpoint of 38 entries does not follow the one before it"


@pytest.mark.parametrize(
    "attack",
    [
        _edit_new_payload,
        _resign_new_entry,
        _edit_new_hash,
        _append_outside_brady,
        _drop_a_subject_row,
        _delete_a_checkpoint_since,
    ],
)
def test_a_tampered_new_entry_is_caught(ledger: OpenLedger, attack: Any) -> None:
    fill(ledger, batches=4)
    start = kept(ledger)
    fill(ledger, batches=4)  # entries 22 to 42
    first_bad = attack(ledger)
    code, report = verify(ledger, "--since", str(start))
    assert (code, report["ok"], report["checkpoint"]) == (1, False, None)
    if isinstance(first_bad, int):
        assert report["problem"]["entry"] == first_bad, report["problem"]
    else:
        assert first_bad in report["problem"]["message"], report["problem"]


def test_a_forged_or_unsigned_checkpoint_is_refused(ledger: OpenLedger, tmp_path: Path) -> None:
    fill(ledger, batches=2)
    cp = Checkpoint(ledger.config.origin, 12, ledger.store.root(12))
    forged = tmp_path / "forged.checkpoint"
    forged.write_text(cp.sign(Signer.generate()))
    unsigned = tmp_path / "unsigned.checkpoint"
    unsigned.write_text(cp.body() + "\n")
    for path in (forged, unsigned):
        code, out, _ = said(ledger, "--since", str(path))
        assert code == 1
        assert "LEDGER VERIFICATION FAILED" in out
        assert "the checkpoint you gave is not signed by this ledger's key" in out
        assert "run again with the checkpoint your last audit saved" in out


def test_the_checkpoint_of_a_fork_is_refused(ledger: OpenLedger, tmp_path: Path) -> None:
    """The log's own key signed another history of the first 12 entries: a split view."""
    clerk = fill(ledger, batches=2)
    other = make_entry(ledger.config.origin, 11, now(), clerk, "test.intake", ["item:x"], {})
    leaves = [leaf_hash(ledger.store.entry(i)) for i in range(11)] + [leaf_hash(other.raw)]
    assert ledger.store.log_signer is not None
    fork = Checkpoint(ledger.config.origin, 12, root_of(leaves)).sign(ledger.store.log_signer)
    path = tmp_path / "fork.checkpoint"
    path.write_text(fork)
    fill(ledger, batches=1)
    code, report = verify(ledger, "--since", str(path))
    assert code == 1
    assert (
        "first 12 entries are not those the checkpoint you gave signed"
        in (report["problem"]["message"])
    )
    assert "rewritten" in report["problem"]["advice"]


def test_a_size_beyond_the_ledger_is_refused(ledger: OpenLedger) -> None:
    fill(ledger, batches=2)
    code, report = verify(ledger, "--since", "500")
    assert code == 1
    assert "holds only 12 entries" in report["problem"]["message"]
    code, report = verify(ledger, "--since", "9")  # no checkpoint was signed at 9
    assert (code, report["problem"]["entry"]) == (1, None)
    assert "no checkpoint was signed at size 9" in report["problem"]["message"]
    code, _, err = said(ledger, "--since", "no-such-file")
    assert code == 2
    assert "no such checkpoint file" in err


def test_a_ledger_rolled_back_behind_the_kept_checkpoint_is_caught(ledger: OpenLedger) -> None:
    """The tail removed with its hashes and checkpoints: consistent in itself, but shorter
    than the checkpoint last night's audit kept."""
    fill(ledger)
    start = kept(ledger)
    tamper(
        ledger,
        ("DELETE FROM ledger_entry WHERE seq >= 32", {}),
        ("DELETE FROM entry_subject WHERE seq >= 32", {}),
        ("DELETE FROM ledger_checkpoint WHERE size > 32", {}),
        *[
            (f"DELETE FROM ledger_node WHERE level = {lv} AND idx >= {32 >> lv}", {})
            for lv in range(6)
        ],
    )
    code, report = verify(ledger, "--since", str(start))
    assert code == 1
    assert "covers 42 entries, but the ledger holds only 32" in report["problem"]["message"]


def test_entries_before_the_checkpoint_are_left_to_the_full_audit(ledger: OpenLedger) -> None:
    """Past one block of 4096 entries, --since does not read the old entries again: an old
    entry changed with its hashes left alone is the full audit's to find, as it says. The
    hashes stored since, above the block level too, it does check."""
    clerk = fill(ledger, batches=1)
    ledger.store.append(clerk, [Event("test.intake", (f"item:{i}",), {}) for i in range(4200)])
    start = kept(ledger)
    fill(ledger, batches=1)
    raw = ledger.store.entry(100).replace(b"item:", b"itex:", 1)
    tamper(ledger, ("UPDATE ledger_entry SET entry = :e WHERE seq = 100", {"e": raw}))
    code, report = verify(ledger, "--since", str(start))
    assert (code, report["since"], report["first_checked"]) == (0, 4207, 4096)
    assert any("entries before 4096 one by one" in words for words in report["not_checked"])
    code, report = verify(ledger)
    assert (code, report["problem"]["entry"]) == (1, 100)

    ledger.store.append(clerk, [Event("test.intake", (), {}) for _ in range(4000)])  # to 8213
    planted = "INSERT INTO ledger_node (level, idx, hash) VALUES (0, 8213, :h)"
    tamper(ledger, (planted, {"h": b"2" * 32}))
    code, report = verify(ledger, "--since", str(start))
    assert (code, report["problem"]["entry"]) == (1, 8213)
    assert "a subtree hash is stored for entries 8213-8213" in report["problem"]["message"]
    tamper(
        ledger,
        ("DELETE FROM ledger_node WHERE level = 0 AND idx = 8213", {}),
        ("UPDATE ledger_node SET hash = :h WHERE level = 13 AND idx = 0", {"h": b"3" * 32}),
    )
    code, report = verify(ledger, "--since", str(start))
    assert code == 1
    assert (
        "the stored hash of entries 0-8191 (level 13) does not match"
        in (report["problem"]["message"])
    )
