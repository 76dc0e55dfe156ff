"""Related cases: a party shared by two open cases is put to each case's prosecutor once,
and the items of either case that name the party follow that decision (on SQLite and
PostgreSQL, through the `ledger` fixture)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from brady.access.policy import Caller
from brady.accounts.permissions import Permissions
from brady.custody.service import Custody
from brady.domain.errors import NotAllowedError, RefusedError
from brady.store import access_queries
from brady.store import relation_queries as rq

from ..custody.test_service import check, intake
from .test_linking import suggestions


def _two_cases_sharing(custody: Custody) -> None:
    """Dana Reyes is the defendant of case-1 and a witness of c-2; Tomás Ibarra is a
    victim of case-1 only; an officer works both cases."""
    with custody.session() as s:
        s.add_person("pros", "p-reyes", "Dana Reyes")
        s.add_person("pros", "p-ibarra", "Tomás Ibarra")
        s.add_person("pros", "p-ofc", "Marcus Whitfield")
        s.open_case("pros", "c-2", "State v. Someone Else")
        s.add_party("pros", "case-1", "p-reyes", "defendant")
        s.add_party("pros", "case-1", "p-ibarra", "victim")
        s.add_party("pros", "case-1", "p-ofc", "officer")
        s.add_party("pros", "c-2", "p-ofc", "officer")
    with custody.session() as s:
        s.add_party("pros", "c-2", "p-reyes", "witness")


def _relations(custody: Custody) -> list[tuple[str, str, str, str, str]]:
    with custody.led.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT relation_id, case_id, other_case_id, person_id, status "
                "FROM case_relation ORDER BY relation_id, case_id"
            )
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _queue(custody: Custody) -> list[str]:
    """The link suggestions a reviewer reads one by one (not those under related cases)."""
    with custody.led.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT item_id || '->' || case_id FROM link_suggestion "
                "WHERE status = 'open' AND relation_id IS NULL ORDER BY suggestion_id"
            )
        )
        return [r[0] for r in rows]


def test_a_shared_party_relates_the_cases_once(custody: Custody) -> None:
    _two_cases_sharing(custody)
    rows = _relations(custody)
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [
        ("c-2", "case-1", "p-reyes", "open"),
        ("case-1", "c-2", "p-reyes", "open"),
    ]  # one relation, two sides; the officer of both cases relates nothing
    with custody.session() as s:  # asked again (a record loaded with linking off)
        assert s.find_related_cases("admin") == []
        s.add_party("pros", "c-2", "p-reyes", "victim")  # a second role: still one relation
    assert len(_relations(custody)) == 2
    with custody.session() as s:  # a second party shared before any decision joins it
        s.add_party("pros", "c-2", "p-ibarra", "witness")
    assert {(r[0], r[3]) for r in _relations(custody)} == {
        ("REL-000001", "p-reyes"),
        ("REL-000001", "p-ibarra"),
    }
    with custody.led.engine.connect() as conn:
        page, total = rq.relation_queue(conn, None, "open", limit=10, offset=0)
    assert total == 2 and page[0]["person"] == "Tomás Ibarra and Dana Reyes"
    assert len(page[0]["reasons"]) == 2  # a sentence for each
    with custody.session() as s:  # once a side is decided, a party shared later is news
        s.accept_relation("pros", "REL-000001", "c-2", "Both testify in c-2")
        s.add_person("pros", "p-lu", "Mei Lu")
        s.add_party("pros", "case-1", "p-lu", "witness")
        s.add_party("pros", "c-2", "p-lu", "victim")
    assert [r[3] for r in _relations(custody) if r[0] == "REL-000002"] == ["p-lu", "p-lu"]
    assert "party of both cases" in page[0]["reasons"][0]
    check(custody)


def test_a_record_loaded_without_linking_gets_one_relation_per_pair(custody: Custody) -> None:
    """Parties shared by two cases before anyone looked: one suggestion for the pair,
    naming them all, each side decided once for all of them."""
    from brady.custody.service import Session

    saved = Session.link_party
    Session.link_party = lambda self, case_id, person_id, occurred_at=None: []  # type: ignore[method-assign]
    try:
        _two_cases_sharing(custody)
        with custody.session() as s:
            s.add_party("pros", "c-2", "p-ibarra", "witness")
    finally:
        Session.link_party = saved  # type: ignore[method-assign]
    assert _relations(custody) == []
    with custody.session() as s:
        [found] = s.find_related_cases("admin")
    assert found.payload["person_ids"] == ["p-ibarra", "p-reyes"]
    with custody.led.engine.connect() as conn:
        page, total = rq.relation_queue(conn, None, "open", limit=10, offset=0)
    assert (total == 2 and page[0]["person"] == "Dana Reyes and Tomás Ibarra") or page[0][
        "person"
    ] == "Tomás Ibarra and Dana Reyes"
    with custody.session() as s:
        s.accept_relation("pros", found.payload["relation_id"], "c-2", "Both testify in c-2")
    item = intake(custody, narrative="Letter from Tomás Ibarra", case_ids=["case-1"])
    assert suggestions(custody, item)["c-2"]["status"] == "accepted"
    check(custody)


def test_items_follow_the_open_relation_and_its_decision(custody: Custody) -> None:
    _two_cases_sharing(custody)
    [(relation_id, *_)] = _relations(custody)[:1]
    first = intake(custody, narrative="Dana Reyes handed over the box", case_ids=["case-1"])
    second = intake(custody, narrative="Wallet of Dana Reyes", case_ids=["case-1"])
    for item in (first, second):
        assert suggestions(custody, item)["c-2"]["status"] == "open"
    assert _queue(custody) == []  # both wait under the relation, not in the item queue
    with custody.session() as s:
        entries = s.accept_relation("pros", relation_id, "c-2", "Reyes testifies in c-2")
    assert [e.kind for e in entries] == ["relation.accept", "link.accept", "link.accept"]
    later = intake(custody, narrative="Dana Reyes's phone, seized", case_ids=["case-1"])
    linked = suggestions(custody, later)["c-2"]
    assert linked["status"] == "accepted"  # by the decision on the relation
    with custody.led.engine.connect() as conn:
        cases = {
            r[0]
            for r in conn.execute(
                text("SELECT case_id FROM item_case WHERE item_id = :i"), {"i": later}
            )
        }
        reason = conn.execute(
            text("SELECT decision_reason, decided_by FROM link_suggestion WHERE item_id = :i"),
            {"i": later},
        ).one()
    assert cases == {"case-1", "c-2"}  # it is part of c-2's discovery
    assert reason[0].startswith(f"follows the decision on related cases {relation_id}")
    assert reason[1] == "pros"
    check(custody)  # replayed from the ledger, the projection agrees


def test_a_rejected_side_raises_nothing_more_unless_more_ties_the_item(custody: Custody) -> None:
    _two_cases_sharing(custody)
    [(relation_id, *_)] = _relations(custody)[:1]
    with custody.session() as s:
        s.reject_relation("pros", relation_id, "c-2", "Reyes is only a bystander in c-2")
    quiet = intake(custody, narrative="Dana Reyes's jacket", case_ids=["case-1"])
    assert "c-2" not in suggestions(custody, quiet)
    with custody.session() as s:
        s.add_case_number("pros", "c-2", "court", "D-202-CR-2022-00123")
    tied = intake(
        custody, narrative="Dana Reyes's jacket, see D-202-CR-2022-00123", case_ids=["case-1"]
    )
    raised = suggestions(custody, tied)["c-2"]
    assert raised["status"] == "open"  # more than the shared party: its own queue entry
    assert _queue(custody) == [f"{tied}->c-2"]
    # The other side is still open: c-2's items naming Reyes wait for case-1's prosecutor.
    other = intake(custody, narrative="Dana Reyes signed the statement", case_ids=["c-2"])
    assert suggestions(custody, other)["case-1"]["status"] == "open"
    check(custody)


def test_each_side_is_decided_once_by_its_own_prosecutor(custody: Custody) -> None:
    _two_cases_sharing(custody)
    [(relation_id, *_)] = _relations(custody)[:1]
    with custody.session() as s:
        s.add_user("admin", "pros2", "Perry Prosecutor", ["prosecutor"])
        Permissions(s).assign("admin", "case-1", "pros", "prosecutor")
        Permissions(s).assign("admin", "c-2", "pros2", "prosecutor")
    before = custody.led.store.size()
    with (
        pytest.raises(NotAllowedError, match="own prosecutor"),
        custody.session(caller_of(custody, "pros")) as s,
    ):
        s.accept_relation("pros", relation_id, "c-2", "Not my case")
    assert custody.led.store.size() == before
    with custody.session(caller_of(custody, "pros2")) as s:
        s.accept_relation("pros2", relation_id, "c-2", "Reyes testifies in c-2")
    with pytest.raises(RefusedError, match="already accepted"), custody.session() as s:
        s.accept_relation("pros", relation_id, "c-2", "Again")
    with pytest.raises(RefusedError, match="not c-9"), custody.session() as s:
        s.accept_relation("pros", relation_id, "c-9", "No such side")
    with pytest.raises(RefusedError, match="no related cases"), custody.session() as s:
        s.accept_relation("pros", "REL-999999", "c-2", "No such relation")
    check(custody)


def caller_of(custody: Custody, user_id: str) -> Caller:
    with custody.led.engine.connect() as conn:
        found = access_queries.caller(conn, user_id, "write")
    assert found is not None
    return found


def test_a_closed_case_relates_nothing(custody: Custody) -> None:
    with custody.session() as s:
        s.add_person("pros", "p-reyes", "Dana Reyes")
        s.open_case("pros", "c-2", "Closed one")
        s.add_party("pros", "c-2", "p-reyes", "suspect")
        s.close_case("pros", "c-2", "Unfounded")
        s.add_party("pros", "case-1", "p-reyes", "defendant")
    assert _relations(custody) == []
