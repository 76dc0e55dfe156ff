"""The prosecutor's desk: rules chosen per case, flags, withholding with a second
approver, and what each does to the compliance view."""

from __future__ import annotations

from datetime import date

import pytest

from brady.custody.service import Custody
from brady.disclosure import compliance
from brady.disclosure.desk import Desk
from brady.domain.errors import RefusedError

from ..custody.test_service import check, intake

TODAY = date(2024, 6, 1)


@pytest.fixture
def case(custody: Custody) -> Custody:
    with custody.session() as s:
        s.add_user("admin", "pros2", "Quinn Prosecutor", ["prosecutor"])
        s.add_person("pros", "d-1", "Dana Defendant")
        desk = Desk(s)
        desk.adopt_rules("admin", "us-ny", {"continuing.days": 15}, "Office policy", "NY cases")
        s.charge("pros", "case-1", "d-1", ["Robbery"], "2024-03-01")
        s.arraign("pros", "case-1", "d-1", "2024-03-04")
    return custody


def view(custody: Custody) -> compliance.Compliance:
    with custody.led.engine.connect() as conn:
        out = compliance.compute(conn, "case-1", TODAY)
    assert out is not None
    return out


def test_rules_must_be_adopted_and_know_about_custody(case: Custody) -> None:
    assert any("no disclosure rule set" in b for b in view(case).blockers)
    with pytest.raises(RefusedError, match="has not been adopted"), case.session() as s:
        Desk(s).case_rules("pros", "case-1", "us-federal")
    with case.session() as s:
        Desk(s).case_rules("pros", "case-1", "us-ny")  # custody not said yet
    assert any("in custody" in b for b in view(case).blockers)
    with case.session() as s:
        Desk(s).case_rules("pros", "case-1", "us-ny", in_custody=False)
    assert view(case).trigger == "the arraignment on 2024-03-04"


def test_withholding_needs_an_order_and_a_second_prosecutor(case: Custody) -> None:
    with case.session() as s:
        Desk(s).case_rules("pros", "case-1", "us-ny", in_custody=True)
    item = intake(case, occurred_at="2024-02-20T10:00:00Z")
    unit = f"item:{item}"
    (owed,) = [u for u in view(case).units if u.unit == unit]
    assert (owed.due, owed.status) == ("2024-03-25", "overdue")  # 20 days, Sunday -> Monday
    with pytest.raises(RefusedError, match="not part of case case-1's"), case.session() as s:
        Desk(s).withhold("pros", "case-1", "item:NOPE", "Safety", "Order 1")
    with case.session() as s:
        Desk(s).withhold("pros", "case-1", unit, "Witness safety", "Protective order 24-17")
        Desk(s).flag("pros", "case-1", unit, impeachment=True, note="Prior statement")
    pending = {u.unit: u for u in view(case).units}[unit]
    assert pending.status == "withhold_pending" and pending.impeachment
    assert any("awaits a second prosecutor" in b for b in view(case).blockers)
    with pytest.raises(RefusedError, match="another prosecutor must approve"), case.session() as s:
        Desk(s).approve_withholding("pros", "case-1", unit)
    with pytest.raises(RefusedError, match="may not approve withholding"), case.session() as s:
        Desk(s).approve_withholding("clerk", "case-1", unit)
    with case.session() as s:
        Desk(s).approve_withholding("pros2", "case-1", unit)
    done = view(case)
    withheld = {u.unit: u for u in done.units}[unit]
    assert withheld.status == "withheld"
    assert withheld.withheld_reason == "Witness safety (under Protective order 24-17)"
    assert not any(item in b for b in done.blockers)
    check(case)  # the disclosure tables rebuild from the ledger alike


def test_disclosure_steps_can_be_imported(case: Custody) -> None:
    from brady.importing.importer import ImportRefusedError, run_import

    item = intake(case, occurred_at="2024-02-20T10:00:00Z")
    events = [
        {
            "do": "disclosure.rules",
            "by": "pros",
            "at": "2024-03-05",
            "case_id": "case-1",
            "rule_set_id": "us-ny",
            "in_custody": True,
        },
        {
            "do": "disclosure.flag",
            "by": "pros",
            "case_id": "case-1",
            "unit": f"item:{item}",
            "exculpatory": True,
        },
    ]
    run_import(case, {"brady_import": 1, "events": events}, "admin")
    (unit,) = view(case).units
    assert unit.exculpatory and view(case).rule_set == "us-ny"
    bad = [
        {
            "do": "disclosure.withhold",
            "by": "pros",
            "case_id": "case-1",
            "unit": f"item:{item}",
            "reason": "Safety",
        }
    ]
    with pytest.raises(ImportRefusedError, match="order_ref"):
        run_import(case, {"brady_import": 1, "events": bad}, "admin")
