"""The nightly audit (`brady verify --since`) beside the full audit (`brady verify`), in
the same run, on a ledger of about a million entries with a day's entries added.

    python bench/verify_since_bench.py [--entries 1000000] [--new 10000] [--workers 2]
                                       [--record custody|plain] [--database URL]

The record (`custody`, the default) is imported through brady.importing.importer as
bench/as_of_bench.py does it: cases opened, items taken in, handed over and received,
charges and arraignments, so the full audit's rebuild of the state tables has real work.
`plain` appends one generic event kind in batches of 1000 (as ledger_bench.py), which
no projection but the subject index reads: a cheaper full audit, so a harder ratio.
The checkpoint at --entries is kept, --new entries are added (custody: whole cases, so
about that many), then both audits are timed. Baseline: raw Ed25519 verification of as
many signatures as entries were added (libsodium through PyNaCl, one core).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import nacl.bindings
from as_of_bench import ZONE_NAME, case_events

from brady.custody.service import Custody
from brady.importing.importer import run_import
from brady.ledger.entry import Event
from brady.ledger_home import OpenLedger, init_home
from brady.store.audit import audit, audit_since

PEOPLE = [
    ("clerk", "property_clerk"),
    ("clerk2", "property_clerk"),
    ("officer", "officer"),
    ("det", "officer"),
    ("pros", "prosecutor"),
]


class Record:
    """Grows the ledger with one kind of record, a batch at a time."""

    def __init__(self, led: OpenLedger, kind: str, cases: int) -> None:
        self.led, self.kind, self.next = led, kind, 0
        self.rng = random.Random(19)
        custody = self.custody = Custody(led)
        with custody.session() as s:
            s.add_user(None, "admin", "Admin", ["admin"])
        if kind == "plain":
            self.clerk = led.actor()
            return
        setup = {
            "brady_import": 1,
            "users": [{"user_id": u, "name": u.title(), "roles": [r]} for u, r in PEOPLE],
            "locations": [
                {"location_id": f"PR-{n}", "name": f"Shelf {n}", "kind": "shelf"} for n in (1, 2)
            ],
            "persons": [
                {"person_id": f"P-{k:06d}", "name": f"Defendant {k}"} for k in range(cases)
            ],
            "events": [
                {
                    "do": "disclosure.adopt",
                    "by": "admin",
                    "name": "us-nm-district",
                    "settings": {"initial.days": 10, "continuing.days": 7},
                    "source": "NMRA 5-501(A) (bench)",
                    "reason": "Bench cases",
                }
            ],
        }
        run_import(custody, setup, "admin")

    def grow_to(self, size: int) -> None:
        store = self.led.store
        start, begun = store.size(), time.perf_counter()
        while (now := store.size()) < size:
            if self.kind == "plain":
                n = min(1000, size - now)
                store.append(self.clerk, [_event(now + i) for i in range(n)])
            else:
                cases = max(1, min(50, (size - now) // 260))  # a case makes about 255
                batch = [e for k in range(self.next, self.next + cases) for e in self._case(k)]
                run_import(self.custody, {"brady_import": 1, "events": batch}, "admin")
                self.next += cases
            if (store.size() // 100_000) > (now // 100_000):
                rate = (store.size() - start) / (time.perf_counter() - begun)
                print(f"  {store.size():,} entries, {rate:,.0f}/s")

    def _case(self, k: int) -> list[dict[str, Any]]:
        return case_events(k, 25, 10, self.rng)


def _event(i: int) -> Event:
    return Event(
        "bench.intake",
        (f"item:{i}", "case:D-101-CR-2024-00013"),
        {"description": "Box of 50 .45 Colt cartridges, live rounds", "n": i},
    )


def _raw_verify(n: int, message: bytes) -> float:
    """Seconds to verify n Ed25519 signatures, one core: the least any audit of n entries
    can cost."""
    pk, sk = nacl.bindings.crypto_sign_seed_keypair(os.urandom(32))
    signed = nacl.bindings.crypto_sign(message, sk)
    start = time.perf_counter()
    for _ in range(n):
        nacl.bindings.crypto_sign_open(signed, pk)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--new", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--record", choices=["custody", "plain"], default="custody")
    ap.add_argument("--database", help="PostgreSQL URL (default: SQLite in a temp folder)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="brady-since-bench-"))
    os.environ.setdefault("BRADY_MASTER_KEY_FILE", str(tmp / "master.key"))
    led = init_home(tmp / "home", args.database, time_zone=ZONE_NAME)
    record = Record(led, args.record, cases=(args.entries + args.new) // 200 + 100)
    start = time.perf_counter()
    record.grow_to(args.entries)
    kept = led.store.checkpoint()
    print(f"record: {kept.size:,} entries ({args.record}) in {time.perf_counter() - start:,.0f} s")
    record.grow_to(kept.size + args.new)
    size = led.store.size()
    added = size - kept.size
    print(f"then {added:,} entries added; the ledger holds {size:,}\n")

    url, vkey, store = led.config.database_url, led.config.log_vkey, led.store
    start = time.perf_counter()
    since = audit_since(store, url, vkey, kept.note, workers=args.workers)
    since_s = time.perf_counter() - start
    assert since.ok, since.problems
    start = time.perf_counter()
    whole = audit(store, url, vkey, workers=args.workers)
    full_s = time.perf_counter() - start
    assert whole.ok, whole.problems
    raw_s = _raw_verify(added, store.entry(size - 1))
    checked = size - since.first_checked
    print(f"{'verify --since (nightly)':<40} {since_s:9.2f} s  ({checked:,} entries read)")
    print(f"{'verify, full audit incl. state rebuild':<40} {full_s:9.2f} s  ({size:,} entries)")
    print(f"{'ratio --since / full':<40} {since_s / full_s:9.2%}")
    print(f"{f'raw Ed25519 verify x {added:,}, 1 core':<40} {raw_s:9.2f} s")
    print(f"{'ratio --since / raw verify':<40} {since_s / raw_s:9.1f}x  ({args.workers} workers)")
    led.close()


if __name__ == "__main__":
    main()
