"""Two hosts that share nothing but PostgreSQL and an S3 bucket.

Two real `brady serve` processes, each with its own home folder (a copy of one brady.toml),
its own copy of the master key and its own working directory, on one database and one
bucket (moto's stand-alone S3 server over real HTTP, or BRADY_TEST_S3). Clerks work on both
at once, each taking items in on one host and handing them over on the other; then every
answered intake is on the ledger once, no item id, production id or Bates number is given
twice, a file uploaded on one host downloads whole from the other, a production built on one
is downloaded from the other, failed sign-ins spread over both hosts lock the account on
both, and `brady verify`, run from a third home, passes.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest

from brady.accounts.permissions import Permissions
from brady.accounts.service import Accounts
from brady.custody.service import Custody
from brady.disclosure.desk import Desk
from brady.domain.errors import RefusedError
from brady.ledger_home import init_home, open_home

from ..blobs.conftest import S3Server, s3_server  # noqa: F401  (the session's S3 server)
from ..blobs.test_ledger_files import use_bucket
from ..conftest import free_port, fresh_pg_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CLERKS = 4  # per host
ROUNDS = 25  # intakes per clerk: 200 in all, each handed over on the other host
UPLOAD_EVERY = 5  # every fifth item gets a file, downloaded back from the other host
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Host:
    home: Path  # holds brady.toml only
    env: dict[str, str]  # names its own copy of the master key
    work: Path  # its working directory


@dataclass
class Cluster:
    hosts: list[str]  # base URLs of host A and host B
    tokens: dict[str, str]
    database: str
    auditor: Host  # a third home, for `brady verify`
    servers: list[subprocess.Popen[bytes]] = field(default_factory=list)


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A fresh PostgreSQL database for the module, dropped after."""
    with fresh_pg_database() as url:
        yield url


def _seed(home: Path) -> dict[str, str]:
    """Users, a charged case with counsel assigned, a rule set; API tokens for them."""
    led = open_home(home, writable=True)
    custody = Custody(led)
    with custody.session() as s:
        s.add_user(None, "admin", "Administrator", ["admin"])
    clerks = [f"clerk{k}" for k in range(2 * CLERKS)]
    with custody.session() as s:
        for user in clerks:
            s.add_user("admin", user, f"Clerk {user}", ["property_clerk"])
        s.add_user("admin", "victim", "Vic Tim", ["property_clerk"])
        s.add_user("admin", "pros", "Prosecutor", ["prosecutor"])
        s.add_user("admin", "def", "Defense counsel", ["defense_counsel"])
        s.add_location("admin", "PR", "Property room", "room")
        s.add_person("pros", "P1", "Dana Delacroix")
        s.open_case("pros", "C1", "State v. Delacroix")
        s.add_party("pros", "C1", "P1", "defendant")
        s.charge("pros", "C1", "P1", ["Burglary"], "2024-01-31")
        for user, role in (("pros", "prosecutor"), ("def", "defense_counsel")):
            Permissions(s).assign("admin", "C1", user, role)
        Desk(s).adopt_rules(
            "admin", "us-nm-district", {"initial.days": 10, "continuing.days": 10}, "NMRA", "NM"
        )
    accounts = Accounts(led.engine, led.master_key)
    accounts.set_password("victim", PASSWORD, "admin")
    tokens = {
        u: accounts.create_token(u, "two hosts", "write", "admin")[1]
        for u in [*clerks, "pros", "def", "admin"]
    }
    led.close()
    return tokens


def _host(root: Path, name: str, template: Path, key: Path) -> Host:
    """What a second host is given: brady.toml (origin, log key's public half, database,
    bucket) and a copy of the master key, kept outside its home. Nothing else of the first
    host's folders; the log key and every actor key are sealed in the database."""
    home = root / name / "home"
    home.mkdir(parents=True)
    shutil.copy(template / "brady.toml", home / "brady.toml")
    keys = root / name / "keys"
    keys.mkdir()
    shutil.copy(key, keys / "master.key")
    (keys / "master.key").chmod(0o600)
    work = root / name / "work"
    work.mkdir()
    env = {**os.environ, "BRADY_MASTER_KEY_FILE": str(keys / "master.key")}
    env.pop("BRADY_HOME", None)
    return Host(home, env, work)


def _start(host: Host, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "brady.cli", "--home", str(host.home), "serve"]
    return subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=host.work,
        env=host.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_up(server: subprocess.Popen[bytes], base: str) -> None:
    for _ in range(600):
        if server.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/api/banner", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError(f"a host did not come up: {server.communicate()[1][-3000:]!r}")


@pytest.fixture(scope="module")
def cluster(
    database: str,
    s3_server: S3Server,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("two-hosts")
    first = root / "init" / "home"
    led = init_home(first, database)
    key = Path(os.environ["BRADY_MASTER_KEY_FILE"])
    led.close()
    use_bucket(first, s3_server.settings(s3_server.bucket(), first / "blobs"))
    tokens = _seed(first)
    a, b, auditor = (_host(root, name, first, key) for name in ("host-a", "host-b", "auditor"))
    ports = [free_port(), free_port()]
    cluster = Cluster([f"http://127.0.0.1:{p}" for p in ports], tokens, database, auditor)
    cluster.servers = [_start(host, port) for host, port in zip((a, b), ports, strict=True)]
    try:
        for server, base in zip(cluster.servers, cluster.hosts, strict=True):
            _wait_up(server, base)
        yield cluster
    finally:
        for server in cluster.servers:
            if server.poll() is None:
                os.kill(server.pid, signal.SIGTERM)
        for server in cluster.servers:
            server.communicate(timeout=60)


def _ledger_size(database: str) -> int:
    with psycopg.connect(database.replace("+psycopg", "")) as conn:
        row = conn.execute("SELECT count(*) FROM ledger_entry").fetchone()
    assert row is not None
    return int(row[0])


def _rows(database: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(database.replace("+psycopg", "")) as conn:
        return list(conn.execute(sql).fetchall())


def _client(cluster: Cluster, host: int, user: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {cluster.tokens[user]}"}
    return httpx.Client(base_url=cluster.hosts[host], headers=headers, timeout=60)


def _intake(c: httpx.Client, description: str) -> str:
    r = c.post(
        "/api/items",
        json={
            "category": "other",
            "description": description,
            "location_id": "PR",
            "case_ids": ["C1"],
        },
    )
    assert r.status_code == 201, r.text
    return str(r.json()["item_id"])


@dataclass
class Work:
    items: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # item -> sha256 of its upload
    refused: list[str] = field(default_factory=list)  # every answer that was not 2xx


def test_clerks_on_both_hosts_lose_nothing_and_never_share_a_number(cluster: Cluster) -> None:
    def clerk(k: int) -> Work:
        """Clerk k works at host k % 2: takes items in there, hands each over to the next
        clerk on the other host, and downloads each file it attached from the other host."""
        me, other = k % 2, 1 - k % 2
        done = Work()
        user, to = f"clerk{k}", f"clerk{(k + 1) % (2 * CLERKS)}"
        with _client(cluster, me, user) as here, _client(cluster, other, user) as there:
            for i in range(ROUNDS):
                r = here.post(
                    "/api/items",
                    json={
                        "category": "other",
                        "description": f"Item {k}-{i}",
                        "location_id": "PR",
                        "case_ids": ["C1"],
                    },
                )
                if r.status_code != 201:
                    done.refused.append(f"intake {r.status_code} {r.text}")
                    continue
                item = str(r.json()["item_id"])
                done.items.append(item)
                if i % UPLOAD_EVERY == 0:
                    body = secrets.token_bytes(40_000 + i)
                    r = here.post(f"/api/items/{item}/files", files={"file": ("v.bin", body)})
                    if r.status_code != 201:
                        done.refused.append(f"upload {r.status_code} {r.text}")
                    else:
                        done.files[item] = hashlib.sha256(body).hexdigest()
                        got = there.get(f"/api/items/{item}/files/{done.files[item]}")
                        if got.status_code != 200:
                            done.refused.append(f"download {got.status_code} {got.text}")
                        elif hashlib.sha256(got.content).hexdigest() != done.files[item]:
                            done.refused.append(f"download of {item}'s file differs")
                r = there.post(
                    f"/api/items/{item}/steps", json={"action": "transfer", "to_user": to}
                )
                if r.status_code != 201:
                    done.refused.append(f"transfer {r.status_code} {r.text}")
        return done

    before = _ledger_size(cluster.database)
    with ThreadPoolExecutor(2 * CLERKS) as pool:
        work = list(pool.map(clerk, range(2 * CLERKS)))
    assert [w for done in work for w in done.refused] == []
    items = [i for done in work for i in done.items]
    assert len(items) == len(set(items)) == 2 * CLERKS * ROUNDS
    kinds = dict(
        _rows(
            cluster.database,
            f"SELECT kind, count(*) FROM ledger_entry WHERE seq >= {before} GROUP BY kind",
        )
    )
    assert kinds["item.intake"] == kinds["item.transfer"] == 2 * CLERKS * ROUNDS
    files = {i: f for done in work for i, f in done.files.items()}
    assert kinds["file.attach"] == len(files) == 2 * CLERKS * (ROUNDS // UPLOAD_EVERY)
    stored = {str(i) for (i,) in _rows(cluster.database, "SELECT item_id FROM item")}
    assert set(items) <= stored
    seqs = [int(s) for (s,) in _rows(cluster.database, "SELECT seq FROM ledger_entry ORDER BY seq")]
    assert seqs == list(range(len(seqs)))  # one chain: no position taken twice or skipped


def test_a_production_built_on_one_host_is_downloaded_from_the_other(cluster: Cluster) -> None:
    with _client(cluster, 0, "clerk0") as a:
        items = [_intake(a, f"Exhibit {n}") for n in range(4)]
        body = secrets.token_bytes(70_000)
        r = a.post(f"/api/items/{items[0]}/files", files={"file": ("scan.bin", body)})
        assert r.status_code == 201, r.text
    sha = hashlib.sha256(body).hexdigest()
    asked = [
        [f"item:{items[0]}", f"file:{sha}", f"item:{items[1]}"],
        [f"item:{i}" for i in items[2:]],
    ]

    def produce(host: int) -> httpx.Response:
        # Both at once: the one recorded second was numbered before the first was recorded;
        # the server makes it again with the next id and Bates numbers (MAKE_AGAIN).
        with _client(cluster, host, "pros") as c:
            return c.post(
                "/api/cases/C1/productions", json={"recipient": "def", "units": asked[host]}
            )

    with ThreadPoolExecutor(2) as pool:
        made = list(pool.map(produce, (0, 1)))
    assert [r.status_code for r in made] == [201, 201], [r.text for r in made]
    ids = [r.json()["production_id"] for r in made]
    assert len(set(ids)) == 2
    bates = [str(b) for (b,) in _rows(cluster.database, "SELECT bates FROM production_unit")]
    assert sorted(bates) == [f"BRADY-{n:06d}" for n in range(1, 6)]
    for built, host in zip(made, (1, 0), strict=True):  # each from the host that did not build it
        pid = built.json()["production_id"]
        with _client(cluster, host, "def") as c:
            got = c.get(f"/api/productions/{pid}/bag")
        assert got.status_code == 200, got.text
        with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
            tags = zf.read(f"{pid}/tagmanifest-sha256.txt")
            names = zf.namelist()
            if built is made[0]:  # the file uploaded to host A, produced there, read from B
                (copy,) = [n for n in names if n.endswith("_scan.bin")]
                assert hashlib.sha256(zf.read(copy)).hexdigest() == sha
        assert hashlib.sha256(tags).hexdigest() == built.json()["bag_sha256"]
        assert any(n.startswith(f"{pid}/data/custody/") for n in names)


def test_failed_sign_ins_on_both_hosts_lock_the_account_on_both(cluster: Cluster) -> None:
    def sign_in(host: int, password: str) -> httpx.Response:
        return httpx.post(
            f"{cluster.hosts[host]}/api/session",
            json={"user_id": "victim", "password": password},
            timeout=60,
        )

    opened = sign_in(1, PASSWORD)
    assert opened.status_code == 200, opened.text
    cookie = {"Cookie": f"brady_session={opened.cookies['brady_session']}"}
    csrf = {**cookie, "X-CSRF-Token": opened.json()["csrf_token"]}
    # The session begun on host B is host A's too, with its CSRF token.
    assert httpx.post(f"{cluster.hosts[0]}/api/session/banner", headers=csrf).status_code == 200
    assert httpx.get(f"{cluster.hosts[0]}/api/me", headers=cookie).status_code == 200
    for host in (0, 1, 0, 1, 0):  # five wrong passwords, spread over both hosts
        assert sign_in(host, "not the password at all").status_code == 401
    for host in (0, 1):
        refused = sign_in(host, PASSWORD)
        assert refused.status_code == 401 and "locked" in refused.text
        assert httpx.get(f"{cluster.hosts[host]}/api/me", headers=cookie).status_code == 401
    ((locked,),) = _rows(cluster.database, "SELECT locked_at FROM account WHERE user_id = 'victim'")
    assert locked is not None


def test_the_ledger_verifies_from_a_third_home(cluster: Cluster) -> None:
    for server in cluster.servers:
        os.kill(server.pid, signal.SIGTERM)
    for server in cluster.servers:
        _, err = server.communicate(timeout=60)
        # uvicorn stops gracefully, then raises the signal it caught again (0.29 and later).
        assert server.returncode in (0, -signal.SIGTERM), err[-2000:]
        assert b"Traceback" not in err, err[-2000:]
    kinds = dict(_rows(cluster.database, "SELECT kind, count(*) FROM ledger_entry GROUP BY kind"))
    assert kinds.get("access.anchor", 0) >= 1  # a host fixed the shared access log as it stopped
    verify = subprocess.run(
        [sys.executable, "-m", "brady.cli", "--home", str(cluster.auditor.home), "verify"],
        cwd=cluster.auditor.work,
        env=cluster.auditor.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_bates_numbers_that_do_not_continue_the_case_are_refused(tmp_path: Path) -> None:
    """A production is numbered (and its bag built) before its turn to be recorded: one made
    meanwhile on another host, under another id, must not leave two units one number."""
    led = init_home(tmp_path / "home")
    custody = Custody(led)
    with custody.session() as s:
        s.add_user(None, "admin", "Administrator", ["admin"])
    with custody.session() as s:
        s.add_user("admin", "pros", "Prosecutor", ["prosecutor"])
        s.add_user("admin", "clerk", "Clerk", ["property_clerk"])
        s.add_location("admin", "PR", "Property room", "room")
        s.add_person("pros", "P1", "Dana Delacroix")
        s.open_case("pros", "C1", "State v. Delacroix")
        s.add_party("pros", "C1", "P1", "defendant")
        s.charge("pros", "C1", "P1", ["Burglary"], "2024-01-31")
        for item in ("I1", "I2"):
            s.intake(
                "clerk",
                item_id=item,
                category="other",
                description=item,
                location_id="PR",
                case_ids=["C1"],
            )
    size = led.store.size()

    def record(production_id: str, unit: str, bates: str) -> None:
        with custody.session() as s:
            Desk(s).produce(
                "pros",
                "C1",
                production_id,
                "counsel",
                [{"unit": unit, "bates": bates}],
                hashlib.sha256(production_id.encode()).hexdigest(),
                size,
            )

    record("C1-P1", "item:I1", "BRADY-000001")
    with pytest.raises(RefusedError, match="BRADY-000002"):
        record("C1-CLI", "item:I2", "BRADY-000001")  # numbered before P1 was recorded
    record("C1-CLI", "item:I2", "BRADY-000002")
    led.close()
