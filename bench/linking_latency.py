"""Linking latency: how long one intake waits for its link suggestions, as the record grows.

    python bench/linking_latency.py [--sizes 10000,100000,1000000] [--postgres URL]
                                    [--samples 200] [--home DIR]

One ledger grows through each size of `--sizes` (persons; one case per 10 persons,
each case with a defendant, a victim and a witness, a case number, a narrative
naming a street, and one item of its own). At each size, `--samples` new intakes
are recorded through the real command path (linking on), each naming a random
existing person (a third of them misspelled), a street, a caliber and sometimes
a case number, and the bench prints, in milliseconds:

  * suggest: finding and scoring the candidate cases for the new item
    (Session.suggest_links: mention-index lookups and the database's text search);
  * intake: the whole command: validation, signing, the append, the projections,
    the suggestions found and recorded as ledger events, the commit.

Baseline, same run: a raw SQLite insert of one row per commit (the floor of any
durable write here). Names follow a Zipf law over 20,000 synthetic surnames, so
common surnames are shared by thousands of persons, as in a real county.

The bulk load itself goes through the same service (rules, signatures, projections)
with linking switched off, so that loading 10^6 persons takes minutes, not hours;
only the measured intakes run the linker. On PostgreSQL the load is followed by
VACUUM (ANALYZE), which autovacuum does on a production server. Nothing is asserted.

`--home DIR` keeps the grown ledger there (SQLite file, or the PostgreSQL database it
names) and, when run again, goes on from the persons it already holds: a figure can be
measured again on a quiet machine without loading a million persons again.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from brady.cli.admin import bootstrap_admin
from brady.custody.service import Custody, Session
from brady.importing.importer import run_import
from brady.ledger_home import init_home, open_home
from brady.store.home import CONFIG_NAME
from brady.store.raw_sql import fetch_all

sys.path.insert(0, str(Path(__file__).resolve().parent))
from linking_eval import fresh_custody

_FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy "
    "Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily "
    "Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Dorothy George Melissa "
    "Timothy Deborah Ronald Stephanie Jason Rebecca Edward Sharon Jeffrey Laura Ryan Cynthia"
)
_SYLLABLE_TEXT = (
    "ar ba be bo ca ce co da de do el en es fa fe ga go ha he in ja ke la le lo ma me mi mo "
    "na ne no or pa pe ra re ri ro sa se so ta te to va ve vi wa we ya za zo"
)
FIRST = _FIRST_NAMES.split()
_SYLLABLES = _SYLLABLE_TEXT.split()
STREETS = [f"{w.title()} Road" for w in ("cerrillos", "airport", "siler", "agua fria", "rufina")]
STREETS += [f"{a.title()}{b} Street" for a, b in itertools.product(_SYLLABLES[:40], ("n", "x"))]
CALIBERS = (".45 Colt", "9mm", ".38 Special", "12 gauge", ".22 LR", ".357 Magnum")


def surnames(n: int = 20_000) -> list[str]:
    rng = random.Random(7)
    out: set[str] = set()
    while len(out) < n:
        k = rng.choice((2, 3, 3, 4))
        out.add("".join(rng.choice(_SYLLABLES) for _ in range(k)).title())
    return sorted(out)


class Population:
    """Deterministic synthetic people: person k always has the same name."""

    def __init__(self) -> None:
        self.last = surnames()
        self.weights = list(itertools.accumulate(1 / (r + 1) for r in range(len(self.last))))

    def name(self, k: int) -> str:
        rng = random.Random(k)
        last = rng.choices(self.last, cum_weights=self.weights)[0]
        return f"{rng.choice(FIRST)} {last}"


def _events_for(pop: Population, first: int, last: int) -> Iterator[dict[str, Any]]:
    """Persons [first, last); per 10 persons a case with 3 parties and one item."""
    for k in range(first, last):
        yield {"do": "person.add", "by": "pros", "person_id": f"P{k}", "name": pop.name(k)}
        if k % 10 == 9:
            c = k // 10
            rng = random.Random(-k)
            case_id, street = f"C{c}", rng.choice(STREETS)
            yield {
                "do": "case.open",
                "by": "pros",
                "case_id": case_id,
                "title": f"State v. {pop.name(k - 9)}",
                "numbers": [{"kind": "agency", "number": f"2024-SF-{c:06d}"}],
                "narrative": f"Burglary reported on {street}.",
            }
            for offset, role in ((9, "defendant"), (8, "victim"), (7, "witness")):
                yield {
                    "do": "case.party",
                    "by": "pros",
                    "case_id": case_id,
                    "person_id": f"P{k - offset}",
                    "role": role,
                }
            yield {
                "do": "item.intake",
                "by": "clerk",
                "item_id": f"I{c}",
                "category": "firearm",
                "description": f"{rng.choice(CALIBERS)} revolver, serial X{c:07d}",
                "narrative": f"Taken from {pop.name(k - 9)} on {street}.",
                "location_id": "PR",
                "case_ids": [case_id],
            }


def grow(custody: Custody, pop: Population, have: int, want: int, batch: int = 5000) -> None:
    """Bulk load with linking off (see the module docstring); same rules otherwise."""
    saved = Session.link_item, Session.link_party
    Session.link_item = lambda self, item_id, occurred_at=None, seen=None: []  # type: ignore[method-assign]
    Session.link_party = lambda self, case_id, person_id, occurred_at=None: []  # type: ignore[method-assign]
    try:
        events = _events_for(pop, have, want)
        while chunk := list(itertools.islice(events, batch)):
            run_import(custody, {"brady_import": 1, "events": chunk}, "admin")
    finally:
        Session.link_item, Session.link_party = saved


def settle(custody: Custody) -> None:
    """On PostgreSQL, VACUUM (ANALYZE) after the bulk load, as autovacuum would on a
    production server (it is off on this machine's): without it the planner has no
    statistics and every index-only scan still visits the table."""
    engine = custody.led.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")


def _misspell(name: str, rng: random.Random) -> str:
    first, last = name.split(" ", 1)
    i = rng.randrange(1, len(last) - 1)
    return f"{first} {last[:i]}{last[i + 1 :]}"


def measure(custody: Custody, pop: Population, persons: int, samples: int) -> dict[str, Any]:
    rng = random.Random(persons)
    suggest, intake, found = [], [], []
    for n in range(samples):
        name = pop.name(rng.randrange(persons))
        if n % 3 == 0:
            name = _misspell(name, rng)
        narrative = f"Found by {name} on {rng.choice(STREETS)}, {rng.choice(CALIBERS)} rounds"
        if n % 4 == 0:
            narrative += f"; see report 2024-SF-{rng.randrange(persons // 10):06d}"
        t0 = time.perf_counter()
        with custody.session() as s:
            entry = s.intake(
                "clerk",
                category="ammunition",
                description="Loose rounds",
                narrative=narrative,
                location_id="PR",
                case_ids=["BENCH"],
            )
        intake.append(time.perf_counter() - t0)
        item_id = str(entry.payload["item_id"])
        with custody.session() as s:
            t1 = time.perf_counter()
            s.suggest_links(item_id)  # the same work the intake did (now a dry run)
            suggest.append(time.perf_counter() - t1)
            recorded = fetch_all(
                s.conn, "SELECT count(*) FROM link_suggestion WHERE item_id = ?", (item_id,)
            )
            found.append(int(recorded[0][0]))
    return {"suggest": suggest, "intake": intake, "found": found}


def raw_sqlite_commit(n: int = 300) -> float:
    with tempfile.TemporaryDirectory() as d:
        db = sqlite3.connect(Path(d) / "raw.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)")
        times = []
        for k in range(n):
            t = time.perf_counter()
            db.execute("INSERT INTO t VALUES (?, ?)", (k, os.urandom(400)))
            times.append(time.perf_counter() - t)
        db.close()
    return statistics.median(times)


def _ms(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))] * 1e3


@contextmanager
def _custody(tmp: Path, postgres: str | None, keep: bool) -> Iterator[Custody]:
    """The bench's ledger: reopened if kept from an earlier run, else made afresh."""
    if (tmp / "home" / CONFIG_NAME).exists():
        led = open_home(tmp / "home", writable=True)
        try:
            yield Custody(led)
        finally:
            led.close()
        return
    maker = _kept if keep else fresh_custody
    with maker(tmp, postgres) as custody:
        bootstrap_admin(custody)
        with custody.session() as s:
            s.add_user("admin", "clerk", "Bench Clerk", ["property_clerk"])
            s.add_user("admin", "pros", "Bench Prosecutor", ["prosecutor"])
            s.add_location("admin", "PR", "Property room", "room")
            s.open_case("pros", "BENCH", "Found property")
        yield custody


@contextmanager
def _kept(tmp: Path, postgres: str | None) -> Iterator[Custody]:
    url = None
    if postgres is not None:
        import psycopg

        name = f"brady_linkbench_{secrets.token_hex(4)}"
        admin_url = postgres.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        url = f"{base}/{name}"
    led = init_home(tmp / "home", url)
    try:
        yield Custody(led)
    finally:
        led.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000", help="persons, ascending")
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--postgres", help="a PostgreSQL server URL; default: SQLite")
    ap.add_argument("--home", type=Path, help="keep (or reuse) the grown ledger here")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    tmp = args.home or Path(tempfile.mkdtemp(prefix="brady-linking-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("BRADY_MASTER_KEY_FILE", str(tmp / "master.key"))
    pop = Population()
    where = "PostgreSQL" if args.postgres else "SQLite"
    base = raw_sqlite_commit() * 1e3
    print(f"linking latency on {where}, {args.samples} intakes per size")
    print(f"baseline: raw SQLite insert, 1 row per commit: median {base:.2f} ms\n")
    print(
        f"{'persons':>10} {'cases':>8} {'ledger':>10} {'load s':>7} | "
        f"{'suggest p50':>11} {'p95':>7} {'max':>7} | {'intake p50':>10} {'p95':>7} "
        f"{'max':>7} | {'p95/base':>8} {'cases found':>11}"
    )
    with _custody(tmp, args.postgres, keep=args.home is not None) as custody:
        with custody.led.engine.connect() as conn:
            have = int(fetch_all(conn, "SELECT count(*) FROM person")[0][0])
        for size in sizes:
            if size < have:
                continue
            t = time.perf_counter()
            grow(custody, pop, have, size)
            settle(custody)
            load, have = time.perf_counter() - t, size
            r = measure(custody, pop, size, args.samples)
            print(
                f"{size:>10,} {size // 10:>8,} {custody.led.store.size():>10,} {load:>7.0f} | "
                f"{_ms(r['suggest'], 0.5):>11.2f} {_ms(r['suggest'], 0.95):>7.2f} "
                f"{_ms(r['suggest'], 1.0):>7.2f} | {_ms(r['intake'], 0.5):>10.2f} "
                f"{_ms(r['intake'], 0.95):>7.2f} {_ms(r['intake'], 1.0):>7.2f} | "
                f"{_ms(r['intake'], 0.95) / base:>8.1f} {statistics.mean(r['found']):>11.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
