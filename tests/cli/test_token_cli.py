"""`brady user token`: an API token's life from the terminal (`--expires-in DAYS`, 90 days
by default, `--never-expires` only when asked for)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from brady.cli.app import app

runner = CliRunner()


def brady(home: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--home", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


def _at(text: object) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def test_a_token_made_on_the_command_line_expires_when_asked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert runner.invoke(app, ["init", str(home)]).exit_code == 0
    code, _, err = brady(home, "user", "add", "integ", "--name", "Export", "--role", "auditor")
    assert code == 0, err
    made: dict[str, dict[str, str]] = {}
    before = datetime.now(UTC)
    for name, life in (("default", []), ("month", ["--expires-in", "30"])):
        code, out, err = brady(home, "--json", "user", "token", "integ", "--label", name, *life)
        assert code == 0, err
        made[name] = json.loads(out)
    after = datetime.now(UTC)
    for name, days in (("default", 90), ("month", 30)):
        at = _at(made[name]["expires_at"])
        assert before + timedelta(days=days) <= at <= after + timedelta(days=days), name
        assert made[name]["token"].startswith("brady_")
    code, out, err = brady(home, "user", "token", "integ", "--label", "lockers", "--never-expires")
    assert code == 0, err
    assert "it never expires" in out
    code, out, _ = brady(home, "user", "token", "integ", "--label", "week", "--expires-in", "7")
    assert code == 0 and "it works until " in out
    code, _, err = brady(
        home, "user", "token", "integ", "--label", "x", "--expires-in", "7", "--never-expires"
    )
    assert code == 1 and "not both" in err
    code, _, err = brady(home, "user", "token", "integ", "--label", "x", "--expires-in", "0")
    assert code == 2 and "--expires-in" in err
