"""The same command by the same user gets the same answer from the command line
(`brady --as USER`), the API and the pages: allowed or refused, for every role, on items and
cases of their own and of others. The API's answers are the authorization matrix's
(test_authorization_matrix.py checks them against the rules as stated); here the other two
faces must agree with it, command by command.

The commands are chosen so that whoever may give them meets the record's own answer
(a user or place that does not exist, a suggestion already decided, a scan recorded) and
nothing a later check depends on changes: the question is only whether the caller got past
the access rules. A refusal is 403 over HTTP (404 for another agency's inventory, which is
not shown to exist), exit code 4 on the command line, and the "not allowed" page on the web.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from brady.cli.app import app as cli

from .conftest import PASSWORD, USERS, World

pytestmark = pytest.mark.slow

runner = CliRunner()
ITEMS = ("IA1", "IA3", "IB1")
CASES = ("CA1", "CA2", "CB1")


@dataclass(frozen=True)
class Command:
    name: str
    api: Callable[[World], tuple[str, str, dict[str, Any] | None]]
    cli: list[str] | Callable[[], list[str]] | None
    web: tuple[str, dict[str, str] | None] | Callable[[], tuple[str, dict[str, str]]] | None
    hidden: bool = False
    """Another agency's inventory is answered 404 over HTTP, as if it did not exist."""


def looks() -> list[Command]:
    """Reading: an item (IA4 is the one linking suggested to CA1: its prosecutor reviews it)
    and a case, each as its view allows, or not at all."""
    out = [
        Command(
            f"show {item}",
            lambda _w, i=item: ("GET", f"/api/items/{i}", None),
            ["item", "show", item],
            (f"/items/{item}", None),
        )
        for item in (*ITEMS, "IA4")
    ]
    out += [
        Command(
            f"history of {item}",
            lambda _w, i=item: ("GET", f"/api/items/{i}/history", None),
            ["item", "history", item],
            None,
        )
        for item in ITEMS
    ]
    out += [
        Command(
            f"show {case}",
            lambda _w, c=case: ("GET", f"/api/cases/{c}", None),
            ["case", "show", case],
            (f"/cases/{case}", None),
        )
        for case in CASES
    ]
    return out


NEW = itertools.count(1)


def _new(prefix: str) -> str:
    return f"{prefix}-{next(NEW):04d}"


def new_records() -> list[Command]:
    """Records that create something new under a case or an item: an intake filed under each
    case, a lab request for each item, a charge and a defense request on each case."""
    out = []
    intake = {"category": "document", "description": "A receipt", "location_id": "PR"}
    for case in CASES:
        out += [
            Command(
                f"intake under {case}",
                lambda _w, c=case: ("POST", "/api/items", {**intake, "case_ids": [c]}),
                lambda c=case: [
                    "item",
                    "intake",
                    "--item-id",
                    _new("T"),
                    "--category",
                    "document",
                    "--description",
                    "A receipt",
                    "--location",
                    "PR",
                    "--case",
                    c,
                ],
                lambda c=case: ("/intake", {**intake, "item_id": _new("T"), "case_id": c}),
            ),
            Command(
                f"charge on {case}",
                lambda _w, c=case: (
                    "POST",
                    f"/api/cases/{c}/charges",
                    {"person_id": "P-NONE", "charges": ["Theft"], "charged_on": "2024-02-01"},
                ),
                ["case", "charge", case, "P-NONE", "--charge", "Theft", "--on", "2024-02-01"],
                None,
            ),
            Command(
                f"defense request on {case}",
                lambda _w, c=case: (
                    "POST",
                    f"/api/cases/{c}/disclosure/requests",
                    {"requested_by": "Counsel"},
                ),
                ["disclosure", "request", case, "--counsel", "Counsel"],
                None,
            ),
        ]
    for item in ITEMS:
        out.append(
            Command(
                f"lab request for {item}",
                lambda _w, i=item: (
                    "POST",
                    "/api/lab-requests",
                    {
                        "lab": "State lab",
                        "item_ids": [i],
                        "examinations": "Prints",
                        "request_id": _new("LR"),
                    },
                ),
                lambda i=item: [
                    "lab",
                    "request",
                    _new("LR"),
                    "--lab",
                    "State lab",
                    "--item",
                    i,
                    "--examinations",
                    "Prints",
                ],
                None,
            )
        )
    return out


def commands(w: World) -> list[Command]:
    out: list[Command] = looks()
    for item in ITEMS:
        out.append(
            Command(
                f"transfer {item}",
                lambda _w, i=item: (
                    "POST",
                    f"/api/items/{i}/steps",
                    {"action": "transfer", "to_user": "nobody"},
                ),
                ["item", "transfer", item, "--to", "nobody"],
                (f"/items/{item}/steps", {"action": "transfer", "to_user": "nobody"}),
            )
        )
        out.append(
            Command(
                f"move {item}",
                lambda _w, i=item: (
                    "POST",
                    f"/api/items/{i}/steps",
                    {"action": "move", "location_id": "NOWHERE"},
                ),
                ["item", "move", item, "--location", "NOWHERE"],
                (f"/items/{item}/steps", {"action": "move", "location_id": "NOWHERE"}),
            )
        )
    for item, sha in w.files.items():
        out.append(
            Command(
                f"fixity of {item}'s file",
                lambda _w, i=item, h=sha: ("POST", f"/api/items/{i}/files/{h}/verify", None),
                ["item", "verify-file", item, sha],
                (f"/items/{item}/files/{sha}/verify", {}),
            )
        )
    for case in CASES:
        out.append(
            Command(
                f"party on {case}",
                lambda _w, c=case: (
                    "POST",
                    f"/api/cases/{c}/parties",
                    {"person_id": "P-NONE", "role": "witness"},
                ),
                ["case", "party", case, "P-NONE", "--role", "witness"],
                None,  # no page adds parties yet
            )
        )
        out.append(
            Command(
                f"flag on {case}",
                lambda _w, c=case: (
                    "POST",
                    f"/api/cases/{c}/disclosure/flags",
                    {"unit": "item:NOPE", "exculpatory": True},
                ),
                ["disclosure", "flag", case, "item:NOPE", "--exculpatory"],
                None,
            )
        )
    for inventory in ("INV1",):
        out.append(
            Command(
                f"scan in {inventory}",
                lambda _w, v=inventory: (
                    "POST",
                    f"/api/inventories/{v}/scans",
                    {"item_id": "IA1"},
                ),
                ["inventory", "scan", inventory, "IA1"],
                (f"/inventory/{inventory}/scan", {"item_id": "IA1"}),
                hidden=True,
            )
        )
    out += new_records()
    out.append(
        Command(
            "reject the suggestion",
            lambda ww: ("POST", f"/api/links/{ww.suggestion}/reject", {"reason": "Not ours"}),
            ["links", "reject", w.suggestion, "--reason", "Not ours"],
            (f"/links/{w.suggestion}/reject", {"reason": "Not ours"}),
        )
    )
    return out


def _api(w: World, user: str, command: Command) -> bool:
    method, url, body = command.api(w)
    got = w.client.request(method, url, json=body if method != "GET" else None, headers=w.as_(user))
    assert got.status_code < 500, got.text
    return got.status_code in ((401, 403, 404) if command.hidden else (401, 403))


def _cli(w: World, user: str, args: list[str]) -> bool:
    result = runner.invoke(cli, ["--home", str(w.led.config.path), "--as", user, *args])
    assert result.exit_code in (0, 1, 2, 3, 4), (result.exit_code, result.output)
    return result.exit_code == 4


def _web(
    client: TestClient, csrf: str, url: str, form: dict[str, str] | None, hidden: bool
) -> bool:
    if form is None:  # a page to look at
        got = client.get(url, follow_redirects=False)
    else:
        got = client.post(url, data={**form, "csrf_token": csrf}, follow_redirects=False)
    assert got.status_code < 500, got.text
    return got.status_code in ((401, 403, 404) if hidden else (401, 403))


def _page_session(w: World, user: str) -> tuple[TestClient, str]:
    client = TestClient(w.client.app, base_url="https://testserver")
    s = client.post("/api/session", json={"user_id": user, "password": PASSWORD}).json()
    client.post("/api/session/banner", headers={"X-CSRF-Token": s["csrf_token"]})
    return client, str(s["csrf_token"])


def test_cli_api_and_pages_give_each_user_the_same_answer(world: World) -> None:
    w = world
    pages = {user: _page_session(w, user) for user in USERS}
    disagree, checked = [], 0
    for command in commands(w):
        for user in sorted(USERS):
            # The faces in turn, the API first: its answer is the matrix's.
            api = _api(w, user, command)
            answers = {"api": api}
            if command.cli is not None:
                args = command.cli() if callable(command.cli) else command.cli
                answers["cli"] = _cli(w, user, args)
            if command.web is not None:
                url, form = command.web() if callable(command.web) else command.web
                answers["web"] = _web(*pages[user], url, form, command.hidden)
            if len(set(answers.values())) != 1:
                said = ", ".join(
                    f"{f}: {'refused' if r else 'allowed'}" for f, r in answers.items()
                )
                disagree.append(f"{user} {command.name}: {said}")
            checked += len(answers)
    assert not disagree, "\n".join(disagree)
    print(f"{checked} answers compared across faces")
    assert checked > 900, checked
