"""Shared fixtures: real SQLite files and real PostgreSQL databases, one per test.

PostgreSQL is reached at $BRADY_TEST_PG (default: the local server on
127.0.0.1:5432 with trust auth); scripts/test.sh starts or installs one when
none runs. A test that needs it fails, never skips, when it is absent.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import typer.testing
import uvicorn
from argon2 import PasswordHasher
from click import Command
from playwright.sync_api import Browser, sync_playwright
from typer import Typer

from brady.accounts import service as accounts_service
from brady.ledger_home import OpenLedger, init_home

_BUILT: dict[int, Command] = {}


def _command_once(app: Typer) -> Command:
    """Typer builds the click command from the app's functions (their signatures and type
    hints) on every CliRunner.invoke: about 0.2 s, most of the time of a test that gives the
    CLI hundreds of commands. The app does not change during a run, so it is built once."""
    built = _BUILT.get(id(app))
    if built is None:
        built = _BUILT[id(app)] = typer.main.get_command(app)
    return built


typer.testing._get_command = _command_once  # type: ignore[attr-defined]

# The test worlds set a dozen passwords each and sign in hundreds of times: at Brady's
# Argon2id settings (64 MiB, 3 passes) that is most of the suite's time, measuring nothing
# the tests ask about. They hash with the least Argon2id allows; the settings a server uses
# are checked as declared (tests/api/test_accounts.py), and servers started as processes
# (the two-host and worker tests, the benches) hash as in production.
accounts_service.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

PG_ADMIN = os.environ.get("BRADY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(autouse=True, scope="session")
def _master_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep every test's master key outside every test's ledger home."""
    keys = tmp_path_factory.mktemp("master-keys")
    old = os.environ.get("BRADY_MASTER_KEY_FILE")
    os.environ["BRADY_MASTER_KEY_FILE"] = str(keys / "master.key")
    os.environ.pop("BRADY_MASTER_KEY", None)
    os.environ.pop("BRADY_HOME", None)
    yield
    if old is not None:
        os.environ["BRADY_MASTER_KEY_FILE"] = old


def _pg_url(dbname: str) -> str:
    base = PG_ADMIN.rsplit("/", 1)[0]
    return f"{base}/{dbname}".replace("postgresql://", "postgresql+psycopg://", 1)


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (its SQLAlchemy URL); dropped on leaving."""
    name = f"brady_test_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN} (run scripts/test.sh): {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database; dropped afterwards."""
    with fresh_pg_database() as url:
        yield url


@pytest.fixture
def pg_clone() -> Iterator[Callable[[str], str]]:
    """Makes copies of PostgreSQL databases (the 'older copy' of the rollback tests);
    each is dropped afterwards."""
    made: list[str] = []

    def clone(url: str) -> str:
        source = url.rsplit("/", 1)[1]
        name = f"{source}_copy_{secrets.token_hex(3)}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (source,),
            )
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        made.append(name)
        return _pg_url(name)

    yield clone
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """None for the default SQLite file in the home; a URL for PostgreSQL."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("pg_database")
    return url


@pytest.fixture
def ledger(tmp_path: Path, database: str | None) -> Iterator[OpenLedger]:
    led = init_home(tmp_path / "home", database)
    yield led
    led.close()


CHROMIUM = "/usr/bin/chromium"
"""Debian's Chromium (scripts/ensure-chromium.sh): Playwright drives it, nothing is
downloaded."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for a test module; each test opens its own pages or contexts."""
    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(app: Any) -> Iterator[str]:
    """An ASGI app served by uvicorn on a free loopback port, in a thread, for a real
    browser or HTTP client: its base URL; stopped on leaving."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)
