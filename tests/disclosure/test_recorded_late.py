"""When an event was recorded more than a day after it happened, both times are shown: a
late-filed intake is flagged in the compliance view (the CLI and the certificate's table)
and in the item's chain-of-custody report, and an as-of view between the two times lists
it as recorded late. Days are the agency's: an intake at 18:30 in Santa Fe is that day's.
Real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from brady.cli.app import app
from brady.custody.service import Custody
from brady.disclosure import compliance
from brady.ledger.entry import format_time, parse_entry
from brady.store import as_of
from brady.store.custody_queries import item_view
from brady.store.home import read_config

from ..custody.test_service import intake
from .test_desk import case  # noqa: F401  (the fixture)

RUNNER = CliRunner()
DENVER = ZoneInfo("America/Denver")


UTC_ZONE = ZoneInfo("UTC")


def _view(custody: Custody, zone: ZoneInfo = UTC_ZONE) -> compliance.Compliance:
    with custody.led.engine.connect() as conn:
        out = compliance.compute(conn, "case-1", datetime.now(UTC).date(), zone)
    assert out is not None
    return out


def test_a_late_filed_intake_shows_both_dates(case: Custody, tmp_path: Path) -> None:  # noqa: F811
    seized = datetime.now(UTC) - timedelta(days=21)
    seq = case.led.store.size()
    late = intake(case, occurred_at=seized.isoformat())
    recorded = parse_entry(case.led.store.entry(seq), seq).recorded_at
    prompt = intake(case)
    today = datetime.now(UTC).date().isoformat()
    units = {u.unit: u for u in _view(case).units}
    assert units[f"item:{late}"].obtained == seized.date().isoformat()
    assert units[f"item:{late}"].recorded == today
    assert units[f"item:{prompt}"].recorded is None
    home = ["--home", str(case.led.config.path)]
    shown = RUNNER.invoke(app, [*home, "compliance", "case-1"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert f"{seized.date().isoformat()} (recorded {today})" in shown.stdout
    assert "1 of these were recorded more than a day after" in shown.stdout
    for item, flagged in ((late, True), (prompt, False)):
        out = tmp_path / f"{item}.html"
        made = RUNNER.invoke(app, [*home, "item", "report", item, "--out", str(out)])
        assert made.exit_code == 0, made.output
        assert ("more than a day later" in out.read_text()) is flagged
    # Just before it was recorded the State held it (the case was open), and the view
    # says it was recorded only later.
    before = format_time(datetime.fromisoformat(recorded) - timedelta(microseconds=1))
    with as_of.as_of(case.led.store, before) as then:
        held = compliance.compute(then.conn, "case-1", date.today())
        lates = [x for x in then.late if f"item:{late}" in x.subjects]
    assert held is not None and f"item:{late}" in {u.unit for u in held.units}
    assert f"item:{prompt}" not in {u.unit for u in held.units}
    assert [x.kind for x in lates] == ["item.intake"]


def test_days_are_the_agencys(case: Custody, tmp_path: Path) -> None:  # noqa: F811
    evening = intake(case, occurred_at="2024-03-06T18:30:00-07:00")  # 01:30 UTC on the 7th
    assert {u.unit: u.obtained for u in _view(case).units}[f"item:{evening}"] == "2024-03-07"
    local = {u.unit: u.obtained for u in _view(case, DENVER).units}
    assert local[f"item:{evening}"] == "2024-03-06"
    # "As of 2024-03-06" is the end of that day where the agency is.
    asked = as_of.asked(case.led.store, DENVER, dated="2024-03-06")
    assert asked is not None and asked.at == "2024-03-07T06:59:59.999999Z"
    with as_of.viewed(case.led.store, asked) as then:
        assert then is not None
        assert item_view(then.conn, evening) is not None
    utc = as_of.asked(case.led.store, UTC_ZONE, dated="2024-03-06")
    with as_of.viewed(case.led.store, utc) as then:
        assert then is not None
        assert item_view(then.conn, evening) is None


def test_the_time_zone_is_chosen_at_init_and_checked(tmp_path: Path) -> None:
    made = RUNNER.invoke(app, ["init", str(tmp_path / "a"), "--time-zone", "America/Denver"])
    assert made.exit_code == 0, made.output
    assert read_config(tmp_path / "a").time_zone == "America/Denver"
    assert "America/Denver" in made.stdout
    bad = RUNNER.invoke(app, ["init", str(tmp_path / "b"), "--time-zone", "Mountain Time"])
    assert bad.exit_code == 2 and "'Mountain Time' is not an IANA time zone" in bad.stderr
    assert not (tmp_path / "b" / "brady.toml").exists()
