"""Witness benchmark: checkpoints cosigned per second on one core, beside raw Ed25519.

    python bench/witness_bench.py [--checkpoints 2000] [--logs 16] [--http 2000]

The whole bench runs pinned to one core (the witness's; the HTTP clients get the other).
- add-checkpoint through the witness's own function (`Witness.add_checkpoint`: parse,
  the log's signature checked, the consistency proof checked, the cosignature made, the
  compare-and-swap committed to SQLite with WAL and synchronous=FULL), one log growing
  by a few entries a step, each request carrying its proof;
- the same for --logs logs at once, one thread each (a witness serves many agencies'
  logs): their advances share commits (group commit, one fsync for all queued);
- the same with SQLite's synchronous=OFF, to show the CPU's share: the witness itself
  never runs so, since a checkpoint it cosigned must survive a power cut (a witness
  that forgot one could be made to cosign a fork of it);
- over HTTP: `brady witness serve` in its own process pinned to one core, --logs
  keep-alive clients (one per log, on the other core) sending their log's checkpoints
  one after another;
- baseline: raw Ed25519 sign + verify of a checkpoint-sized message with libsodium
  (PyNaCl), the least a witness must do per checkpoint; and the disk's fsync time, which
  bounds one log's durable rate.
Requests are built before the clock starts. Results go to stdout; nothing is asserted.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nacl.bindings
from sqlalchemy import event

from brady.ledger.checkpoint import Checkpoint
from brady.ledger.ed25519 import Signer
from brady.ledger.hashing import leaf_hash, root_of
from brady.ledger.note import Verifier
from brady.ledger.ranges import consistency_ranges
from brady.witness.home import close_witness, follow_log, init_witness, open_witness
from brady.witness.service import Witness

ORIGIN = "bench.example/ledger"
STEP = 3  # entries a checkpoint adds


def _requests(count: int, signer: Signer, origin: str = ORIGIN) -> list[bytes]:
    """count add-checkpoint bodies, each extending the one before by STEP entries."""
    leaves = [leaf_hash(f"entry {i}".encode()) for i in range(count * STEP + 1)]
    bodies = []
    for k in range(count):
        old, new = k * STEP, (k + 1) * STEP
        proof = [root_of(leaves[b:e]) for b, e in consistency_ranges(old, new)] if old else []
        note = Checkpoint(origin, new, root_of(leaves[:new])).sign(signer)
        lines = "".join(base64.b64encode(h).decode() + "\n" for h in proof)
        bodies.append(f"old {old}\n{lines}\n{note}".encode())
    return bodies


def _baseline(n: int) -> float:
    """Raw Ed25519 sign + verify pairs per second on a checkpoint-sized message."""
    pk, sk = nacl.bindings.crypto_sign_seed_keypair(b"\x01" * 32)
    msg = b"cosignature/v1\ntime 1700000000\n" + b"x" * 90
    start = time.perf_counter()
    for _ in range(n):
        signed = nacl.bindings.crypto_sign(msg, sk)
        nacl.bindings.crypto_sign_open(signed, pk)
    return n / (time.perf_counter() - start)


def _fsync_ms(folder: Path, n: int = 200) -> float:
    """The disk's time for one small write made durable, as SQLite's commit needs."""
    path = folder / "fsync-probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        start = time.perf_counter()
        for _ in range(n):
            os.write(fd, b"x" * 4096)
            os.fsync(fd)
        return (time.perf_counter() - start) / n * 1e3
    finally:
        os.close(fd)
        path.unlink()


Workload = dict[str, list[bytes]]  # origin -> its add-checkpoint bodies, in order


def _workload(logs: int, total: int, signer: Signer) -> Workload:
    return {
        f"{ORIGIN}/{k}": _requests(max(1, total // logs), signer, f"{ORIGIN}/{k}")
        for k in range(logs)
    }


def _witness(folder: Path, signer: Signer, origins: list[str], fsync: bool = True) -> Witness:
    init_witness(folder, "bench.example/witness")
    witness = open_witness(folder)
    if not fsync:
        engine = witness.store.engine

        @event.listens_for(engine, "connect")
        def _no_fsync(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.execute("PRAGMA synchronous=OFF")

        engine.dispose()
        witness.store._group._conn.execute("PRAGMA synchronous=OFF")
    for origin in origins:
        follow_log(witness, origin, Verifier(origin, signer.public_key).vkey())
    return witness


def _rate(work: Workload, drive: Callable[[list[bytes]], None], failures: list[str]) -> float:
    """Checkpoints per second with one thread per log driving its bodies in order."""
    threads = [threading.Thread(target=drive, args=(b,)) for b in work.values()]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise SystemExit(failures[0])
    return sum(len(b) for b in work.values()) / elapsed


def _direct(folder: Path, work: Workload, signer: Signer, fsync: bool = True) -> float:
    """Checkpoints per second through the witness's function, one thread per log."""
    witness = _witness(folder, signer, list(work), fsync)
    failures: list[str] = []

    def drive(bodies: list[bytes]) -> None:
        for raw in bodies:
            answer = witness.add_checkpoint(raw)
            if answer.status != 200:
                failures.append(f"witness refused a checkpoint: {answer}")
                return

    try:
        return _rate(work, drive, failures)
    finally:
        close_witness(witness)


def _over_http(folder: Path, work: Workload, signer: Signer, cores: tuple[int, int]) -> float:
    """`brady witness serve` in its own process on one core; a keep-alive client per log
    on the other."""
    close_witness(_witness(folder, signer, list(work)))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "brady.cli", "witness", "serve", "--dir", str(folder)]
    server = subprocess.Popen([*command, "--port", str(port)], stdout=subprocess.DEVNULL)
    os.sched_setaffinity(server.pid, {cores[0]})
    try:
        _wait_for(port)
        failures: list[str] = []

        def drive(bodies: list[bytes]) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port)
            try:
                for raw in bodies:
                    conn.request("POST", "/add-checkpoint", body=raw)
                    response = conn.getresponse()
                    response.read()
                    if response.status != 200:
                        failures.append(f"refused over HTTP: {response.status}")
                        return
            finally:
                conn.close()

        return _rate(work, drive, failures)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the witness server did not start")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoints", type=int, default=2000)
    p.add_argument("--logs", type=int, default=16, help="logs served at once")
    p.add_argument("--http", type=int, default=2000, help="checkpoints over HTTP (0: skip)")
    args = p.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    witness_core, client_core = cores[0], cores[-1]
    os.sched_setaffinity(0, {witness_core})
    signer = Signer(b"\x42" * 32)
    one = _workload(1, args.checkpoints, signer)
    many = _workload(args.logs, args.checkpoints, signer)
    base = _baseline(max(args.checkpoints, 2000))
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as d:
        fsync_ms = _fsync_ms(Path(d))
        rows = [
            ("add-checkpoint, 1 log, durable", _direct(Path(d) / "one", one, signer)),
            (
                f"add-checkpoint, {args.logs} logs at once, durable",
                _direct(Path(d) / "many", many, signer),
            ),
            (
                "  the same without fsync (CPU only; not served so)",
                _direct(Path(d) / "nosync", many, signer, fsync=False),
            ),
        ]
        if args.http:
            os.sched_setaffinity(0, {client_core})
            http_work = _workload(args.logs, args.http, signer)
            rate = _over_http(Path(d) / "http", http_work, signer, (witness_core, client_core))
            rows.append((f"over HTTP, server on 1 core, {args.logs} clients", rate))
    print(
        f"fsync of a 4 KiB write here: {fsync_ms:.2f} ms (bounds one log: {1e3 / fsync_ms:,.0f}/s)"
    )
    print(f"{'measure':<52} {'per second':>12} | {'baseline':<34} {'per second':>12} | ratio")
    for label, rate in rows:
        print(
            f"{label:<52} {rate:>12,.0f} | {'raw Ed25519 sign+verify, 1 core':<34} "
            f"{base:>12,.0f} | {rate / base:5.2f}"
        )


if __name__ == "__main__":
    main()
