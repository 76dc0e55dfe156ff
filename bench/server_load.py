"""Server load on loopback: concurrent intakes and transfers over HTTP, then a full verify.

    python bench/server_load.py [--rate 200] [--seconds 60] [--clients 8] [--postgres URL]

A real `brady serve` (uvicorn, one process) runs on 127.0.0.1 against a fresh ledger.
`--clients` property clerks, each with an API token, send requests on a fixed schedule
(open loop: request i is due at start + i/rate, whatever the server's pace), two
intakes for each transfer of an item the same clerk took in earlier. Latency is
counted from when a request was due (so a server that falls behind shows it, no
coordinated omission) and also from when it was sent.

After the run: every answered intake and transfer must be on the ledger exactly once
(item ids and entry counts compared), and `brady verify` must pass. Printed: sent,
answered, errors, throughput, p50/p95/p99, the CPU the server processes (and PostgreSQL)
used per request; baselines, same run: a raw SQLite insert of one row per commit, on
PostgreSQL a raw PostgreSQL insert of one row per commit, and one raw Ed25519 sign +
verify (the CPU per request is also given in those units, which hold from host to host).
Nothing is asserted beyond the ledger checks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import aiohttp
import httpx
import nacl.bindings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from linking_eval import fresh_custody
from linking_latency import raw_sqlite_commit

from brady.accounts.service import Accounts
from brady.cli.admin import bootstrap_admin
from brady.store.raw_sql import fetch_all

CONNECTIONS = 64


@dataclass
class Mix:
    """What the clerks send: `floor` (--floor) only `GET /api/me`; `texts` (--realistic)
    the (description, narrative) of generated intakes, else one short text."""

    floor: bool = False
    texts: list[tuple[str, str]] = field(default_factory=list)


MIX = Mix()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(home: Path, log: Path, workers: int = 1) -> Iterator[tuple[str, int]]:
    """A real `brady serve` on a free loopback port: (base URL, process id). Its log is
    printed if the block fails, so a benchmark that breaks says why."""
    port = _free_port()
    cmd = [sys.executable, "-m", "brady.cli", "--home", str(home), "serve", "--log-level", "info"]
    server = subprocess.Popen(
        [*cmd, "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/api/banner", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base, server.pid
    except BaseException:
        print(log.read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        server.terminate()
        server.wait(timeout=60)


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the server and its worker processes have used, from /proc."""
    stats: dict[int, list[str]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stats[int(proc.name)] = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
    tree, grew = {pid}, True
    while grew:
        more = {p for p, f in stats.items() if int(f[1]) in tree} - tree
        tree |= more
        grew = bool(more)
    ticks = sum(int(stats[p][11]) + int(stats[p][12]) for p in tree if p in stats)
    return ticks / os.sysconf("SC_CLK_TCK")


def _postgres_cpu(database: str | None) -> tuple[float, float]:
    """CPU seconds of PostgreSQL's processes from /proc: (the live backends serving
    `database`, every PostgreSQL process: backends, WAL writer, checkpointer..., with the
    backends that ended, which the postmaster has reaped). The second counts whatever else
    uses the same server meanwhile; the first misses a backend that ended during the run."""
    mine = every = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if not cmd.startswith("postgres"):
            continue
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        if int(fields[1]) == 1 or "/postgres " in f"{cmd} ":  # the postmaster: its children
            cpu += (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
        every += cpu
        if database and f" {database} " in f"{cmd} ":
            mine += cpu
    return mine, every


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))] * 1e3 if xs else float("nan")


async def _one(
    client: aiohttp.ClientSession,
    i: int,
    k: int,
    headers: dict[str, str],
    mine: dict[int, list[str]],
    intakes: list[str],
    transfers: list[str],
    clerks: int,
) -> tuple[int, str, bool]:
    """Two intakes, then a transfer of an item this clerk took in earlier; with `--floor`
    (`floor` set) only `GET /api/me`. Returns (status, body, whether it was an intake)."""
    if MIX.floor:
        async with client.get("/api/me", headers=headers) as r:
            return r.status, await r.text(), False
    if i % 3 == 2 and mine[k]:
        item = mine[k].pop()
        async with client.post(
            f"/api/items/{item}/steps",
            json={"action": "transfer", "to_user": f"clerk{(k + 1) % clerks}"},
            headers=headers,
        ) as r:
            body = await r.text()
        if r.status == 201:
            transfers.append(item)
        return r.status, body, False
    description, narrative = (
        MIX.texts[i % len(MIX.texts)]
        if MIX.texts
        else (f"Bench item {i}", "Found property handed in at the front counter")
    )
    async with client.post(
        "/api/items",
        json={
            "category": "other",
            "description": description[:500],
            "narrative": narrative,
            "location_id": "PR",
            "case_ids": ["BENCH"],
        },
        headers=headers,
    ) as r:
        body = await r.text()
    if r.status == 201:
        item = json.loads(body)["item_id"]
        intakes.append(item)
        mine[k].append(item)
    return r.status, body, True


async def _drive(base: str, tokens: list[str], rate: float, seconds: float) -> dict[str, Any]:
    total = int(rate * seconds)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    start = time.perf_counter() + 0.5
    due_lat: list[float] = []
    svc_lat: list[float] = []
    intake_lat: list[float] = []
    errors: list[str] = []
    intakes: list[str] = []
    transfers: list[str] = []
    mine: dict[int, list[str]] = {k: [] for k in range(len(tokens))}

    async def worker(client: aiohttp.ClientSession) -> None:
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            k = i % len(tokens)
            headers = {"Authorization": f"Bearer {tokens[k]}"}
            sent = time.perf_counter()
            try:
                status, body, intake = await _one(
                    client, i, k, headers, mine, intakes, transfers, len(tokens)
                )
            except aiohttp.ClientError as exc:
                errors.append(f"transport: {exc!r}")
                continue
            done = time.perf_counter()
            if status >= 300:
                errors.append(f"{status} {body[:120]}")
            else:
                due_lat.append(done - due)
                svc_lat.append(done - sent)
                if intake:
                    intake_lat.append(done - due)

    # aiohttp rather than httpx for the clients: on these 2 cores the load generator
    # shares the CPU with the server, and httpx's pool cost grows with the number of
    # connections in use, so a server hiccup made the clients themselves the bottleneck.
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as client:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(min(CONNECTIONS, total))))
        elapsed = time.perf_counter() - max(t0, start)
    return {
        "sent": total,
        "due": due_lat,
        "service": svc_lat,
        "intake": intake_lat,
        "errors": errors,
        "intakes": intakes,
        "transfers": transfers,
        "elapsed": elapsed,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rate", type=float, default=200.0, help="requests per second offered")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--postgres", help="a PostgreSQL server URL; default: SQLite")
    ap.add_argument("--workers", type=int, default=1, help="brady serve --workers")
    ap.add_argument(
        "--floor",
        action="store_true",
        help="send only GET /api/me (signed in, one read): the least any request costs "
        "(HTTP, authentication, the caller's roles), the floor under an intake",
    )
    ap.add_argument(
        "--realistic",
        action="store_true",
        help="intakes carry the descriptions and narratives of a generated agency record "
        "(agency_record.py: people, officers, places, numbers in every spelling) instead of "
        "one short text",
    )
    args = ap.parse_args()
    MIX.floor = args.floor
    if args.realistic:
        from agency_record import generate

        made = generate(seed=1, cases=300, intakes=2000).intakes
        MIX.texts = [
            (str(i.get("description") or "item"), str(i.get("narrative") or "")) for i in made
        ]
    tmp = Path(tempfile.mkdtemp(prefix="brady-server-bench-"))
    os.environ.setdefault("BRADY_MASTER_KEY_FILE", str(tmp / "master.key"))
    baselines = Baselines(raw_sqlite_commit() * 1e3, raw_ed25519_ms(), None)
    with fresh_custody(tmp, args.postgres) as custody:
        bootstrap_admin(custody)
        with custody.session() as s:
            for k in range(args.clients):
                s.add_user("admin", f"clerk{k}", f"Clerk {k}", ["property_clerk"])
            s.add_user("admin", "pros", "Bench Prosecutor", ["prosecutor"])
            s.add_location("admin", "PR", "Property room", "room")
            s.open_case("pros", "BENCH", "Found property")
        accounts = Accounts(custody.led.engine, custody.led.master_key)
        tokens = [
            accounts.create_token(f"clerk{k}", "bench", "write", "admin")[1]
            for k in range(args.clients)
        ]
        home = custody.led.config.path
        if args.postgres:
            baselines = baselines._replace(postgres_ms=raw_postgres_commit(custody.led.engine))
        before = custody.led.store.size()
        with served(home, tmp / "server.log", args.workers) as (base, pid):
            database = custody.led.engine.url.database if args.postgres else None
            cpu0, pg0 = _cpu_seconds(pid), _postgres_cpu(database)
            own0 = time.process_time()
            r = asyncio.run(_drive(base, tokens, args.rate, args.seconds))
            r["client_cpu"] = time.process_time() - own0
            r["server_cpu"] = _cpu_seconds(pid) - cpu0
            pg1 = _postgres_cpu(database)
            r["pg_cpu"] = (pg1[0] - pg0[0], pg1[1] - pg0[1])
        with custody.led.engine.connect() as conn:
            kinds = dict(
                fetch_all(
                    conn,
                    "SELECT kind, count(*) FROM ledger_entry WHERE seq >= ? GROUP BY kind",
                    (before,),
                )
            )
            ids = [i for (i,) in fetch_all(conn, "SELECT item_id FROM item WHERE item_id <> ''")]
        verify = subprocess.run(
            [sys.executable, "-m", "brady.cli", "--home", str(home), "verify"],
            capture_output=True,
            text=True,
            check=False,
        )
    report(args, baselines, r, kinds, ids, verify)
    for line in (tmp / "server.log").read_text().splitlines():
        if "read ahead" in line:  # each process's tally, logged as it stops
            print(f"server: {line.split(':', 1)[-1].strip()}")


class Baselines(NamedTuple):
    """Taken in the same run: the disk (SQLite), the database server and the CPU."""

    sqlite_ms: float  # a raw SQLite insert of one row per commit, median
    ed25519_ms: float  # one raw Ed25519 sign + verify (libsodium), one core
    postgres_ms: float | None  # a raw PostgreSQL insert of one row per commit, median


def raw_ed25519_ms(n: int = 3000) -> float:
    """One Ed25519 sign + verify of an entry-sized message, the CPU's speed in this run:
    server CPU per request is also given in these units, which travel between hosts (this
    machine ran 2.5 ms of server CPU per request one day and 6 ms on another)."""
    pk, sk = nacl.bindings.crypto_sign_seed_keypair(b"\x01" * 32)
    msg = b"x" * 400
    start = time.process_time()
    for _ in range(n):
        nacl.bindings.crypto_sign_open(nacl.bindings.crypto_sign(msg, sk), pk)
    return (time.process_time() - start) / n * 1e3


def raw_postgres_commit(engine: Any, n: int = 300) -> float:
    """The median time of a raw PostgreSQL insert of one row per commit (psycopg, no
    Brady), on the bench's own database server, in a table dropped afterwards."""
    import psycopg

    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE bench_raw_commit (k integer PRIMARY KEY, v bytea)")
        try:
            times = []
            for k in range(n):
                t = time.perf_counter()
                db.execute("INSERT INTO bench_raw_commit VALUES (%s, %s)", (k, os.urandom(400)))
                times.append(time.perf_counter() - t)
        finally:
            db.execute("DROP TABLE bench_raw_commit")
    return sorted(times)[n // 2] * 1e3


def report(
    args: argparse.Namespace,
    base: Baselines,
    r: dict[str, Any],
    kinds: dict[str, int],
    ids: list[str],
    verify: subprocess.CompletedProcess[str],
) -> None:
    answered = len(r["due"])
    print(
        f"server load on {'PostgreSQL' if args.postgres else 'SQLite'}: offered "
        f"{args.rate:.0f} req/s for {args.seconds:.0f} s from {args.clients} clerks "
        f"({'GET /api/me only' if args.floor else '2 intakes : 1 transfer'}"
        f"{', generated narratives' if args.realistic else ''}), "
        f"{args.workers} uvicorn process(es) on loopback"
    )
    print(f"baseline: raw SQLite insert, 1 row per commit: median {base.sqlite_ms:.2f} ms")
    if base.postgres_ms is not None:
        print(
            f"baseline: raw PostgreSQL insert, 1 row per commit: median {base.postgres_ms:.2f} ms"
        )
    print(f"baseline: raw Ed25519 sign + verify, one core: {base.ed25519_ms:.3f} ms")
    print(
        f"sent {r['sent']}, answered {answered}, errors {len(r['errors'])}"
        + (f" (first: {r['errors'][0]})" if r["errors"] else "")
    )
    print(f"throughput: {answered / r['elapsed']:.1f} req/s answered")
    print(
        f"server CPU: {r['server_cpu']:.1f} s, {r['server_cpu'] / max(answered, 1) * 1e3:.2f} ms "
        f"per answered request (= {r['server_cpu'] / max(answered, 1) * 1e3 / base.ed25519_ms:.0f}"
        f" raw Ed25519 sign + verify; {r['server_cpu'] / r['elapsed'] * 100:.0f}% of one core); "
        f"the clients used {r['client_cpu'] / r['elapsed'] * 100:.0f}% of one core"
    )
    if args.postgres:
        mine, every = r["pg_cpu"]
        per = max(answered, 1)
        print(
            f"PostgreSQL CPU: {mine / per * 1e3:.2f} ms per answered request in the backends "
            f"serving this database, {every / per * 1e3:.2f} ms in all its processes; "
            f"server processes and PostgreSQL together "
            f"{(r['server_cpu'] + every) / per * 1e3:.2f} ms"
        )
    labels = {
        "due": "all, from when due",
        "service": "all, from when sent",
        "intake": "intakes, from when due",
    }
    for name, label in labels.items():
        xs = r[name]
        print(
            f"latency ({label}): "
            f"p50 {_pct(xs, 0.5):.1f} ms, p95 {_pct(xs, 0.95):.1f} ms, "
            f"p99 {_pct(xs, 0.99):.1f} ms, max {_pct(xs, 1.0):.1f} ms"
        )
    raw = base.postgres_ms if base.postgres_ms is not None else base.sqlite_ms
    print(f"intake p95/baseline (when due): {_pct(r['intake'], 0.95) / raw:.0f}x")
    lost = set(r["intakes"]) - set(ids)
    dup = len(r["intakes"]) - len(set(r["intakes"]))
    print(
        f"ledger: {kinds.get('item.intake', 0)} intakes recorded for {len(r['intakes'])} "
        f"answered, {kinds.get('item.transfer', 0)} transfers for {len(r['transfers'])}; "
        f"lost {len(lost)}, duplicated {dup}"
    )
    ok = (
        kinds.get("item.intake", 0) == len(r["intakes"])
        and kinds.get("item.transfer", 0) == len(r["transfers"])
        and not lost
        and not dup
    )
    print(
        f"brady verify: {'passed' if verify.returncode == 0 else 'FAILED'}"
        f"{'' if verify.returncode == 0 else ': ' + verify.stdout[-400:] + verify.stderr[-400:]}"
    )
    print("every answered request is on the ledger exactly once" if ok else "MISMATCH")


if __name__ == "__main__":
    main()
