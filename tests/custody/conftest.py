"""A small agency: staff with roles, two places, a person and one case."""

from __future__ import annotations

import pytest

from brady.custody.service import Custody
from brady.ledger_home import OpenLedger


def staff(custody: Custody) -> Custody:
    with custody.session() as s:
        s.add_user(None, "admin", "Ada Admin", ["admin"])
    with custody.session() as s:
        s.add_user("admin", "clerk", "Carl Clerk", ["property_clerk"])
        s.add_user("admin", "clerk2", "Cleo Clerk", ["property_clerk"])
        s.add_user("admin", "officer", "Olga Officer", ["officer"])
        s.add_user("admin", "super", "Sam Supervisor", ["supervisor"])
        s.add_user("admin", "super2", "Sue Supervisor", ["supervisor"])
        s.add_user("admin", "pros", "Pat Prosecutor", ["prosecutor"])
        s.add_user("admin", "analyst", "Lee Analyst", ["lab_analyst"])
        s.add_location("admin", "PR", "Property room", "room")
        s.add_location("admin", "PR-B14", "Shelf B-14", "shelf", parent_id="PR")
        s.add_location("admin", "LAB", "State crime lab", "temporary")
        s.add_person("pros", "p-hgr", "Hannah Gutierrez-Reed", aliases=["Hannah Reed"])
        s.open_case(
            "pros",
            "case-1",
            "State v. Example",
            numbers=[
                {"kind": "agency", "number": "2021-10-0001"},
                {"kind": "court", "number": "D-101-CR-2023-00040"},
            ],
        )
    return custody


@pytest.fixture
def custody(ledger: OpenLedger) -> Custody:
    return staff(Custody(ledger))
