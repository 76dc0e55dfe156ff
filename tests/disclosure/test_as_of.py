"""As of the day the Baldwin case was dismissed, the record still says what it said then:
after the link is accepted and the rounds produced (in 2026, long after), the view as of
2024-07-12 refuses the certificate naming Teske's rounds, and the view as recorded before
the acceptance says the same; today's view certifies. Real SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from brady.cli.app import app
from brady.custody.service import Custody
from brady.disclosure import compliance
from brady.store import as_of

from ..security.conftest import sign_in_page
from .test_rust import TESKE, accept_teske, hand_over, rust  # noqa: F401  (the fixture)

DISMISSED = date(2024, 7, 12)
END_OF_DISMISSAL = "2024-07-12T23:59:59.999999Z"


def _late_disclosure(custody: Custody, tmp_path: Path) -> int:
    """Everything filed under the case produced before trial; the rounds linked and produced
    in 2026. Returns the ledger's size before the acceptance."""
    hand_over(custody, tmp_path, "BALDWIN-P1", "2024-02-09T16:00:00-07:00")
    before = custody.led.store.size()
    accept_teske(custody)
    hand_over(custody, tmp_path, "BALDWIN-P2", "2026-11-30T10:00:00-07:00")
    return before


def test_as_of_the_dismissal_the_rounds_are_still_outstanding(
    rust: Custody,  # noqa: F811
    tmp_path: Path,
) -> None:
    before = _late_disclosure(rust, tmp_path)
    with rust.led.engine.connect() as conn:
        now = compliance.compute(conn, "state-v-baldwin", date(2026, 12, 1))
    assert now is not None and now.certifiable, now.blockers if now else None
    with as_of.as_of(rust.led.store, END_OF_DISMISSAL) as then:
        dated = compliance.compute(then.conn, "state-v-baldwin", DISMISSED)
    assert dated is not None and not dated.certifiable
    assert any(TESKE in b and "not reviewed" in b for b in dated.blockers), dated.blockers
    assert f"item:{TESKE}" not in {u.unit for u in dated.units}  # not accepted yet
    with as_of.as_recorded(rust.led.store, before) as recorded:
        said = compliance.compute(recorded.conn, "state-v-baldwin", DISMISSED)
    assert said is not None and said.blockers == dated.blockers
    # The whole record was imported in 2026: everything dated 2024 is marked late.
    assert then.late and all(late.recorded_at > END_OF_DISMISSAL for late in then.late)


def test_the_certificate_as_of_the_dismissal_is_refused(
    rust: Custody,  # noqa: F811
    tmp_path: Path,
) -> None:
    _late_disclosure(rust, tmp_path)
    home = ["--home", str(rust.led.config.path)]
    runner = CliRunner()
    refused = runner.invoke(
        app,
        [
            *home,
            "compliance",
            "state-v-baldwin",
            "--as-of",
            "2024-07-12",
            "--certificate",
            str(tmp_path / "c.pdf"),
        ],
    )
    assert refused.exit_code == 1, refused.output
    assert TESKE in refused.stderr and not (tmp_path / "c.pdf").exists()
    shown = runner.invoke(app, [*home, "compliance", "state-v-baldwin", "--as-of", "2024-07-12"])
    assert shown.exit_code == 0, shown.output
    assert "As of 2024-07-12" in shown.stdout and TESKE in shown.stdout
    today = runner.invoke(app, [*home, "compliance", "state-v-baldwin", "--today", "2026-12-01"])
    assert "Nothing is outstanding" in today.stdout, today.stdout
    cases_then = json.loads(
        runner.invoke(app, [*home, "--json", "item", "show", TESKE, "--as-of", "2024-07-12"]).stdout
    )["cases"]
    cases_now = json.loads(runner.invoke(app, [*home, "--json", "item", "show", TESKE]).stdout)[
        "cases"
    ]
    assert "state-v-baldwin" not in {c["case_id"] for c in cases_then}
    assert "state-v-baldwin" in {c["case_id"] for c in cases_now}
    bad = runner.invoke(app, [*home, "compliance", "state-v-baldwin", "--as-of", "last July"])
    assert bad.exit_code == 2 and "--as-of" in bad.stderr


def test_the_api_and_the_case_page_answer_as_of_a_day(
    rust: Custody,  # noqa: F811
    tmp_path: Path,
) -> None:
    from fastapi.testclient import TestClient

    from brady.accounts.permissions import Permissions
    from brady.accounts.service import Accounts
    from brady.server import create_app

    _late_disclosure(rust, tmp_path)
    with rust.session() as s:
        Permissions(s).assign("admin", "state-v-baldwin", "morrissey", "prosecutor")
    token = Accounts(rust.led.engine, rust.led.master_key).create_token(
        "morrissey", "t", "read", "admin"
    )[1]
    client = TestClient(create_app(rust.led, anchor_every=None), base_url="https://testserver")
    h = {"Authorization": f"Bearer {token}"}
    url = "/api/cases/state-v-baldwin/compliance"
    then = client.get(url, params={"as_of": "2024-07-12"}, headers=h)
    assert then.status_code == 200, then.text
    assert not then.json()["certifiable"]
    assert any(TESKE in b for b in then.json()["blockers"])
    assert then.json()["as_of"] == "2024-07-12" and then.json()["late"]
    now = client.get(url, headers=h).json()
    assert now["certifiable"] and "as_of" not in now
    item = client.get(f"/api/items/{TESKE}", params={"as_of": "2024-07-12"}, headers=h).json()
    assert "state-v-baldwin" not in {c["case_id"] for c in item["cases"]}
    bad = client.get(url, params={"as_of": "12 July"}, headers=h)
    assert bad.status_code == 422 and "as_of" in bad.text


def test_the_timeline_case_page_and_queue_as_of_the_dismissal(
    rust: Custody,  # noqa: F811
    tmp_path: Path,
) -> None:
    from fastapi.testclient import TestClient

    from brady.accounts.permissions import Permissions
    from brady.accounts.service import Accounts
    from brady.server import create_app

    _late_disclosure(rust, tmp_path)
    home = ["--home", str(rust.led.config.path)]
    runner = CliRunner()
    then_svg, now_svg = tmp_path / "then.svg", tmp_path / "now.svg"
    for out, extra in ((then_svg, ["--as-of", "2024-07-12"]), (now_svg, [])):
        drawn = runner.invoke(
            app, [*home, "case", "timeline", "state-v-baldwin", "--out", str(out), *extra]
        )
        assert drawn.exit_code == 0, drawn.output
    # Then: the rounds wait for review and nothing of 2026 is drawn; now: P2 is.
    assert TESKE in then_svg.read_text() and "BALDWIN-P2" not in then_svg.read_text()
    assert "BALDWIN-P2" in now_svg.read_text()
    queue = runner.invoke(
        app,
        [*home, "--json", "links", "queue", "--case", "state-v-baldwin", "--as-of", "2024-07-12"],
    )
    assert queue.exit_code == 0, queue.output
    assert queue.stdout, queue.output
    waiting = json.loads(queue.stdout)["suggestions"]
    assert [s["item_id"] for s in waiting] == [TESKE]
    live = runner.invoke(app, [*home, "--json", "links", "queue", "--case", "state-v-baldwin"])
    assert live.exit_code == 0 and live.stdout, live.output
    now = json.loads(live.stdout)
    assert TESKE not in {s["item_id"] for s in now}
    # The case page, signed in as the prosecutor, as of the day and today.
    with rust.session() as s:
        Permissions(s).assign("admin", "state-v-baldwin", "morrissey", "prosecutor")
    accounts = Accounts(rust.led.engine, rust.led.master_key)
    accounts.set_password("morrissey", "a long demo password", "admin", "test")
    client = TestClient(create_app(rust.led, anchor_every=None), base_url="https://testserver")
    sign_in_page(client, "morrissey", "a long demo password")
    then = client.get("/cases/state-v-baldwin", params={"as_of": "2024-07-12"})
    assert then.status_code == 200, then.text
    assert TESKE in then.text and "not reviewed" in then.text
    assert "BALDWIN-P2" not in then.text
    today = client.get("/cases/state-v-baldwin")
    assert "BALDWIN-P2" in today.text and "not reviewed" not in today.text
