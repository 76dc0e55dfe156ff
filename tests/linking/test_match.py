"""The model: evidence weighed by how often it happens by chance in the agency's record."""

from __future__ import annotations

from brady.linking.candidates import Evidence
from brady.linking.match import Record, queue_threshold, score, train
from brady.linking.names import Agreement

OPEN = 10_000
PEOPLE = 30_000


def party(case: str, key: str, role: str = "witness", dob: str | None = None,
          level: Agreement = Agreement.EXACT, person: str = "") -> Evidence:  # fmt: skip
    return Evidence(case, "person", key, key.title(), "party", person or f"p-{case}",
                    f"{key.title()}, a {role}", role, dob, int(level), key.title())  # fmt: skip


def shared(kind: str, key: str, cases: int) -> list[Evidence]:
    return [Evidence(f"c-{n}", kind, key, key, "case", f"c-{n}", "") for n in range(cases)]


def record(names: dict[str, tuple[int, int, int]]) -> Record:
    return Record(OPEN, PEOPLE, names)


RARE = (3, 1, 1)  # three Thells, one Reed, one Thell Reed among the record's people
COMMON = (450, 600, 12)  # Maria, Garcia: among the commonest names, twelve namesakes


def test_a_rare_name_is_suggested_a_common_one_is_not() -> None:
    (one,) = score([party("c-1", "thell reed")], set(), record({"p-c-1": RARE}))
    assert one.case_id == "c-1" and one.score >= 0.5
    assert "Thell Reed, a witness" in one.reasons[0]
    common = [party(f"c-{n}", "maria garcia") for n in range(12)]
    assert score(common, set(), record({f"p-c-{n}": COMMON for n in range(12)})) == []


def test_a_date_of_birth_years_apart_rules_a_person_out_an_agreeing_one_settles_it() -> None:
    evidence = [party("c-1", "thell reed", dob="1950-02-03")]
    other = [("born", "thell reed|1987-04-12|1987-04-12", "Thell Reed")]
    assert score(evidence, set(), record({"p-c-1": RARE}), other) == []
    common = [
        party(f"c-{n}", "maria garcia", dob=f"19{70 + n}-01-03", person=f"p-{n}") for n in range(12)
    ]
    same = [("born", "maria garcia|1972-01-03|1972-01-03", "Maria Garcia")]
    found = score(common, set(), record({f"p-{n}": COMMON for n in range(12)}), same)
    assert [s.case_id for s in found] == ["c-2"] and found[0].score > 0.95
    assert "date of birth" in found[0].reasons[0]


def test_an_officer_named_in_many_reports_is_weak_evidence() -> None:
    officer = [party(f"c-{n}", "kim nguyen", role="officer", person="p-kim") for n in range(40)]
    assert score(officer, set(), record({"p-kim": RARE})) == []


def test_a_serial_number_one_case_holds_is_enough_a_caliber_never_is() -> None:
    serial = [Evidence("c-1", "serial", "KT4471", "KT4471", "item", "ITM-1", "1")]
    assert [s.case_id for s in score(serial, set(), record({}))] == ["c-1"]
    assert score(shared("caliber", "9mm-luger", 300), set(), record({})) == []


def test_several_weak_agreements_add_up() -> None:
    place = Evidence("c-1", "address@", "1423 camino del rey nw|los lunas",
                     "1423 camino del rey nw", "case", "c-1", "")  # fmt: skip
    surname = party("c-1", "ortiz", level=Agreement.SURNAME)
    town = shared("town", "los lunas", 400)
    names = record({"p-c-1": (0, 300, 0)})  # a common surname
    for some in ([place], [surname], [place, surname], [surname, *town]):
        assert [s for s in score(some, set(), names) if s.case_id == "c-1"] == [], some
    assert next(s.case_id for s in score([place, surname, *town], set(), names)) == "c-1"


def test_the_items_own_cases_are_never_suggested() -> None:
    assert score([party("c-1", "thell reed")], {"c-1"}, record({"p-c-1": RARE})) == []


def test_what_the_items_own_case_accounts_for_is_no_sign_of_another() -> None:
    """Its officers, its town, a namesake of its own party: no link. The same person, a
    party of both cases: a link, however common the name."""
    own = {"c-own"}
    names = record({"p-1": COMMON, "p-2": COMMON, "p-off": RARE})
    officer = [party(c, "kim nguyen", role="officer", person="p-off") for c in ("c-own", "c-1")]
    town = [*shared("town", "belen", 3), Evidence("c-own", "town", "belen", "", "case", "", "")]
    assert score([*officer, *town], own, names, own=own) == []
    namesake = [party("c-own", "maria garcia", person="p-1"), party("c-1", "maria garcia",
                                                                     person="p-2")]  # fmt: skip
    assert score(namesake, own, names, own=own) == []
    same = [party("c-own", "maria garcia", person="p-1"), party("c-1", "maria garcia",
                                                                person="p-1")]  # fmt: skip
    (found,) = score(same, own, names, own=own)
    assert found.case_id == "c-1" and "party both of this case" in found.reasons[0]


def test_a_target_queue_load_sets_the_least_score_kept() -> None:
    scores = [0.99, 0.95, 0.7, 0.5, 0.31]
    assert queue_threshold(scores, 100, 5) == 0.0  # five per 100 already
    assert queue_threshold(scores, 100, 3) == 0.501  # the three best stay
    assert queue_threshold(scores, 100, 0.5) == 0.991  # none of these


def test_weights_learned_from_reviews_lean_on_the_defaults_when_reviews_are_few() -> None:
    m, _ = train([["serial:KT4471"]], intakes=10)
    assert 0.5 < m["serial"] < 0.6  # one review moves the default (0.5) a little
    learned, prior = train([["serial:KT4471"]] * 200, intakes=1000)
    assert learned["serial"] > 0.95 and learned["name.4"] < 0.1
    assert 0.1 < prior < 0.2
