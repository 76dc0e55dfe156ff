"""The model: evidence weighed by how often it happens by chance in the agency's record."""

from __future__ import annotations

from brady.linking.candidates import Evidence
from brady.linking.match import score
from brady.linking.names import Agreement

OPEN = 10_000


def party(case: str, key: str, role: str = "witness", dob: str | None = None,
          level: Agreement = Agreement.EXACT) -> Evidence:  # fmt: skip
    return Evidence(case, "person", key, key.title(), "party", f"p-{case}", f"{key.title()}, a "
                    f"{role}", role, dob, int(level))  # fmt: skip


def shared(kind: str, key: str, cases: int) -> list[Evidence]:
    return [Evidence(f"c-{n}", kind, key, key, "case", f"c-{n}", "") for n in range(cases)]


def test_a_name_only_one_open_case_has_is_suggested_a_common_one_is_not() -> None:
    (one,) = score([party("c-1", "thell reed")], set(), OPEN)
    assert one.case_id == "c-1" and one.score >= 0.5
    assert "Thell Reed, a witness" in one.reasons[0]
    common = [party(f"c-{n}", "maria garcia") for n in range(12)]
    assert score(common, set(), OPEN) == []


def test_a_disagreeing_date_of_birth_counts_against_an_agreeing_one_settles_it() -> None:
    evidence = [party("c-1", "thell reed", dob="1950-02-03")]
    other = [("born", "thell reed|1987-04-12|1987-04-12", "Thell Reed")]
    assert score(evidence, set(), OPEN, other) == []
    common = [party(f"c-{n}", "maria garcia", dob="1990-01-0" + str(1 + n % 9)) for n in range(12)]
    same = [("born", "maria garcia|1990-01-03|1990-01-03", "Maria Garcia")]
    found = score(common, set(), OPEN, same)
    assert [s.case_id for s in found] == ["c-2"] and found[0].score > 0.99


def test_an_officer_named_in_many_reports_is_weak_evidence() -> None:
    officer = [party(f"c-{n}", "kim nguyen", role="officer") for n in range(3)]
    assert score(officer, set(), OPEN) == []


def test_a_serial_number_one_case_holds_is_enough_a_caliber_never_is() -> None:
    serial = [Evidence("c-1", "serial", "KT4471", "KT4471", "item", "ITM-1", "1")]
    assert [s.case_id for s in score(serial, set(), OPEN)] == ["c-1"]
    assert score(shared("caliber", "9mm-luger", 300), set(), OPEN) == []


def test_several_weak_agreements_add_up() -> None:
    weak = [
        Evidence("c-1", "address@", "1423 camino del rey nw|los lunas", "1423 camino del rey nw",
                 "case", "c-1", ""),
        party("c-1", "ortiz", level=Agreement.SURNAME),
    ]  # fmt: skip
    assert score(weak[:1], set(), OPEN) == score(weak[1:], set(), OPEN) == []
    assert [s.case_id for s in score(weak, set(), OPEN)] == ["c-1"]


def test_the_items_own_cases_are_never_suggested() -> None:
    assert score([party("c-1", "thell reed")], {"c-1"}, OPEN) == []
