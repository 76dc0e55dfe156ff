"""Ledger benchmarks, each printed beside a baseline measured in the same run.

    python bench/ledger_bench.py [--entries 1000000] [--batch 1000] [--workers 2]

- append, batched: signed durable appends, `--batch` events per commit, against
  raw SQLite inserts of the very same entry bytes (same durability settings);
- append, one event per commit: the same, one commit each, against raw SQLite
  single-row commits;
- full verify (`brady verify`'s audit) against the raw Ed25519 verify rate of
  libsodium (PyNaCl) on one core, times the workers used;
- proof latency (inclusion and consistency) at the full size.
Results go to stdout; nothing is asserted (see README: no timed asserts in tests).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nacl.bindings

from brady.ledger.ed25519 import Signer
from brady.ledger.entry import Event, make_entry, now
from brady.ledger.keyring import register_event
from brady.ledger_home import init_home
from brady.store.audit import audit


def _event(i: int) -> Event:
    return Event(
        "bench.intake",
        (f"item:{i}", "case:D-101-CR-2024-00013"),
        {
            "description": "Box of 50 .45 Colt cartridges, live rounds",
            "received_from": "Seth Kenney",
            "location": "Property room, shelf B-14",
            "n": i,
        },
    )


def _raw_sqlite(blobs: list[bytes], per_commit: int) -> float:
    """Baseline: plain inserts of the same bytes, WAL + synchronous=FULL."""
    with tempfile.TemporaryDirectory() as d:
        db = sqlite3.connect(Path(d) / "raw.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, kind TEXT, entry BLOB)")
        start = time.perf_counter()
        for b in range(0, len(blobs), per_commit):
            db.execute("BEGIN")
            db.executemany(
                "INSERT INTO t VALUES (?, 'item.intake', ?)",
                ((b + i, x) for i, x in enumerate(blobs[b : b + per_commit])),
            )
            db.execute("COMMIT")
        elapsed = time.perf_counter() - start
        db.close()
    return len(blobs) / elapsed


def _raw_ed25519(message: bytes, n: int = 20000) -> tuple[float, float]:
    seed = os.urandom(32)
    pk, sk = nacl.bindings.crypto_sign_seed_keypair(seed)
    start = time.perf_counter()
    for _ in range(n):
        signed = nacl.bindings.crypto_sign(message, sk)
    sign_rate = n / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(n):
        nacl.bindings.crypto_sign_open(signed, pk)
    return sign_rate, n / (time.perf_counter() - start)


def _line(name: str, value: float, unit: str, base_name: str, base: float) -> None:
    print(
        f"{name:<34} {value:>12,.0f} {unit:<9} | {base_name:<34} {base:>12,.0f} | "
        f"ratio {value / base:5.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--single", type=int, default=2000, help="one-per-commit appends to time")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--proofs", type=int, default=2000)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="brady-bench-"))
    os.environ.setdefault("BRADY_MASTER_KEY_FILE", str(tmp / "master.key"))
    led = init_home(tmp / "home")
    store, admin = led.store, led.actor()
    clerk = Signer.generate()
    store.append(admin, [register_event(clerk.public_key, "Bench clerk")])
    sample = make_entry(store.origin, 2, now(), clerk, *_args(_event(2))).raw
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, entry size {len(sample)} bytes, "
        f"{args.entries:,} entries\n"
    )

    # Append, batched.
    start = time.perf_counter()
    total = args.entries - args.single
    done = 0
    while done < total:
        n = min(args.batch, total - done)
        store.append(clerk, [_event(done + i) for i in range(n)])
        done += n
    batched = total / (time.perf_counter() - start)
    blobs = [
        make_entry(store.origin, i, now(), clerk, *_args(_event(i))).raw
        for i in range(min(total, 200_000))
    ]
    _line(
        f"append, {args.batch}/commit (signed)",
        batched,
        "events/s",
        f"raw SQLite insert, {args.batch}/commit",
        _raw_sqlite(blobs, args.batch),
    )

    # Append, one per commit.
    start = time.perf_counter()
    for i in range(args.single):
        store.append(clerk, [_event(total + i)])
    single = args.single / (time.perf_counter() - start)
    _line(
        "append, 1/commit (signed)",
        single,
        "events/s",
        "raw SQLite insert, 1/commit",
        _raw_sqlite(blobs[: args.single], 1),
    )

    # Full verify.
    size = store.size()
    sign_rate, verify_rate = _raw_ed25519(sample)
    start = time.perf_counter()
    # The ledger audit alone: entries, signatures, tree, checkpoints. (`brady verify` then
    # also rebuilds the state tables; that part is timed on its own below.)
    report = audit(
        store, led.config.database_url, led.config.log_vkey, workers=args.workers, projections=False
    )
    elapsed = time.perf_counter() - start
    assert report.ok, report.problems
    _line(
        f"full verify, {args.workers} workers",
        size / elapsed,
        "entries/s",
        f"raw Ed25519 verify x {args.workers} cores",
        verify_rate * args.workers,
    )
    print(f"{'':<34} {'':>12} {'':<9} | {'raw Ed25519 sign, 1 core':<34} {sign_rate:>12,.0f} |")
    print(f"{'':<34} {'':>12} {'':<9} | {'raw Ed25519 verify, 1 core':<34} {verify_rate:>12,.0f} |")

    start = time.perf_counter()
    full = audit(store, led.config.database_url, led.config.log_vkey, workers=args.workers)
    assert full.ok, full.problems
    print(
        f"{'brady verify incl. state rebuild':<34} {size / (time.perf_counter() - start):>12,.0f} "
        f"entries/s"
    )

    # Proof latency.
    for what, fn in (
        ("inclusion proof", lambda: store.inclusion_proof(random.randrange(size), size)),
        ("consistency proof", lambda: store.consistency_proof(random.randrange(1, size), size)),
    ):
        times = []
        for _ in range(args.proofs):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        times.sort()
        median, p99 = statistics.median(times) * 1e3, times[int(len(times) * 0.99)] * 1e3
        print(
            f"{what + ' at ' + format(size, ','):<34} "
            f"median {median:.3f} ms, p99 {p99:.3f} ms, max {times[-1] * 1e3:.3f} ms"
        )
    led.close()


def _args(e: Event) -> tuple[str, tuple[str, ...], dict[str, object]]:
    return e.kind, e.subjects, e.payload


if __name__ == "__main__":
    main()
