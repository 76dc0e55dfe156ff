"""`brady serve --workers 2`: two real server processes on one ledger, real sockets.

Clerks take items in and hand them over from several threads at once; every answered
request must be on the ledger exactly once, item numbers must never collide between
the processes, both processes must stop cleanly, and the ledger must verify afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from brady.accounts.service import Accounts
from brady.cli.admin import bootstrap_admin
from brady.custody.service import Custody
from brady.ledger_home import OpenLedger
from brady.store.raw_sql import fetch_all

from ..conftest import free_port

CLERKS = 4
ROUNDS = 15


def _serve(home: Path, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "brady.cli", "--home", str(home), "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/banner", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError(f"the server did not come up: {server.communicate()[1][-2000:]!r}")


def _workers_of(server: subprocess.Popen[bytes]) -> set[int]:
    """Process ids of the server's children (uvicorn's worker processes)."""
    kids = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == server.pid:
                kids.add(int(proc.name))
    return kids


def test_two_workers_share_one_ledger(ledger: OpenLedger) -> None:
    custody = Custody(ledger)
    bootstrap_admin(custody)
    with custody.session() as s:
        for k in range(CLERKS):
            s.add_user("admin", f"clerk{k}", f"Clerk {k}", ["property_clerk"])
        s.add_user("admin", "pros", "Prosecutor", ["prosecutor"])
        s.add_location("admin", "PR", "Property room", "room")
        s.open_case("pros", "C1", "Found property")
    accounts = Accounts(ledger.engine, ledger.master_key)
    tokens = [
        accounts.create_token(f"clerk{k}", "test", "write", "admin")[1] for k in range(CLERKS)
    ]
    before = ledger.store.size()
    port = free_port()
    server = _serve(ledger.config.path, port)
    try:
        assert len(_workers_of(server)) >= 2
        base = f"http://127.0.0.1:{port}"

        def clerk(k: int) -> list[str]:
            answered = []
            headers = {"Authorization": f"Bearer {tokens[k]}"}
            with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
                for i in range(ROUNDS):
                    r = c.post(
                        "/api/items",
                        json={
                            "category": "other",
                            "description": f"Item {k}-{i}",
                            "location_id": "PR",
                            "case_ids": ["C1"],
                        },
                    )
                    assert r.status_code == 201, r.text
                    item = r.json()["item_id"]
                    answered.append(item)
                    r = c.post(
                        f"/api/items/{item}/steps",
                        json={"action": "transfer", "to_user": f"clerk{(k + 1) % CLERKS}"},
                    )
                    assert r.status_code == 201, r.text
            return answered

        with ThreadPoolExecutor(CLERKS) as pool:
            items = [i for batch in pool.map(clerk, range(CLERKS)) for i in batch]
    finally:
        os.kill(server.pid, signal.SIGTERM)
        _, err = server.communicate(timeout=60)
    assert server.returncode == 0, err[-2000:]
    assert len(items) == len(set(items)) == CLERKS * ROUNDS
    with ledger.engine.connect() as conn:
        kinds = dict(
            fetch_all(
                conn,
                "SELECT kind, count(*) FROM ledger_entry WHERE seq >= ? GROUP BY kind",
                (before,),
            )
        )
        stored = {
            i
            for (i,) in fetch_all(conn, "SELECT item_id FROM item WHERE item_id LIKE ?", ("ITM-%",))
        }
    assert kinds["item.intake"] == CLERKS * ROUNDS
    assert kinds["item.transfer"] == CLERKS * ROUNDS
    assert stored == set(items)
    # Each worker fixed the access log on the ledger as it stopped (the second finds
    # nothing new, or a later head): at least one anchor, and the whole ledger verifies.
    assert kinds.get("access.anchor", 0) >= 1
    verify = subprocess.run(
        [sys.executable, "-m", "brady.cli", "--home", str(ledger.config.path), "verify"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
