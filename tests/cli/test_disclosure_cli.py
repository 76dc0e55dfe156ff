"""The disclosure commands as a prosecutor types them, from adoption to the certificate."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from brady.cli.app import app

runner = CliRunner()


def brady(home: Path, *args: str, user: str | None = None) -> tuple[int, str, str]:
    """As `user` (held to their access rules, as over HTTP), or as the operator."""
    acting = [] if user is None else ["--as", user]
    result = runner.invoke(app, ["--home", str(home), *acting, *args])
    return result.exit_code, result.stdout, result.stderr


def test_from_rule_set_to_certificate(tmp_path: Path) -> None:
    home = tmp_path / "da"
    assert runner.invoke(app, ["init", str(home)]).exit_code == 0
    for args in (
        ["user", "add", "clerk", "--name", "Carl Clerk", "--role", "property_clerk"],
        ["user", "add", "pros", "--name", "Pat Prosecutor", "--role", "prosecutor"],
        ["location", "add", "PR", "--name", "Property room", "--kind", "room"],
        ["person", "add", "d-1", "--name", "Dana Defendant"],
    ):
        assert brady(home, *args)[0] == 0
    code, out, _ = brady(home, "disclosure", "rule-sets")
    assert code == 0 and "us-federal" in out and "MUST BE CONFIRMED" in out
    code, _, err = brady(home, "disclosure", "adopt", "us-federal", "--reason", "Federal cases")
    assert code == 1 and "initial: the rule's text gives no number of days" in err
    code, out, err = brady(
        home,
        "disclosure",
        "adopt",
        "us-federal",
        "--reason",
        "Federal cases",
        "--set",
        "initial.days=14",
        "--set",
        "continuing.days=7",
        "--source",
        "LCrR 16.1",
    )
    assert code == 0, err
    assert brady(home, "case", "open", "c-1", "--title", "U.S. v. Defendant", user="pros")[0] == 0
    # Held to the same rules as over HTTP: a prosecutor decides for the cases assigned to them.
    code, _, err = brady(home, "disclosure", "rules", "c-1", "us-federal", user="pros")
    assert code == 4 and "case's own prosecutor" in err
    assert brady(home, "case", "assign", "c-1", "pros", "--role", "prosecutor")[0] == 0
    assert brady(home, "disclosure", "rules", "c-1", "us-federal", user="pros")[0] == 0
    code, _, err = brady(
        home,
        "item",
        "intake",
        "--category",
        "document",
        "--description",
        "Ledger book",
        "--location",
        "PR",
        "--case",
        "c-1",
        "--occurred-at",
        "2024-01-05T10:00:00-07:00",
        user="clerk",
    )
    assert code == 0, err
    code, out, _ = brady(home, "compliance", "c-1")
    assert "nothing is owed to a defense yet" in out
    assert (
        brady(
            home,
            "case",
            "charge",
            "c-1",
            "d-1",
            "--charge",
            "Fraud",
            "--on",
            "2024-01-10",
            user="pros",
        )[0]
        == 0
    )
    code, out, _ = brady(home, "compliance", "c-1", "--today", "2024-02-01")
    assert "not started" in out  # Rule 16 runs from the defense's request
    assert (
        brady(
            home,
            "disclosure",
            "request",
            "c-1",
            "--counsel",
            "Casey Counsel",
            "--at",
            "2024-01-12",
            user="pros",
        )[0]
        == 0
    )
    code, out, _ = brady(home, "--json", "compliance", "c-1", "--today", "2024-02-01")
    view = json.loads(out)
    assert view["units"][0]["due"] == "2024-01-26" and view["units"][0]["status"] == "overdue"
    code, _, err = brady(home, "compliance", "c-1", "--certificate", str(tmp_path / "c.pdf"))
    assert code == 1 and "refused" in err and "ITM-000001: Ledger book has not been" in err
    code, out, err = brady(
        home,
        "disclosure",
        "produce",
        "c-1",
        "--to",
        "Casey Counsel",
        "--out",
        str(tmp_path / "out"),
        "--at",
        "2024-01-30",
        user="pros",
    )
    assert code == 0, err
    assert "c-1-P1" in out and "BRADY-000001" in out
    code, _, err = brady(
        home,
        "disclosure",
        "receipt",
        "c-1-P1",
        "--counsel",
        "Casey Counsel",
        "--bag",
        str(tmp_path / "out" / "c-1-P1"),
        "--at",
        "2024-01-31",
        user="pros",
    )
    assert code == 0, err
    code, out, _ = brady(home, "compliance", "c-1", "--today", "2024-02-01")
    assert "Nothing is outstanding" in out
    unit = json.loads(brady(home, "--json", "compliance", "c-1")[1])["units"][0]
    assert (unit["status"], unit["days_late"], unit["bates"]) == ("late", 4, "BRADY-000001")
    code, out, err = brady(home, "compliance", "c-1", "--certificate", str(tmp_path / "c.pdf"))
    assert code == 0, err
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")
