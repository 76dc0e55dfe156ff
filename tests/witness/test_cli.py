"""`brady witness init | add-log | serve | status`, as a court clerk's office runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from brady.cli.app import app
from brady.ledger.cosignature import Cosigner, cosignatures_on
from brady.ledger.ed25519 import Signer
from brady.witness.client import offer_checkpoint

from ..conftest import free_port
from .helpers import Log

runner = CliRunner()
BIN = Path(sys.executable).parent


def witness(*args: str) -> tuple[int, str]:
    done = runner.invoke(app, ["witness", *args])
    return done.exit_code, done.output


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli") / "witness"


@pytest.fixture(scope="module")
def vkey(folder: Path) -> str:
    code, out = witness("init", "clerk.example-county.gov/w1", "--dir", str(folder))
    assert code == 0, out
    return out.split("\n")[2]


def test_init_makes_a_private_key_and_refuses_a_second_time(folder: Path, vkey: str) -> None:
    assert Cosigner.from_vkey(vkey).name == "clerk.example-county.gov/w1"
    assert (folder / "witness.key").stat().st_mode & 0o777 == 0o600
    code, out = witness("init", "other.example/w", "--dir", str(folder))
    assert code == 1 and "already holds a witness" in out


def test_add_log_and_status(folder: Path, vkey: str, tmp_path: Path) -> None:
    log = Log()
    code, out = witness("add-log", log.origin, log.vkey, "--dir", str(folder))
    assert code == 0 and "now follows" in out, out
    keyfile = tmp_path / "log.vkey"
    keyfile.write_text(log.vkey + "\n")
    code, out = witness("add-log", log.origin, f"@{keyfile}", "--dir", str(folder))
    assert code == 0 and "already follows" in out
    code, out = witness("add-log", "brady.test/elsewhere", log.vkey, "--dir", str(folder))
    assert code == 1 and "not 'brady.test/elsewhere'" in out
    other = Log(signer=Signer(b"\x09" * 32))
    code, out = witness("add-log", log.origin, other.vkey, "--dir", str(folder))
    assert code == 1 and "will not change a log's key" in out
    code, out = witness("status", "--dir", str(folder))
    assert code == 0 and f"{log.origin}: 0 entries, nothing cosigned yet" in out
    assert "No inconsistent checkpoint" in out and vkey in out
    done = runner.invoke(app, ["--json", "witness", "status", "--dir", str(folder)])
    data = json.loads(done.output)
    assert data["witness"] == vkey and data["logs"][0]["size"] == 0


def test_a_key_others_can_read_is_refused(folder: Path, vkey: str) -> None:
    key = folder / "witness.key"
    key.chmod(0o644)
    try:
        code, out = witness("status", "--dir", str(folder))
        assert code == 1 and "chmod 600" in out
    finally:
        key.chmod(0o600)
    code, out = witness("status", "--dir", str(folder / "nowhere"))
    assert code == 1 and "brady witness init" in out


def test_serve_cosigns_and_status_shows_the_evidence(folder: Path, vkey: str) -> None:
    log = Log().grow(6)
    witness("add-log", log.origin, log.vkey, "--dir", str(folder))
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "brady"), "witness", "serve", "--dir", str(folder), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        offer = None
        for _ in range(300):
            try:
                offer = offer_checkpoint(url, 0, [], log.note())
                break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                time.sleep(0.05)
        assert offer is not None and offer.status == 200, offer
        assert cosignatures_on(log.note() + offer.detail, [Cosigner.from_vkey(vkey)])
        fork = log.fork(4, "rewritten")
        refused = offer_checkpoint(url, 6, [], fork.note())
        assert refused.status == 422
    finally:
        os.kill(server.pid, signal.SIGINT)
        server.wait(timeout=30)
    code, out = witness("status", "--dir", str(folder))
    assert code == 0 and f"{log.origin}: 6 entries, last cosigned" in out
    assert "Evidence 1" in out and "SPLIT VIEW PROVEN" in out
    code, out = witness("status", "--dir", str(folder), "--show", "1")
    assert code == 0 and out.startswith("brady split-view proof v1\n")
    assert log.note() in out and fork.note() in out
    code, out = witness("status", "--dir", str(folder), "--show", "9")
    assert code == 3 and "no evidence number 9" in out
