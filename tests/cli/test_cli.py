"""The `brady` and `brady-verify` commands, as a clerk or a defense expert would run them."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from brady.cli.app import app
from brady.ledger.offline import verify_consistency_proof, verify_proof
from brady.ledger_home import OpenLedger

from ..store.helpers import fill

runner = CliRunner()
BIN = Path(sys.executable).parent


def brady(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "brady"), *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def verifier(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "brady.ledger", *args], capture_output=True, text=True, check=False
    )


@pytest.fixture
def home(ledger: OpenLedger) -> Path:
    fill(ledger, batches=4)
    return ledger.config.path


def test_init_then_refuses_a_second_init(tmp_path: Path) -> None:
    out = brady("init", str(tmp_path / "h"))
    assert out.returncode == 0, out.stderr
    assert "Created a new ledger" in out.stdout
    again = brady("init", str(tmp_path / "h"))
    assert again.returncode == 1
    assert again.stderr.strip().count("\n") == 0
    assert again.stderr.startswith("Error: ") and "already holds a Brady ledger" in again.stderr


def test_no_ledger_here_says_what_to_do(tmp_path: Path) -> None:
    out = brady("ledger", "key", cwd=tmp_path)
    assert out.returncode == 1
    assert "run 'brady init" in out.stderr and out.stderr.count("\n") == 1


def test_home_is_found_like_git_finds_a_repository(home: Path) -> None:
    sub = home / "blobs"
    by_parent = brady("ledger", "key", cwd=sub)
    assert by_parent.returncode == 0, by_parent.stderr
    env_run = subprocess.run(
        [str(BIN / "brady"), "ledger", "key"],
        capture_output=True,
        text=True,
        cwd="/",
        env={**os.environ, "BRADY_HOME": str(home)},
        check=False,
    )
    assert env_run.stdout == by_parent.stdout
    assert by_parent.stdout.strip() == brady("--home", str(home), "ledger", "key").stdout.strip()


def test_master_key_inside_the_home_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "BRADY_MASTER_KEY_FILE": str(tmp_path / "h" / "master.key")}
    out = subprocess.run(
        [str(BIN / "brady"), "init", str(tmp_path / "h")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode == 5  # the master key's place: for the administrator to fix
    assert "inside the ledger home" in out.stderr


def test_entry_checkpoint_and_inclusion_proof(home: Path, tmp_path: Path) -> None:
    h = ["--home", str(home)]
    vkey = runner.invoke(app, [*h, "ledger", "key"]).stdout.strip()
    raw = runner.invoke(app, [*h, "ledger", "entry", "5"]).stdout_bytes
    assert json.loads(raw)["seq"] == 5
    proof = runner.invoke(app, [*h, "ledger", "prove", "5"]).stdout
    cp, entry = verify_proof(proof, vkey, raw)
    assert cp.size == 22 and entry is not None and entry.seq == 5
    # The defense's verifier agrees, and refuses another entry under the same proof.
    (tmp_path / "proof").write_text(proof)
    (tmp_path / "entry").write_bytes(raw)
    (tmp_path / "other").write_bytes(runner.invoke(app, [*h, "ledger", "entry", "6"]).stdout_bytes)
    ok = verifier(
        "proof", str(tmp_path / "proof"), "--entry", str(tmp_path / "entry"), "--key", vkey
    )
    assert ok.returncode == 0, ok.stderr
    bad = verifier(
        "proof", str(tmp_path / "proof"), "--entry", str(tmp_path / "other"), "--key", vkey
    )
    assert bad.returncode == 1 and "NOT VERIFIED" in bad.stderr
    # An older checkpoint size gives a proof against that checkpoint.
    older = runner.invoke(app, [*h, "ledger", "prove", "5", "--size", "12"]).stdout
    assert verify_proof(older, vkey, raw)[0].size == 12


def test_consistency_proof(home: Path) -> None:
    h = ["--home", str(home)]
    vkey = runner.invoke(app, [*h, "ledger", "key"]).stdout.strip()
    old = runner.invoke(app, [*h, "ledger", "checkpoint", "--size", "7"]).stdout
    new = runner.invoke(app, [*h, "ledger", "checkpoint"]).stdout
    lines = runner.invoke(app, [*h, "ledger", "consistency", "7"]).stdout.split()
    verify_consistency_proof(old, new, vkey, [base64.b64decode(x) for x in lines])
    as_json = json.loads(
        runner.invoke(app, [*h, "--json", "ledger", "consistency", "7", "22"]).stdout
    )
    assert as_json["proof"] == lines


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ledger", "entry", "999"], "there is no entry 999"),
        (["ledger", "prove", "3", "--size", "5"], "no checkpoint was signed at size 5"),
        (["ledger", "consistency", "30", "12"], "no consistency proof from size 30 to size 12"),
        (["ledger", "prove", "30", "--size", "12"], "entry 30 is not in a tree of 12"),
    ],
)
def test_bad_requests_are_one_clear_line(home: Path, args: list[str], message: str) -> None:
    out = brady("--home", str(home), *args)
    assert out.returncode == 3  # not found: the exit code of its kind (domain/errors.py)
    assert message in out.stderr and out.stderr.count("\n") == 1, out.stderr


def test_export_is_checked_offline(home: Path, tmp_path: Path) -> None:
    h = ["--home", str(home)]
    vkey = runner.invoke(app, [*h, "ledger", "key"]).stdout.strip()
    published = tmp_path / "published"
    published.write_text(runner.invoke(app, [*h, "ledger", "checkpoint", "--size", "12"]).stdout)
    out = runner.invoke(app, [*h, "ledger", "export", str(tmp_path / "x")])
    assert out.exit_code == 0, out.stdout
    assert (tmp_path / "x" / "tile" / "entries" / "000.p" / "22").is_file()
    ok = verifier("export", str(tmp_path / "x"), "--key", vkey, "--against", str(published))
    assert ok.returncode == 0, ok.stderr
    assert "22 entries" in ok.stdout
    # Someone edits an entry in the export: the verifier names what is wrong.
    bundle = tmp_path / "x" / "tile" / "entries" / "000.p" / "22"
    bundle.write_bytes(bundle.read_bytes().replace(b"Item 2-1", b"Item 2-9"))
    bad = verifier("export", str(tmp_path / "x"), "--key", vkey)
    assert bad.returncode == 1 and "entry 13" in bad.stderr
    other = verifier("export", str(tmp_path / "x"), "--key", "someone+00000000+AAAA")
    assert other.returncode == 1


def test_upgrade_is_a_no_op_on_a_current_ledger(home: Path) -> None:
    out = runner.invoke(app, ["--home", str(home), "upgrade"])
    assert out.exit_code == 0 and "nothing to migrate" in out.stdout


def test_demo_runs_and_verifies(tmp_path: Path) -> None:
    out = brady("demo", str(tmp_path / "demo"))
    assert out.returncode == 0, out.stderr
    assert "verified" in out.stdout
    # The Rust case, as it stood on the day of the dismissal: no certificate, and why.
    assert "no certificate of compliance" in out.stdout
    assert "SF24-0306-01" in out.stdout
    assert brady("--home", str(tmp_path / "demo"), "verify").returncode == 0
