"""An intake's suggestions read before the ledger's lock (linking/foresight.py): used only
when nothing recorded since could change them, and never a missed link when something did.

Each race is played in order on one thread: the reading, then what another clerk records
meanwhile, then the intake under the lock, as two server processes would interleave them.
"""

from __future__ import annotations

from typing import Any

from brady.custody.service import Custody
from brady.linking import foresight
from brady.linking.foresight import TALLY
from brady.linking.suggest import scored

from ..custody.test_service import check, intake
from .test_linking import suggestions

FIELDS: dict[str, Any] = {
    "category": "firearm",
    "description": "Colt revolver, serial CR-448812",
    "narrative": "Handed in by Seth Kenney at the front counter",
    "location_id": "PR-B14",
    "case_ids": ["case-1"],
}


def _record(custody: Custody, seen: Any, **fields: Any) -> str:
    with custody.session() as s:
        s.foreseen = seen
        return str(s.intake("clerk", **fields).payload["item_id"])


def _counts() -> tuple[int, int, int]:
    """(held, partly read again, read again)"""
    return TALLY.held, TALLY.partly, TALLY.read_again


def _kenney_case(custody: Custody, case_id: str = "c-2") -> None:
    with custody.session() as s:
        s.add_person("pros", "p-kenney", "Seth Kenney")
        s.open_case("pros", case_id, "State v. Supplier")
        s.add_party("pros", case_id, "p-kenney", "witness")


def test_suggestions_read_ahead_are_those_found_under_the_lock(custody: Custody) -> None:
    _kenney_case(custody)
    seen = custody.read_ahead("clerk", FIELDS)
    assert seen is not None and {s.case_id for s in seen.suggestions} == {"c-2"}
    held, partly, again = _counts()
    ahead = _record(custody, seen, **FIELDS)
    assert _counts() == (held + 1, partly, again)  # used, not read again
    under_lock = _record(custody, None, **{**FIELDS, "description": "Colt revolver"})
    mine, theirs = suggestions(custody, ahead)["c-2"], suggestions(custody, under_lock)["c-2"]
    assert mine["why"] == theirs["why"] and mine["score"] == theirs["score"]
    check(custody)


def test_custody_steps_in_between_leave_the_reading_standing(custody: Custody) -> None:
    _kenney_case(custody)
    other = intake(custody, description="Blue bicycle", narrative="Found by the river")
    seen = custody.read_ahead("clerk", FIELDS)
    with custody.session() as s:
        s.transfer("clerk", other, to_user="clerk2")
    held, partly, again = _counts()
    item = _record(custody, seen, **FIELDS)
    assert _counts() == (held + 1, partly, again)
    assert set(suggestions(custody, item)) == {"c-2"}


def test_a_party_added_in_between_is_not_missed(custody: Custody) -> None:
    seen = custody.read_ahead("clerk", FIELDS)
    assert seen is not None and seen.suggestions == ()  # nobody names Kenney yet
    _kenney_case(custody)  # meanwhile, a prosecutor adds him to a case
    held, partly, again = _counts()
    item = _record(custody, seen, **FIELDS)
    assert _counts() == (held, partly, again + 1)
    assert "Seth Kenney" in str(suggestions(custody, item)["c-2"]["why"])
    check(custody)


def test_an_intake_in_between_that_shares_a_thing_is_not_missed(custody: Custody) -> None:
    """Two clerks take in items with the same serial at once, under different cases: the
    second to take the lock read the record before the first was on it."""
    with custody.session() as s:
        s.open_case("pros", "c-9", "State v. Another")
    fields = {**FIELDS, "narrative": "Found in a vehicle", "description": "Revolver"}
    fields["serial"] = "CR-448812"
    seen = custody.read_ahead("clerk", fields)
    assert seen is not None and seen.suggestions == ()
    first = intake(custody, **{**fields, "case_ids": ["c-9"]})  # the other clerk's
    assert suggestions(custody, first) == {}  # it could not see ours: not yet recorded
    held, partly, again = _counts()
    second = _record(custody, seen, **fields)
    assert _counts() == (held, partly + 1, again)  # only the serial looked up again
    assert "CR448812" in str(suggestions(custody, second)["c-9"]["why"]).upper().replace("-", "")


def test_an_intake_in_between_with_nothing_in_common_leaves_it(custody: Custody) -> None:
    _kenney_case(custody)
    seen = custody.read_ahead("clerk", FIELDS)
    intake(custody, description="Blue bicycle", narrative="Found by the river")
    held, partly, again = _counts()
    item = _record(custody, seen, **FIELDS)
    assert _counts() == (held + 1, partly, again)
    assert set(suggestions(custody, item)) == {"c-2"}


def test_a_reading_that_is_not_an_intake_is_no_reading(custody: Custody) -> None:
    assert custody.read_ahead("clerk", {**FIELDS, "category": "spaceship"}) is None


def test_an_intake_reads_ahead_only_where_it_pays(custody: Custody) -> None:
    """On SQLite one process serves: the reading is only moved, not shortened, and costs
    a cold page cache; on PostgreSQL the server processes take turns at the lock."""
    seen = custody.foresee_intake("clerk", FIELDS)
    postgres = custody.led.engine.dialect.name == "postgresql"
    assert (seen is not None) == postgres


def test_an_intake_in_between_naming_an_organization_otherwise_is_not_missed(
    custody: Custody,
) -> None:
    """A registered organization is looked up under all its names: an intake in between
    that writes another of them shares the thing as surely as one that writes the same."""
    with custody.session() as s:
        s.add_organization("pros", "org-1", "Sandia Pawn and Loan", aliases=["Cash Corner"])
        s.open_case("pros", "c-9", "State v. Another")
    fields = {
        **FIELDS,
        "description": "Receipt book",
        "narrative": "Receipt book from Cash Corner, handed in at the front counter",
    }
    seen = custody.read_ahead("clerk", fields)
    assert seen is not None and seen.suggestions == ()
    other = {"description": "Ledger", "narrative": "Taken from Sandia Pawn and Loan"}
    intake(custody, **{**FIELDS, **other, "case_ids": ["c-9"]})  # the other clerk's
    held, partly, again = _counts()
    second = _record(custody, seen, **fields)
    assert _counts() == (held, partly + 1, again)
    assert "c-9" in suggestions(custody, second)


def test_things_looked_up_again_weigh_as_reading_everything_again(custody: Custody) -> None:
    """When an intake in between shares some of the item's things, only those are looked
    up again: the suggestions must be exactly those of reading everything again."""
    _kenney_case(custody)
    with custody.session() as s:
        s.open_case("pros", "c-9", "State v. Another")
    intake(custody, description="Wallet", narrative="Seth Kenney's")  # the linker's first
    fields = {**FIELDS, "serial": "CR-448812", "narrative": "Handed in by Seth Kenney, Corrales"}
    seen = custody.read_ahead("clerk", fields)
    assert seen is not None
    intake(custody, **{**fields, "description": "Holster", "case_ids": ["c-9"]})
    config = custody.led.config.linking
    with custody.session() as s:
        item_id = str(s.intake("clerk", **fields).payload["item_id"])
        held, partly, again = _counts()
        refreshed = foresight.still_holds(s.conn, seen, item_id, config)
        assert _counts() == (held, partly + 1, again)
        whole = scored(s.conn, item_id, config.weights, config.threshold)
    assert refreshed is not None and {x.case_id for x in refreshed} >= {"c-2", "c-9"}
    assert refreshed == whole
