"""Round trips and statements per request on PostgreSQL, read from libpq's own protocol trace.

    python bench/round_trips.py [--postgres URL] [--requests 30]

The server's app runs in this process (FastAPI's TestClient, no network between client and
app) over a fresh PostgreSQL database, set up as `server_load.py` sets up its run: clerks
with API tokens, a property room, one open case. Every connection the engine opens has
libpq's trace (PQtrace) switched on, so each protocol message the client sends (F) and the
server answers (B) is counted. A round trip is a turn from sending to reading: the client
sent something and waits for the answer before it goes on. A pipeline of statements sent
together costs one. Printed: round trips and statements (Execute or simple Query messages)
per intake and per transfer through the API, and for the intake's custody session alone
(the transaction under the ledger's lock, where round trips cost the most: every one of
them is spent while the other writers wait).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))
from linking_eval import fresh_custody

from brady.accounts.service import Accounts
from brady.cli.admin import bootstrap_admin
from brady.linking.foresight import TALLY

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


class Tracer:
    """libpq traces of every connection an engine opens, each to its own file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[int, Any] = {}
        self.on = False

    def attach(self, engine: Any) -> None:
        @event.listens_for(engine, "checkout")
        def _traced(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
            key = id(dbapi_conn)
            if key not in self.files:
                f = (self.folder / f"conn{len(self.files)}.trace").open("w+b", buffering=0)
                self.files[key] = f
                dbapi_conn.pgconn.trace(f.fileno())
                # Without timestamps: one message a line, direction in the first field.
                from psycopg import pq

                dbapi_conn.pgconn.set_trace_flags(
                    pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE
                )

        # Connections already in the pool: drop them, so the next checkout is traced.
        engine.dispose()

    def mark(self) -> dict[int, int]:
        return {k: os.fstat(f.fileno()).st_size for k, f in self.files.items()}

    def since(self, marks: dict[int, int]) -> tuple[int, int]:
        """(round trips, statements) in every trace since `marks`."""
        trips = statements = 0
        for key, f in self.files.items():
            f.seek(marks.get(key, 0))
            last = "B"
            for line in f.read().decode("utf-8", "replace").splitlines():
                parts = line.split("\t")
                if len(parts) < 3:
                    continue
                direction, kind = parts[0], parts[2]
                if direction == "B" and last == "F":
                    trips += 1
                if direction == "F" and kind in ("Execute", "Query"):
                    statements += 1
                if direction in ("F", "B"):
                    last = direction
        return trips, statements


@contextmanager
def counted(tracer: Tracer, into: list[tuple[int, int]]) -> Iterator[None]:
    marks = tracer.mark()
    yield
    into.append(tracer.since(marks))


def _mean(xs: list[tuple[int, int]], i: int) -> float:
    return sum(x[i] for x in xs) / max(len(xs), 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--postgres", default=DEFAULT_PG)
    ap.add_argument("--requests", type=int, default=30)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="brady-round-trips-"))
    os.environ.setdefault("BRADY_MASTER_KEY_FILE", str(tmp / "master.key"))
    from fastapi.testclient import TestClient

    from brady.server import create_app

    with fresh_custody(tmp, args.postgres) as custody:
        bootstrap_admin(custody)
        with custody.session() as s:
            for k in range(2):
                s.add_user("admin", f"clerk{k}", f"Clerk {k}", ["property_clerk"])
            s.add_user("admin", "pros", "Bench Prosecutor", ["prosecutor"])
            s.add_location("admin", "PR", "Property room", "room")
            s.open_case("pros", "BENCH", "Found property")
        accounts = Accounts(custody.led.engine, custody.led.master_key)
        token = accounts.create_token("clerk0", "bench", "write", "admin")[1]
        tracer = Tracer(tmp)
        tracer.attach(custody.led.engine)
        headers = {"Authorization": f"Bearer {token}"}
        body = {
            "category": "other",
            "description": "Bench item",
            "narrative": "Found property handed in at the front counter",
            "location_id": "PR",
            "case_ids": ["BENCH"],
        }
        intakes: list[tuple[int, int]] = []
        transfers: list[tuple[int, int]] = []
        sessions: list[tuple[int, int]] = []
        with TestClient(create_app(custody.led, anchor_every=None)) as client:
            for i in range(args.requests + 5):  # 5 to warm up: pool, prepared statements
                with counted(tracer, intakes):
                    r = client.post("/api/items", json=body, headers=headers)
                assert r.status_code == 201, r.text
                item = r.json()["item_id"]
                with counted(tracer, transfers):
                    r = client.post(
                        f"/api/items/{item}/steps",
                        json={"action": "transfer", "to_user": "clerk1"},
                        headers=headers,
                    )
                assert r.status_code == 201, r.text
                if i >= 5:
                    continue
                del intakes[-1], transfers[-1]
            caller = accounts.token(token)
            assert caller is not None
            from brady.store import access_queries

            with custody.led.engine.connect() as conn:
                who = access_queries.caller(conn, "clerk0", "write")
            assert who is not None
            ahead: list[tuple[int, int]] = []
            for _ in range(args.requests):
                with counted(tracer, ahead):  # as the API does: suggestions read before the lock
                    seen = custody.foresee_intake("clerk0", body)
                with counted(tracer, sessions), custody.session(who) as s:
                    s.foreseen = seen
                    s.intake("clerk0", **body)
    print(f"PostgreSQL, libpq trace, mean of {args.requests} requests after 5 to warm up:")
    for name, xs in (
        ("intake through the API (POST /api/items)", intakes),
        ("transfer through the API (POST /api/items/X/steps)", transfers),
        ("intake's suggestions read before the lock (no lock held)", ahead),
        ("intake's custody session alone (under the ledger lock)", sessions),
    ):
        print(f"  {name}: {_mean(xs, 0):.1f} round trips, {_mean(xs, 1):.1f} statements")
    print(
        f"suggestions read ahead that held under the lock: {TALLY.held}, partly: {TALLY.partly}, "
        f"read again: {TALLY.read_again}"
    )


if __name__ == "__main__":
    main()
