"""Custody commands and rules against real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from brady.custody.service import Custody
from brady.domain.errors import RefusedError
from brady.store import custody_queries as q
from brady.store.audit import audit


def intake(custody: Custody, **extra: Any) -> str:
    fields: dict[str, Any] = {
        "category": "ammunition",
        "description": "Box of .45 Colt rounds",
        "quantity": 50,
        "location_id": "PR-B14",
        "case_ids": ["case-1"],
    }
    fields.update(extra)
    with custody.session() as s:
        return str(s.intake("clerk", **fields).payload["item_id"])


def state(custody: Custody, item_id: str) -> Any:
    with custody.led.engine.connect() as conn:
        return q.item_state(conn, item_id)


def refused(custody: Custody, match: str, command: str, *args: Any, **kw: Any) -> None:
    """The command is refused with a message, and the ledger does not grow."""
    before = custody.led.store.size()
    with pytest.raises(RefusedError, match=match), custody.session() as s:
        getattr(s, command)(*args, **kw)
    assert custody.led.store.size() == before


def check(custody: Custody) -> None:
    led = custody.led
    report = audit(led.store, led.config.database_url, led.config.log_vkey, workers=1)
    assert report.ok, report.first_problem()
    assert report.projections_checked


def test_intake_numbers_items_and_files_them(custody: Custody) -> None:
    first, second = intake(custody), intake(custody)
    assert (first, second) == ("ITM-000001", "ITM-000002")
    s = state(custody, first)
    assert (s.status, s.custodian, s.location_id, s.case_ids) == (
        "in_custody",
        "clerk",
        "PR-B14",
        ("case-1",),
    )
    refused(
        custody,
        "there is no location",
        "intake",
        "clerk",
        category="other",
        description="x",
        location_id="NOWHERE",
    )
    refused(
        custody, "category", "intake", "clerk", category="gun", description="x", location_id="PR"
    )
    refused(
        custody,
        "already exists",
        "intake",
        "clerk",
        item_id=first,
        category="other",
        description="x",
        location_id="PR",
    )
    check(custody)


def test_transfer_needs_the_custodian_and_the_receiver(custody: Custody) -> None:
    item = intake(custody)
    refused(custody, "only the current custodian", "transfer", "clerk2", item, "officer")
    refused(custody, "not a Brady user", "transfer", "clerk", item, "nobody")
    with custody.session() as s:
        s.transfer("clerk", item, "officer", reason="Court viewing")
    assert state(custody, item).status == "in_transfer"
    refused(custody, "being transferred to officer", "move", "clerk", item, "PR")
    refused(custody, "not to clerk2", "receive", "clerk2", item)
    with custody.session() as s:
        s.receive("officer", item)
    s2 = state(custody, item)
    assert (s2.status, s2.custodian) == ("in_custody", "officer")
    check(custody)


def test_checkout_checkin_and_disposition_rules(custody: Custody) -> None:
    item = intake(custody)
    with custody.session() as s:
        s.checkout("clerk", item, to="FBI laboratory", purpose="lab", due_back="2099-01-31")
    refused(custody, "checked out; check it in first", "dispose", "clerk", item, "destroyed")
    refused(custody, "checked out", "transfer", "clerk", item, "officer")
    with custody.session() as s:
        s.checkin(
            "clerk", item, location_id="PR-B14", condition="Resealed by lab", seal_intact=False
        )
    refused(custody, "needs an approved request", "dispose", "clerk", item, "destroyed")
    with custody.session() as s:
        s.request_disposition("super", item, "destroyed", "Case adjudicated")
    refused(custody, "cannot also approve", "approve_disposition", "super", item)
    refused(custody, "only a supervisor", "approve_disposition", "clerk", item)
    with custody.session() as s:
        s.approve_disposition("super2", item)
    refused(custody, "open case", "dispose", "clerk", item, "destroyed")
    with custody.session() as s:
        s.close_case("pros", "case-1", "Dismissed with prejudice")
        s.dispose("clerk", item, "destroyed")
    assert state(custody, item).status == "disposed"
    refused(custody, "disposed of", "move", "clerk", item, "PR")
    check(custody)


def test_split_keeps_lineage(custody: Custody) -> None:
    box = intake(custody)
    refused(custody, "at least one behind", "split", "clerk", box, 50, "all of them")
    with custody.session() as s:
        s.split("clerk", box, 6, "Six rounds taken from the box for testing")
    with custody.led.engine.connect() as conn:
        rows = conn.execute(text("SELECT item_id, quantity, parent_id FROM item ORDER BY item_id"))
        assert [tuple(r) for r in rows] == [(box, 44, None), ("ITM-000002", 6, box)]
        assert q.item_state(conn, "ITM-000002").case_ids == ("case-1",)  # type: ignore[union-attr]
    check(custody)


def test_a_session_is_all_or_nothing(custody: Custody) -> None:
    before = custody.led.store.size()
    with pytest.raises(RefusedError), custody.session() as s:
        s.intake("clerk", category="other", description="first", location_id="PR")
        s.intake("clerk", category="other", description="second", location_id="NOWHERE")
    assert custody.led.store.size() == before
    assert state(custody, "ITM-000001") is None


def test_correction_supersedes_a_field_and_keeps_the_original(custody: Custody) -> None:
    intake(custody, serial="KT-1")
    with custody.led.engine.connect() as conn:
        seq = conn.execute(text("SELECT intake_seq FROM item")).scalar_one()
    with custody.session() as s:
        s.correct("clerk", seq, "serial", "KT-7", "Serial misread at intake")
    with custody.led.engine.connect() as conn:
        assert conn.execute(text("SELECT serial FROM item")).scalar_one() == "KT-7"
    assert b'"serial":"KT-1"' in custody.led.store.entry(seq)  # the original stays
    check(custody)


def test_edited_projection_is_reported(custody: Custody) -> None:
    item = intake(custody)
    with custody.led.engine.begin() as conn:
        conn.execute(text("UPDATE item SET custodian = 'officer' WHERE item_id = :i"), {"i": item})
    led = custody.led
    report = audit(led.store, led.config.database_url, led.config.log_vkey, workers=1)
    assert not report.ok
    message = str(report.first_problem())
    assert "table item" in message and "custodian is 'officer'" in message and "'clerk'" in message


def test_agency_case_number_format_is_enforced(custody: Custody) -> None:
    with custody.session() as s:
        s.add_agency(
            "admin", "SFCSO", "Santa Fe County Sheriff's Office", {"agency": r"\d{4}-SF-\d{6}"}
        )
    refused(
        custody,
        "does not follow SFCSO's format",
        "open_case",
        "pros",
        "c-2",
        "Bad number",
        numbers=[{"kind": "agency", "number": "SF 12"}],
        agency_id="SFCSO",
    )
    with custody.session() as s:
        s.open_case(
            "pros",
            "c-2",
            "Good number",
            agency_id="SFCSO",
            numbers=[{"kind": "agency", "number": "2024-SF-000123"}],
        )
    refused(custody, "does not follow", "add_case_number", "pros", "c-2", "agency", "24-1")
    refused(
        custody, "already case c-2", "add_case_number", "pros", "case-1", "agency", "2024-SF-000123"
    )


def test_corrections_only_for_intake_details(custody: Custody) -> None:
    item = intake(custody)
    with custody.session() as s:
        moved = s.move("clerk", item, "PR")
    refused(custody, "only intake details", "correct", "clerk", moved.seq, "location_id", "X", "r")
    with custody.led.engine.connect() as conn:
        seq = conn.execute(text("SELECT intake_seq FROM item")).scalar_one()
    refused(custody, "cannot be corrected", "correct", "clerk", seq, "custodian", "pros", "r")
    refused(custody, "whole number", "correct", "clerk", seq, "quantity", "many", "r")
    with custody.session() as s:
        s.correct("clerk", seq, "quantity", "48", "Two rounds were counted twice")
    assert state(custody, item).quantity == 48
    check(custody)


def test_rebuild_repairs_edited_state(custody: Custody) -> None:
    from brady.store.projection_check import missing_tables, rebuild

    item = intake(custody)
    with custody.led.engine.begin() as conn:
        conn.execute(text("UPDATE item SET custodian = 'officer' WHERE item_id = :i"), {"i": item})
        conn.execute(text("DROP TABLE inventory_scan"))
    assert missing_tables(custody.led.store) == ["inventory_scan"]
    rebuild(custody.led.store)
    assert state(custody, item).custodian == "clerk"
    assert missing_tables(custody.led.store) == []
    check(custody)


def test_organizations_and_lab_reports(custody: Custody) -> None:
    with custody.session() as s:
        s.add_organization("pros", "pdq", "PDQ Arm & Prop", aliases=["PDQ"])
    refused(custody, "already exists", "add_organization", "pros", "pdq", "PDQ again")
    item = intake(custody)
    with custody.session() as s:
        s.lab_request("clerk", "L-1", "FBI laboratory", [item], "Function test")
    refused(custody, "may not record lab results", "lab_result", "super", "L-1", "Fractured")
    refused(
        custody,
        "attach the lab report first",
        "lab_result",
        "analyst",
        "L-1",
        "Fractured",
        report_sha256="ab" * 32,
    )
    with custody.session() as s:
        s.lab_result("analyst", "L-1", "Sear and cylinder stop fractured in impact testing")
    refused(custody, "already has a result", "lab_result", "analyst", "L-1", "Again")
    check(custody)


def test_review_findings_are_refused_cleanly(custody: Custody) -> None:
    item = intake(custody)
    refused(custody, "no role that may hold evidence", "transfer", "clerk", item, "pros")
    refused(
        custody,
        "an item is named twice",
        "lab_request",
        "clerk",
        "L-9",
        "Lab",
        [item, item],
        "Test",
    )
    refused(custody, "item_ids", "lab_request", "clerk", "L-9", "Lab", "ITM-000001", "Test")
    refused(
        custody,
        "given twice",
        "open_case",
        "pros",
        "c-9",
        "Twice",
        numbers=[{"kind": "agency", "number": "9"}, {"kind": "agency", "number": "9"}],
    )
    refused(custody, "numbers", "open_case", "pros", "c-9", "Strings", numbers=["2024-1"])
    refused(custody, "quantity", "split", "clerk", item, "five", "Some")
    refused(custody, "no stored file", "attach_file", "clerk", item, "ab" * 32, 3, "ghost.txt")
    refused(
        custody,
        "before ITM-000001's last recorded step",
        "move",
        "clerk",
        item,
        "PR",
        occurred_at="2001-01-01T00:00:00Z",
    )
    with custody.session() as s:
        s.checkout("clerk", item, to="Lab", purpose="lab", due_back="2099-01-01")
    refused(custody, "only the current custodian", "checkin", "officer", item, "PR", "ok", True)
    with custody.session() as s:
        s.checkin("clerk", item, "PR", "ok", True)
        s.request_disposition("super", item, "returned", "Owner's property")
        s.approve_disposition("super2", item)
    refused(custody, "disposition is approved", "transfer", "clerk", item, "officer")
    refused(custody, "disposition is approved", "split", "clerk", item, 5, "Some")
    with custody.session() as s:
        s.close_case("pros", "case-1", "Adjudicated")
    refused(
        custody,
        "approved disposition of ITM-000001 is returned, not destroyed",
        "dispose",
        "clerk",
        item,
        "destroyed",
    )
    refused(custody, "may not close cases", "close_case", "clerk", "case-1", "Again")
    check(custody)


def test_a_split_items_report_starts_with_its_parents_chain(custody: Custody) -> None:
    from brady.reports import chain_of_custody

    box = intake(custody)
    with custody.session() as s:
        s.transfer("clerk", box, "clerk2")
        s.receive("clerk2", box)
        part = s.split("clerk2", box, 6, "Six rounds").payload["new_item_id"]
    data = chain_of_custody.build(custody.led, str(part))
    assert data is not None and data["all_ok"]
    assert [st.kind for st in data["steps"]] == [
        "item.intake",
        "item.transfer",
        "item.receive",
        "item.split",
    ]


def test_cancel_a_transfer_and_withdraw_a_disposition(custody: Custody) -> None:
    item = intake(custody)
    with custody.session() as s:
        s.transfer("clerk", item, "officer")
    refused(custody, "only clerk, who handed", "cancel_transfer", "clerk2", item, "Wrong person")
    with custody.session() as s:
        s.cancel_transfer("clerk", item, "Officer never came to collect it")
    assert (state(custody, item).status, state(custody, item).pending_to) == ("in_custody", None)
    refused(custody, "being transferred|is in the property room", "receive", "officer", item)
    with custody.session() as s:
        s.request_disposition("super", item, "destroyed", "Old")
    refused(
        custody, "only the requester or a supervisor", "withdraw_disposition", "clerk", item, "No"
    )
    with custody.session() as s:
        s.withdraw_disposition("super", item, "Case reopened on appeal")
        s.transfer("clerk", item, "officer")  # no longer blocked
    check(custody)
