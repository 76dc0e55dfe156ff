"""What an attacker who cannot sign in costs the people who can, on a real server.

    python bench/server_abuse.py [--seconds 20] [--flood 32] [--postgres URL]

A real `brady serve` (uvicorn, one process) on loopback, against a fresh ledger.

1. Sign-in flood: a clerk records intakes one after another over HTTP, first alone, then
   while `--flood` clients send failing sign-ins as fast as they are answered, each from
   its own address (X-Forwarded-For, which uvicorn trusts from loopback, as from a proxy)
   and for real and unknown user names alike, so the per-address limit does not simply
   turn them away. Printed: intake p50/p95 alone and under the flood, their ratio; how
   the sign-ins were answered; baselines in the same run: one raw SQLite insert per
   commit, and one Argon2 password hash (the work each failing sign-in costs).
2. Large bodies: the server's resident memory (VmRSS, and its peak VmHWM) before and
   after a 1 GiB body is sent without credentials (with a Content-Length, then chunked
   with none), and a 1 GiB chunked body with a valid token.

Nothing is asserted: the figures are printed for the issue's targets (p95 within 2x of
alone; memory growth under 20 MiB).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from linking_eval import fresh_custody
from linking_latency import raw_sqlite_commit
from server_load import _pct, served

from brady.accounts.service import PASSWORD_HASHER, Accounts
from brady.cli.admin import bootstrap_admin

GIB = 1024**3
PIECE = b"x" * (1024 * 1024)


async def _intakes(base: str, token: str, seconds: float) -> list[float]:
    took: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}
    body = {"category": "document", "description": "Found wallet", "location_id": "PR"}
    async with aiohttp.ClientSession() as client:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            async with client.post(f"{base}/api/items", json=body, headers=headers) as r:
                await r.read()
                if r.status != 201:
                    raise RuntimeError(f"intake answered {r.status}: {await r.text()}")
            took.append(time.perf_counter() - t0)
    return took


async def _flood(base: str, users: list[str], stop: asyncio.Event, seen: Counter[int]) -> None:
    rng = random.Random()
    async with aiohttp.ClientSession() as client:
        while not stop.is_set():
            who = rng.choice(users)
            address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            async with client.post(
                f"{base}/api/session",
                json={"user_id": who, "password": f"guess-{rng.random()}"},
                headers={"X-Forwarded-For": address},
            ) as r:
                await r.read()
                seen[r.status] += 1


async def _under_flood(
    base: str, token: str, users: list[str], clients: int, seconds: float
) -> tuple[list[float], Counter[int]]:
    stop, seen = asyncio.Event(), Counter[int]()
    flood = [asyncio.create_task(_flood(base, users, stop, seen)) for _ in range(clients)]
    await asyncio.sleep(2.0)  # let the flood fill the server first
    try:
        took = await _intakes(base, token, seconds)
    finally:
        stop.set()
        await asyncio.gather(*flood, return_exceptions=True)
    return took, seen


def _memory(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of the server process, in KiB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


async def _gib() -> AsyncIterator[bytes]:
    for _ in range(GIB // len(PIECE)):
        yield PIECE


async def _send_large(base: str, headers: dict[str, str], sized: bool) -> str:
    """Send 1 GiB to /api/items; returns how the server answered (or when it cut us off)."""
    extra = {"Content-Length": str(GIB)} if sized else {}
    timeout = aiohttp.ClientTimeout(total=600)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as client,
            client.post(
                f"{base}/api/items",
                data=_gib(),
                headers={"Content-Type": "application/json", **headers, **extra},
            ) as r,
        ):
            return f"{r.status} {(await r.text())[:80]}"
    except aiohttp.ClientError as exc:
        return f"connection closed by the server while sending ({type(exc).__name__})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--flood", type=int, default=32, help="concurrent failing sign-in clients")
    ap.add_argument("--postgres", help="a PostgreSQL server URL; default: SQLite")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="brady-abuse-bench-"))
    os.environ.setdefault("BRADY_MASTER_KEY_FILE", str(tmp / "master.key"))
    base_ms = raw_sqlite_commit() * 1e3
    t0 = time.perf_counter()
    PASSWORD_HASHER.hash("a password to time")
    argon_ms = (time.perf_counter() - t0) * 1e3
    users = [f"clerk{k}" for k in range(8)]
    with fresh_custody(tmp, args.postgres) as custody:
        bootstrap_admin(custody)
        with custody.session() as s:
            for user in users:
                s.add_user("admin", user, f"Clerk {user}", ["property_clerk"])
            s.add_location("admin", "PR", "Property room", "room")
        accounts = Accounts(custody.led.engine, custody.led.master_key)
        for user in users:
            accounts.set_password(user, "the clerk's own long password", "admin")
        token = accounts.create_token("clerk0", "bench", "write", "admin")[1]
        targets = users[1:] + [f"nobody{k}" for k in range(8)]
        with served(custody.led.config.path, tmp / "server.log") as (base, pid):
            alone = asyncio.run(_intakes(base, token, args.seconds))
            flooded, seen = asyncio.run(
                _under_flood(base, token, targets, args.flood, args.seconds)
            )
            memory: list[tuple[str, tuple[int, int], tuple[int, int], str]] = []
            for label, headers, sized in (
                ("no credentials, Content-Length 1 GiB", {}, True),
                ("no credentials, chunked, 1 GiB", {}, False),
                ("valid token, chunked, 1 GiB", {"Authorization": f"Bearer {token}"}, False),
            ):
                before = _memory(pid)
                answer = asyncio.run(_send_large(base, headers, sized))
                memory.append((label, before, _memory(pid), answer))
    report(args, base_ms, argon_ms, alone, flooded, seen, memory)


def report(
    args: argparse.Namespace,
    base_ms: float,
    argon_ms: float,
    alone: list[float],
    flooded: list[float],
    seen: Counter[int],
    memory: list[tuple[str, tuple[int, int], tuple[int, int], str]],
) -> None:
    db = "PostgreSQL" if args.postgres else "SQLite"
    print(f"server abuse on {db}, one uvicorn process on loopback, {os.cpu_count()} cores")
    print(
        f"baselines: raw SQLite insert, 1 row per commit: {base_ms:.2f} ms; "
        f"one Argon2id hash (Brady's settings): {argon_ms:.0f} ms"
    )
    p95_alone, p95_flood = _pct(alone, 0.95), _pct(flooded, 0.95)
    print(
        f"intake alone: {len(alone)} in {args.seconds:.0f} s, p50 {_pct(alone, 0.5):.1f} ms, "
        f"p95 {p95_alone:.1f} ms ({p95_alone / base_ms:.0f}x baseline)"
    )
    print(
        f"intake under {args.flood} failing sign-in clients: {len(flooded)}, "
        f"p50 {_pct(flooded, 0.5):.1f} ms, p95 {p95_flood:.1f} ms; "
        f"p95 ratio flood/alone {p95_flood / p95_alone:.2f}x (target <= 2x)"
    )
    total = sum(seen.values())
    answers = ", ".join(f"{code}: {n}" for code, n in sorted(seen.items()))
    print(
        f"sign-ins answered during the flood: {total} ({total / (args.seconds + 2):.1f}/s) - "
        f"{answers}"
    )
    for label, (rss0, hwm0), (rss1, hwm1), answer in memory:
        print(
            f"{label}: {answer}; RSS {rss0 / 1024:.0f} -> {rss1 / 1024:.0f} MiB "
            f"(+{(rss1 - rss0) / 1024:.1f}), peak {hwm0 / 1024:.0f} -> {hwm1 / 1024:.0f} MiB "
            f"(+{(hwm1 - hwm0) / 1024:.1f}; target < 20)"
        )


if __name__ == "__main__":
    main()
