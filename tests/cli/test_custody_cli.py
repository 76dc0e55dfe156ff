"""The custody commands as a property clerk types them."""

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


def test_a_day_in_the_property_room(tmp_path: Path) -> None:
    home = tmp_path / "pr"
    assert runner.invoke(app, ["init", str(home)]).exit_code == 0
    for args in (
        ["user", "add", "clerk", "--name", "Carl Clerk", "--role", "property_clerk"],
        ["user", "add", "det", "--name", "Dee Detective", "--role", "officer"],
        ["location", "add", "PR", "--name", "Property room", "--kind", "room"],
        ["person", "add", "p-1", "--name", "Thell Reed", "--alias", "T. Reed"],
        ["case", "open", "c-1", "--title", "State v. Example", "--agency-number", "2024-55"],
        ["case", "party", "c-1", "p-1", "--role", "witness"],
    ):
        code, out, err = brady(home, *args)
        assert code == 0, err
        assert out.startswith("Recorded: ")
    code, out, _ = brady(
        home,
        "item",
        "intake",
        "--category",
        "ammunition",
        "--description",
        "Live .45 Colt rounds",
        "--location",
        "PR",
        "--case",
        "c-1",
        "--quantity",
        "6",
        "--seal",
        "S-0001",
        user="clerk",
    )
    assert code == 0 and "ITM-000001 taken in at PR" in out
    # The detective may not take what the clerk holds.
    code, _, err = brady(home, "item", "transfer", "ITM-000001", "--to", "clerk", user="det")
    assert code == 1
    assert err.startswith("Error: refused, nothing was recorded: ITM-000001 is held by clerk")
    assert err.count("\n") == 1
    assert brady(home, "item", "transfer", "ITM-000001", "--to", "det", user="clerk")[0] == 0
    assert brady(home, "item", "receive", "ITM-000001", user="det")[0] == 0
    code, out, _ = brady(home, "--json", "item", "show", "ITM-000001")
    view = json.loads(out)
    assert (view["custodian"], view["status"], view["seals"]) == ("det", "in_custody", ["S-0001"])
    assert [c["case_id"] for c in view["cases"]] == ["c-1"]
    code, out, _ = brady(home, "item", "show", "ITM-000001")
    assert "Held by:       Dee Detective (det) since" in out
    history = json.loads(brady(home, "--json", "item", "history", "ITM-000001")[1])
    assert [(h["kind"], h["actor"]) for h in history] == [
        ("item.intake", "clerk"),
        ("item.transfer", "clerk"),
        ("item.receive", "det"),
    ]
    code, out, err = brady(
        home,
        "item",
        "intake",
        "--category",
        "gun",
        "--description",
        "x",
        "--location",
        "PR",
        user="clerk",
    )
    assert code == 2 and "category" in err and "'gun'" in err  # invalid input
    code, out, _ = brady(home, "verify")
    assert code == 0 and "all check out" in out


def test_an_administrator_records_the_agencys_places(tmp_path: Path) -> None:
    home = tmp_path / "pr"
    assert runner.invoke(app, ["init", str(home)]).exit_code == 0
    code, out, _ = brady(home, "links", "patterns")
    assert code == 0 and "No extra linking patterns" in out
    code, out, err = brady(
        home, "links", "set-patterns", "--place", "Los Chavez", "--reason", "Service area"
    )
    assert code == 0, err
    code, out, _ = brady(home, "links", "patterns")
    assert code == 0 and "place: los chavez" in out
    brady(home, "user", "add", "clerk", "--name", "Carl Clerk", "--role", "property_clerk")
    code, out, err = brady(home, "links", "set-patterns", "--place", "X", "--reason", "Try",
                           user="clerk")  # fmt: skip
    assert code != 0 and "administrator" in err


def test_an_administrator_trains_the_linking_weights(tmp_path: Path) -> None:
    home = tmp_path / "pr"
    assert runner.invoke(app, ["init", str(home)]).exit_code == 0
    code, out, err = brady(home, "links", "train", "--reason", "Start of the year")
    assert code == 0, err
    assert "learned from 0 accepted and 0 rejected suggestions over 0 intakes" in out
    code, out, _ = brady(home, "links", "patterns")
    assert "weight of serial (brady links train): 0.5" in out


def test_a_prosecutor_decides_related_cases_from_the_command_line(tmp_path: Path) -> None:
    home = tmp_path / "da"
    assert runner.invoke(app, ["init", str(home)]).exit_code == 0
    for args in (
        ["user", "add", "clerk", "--name", "Carl Clerk", "--role", "property_clerk"],
        ["location", "add", "PR", "--name", "Property room", "--kind", "room"],
        ["person", "add", "p-1", "--name", "Dana Reyes"],
        ["case", "open", "c-1", "--title", "State v. Reyes"],
        ["case", "open", "c-2", "--title", "A burglary"],
        ["case", "party", "c-1", "p-1", "--role", "defendant"],
        ["case", "party", "c-2", "p-1", "--role", "witness"],
    ):
        code, _, err = brady(home, *args)
        assert code == 0, err
    code, out, err = brady(home, "links", "related")
    assert code == 0 and out.startswith("Related cases (2 sides)"), err
    code, out, _ = brady(home, "--json", "links", "related")
    assert [(s["relation_id"], s["case_id"], s["person"]) for s in json.loads(out)] == [
        ("REL-000001", "c-1", "Dana Reyes"),
        ("REL-000001", "c-2", "Dana Reyes"),
    ]
    code, out, err = brady(home, "links", "find-related")
    assert code == 0 and "0 pair(s)" in out, (out, err)
    code, out, err = brady(
        home,
        "item", "intake", "--category", "document", "--description",
        "Statement of Dana Reyes", "--location", "PR", "--case", "c-2",
        user="clerk",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = brady(home, "--json", "links", "queue")
    [waiting] = json.loads(out)
    assert waiting["relation_id"] == "REL-000001"  # decided with the related cases
    code, out, err = brady(
        home, "links", "related-accept", "REL-000001", "c-1", "--reason", "She testifies"
    )
    assert code == 0, err
    assert "related cases REL-000001 accepted for c-1; 1 waiting item(s) accepted" in out
    code, _, err = brady(home, "links", "related-accept", "REL-000001", "c-1", "--reason", "Twice")
    assert code == 1 and "already accepted" in err
    code, _, err = brady(home, "links", "related-reject", "REL-000001", "c-9", "--reason", "x")
    assert code == 1 and "relates c-1 and c-2, not c-9" in err
    code, out, _ = brady(home, "--json", "links", "related", "--all")
    sides = {s["case_id"]: s["status"] for s in json.loads(out)}
    assert sides == {"c-1": "accepted", "c-2": "open"}
