"""Rule sets: due dates across weekends and holidays, and deadlines never guessed."""

from __future__ import annotations

from datetime import date

import pytest

from brady.disclosure import rules
from brady.disclosure.rules import RuleError, due_date, find, with_settings

NM_FILE, NY, FED = find("us-nm-district"), find("us-ny"), find("us-federal")
NM = with_settings(
    NM_FILE, {"initial.days": 10, "continuing.days": 7}, "NMRA 5-501(A), confirmed by the office"
)


def due(rs: rules.RuleSet, start: str, which: str = "initial", custody: str | None = None) -> str:
    period = rs.continuing if which == "continuing" else rs.initial_for(custody)  # type: ignore[arg-type]
    return due_date(date.fromisoformat(start), period, rs.holidays).isoformat()


def test_the_shipped_rule_sets_name_their_sources() -> None:
    shipped = rules.shipped()
    assert set(shipped) == {"us-federal", "us-nm-district", "us-ny"}
    for rs in shipped.values():
        assert rs.citation and rs.source.startswith("https://")
        assert all(p.text for p in rs.periods().values())


@pytest.mark.parametrize(
    ("arraigned", "due_on"),
    [
        ("2024-03-01", "2024-03-15"),  # Friday + 10 court days (two weekends skipped)
        ("2024-01-03", "2024-01-18"),  # Martin Luther King Jr. Day (15th) is not a court day
        ("2024-06-24", "2024-07-09"),  # July 4th is skipped
        ("2024-11-18", "2024-12-04"),  # Thanksgiving and the day after (a NM holiday) skipped
    ],
)
def test_new_mexico_ten_court_days_after_arraignment(arraigned: str, due_on: str) -> None:
    """NMRA 5-104(A)(2): periods of ten days or less exclude weekends and holidays."""
    assert due(NM, arraigned) == due_on


def test_an_unconfirmed_reading_must_be_confirmed_on_adoption() -> None:
    assert NM_FILE.initial[0].days == 10 and not NM_FILE.initial[0].confirmed
    with pytest.raises(RuleError, match=r"initial: Brady reads it as 10 days, but that could"):
        with_settings(NM_FILE, {"continuing.days": 7}, "Office policy")


def test_new_york_depends_on_custody_and_new_york_holidays() -> None:
    assert due(NY, "2024-11-05", custody="in_custody") == "2024-11-25"
    assert due(NY, "2024-11-05", custody="not_in_custody") == "2024-12-10"
    # + 20 = Monday 12 February, Lincoln's Birthday: a New York holiday, not a federal one.
    assert due(NY, "2024-01-23", custody="in_custody") == "2024-02-13"
    with pytest.raises(RuleError, match="in custody"):
        NY.initial_for(None)


def test_federal_deadlines_must_be_set_by_the_agency() -> None:
    with pytest.raises(RuleError, match=r"initial: the rule's text gives no number of days"):
        with_settings(FED, {}, None)
    with pytest.raises(RuleError, match="--source"):
        with_settings(FED, {"initial.days": 14, "continuing.days": 7}, "")
    with pytest.raises(RuleError, match="no such deadline"):
        with_settings(FED, {"trial.days": 3}, "Local rule")
    fed = with_settings(FED, {"initial.days": 14, "continuing.days": 7}, "D.N.M.LR-Cr 16.1")
    assert fed.initial[0].set_by == "D.N.M.LR-Cr 16.1"
    assert due(fed, "2024-12-11") == "2024-12-26"  # + 14 = Christmas Day
    assert due(fed, "2024-03-06", "continuing") == "2024-03-13"


def test_a_deadline_from_the_rules_text_cannot_be_overridden() -> None:
    with pytest.raises(RuleError, match="from the rule's own text"):
        with_settings(NY, {"initial.in_custody.days": 30, "continuing.days": 5}, "Policy")


def test_the_continuing_duty_runs_from_when_the_state_obtained_the_item() -> None:
    nm = NM
    assert nm.continuing.trigger == "receipt"
    assert due(nm, "2024-03-06", "continuing") == "2024-03-13"
    assert due(nm, "2024-12-20", "continuing") == "2024-12-27"  # + 7 = Friday after Christmas


def test_business_days_skip_weekends_and_holidays(tmp_path: pytest.TempPathFactory) -> None:
    text = (
        'id = "county-policy"\nname = "County policy"\ncitation = "Policy 12"\n'
        'source = "https://example.org/policy"\nholidays = { country = "US", subdivision = "NM" }\n'
        '[[initial]]\ntrigger = "charge"\ndays = 5\nconfirmed = true\ncount = "business"\n'
        'text = "Five business days after charging."\n'
        '[continuing]\ntrigger = "receipt"\ndays = 3\nconfirmed = true\ncount = "business"\n'
        'text = "Three business days after receipt."\n'
    )
    rs = rules.load(text, "county.toml")
    # Fri 22 Nov: Thanksgiving (28th) and the day after (NM) are skipped.
    assert due(rs, "2024-11-22") == "2024-12-03"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("id = 'x'", "name: Field required"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_a_bad_rule_file_is_refused_with_the_problem(text: str, problem: str) -> None:
    with pytest.raises(RuleError, match=problem):
        rules.load(text, "agency.toml")
