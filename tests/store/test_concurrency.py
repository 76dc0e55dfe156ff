"""Several processes appending at once get one gap-free sequence and consistent checkpoints."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from brady.ledger.checkpoint import open_checkpoint
from brady.ledger.ed25519 import Signer
from brady.ledger.entry import Event, parse_entry
from brady.ledger.keyring import register_event
from brady.ledger.note import Verifier
from brady.ledger_home import OpenLedger, open_home
from brady.store.audit import audit
from brady.store.custody_tables import location
from brady.store.engine import writing

WRITERS = 4
APPENDS = 25


def _writer(home: str, seed: bytes, who: int, key_file: str) -> None:
    os.environ["BRADY_MASTER_KEY_FILE"] = key_file
    led = open_home(Path(home), writable=True)
    signer = Signer(seed)
    for i in range(APPENDS):
        led.store.append(signer, [Event("item.note", (f"writer:{who}",), {"i": i})] * (1 + i % 3))
    led.close()


def test_concurrent_appends(ledger: OpenLedger) -> None:
    seeds = [os.urandom(32) for _ in range(WRITERS)]
    ledger.store.append(
        ledger.actor(),
        [register_event(Signer(s).public_key, f"Writer {i}") for i, s in enumerate(seeds)],
    )
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(
            target=_writer,
            args=(str(ledger.config.path), s, i, os.environ["BRADY_MASTER_KEY_FILE"]),
        )
        for i, s in enumerate(seeds)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    per_writer = sum(1 + i % 3 for i in range(APPENDS))
    size = 1 + WRITERS + WRITERS * per_writer
    assert ledger.store.size() == size
    # Gap-free: every position holds the entry that says it is there.
    seen = [parse_entry(ledger.store.entry(i), i) for i in range(size)]
    for who in range(WRITERS):
        mine = [e.payload["i"] for e in seen if e.subjects == (f"writer:{who}",)]
        assert mine == sorted(mine)  # each writer's own events in its own order
    report = audit(ledger.store, ledger.config.database_url, ledger.config.log_vkey, workers=2)
    assert report.ok, report.problems
    assert report.checkpoints == 2 + WRITERS * APPENDS
    # Every checkpoint is signed and consistent with the newest one (audit checked the chain).
    verifier = Verifier.from_vkey(ledger.config.log_vkey)
    assert open_checkpoint(ledger.store.checkpoint().note, verifier).size == size


def test_the_writers_lock_file_is_closed_with_its_ledger(tmp_path: Path) -> None:
    """Each SQLite ledger opened for writing holds its `.writer` lock file open; closing
    the ledger must give the descriptor back, or a long-running process runs out."""
    import gc

    from brady.ledger_home import init_home

    led = init_home(tmp_path / "home")
    led.close()
    del led
    gc.collect()
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        led = open_home(tmp_path / "home", writable=True)
        led.store.append(led.actor(), [Event("item.note", ("x",), {"i": 1})])
        led.close()
        del led
    gc.collect()
    assert len(os.listdir("/proc/self/fd")) == before
    assert (tmp_path / "home" / "brady.db.writer").exists()


def test_a_failed_append_leaves_nothing_and_the_connection_is_whole_again(
    ledger: OpenLedger,
) -> None:
    """On PostgreSQL the ledger's transaction sends its own BEGIN and COMMIT
    (engine.ledger_writing). A transaction that fails after writing leaves nothing, and
    the pooled connection it used goes back to ordinary transactions: a later writer that
    fails is rolled back whole, not half-committed statement by statement."""
    signer = ledger.actor()
    size = ledger.store.size()
    with pytest.raises(RuntimeError, match="midway"), ledger.store.transaction() as writer:
        writer.append(signer, [Event("item.note", ("writer:x",), {"i": 1})])
        raise RuntimeError("midway")
    assert ledger.store.size() == size
    with pytest.raises(RuntimeError, match="again"), writing(ledger.engine) as conn:
        conn.execute(insert(location).values(location_id="STRAY", name="Stray", kind="room"))
        raise RuntimeError("again")
    with ledger.engine.connect() as conn:  # the insert was rolled back with its transaction
        assert conn.execute(select(location).where(location.c.location_id == "STRAY")).all() == []
    ledger.store.append(signer, [Event("item.note", ("writer:x",), {"i": 2})])
    assert ledger.store.size() == size + 1
    assert ledger.store.checkpoint().size == size + 1
    report = audit(ledger.store, ledger.config.database_url, ledger.config.log_vkey, workers=1)
    assert report.ok, report.problems
