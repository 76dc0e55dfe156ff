"""As-of views at agency scale: one case's compliance as the record stood, beside the same
case's compliance now, on a ledger of about a million entries.

    python bench/as_of_bench.py [--cases 4000] [--items-per-case 25] [--events-per-item 10]

The record is imported through brady.importing.importer (the rules and signatures of
`brady import`): cases opened over five years, a defendant charged and arraigned in most,
items taken in and handed over, moved, checked out and back; every step dated (`at`) when
it happened, so the history has a past. Then, for random charged cases: compliance now
(the live tables), as of a random day of the case's life (a view of that case alone, by
when things happened), and as recorded at a random checkpoint. Each is timed; the ratio is
against the current-state view of the same cases in the same run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from brady.custody.service import Custody
from brady.disclosure import compliance
from brady.domain.moments import end_of_day
from brady.importing.importer import run_import
from brady.ledger_home import init_home
from brady.store import as_of

START = datetime(2020, 1, 1, tzinfo=UTC)
ZONE_NAME = "America/Denver"


def _at(moment: datetime) -> str:
    return moment.isoformat()


def case_events(k: int, items: int, per_item: int, rng: random.Random) -> list[dict[str, Any]]:
    """A case's life: opened, items taken in and handled, a charge and an arraignment."""
    case = f"C-{k:06d}"
    opened = START + timedelta(days=rng.randrange(5 * 365), hours=rng.randrange(24))
    out: list[dict[str, Any]] = [
        {
            "do": "case.open",
            "by": "det",
            "at": _at(opened),
            "case_id": case,
            "title": f"State v. Defendant {k}",
            "numbers": [{"kind": "agency", "number": f"{opened.year}-{k:06d}"}],
        }
    ]
    when = opened
    for n in range(items):
        item = f"{case}-{n:03d}"
        when += timedelta(hours=rng.randrange(1, 48))
        out.append(
            {
                "do": "item.intake",
                "by": "clerk",
                "at": _at(when),
                "item_id": item,
                "category": rng.choice(["drugs", "firearm", "ammunition", "document"]),
                "description": f"Exhibit {n} of case {k}",
                "location_id": rng.choice(["PR-1", "PR-2"]),
                "case_ids": [case],
            }
        )
        holder, pending = "clerk", ""
        for step in range(per_item - 1 + (per_item - 1) % 2):
            when += timedelta(hours=rng.randrange(1, 72))
            if step % 2:  # the one it was handed to takes it
                out.append({"do": "item.receive", "by": pending, "at": _at(when), "item_id": item})
                holder = pending
                continue
            pending = rng.choice(["officer", "clerk2"]) if holder == "clerk" else "clerk"
            out.append(
                {
                    "do": "item.transfer",
                    "by": holder,
                    "at": _at(when),
                    "item_id": item,
                    "to_user": pending,
                }
            )
    if k % 5:
        when += timedelta(days=rng.randrange(1, 30))
        charged = when.date().isoformat()
        out += [
            {
                "do": "case.charge",
                "by": "pros",
                "at": _at(when),
                "case_id": case,
                "person_id": f"P-{k:06d}",
                "charges": ["Possession"],
                "charged_on": charged,
            },
            {
                "do": "case.arraign",
                "by": "pros",
                "at": _at(when + timedelta(days=3)),
                "case_id": case,
                "person_id": f"P-{k:06d}",
                "arraigned_on": (when + timedelta(days=3)).date().isoformat(),
            },
            {
                "do": "disclosure.rules",
                "by": "pros",
                "case_id": case,
                "rule_set_id": "us-nm-district",
                "in_custody": False,
            },
        ]
    return out


def _timed(run: Any) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1e3


def _a_day(led: Any, case_id: str, rng: random.Random) -> date:
    """A random day of the case's first months."""
    with led.engine.connect() as conn:
        opened = conn.exec_driver_sql(
            "SELECT opened_at FROM case_file WHERE case_id = ?", (case_id,)
        ).scalar_one()
    first = datetime.fromisoformat(str(opened).replace("Z", "+00:00")).date()
    return first + timedelta(days=rng.randrange(1, 120))


def _now(led: Any, case_id: str, today: date) -> None:
    with led.engine.connect() as conn:
        assert compliance.compute(conn, case_id, today, led.config.zone) is not None


def _of(led: Any, case_id: str, day: date) -> None:
    zone = led.config.zone
    with as_of.as_of(led.store, end_of_day(day, zone), subject=f"case:{case_id}") as view:
        assert compliance.compute(view.conn, case_id, day, zone) is not None


def _recorded(led: Any, case_id: str, size: int, today: date) -> None:
    with as_of.as_recorded(led.store, size, subject=f"case:{case_id}") as view:
        compliance.compute(view.conn, case_id, today, led.config.zone)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=4000)
    ap.add_argument("--items-per-case", type=int, default=25)
    ap.add_argument("--events-per-item", type=int, default=10)
    ap.add_argument("--batch", type=int, default=50, help="cases per transaction")
    ap.add_argument("--samples", type=int, default=60)
    ap.add_argument("--database", help="PostgreSQL URL (default: SQLite in a temp folder)")
    args = ap.parse_args()
    rng = random.Random(16)
    tmp = Path(tempfile.mkdtemp(prefix="brady-as-of-bench-"))
    os.environ.setdefault("BRADY_MASTER_KEY_FILE", str(tmp / "master.key"))
    led = init_home(tmp / "home", args.database, time_zone=ZONE_NAME)
    custody = Custody(led)
    with custody.session() as s:
        s.add_user(None, "admin", "Admin", ["admin"])
    setup = {
        "brady_import": 1,
        "users": [
            {"user_id": "clerk", "name": "Clerk", "roles": ["property_clerk"]},
            {"user_id": "clerk2", "name": "Clerk Two", "roles": ["property_clerk"]},
            {"user_id": "officer", "name": "Officer", "roles": ["officer"]},
            {"user_id": "det", "name": "Detective", "roles": ["officer"]},
            {"user_id": "pros", "name": "Prosecutor", "roles": ["prosecutor"]},
        ],
        "locations": [
            {"location_id": "PR-1", "name": "Shelf 1", "kind": "shelf"},
            {"location_id": "PR-2", "name": "Shelf 2", "kind": "shelf"},
        ],
        "persons": [
            {"person_id": f"P-{k:06d}", "name": f"Defendant {k}"} for k in range(args.cases)
        ],
        "events": [
            {
                "do": "disclosure.adopt",
                "by": "admin",
                "name": "us-nm-district",
                "settings": {"initial.days": 10, "continuing.days": 7},
                "source": "NMRA 5-501(A); office policy: 7 days (bench)",
                "reason": "Bench cases",
            }
        ],
    }
    run_import(custody, setup, "admin")
    start = time.perf_counter()
    for first in range(0, args.cases, args.batch):
        batch = [
            e
            for k in range(first, min(first + args.batch, args.cases))
            for e in case_events(k, args.items_per_case, args.events_per_item, rng)
        ]
        run_import(custody, {"brady_import": 1, "events": batch}, "admin")
        done = min(first + args.batch, args.cases)
        if done % 500 == 0:
            size = led.store.size()
            print(
                f"  {done:,} cases, {size:,} entries, {size / (time.perf_counter() - start):,.0f}/s"
            )
    size = led.store.size()
    print(f"record: {args.cases:,} cases, {size:,} entries in {time.perf_counter() - start:,.0f} s")

    charged = [f"C-{k:06d}" for k in range(args.cases) if k % 5]
    chosen = rng.sample(charged, min(args.samples, len(charged)))
    with led.engine.connect() as conn:
        checkpoints = [cp.size for cp in led.store.checkpoints(conn)]
    now_t, of_t, rec_t = [], [], []
    today = date(2026, 12, 7)
    _now(led, chosen[0], today)  # warm the caches once, as a server would be
    for case_id in chosen:
        day = _a_day(led, case_id, rng)
        size_then = rng.choice(checkpoints[len(checkpoints) // 2 :])
        now_t.append(_timed(lambda c=case_id: _now(led, c, today)))
        of_t.append(_timed(lambda c=case_id, d=day: _of(led, c, d)))
        rec_t.append(_timed(lambda c=case_id, n=size_then: _recorded(led, c, n, today)))
    base = _p(now_t, 0.95)
    for label, times in (
        ("compliance now (live tables)", now_t),
        ("compliance as of a day", of_t),
        ("compliance as recorded", rec_t),
    ):
        print(
            f"{label:<32} p50 {statistics.median(times) * 1e3:8.1f} ms  "
            f"p95 {_p(times, 0.95):8.1f} ms  ratio p95/now {_p(times, 0.95) / base:6.1f}"
        )


if __name__ == "__main__":
    main()
