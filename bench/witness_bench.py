"""Witness benchmark: checkpoints cosigned per second on one core, beside raw Ed25519.

    python bench/witness_bench.py [--checkpoints 2000] [--http 500]

- add-checkpoint through the witness's own function (`Witness.add_checkpoint`: parse,
  the log's signature checked, the consistency proof checked, the cosignature made, the
  compare-and-swap committed to SQLite with WAL and synchronous=FULL), one log growing
  by a few entries a step, each request carrying its proof;
- the same over HTTP: a real uvicorn server on loopback, one keep-alive client sending
  requests one after another (client and server share this process, hence one core);
- the same with SQLite's synchronous=OFF, to show the CPU's share: the witness itself
  never runs so, since a checkpoint it cosigned must survive a power cut (a witness
  that forgot one could be made to cosign a fork of it);
- baseline: raw Ed25519 sign + verify of a checkpoint-sized message with libsodium
  (PyNaCl), the least a witness must do per checkpoint.
Requests are built before the clock starts. Results go to stdout; nothing is asserted.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import nacl.bindings
import uvicorn
from sqlalchemy import event

from brady.ledger.checkpoint import Checkpoint
from brady.ledger.ed25519 import Signer
from brady.ledger.hashing import leaf_hash, root_of
from brady.ledger.note import Verifier
from brady.ledger.ranges import consistency_ranges
from brady.witness.home import close_witness, follow_log, init_witness, open_witness
from brady.witness.http import create_app
from brady.witness.service import Witness

ORIGIN = "bench.example/ledger"
STEP = 3  # entries a checkpoint adds


def _requests(count: int, signer: Signer) -> list[bytes]:
    """count add-checkpoint bodies, each extending the one before by STEP entries."""
    leaves = [leaf_hash(f"entry {i}".encode()) for i in range(count * STEP + 1)]
    bodies = []
    for k in range(count):
        old, new = k * STEP, (k + 1) * STEP
        proof = [root_of(leaves[b:e]) for b, e in consistency_ranges(old, new)] if old else []
        note = Checkpoint(ORIGIN, new, root_of(leaves[:new])).sign(signer)
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


def _witness(folder: Path, signer: Signer, fsync: bool = True) -> Witness:
    init_witness(folder, "bench.example/witness")
    witness = open_witness(folder)
    if not fsync:
        engine = witness.store.engine

        @event.listens_for(engine, "connect")
        def _no_fsync(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.execute("PRAGMA synchronous=OFF")

        engine.dispose()
    follow_log(witness, ORIGIN, Verifier(ORIGIN, signer.public_key).vkey())
    return witness


def _direct(folder: Path, bodies: list[bytes], signer: Signer, fsync: bool = True) -> float:
    witness = _witness(folder, signer, fsync)
    try:
        start = time.perf_counter()
        for raw in bodies:
            answer = witness.add_checkpoint(raw)
            if answer.status != 200:
                raise SystemExit(f"witness refused a checkpoint: {answer}")
        return len(bodies) / (time.perf_counter() - start)
    finally:
        close_witness(witness)


def _over_http(folder: Path, bodies: list[bytes], signer: Signer) -> float:
    witness = _witness(folder, signer)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(witness), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    conn = http.client.HTTPConnection("127.0.0.1", port)
    try:
        start = time.perf_counter()
        for raw in bodies:
            conn.request("POST", "/add-checkpoint", body=raw)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"witness refused a checkpoint over HTTP: {response.status}")
        return len(bodies) / (time.perf_counter() - start)
    finally:
        conn.close()
        server.should_exit = True
        thread.join(timeout=30)
        close_witness(witness)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoints", type=int, default=2000)
    p.add_argument("--http", type=int, default=500, help="checkpoints over HTTP (0: skip)")
    args = p.parse_args()
    signer = Signer(b"\x42" * 32)
    bodies = _requests(max(args.checkpoints, args.http), signer)
    base = _baseline(max(args.checkpoints, 2000))
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as d:
        direct = _direct(Path(d) / "direct", bodies[: args.checkpoints], signer)
        cpu = _direct(Path(d) / "nosync", bodies[: args.checkpoints], signer, fsync=False)
        over_http = _over_http(Path(d) / "http", bodies[: args.http], signer) if args.http else 0
    print(f"{'measure':<52} {'per second':>12} | {'baseline':<34} {'per second':>12} | ratio")
    rows = [
        ("add-checkpoint, witness function, 1 core", direct),
        ("  the same without fsync (CPU only; not served so)", cpu),
    ]
    if args.http:
        rows.append(("add-checkpoint over HTTP (loopback), 1 core", over_http))
    for label, rate in rows:
        print(
            f"{label:<52} {rate:>12,.0f} | {'raw Ed25519 sign+verify, 1 core':<34} "
            f"{base:>12,.0f} | {rate / base:5.2f}"
        )


if __name__ == "__main__":
    main()
