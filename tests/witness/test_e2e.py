"""Two real witness servers on loopback cosign a real Brady ledger's checkpoints; one is
down for a while and catches up from its last size; a forked copy of the ledger is
refused by both, and brady-verify proves the fork from the two checkpoints."""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from brady.ledger.checkpoint import open_checkpoint
from brady.ledger.cli import run
from brady.ledger.cosignature import add_cosignatures, cosignatures_on
from brady.ledger.entry import Event
from brady.ledger.equivocation import check_evidence
from brady.ledger.note import Verifier
from brady.ledger_home import OpenLedger, init_home, open_home
from brady.witness.client import Offer, checked, offer_checkpoint
from brady.witness.home import close_witness, follow_log, init_witness, open_witness
from brady.witness.http import create_app
from brady.witness.service import Witness, evidence_document

from ..conftest import free_port
from ..store.helpers import fill


@dataclass
class Server:
    witness: Witness
    url: str = ""
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    def start(self) -> None:
        port = free_port()
        config = uvicorn.Config(
            create_app(self.witness), host="127.0.0.1", port=port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            assert self.thread.is_alive(), "the witness server did not start"
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        assert self.server is not None and self.thread is not None
        self.server.should_exit = True
        self.thread.join(timeout=30)


@dataclass
class World:
    led: OpenLedger
    servers: list[Server]
    tmp: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("witnesses")
    led = init_home(tmp / "home")
    servers = []
    for name in ("clerk.example-county.gov/w1", "defense.example.org/w1"):
        folder = tmp / name.split(".")[0]
        init_witness(folder, name)
        witness = open_witness(folder)
        follow_log(witness, led.config.origin, led.config.log_vkey)
        servers.append(Server(witness))
        servers[-1].start()
    yield World(led, servers, tmp)
    for s in servers:
        if s.thread is not None and s.thread.is_alive():
            s.stop()
        close_witness(s.witness)
    led.close()


def _offer(world: World, server: Server, old: int, led: OpenLedger | None = None) -> Offer:
    store = (led or world.led).store
    cp = store.checkpoint()
    proof = store.consistency_proof(old, cp.size) if 0 < old < cp.size else []
    return offer_checkpoint(server.url, old, proof, cp.note)


def _cosigned(world: World, server: Server, old: int) -> str:
    note = world.led.store.checkpoint().note
    answer = _offer(world, server, old)
    assert answer.status == 200, answer.detail
    return add_cosignatures(note, [checked(answer, note, server.witness.cosigner)])


def test_witnesses_cosign_catch_up_and_refuse_a_fork(world: World) -> None:
    led, (one, two) = world.led, world.servers
    vkey = led.config.log_vkey
    fill(led, batches=2, per_batch=3)
    first = led.store.checkpoint().size
    for server in (one, two):
        _cosigned(world, server, 0)
    fill(led, batches=1, per_batch=4)
    both = _cosigned(world, two, first)
    both = add_cosignatures(
        both, cosignatures_on(_cosigned(world, one, first), [one.witness.cosigner]).values()
    )
    found = cosignatures_on(both, [one.witness.cosigner, two.witness.cosigner])
    assert len(found) == 2
    assert open_checkpoint(both, Verifier.from_vkey(vkey)).size == led.store.checkpoint().size
    # Witness two goes down; the ledger moves on and witness one follows every step.
    held_by_two = led.store.checkpoint().size
    two.stop()
    for _ in range(3):
        old = led.store.checkpoint().size
        fill(led, batches=1, per_batch=2)
        _cosigned(world, one, old)
        with pytest.raises(OSError):
            _offer(world, two, old)
    # Back up: it answers with the size it holds, and takes one proof from there.
    two.start()
    conflict = _offer(world, two, first)
    assert (conflict.status, conflict.held_size) == (409, held_by_two)
    _cosigned(world, two, held_by_two)
    assert two.witness.store.log(led.config.origin).size == led.store.checkpoint().size  # type: ignore[union-attr]
    _monitor_reads_the_latest(world, two)
    _fork_is_refused_and_proven(world)


def _monitor_reads_the_latest(world: World, two: Server) -> None:
    led, vkey = world.led, world.led.config.log_vkey
    # Monitors read each witness's latest cosigned checkpoint by the origin's hash.
    hashed = hashlib.sha256(led.config.origin.encode()).hexdigest()
    with urllib.request.urlopen(f"{two.url}/{hashed}/checkpoint") as answer:
        served = answer.read().decode()
    assert list(cosignatures_on(served, [two.witness.cosigner])) == [two.witness.cosigner.vkey()]
    assert open_checkpoint(served, Verifier.from_vkey(vkey)) == open_checkpoint(
        led.store.checkpoint().note, Verifier.from_vkey(vkey)
    )
    with pytest.raises(urllib.error.HTTPError, match="404"):
        urllib.request.urlopen(f"{two.url}/{'0' * 64}/checkpoint")


def _fork_is_refused_and_proven(world: World) -> None:
    led, (one, two), vkey = world.led, world.servers, world.led.config.log_vkey
    # The fork: a copy of the database, with another entry appended than the agency's.
    led.engine.dispose()
    shutil.copytree(led.config.path, world.tmp / "fork")
    forked = open_home(world.tmp / "fork", writable=True)
    try:
        at = led.store.checkpoint().size
        _append(led, "the item as the court was told")
        _append(forked, "the item as the defense was told")
        for server in (one, two):
            _cosigned(world, server, at)
            refused = _offer(world, server, at, forked)
            assert (refused.status, refused.held_size) == (409, at + 1)
            refused = _offer(world, server, at + 1, forked)
            assert refused.status == 422
            [kept] = server.witness.store.evidence()
            assert kept.proven and kept.offered_note == forked.store.checkpoint().note
            assert check_evidence(evidence_document(kept, vkey), vkey).proven
        a, b = world.tmp / "court.checkpoint", world.tmp / "defense.checkpoint"
        a.write_text(led.store.checkpoint().note)
        b.write_text(forked.store.checkpoint().note)
        assert run(["equivocation", str(a), str(b), "--key", vkey]) == 0
    finally:
        forked.close()


def _append(led: OpenLedger, description: str) -> None:
    event = Event("test.intake", ("item:fork",), {"description": description})
    led.store.append(led.actor(), [event])
