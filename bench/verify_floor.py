"""How fast can any Python audit of this ledger format go? The floor, measured.

    python bench/verify_floor.py [--entries 100000]

Times the least work that checking one entry needs, with nothing else: parse
the bytes, confirm they are canonical, decode the signature, verify it once,
hash the leaf; no database reads, no field checks, no tree, no error reports.
Printed beside the raw Ed25519 verify rate of the same library in the same
run, this is the ceiling for `full verify` per core; bench/ledger_bench.py
shows how close the real audit comes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import time

import nacl.bindings as sodium
import orjson

from brady.ledger._canonical import _fast_domain
from brady.ledger.ed25519 import Signer
from brady.ledger.entry import SIGNING_PREFIX, _without_signature, make_entry, now

ORIGIN = "bench.example/brady"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=100_000)
    n = ap.parse_args().entries
    signer = Signer.generate()
    payload = {
        "description": "Box of 50 .45 Colt cartridges, live rounds",
        "received_from": "Seth Kenney",
        "location": "Property room, shelf B-14",
    }
    stamp = now()
    entries = [
        make_entry(ORIGIN, i, stamp, signer, "item.intake", [f"item:{i}"], {**payload, "n": i}).raw
        for i in range(n)
    ]
    prefix = SIGNING_PREFIX + ORIGIN.encode() + b"\n"
    pk = signer.public_key

    start = time.perf_counter()
    for raw in entries:
        obj = orjson.loads(raw)
        if not _fast_domain(obj) or orjson.dumps(obj, option=orjson.OPT_SORT_KEYS) != raw:
            raise SystemExit("not canonical")
        sig = base64.b64decode(obj["signature"])
        sodium.crypto_sign_open(sig + prefix + _without_signature(raw), pk)
        hashlib.sha256(b"\0" + raw).digest()
    floor = n / (time.perf_counter() - start)

    sk = sodium.crypto_sign_seed_keypair(os.urandom(32))[1]
    signed = sodium.crypto_sign(entries[0], sk)
    vk = sk[32:]
    start = time.perf_counter()
    for _ in range(n):
        sodium.crypto_sign_open(signed, vk)
    raw_rate = n / (time.perf_counter() - start)
    print(f"least work per entry, 1 core   {floor:>10,.0f} entries/s")
    print(f"raw Ed25519 verify, 1 core     {raw_rate:>10,.0f} verifies/s")
    print(f"ceiling for full verify        {floor / raw_rate:>10.2f} of the raw rate")


if __name__ == "__main__":
    main()
