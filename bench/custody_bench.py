"""Custody benchmarks: importing items with their events, and `brady item show` latency.

    python bench/custody_bench.py [--items 100000] [--events-per-item 10]

The import goes through brady.importing.importer (the same rules and signatures
as `brady import`, minus reading YAML), one transaction per `--batch` items.
The baseline is the ledger's own batched append of the same number of events
in the same run. Latency of the item view is measured at the final size.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from brady.custody.service import Custody
from brady.importing.importer import run_import
from brady.ledger.ed25519 import Signer
from brady.ledger.entry import Event
from brady.ledger.keyring import register_event
from brady.ledger_home import init_home
from brady.store import custody_queries as q


def item_events(k: int, per_item: int) -> list[dict[str, Any]]:
    """An intake, then transfers, receipts, moves and check-outs: `per_item` events."""
    item = f"B-{k:07d}"
    out: list[dict[str, Any]] = [
        {
            "do": "item.intake",
            "by": "clerk",
            "item_id": item,
            "category": "drugs",
            "description": f"Sealed bag {k}",
            "location_id": "PR-1",
            "case_ids": ["case-1"],
            "narrative": "Recovered during a vehicle search on Cerrillos Road",
        }
    ]
    holder = "clerk"
    while len(out) < per_item:
        step = len(out) % 4
        if step == 1 and len(out) + 2 <= per_item:
            other = "officer" if holder == "clerk" else "clerk"
            out += [
                {"do": "item.transfer", "by": holder, "item_id": item, "to_user": other},
                {"do": "item.receive", "by": other, "item_id": item},
            ]
            holder = other
        elif step == 3 and len(out) + 2 <= per_item:
            out += [
                {
                    "do": "item.checkout",
                    "by": holder,
                    "item_id": item,
                    "to": "Lab",
                    "purpose": "lab",
                    "due_back": "2099-01-01",
                },
                {
                    "do": "item.checkin",
                    "by": holder,
                    "item_id": item,
                    "location_id": "PR-2",
                    "condition": "Resealed",
                    "seal_intact": False,
                },
            ]
        else:
            out.append(
                {
                    "do": "item.move",
                    "by": holder,
                    "item_id": item,
                    "location_id": random.choice(["PR-1", "PR-2"]),
                }
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--events-per-item", type=int, default=10)
    ap.add_argument("--batch", type=int, default=1000, help="items per transaction")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="brady-custody-bench-"))
    os.environ.setdefault("BRADY_MASTER_KEY_FILE", str(tmp / "master.key"))
    led = init_home(tmp / "home")
    custody = Custody(led)
    with custody.session() as s:
        s.add_user(None, "admin", "Admin", ["admin"])
    setup = {
        "brady_import": 1,
        "users": [
            {"user_id": "clerk", "name": "Clerk", "roles": ["property_clerk"]},
            {"user_id": "officer", "name": "Officer", "roles": ["officer"]},
        ],
        "locations": [
            {"location_id": "PR-1", "name": "Shelf 1", "kind": "shelf"},
            {"location_id": "PR-2", "name": "Shelf 2", "kind": "shelf"},
        ],
        "events": [{"do": "case.open", "by": "admin", "case_id": "case-1", "title": "Bench case"}],
    }
    run_import(custody, setup, "admin")
    events = 0
    start = time.perf_counter()
    for first in range(0, args.items, args.batch):
        batch = [
            e
            for k in range(first, min(first + args.batch, args.items))
            for e in item_events(k, args.events_per_item)
        ]
        run_import(custody, {"brady_import": 1, "events": batch}, "admin")
        events += len(batch)
    elapsed = time.perf_counter() - start
    rate = events / elapsed

    # Baseline: the ledger's batched append of as many events, same run, same machine.
    base_led = init_home(tmp / "base")
    signer = Signer.generate()
    base_led.store.append(base_led.actor(), [register_event(signer.public_key, "Bench")])
    sample = Event(
        "bench.event",
        ("item:B-0000001",),
        {"do": "item.move", "item_id": "B-1", "location_id": "PR-1"},
    )
    start = time.perf_counter()
    for _ in range(0, events, 1000):
        base_led.store.append(signer, [sample] * 1000)
    base = (events // 1000 * 1000) / (time.perf_counter() - start)
    print(
        f"import, {args.items:,} items / {events:,} events   {rate:10,.0f} events/s | "
        f"ledger batched append {base:10,.0f} events/s | ratio {rate / base:.3f}"
    )

    times = []
    with led.engine.connect() as conn:
        for _ in range(500):
            item = f"B-{random.randrange(args.items):07d}"
            t = time.perf_counter()
            q.item_view(conn, item)
            times.append(time.perf_counter() - t)
    times.sort()
    print(
        f"item show at {args.items:,} items            median "
        f"{statistics.median(times) * 1e3:.2f} ms, p99 {times[int(len(times) * 0.99)] * 1e3:.2f} ms"
    )


if __name__ == "__main__":
    main()
