"""The model: evidence weighed by how often it happens by chance in the agency's record."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from brady.linking.candidates import Evidence
from brady.linking.match import Record, score
from brady.linking.names import Agreement
from brady.linking.training import queue_threshold, train

OPEN = 10_000
PEOPLE = 30_000


def party(case: str, key: str, role: str = "witness", dob: str | None = None,
          level: Agreement = Agreement.EXACT, person: str = "") -> Evidence:  # fmt: skip
    return Evidence(case, "person", key, key.title(), "party", person or f"p-{case}",
                    f"{key.title()}, a {role}", role, dob, int(level), key.title())  # fmt: skip


def shared(kind: str, key: str, cases: int) -> list[Evidence]:
    return [Evidence(f"c-{n}", kind, key, key, "case", f"c-{n}", "") for n in range(cases)]


def record(names: dict[str, tuple[int, int, int, int]]) -> Record:
    return Record(OPEN, PEOPLE, names)


RARE = (3, 1, 0, 0)  # three Thells, one Reed, no other Thell Reed among the record's people
COMMON = (450, 600, 11, 11)  # Maria, Garcia: among the commonest names, eleven namesakes


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
    """An address in the same town is all but an identifier: one case's alone is enough.
    Shared by three cases (an apartment block), it is not, but a party's common surname
    tips it over; the town adds nothing an address in it has not said."""
    address = "1423 camino del rey nw|los lunas"
    one = Evidence("c-1", "address@", address, "1423 camino del rey nw", "case", "c-1", "")
    shared_by_3 = [replace(one, case_id=c, via_id=c) for c in ("c-1", "c-2", "c-3")]
    surname = party("c-1", "ortiz", level=Agreement.SURNAME)
    town = shared("town", "los lunas", 400)
    names = record({"p-c-1": (0, 300, 0, 0)})  # a common surname
    assert [s.case_id for s in score([one], set(), names)] == ["c-1"]
    for some in (shared_by_3, [surname], [surname, *town], [*shared_by_3, *town]):
        assert [s for s in score(some, set(), names) if s.case_id == "c-1"] == [], some
    for some in ([*shared_by_3, surname], [*shared_by_3, surname, *town]):
        assert next(s.case_id for s in score(some, set(), names)) == "c-1", some


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


def _score_of(case: str, found: list[Any]) -> float:
    return next((s.score for s in found if s.case_id == case), 0.0)


MIDDLING = (400, 50, 0, 0)  # a common given name, a surname of fifty people: not enough alone


def test_context_alone_never_reaches_a_suggestion_but_corroborates() -> None:
    """Two officers' surnames, a rare town and a make: every report names such things, so
    together they stay short of a suggestion; beside a name they tip it over."""
    officers = [
        party("c-1", "brown", role="officer", level=Agreement.SURNAME, person="p-o1"),
        party("c-1", "garcia", role="officer", level=Agreement.SURNAME, person="p-o2"),
    ]
    context = [*officers, *shared("town", "edgewood", 1), *shared("make", "mossberg", 1)]
    assert score(context, set(), record({})) == []
    name = party("c-1", "dana reyes", person="p-1")
    assert score([name], set(), record({"p-1": MIDDLING})) == []
    assert _score_of("c-1", score([name, *context], set(), record({"p-1": MIDDLING}))) > 0.5


def test_an_officer_written_by_surname_could_be_any_officer_so_named() -> None:
    name = party("c-1", "dana reyes", person="p-1")
    officer = party("c-1", "garcia", role="officer", level=Agreement.SURNAME, person="p-o1")
    names = record({"p-1": MIDDLING})
    alone = _score_of("c-1", score([name, officer], set(), names, threshold=0))
    others = [
        party(f"c-{n}", "garcia", role="officer", level=Agreement.SURNAME, person=f"p-o{n}")
        for n in range(2, 400)
    ]
    crowded = _score_of("c-1", score([name, officer, *others], set(), names, threshold=0))
    assert 0 < crowded < alone


def test_a_nickname_weighs_nearly_as_much_as_the_name_an_initial_far_less() -> None:
    names = record({"p-1": MIDDLING})
    weigh = lambda key, level: _score_of(  # noqa: E731
        "c-1", score([party("c-1", key, level=level, person="p-1")], set(), names, threshold=0)
    )
    exact = weigh("josefina padilla", Agreement.EXACT)
    nickname = weigh("josie padilla", Agreement.VARIANT)
    initial = weigh("j padilla", Agreement.VARIANT)
    assert exact > nickname > initial and nickname > exact / 2


def test_a_name_written_exactly_as_someone_elses_is_likelier_theirs() -> None:
    """'Aurora Silva' read in Aurora Correa-Silva's name, while the record holds an Aurora
    Silva too: weaker than if no one else bore it. A slip ('Kelly Jonson') is still looked
    for when a party of an open case is called exactly that (both are suggested), less
    when only someone of a closed case is."""
    exact = party("c-1", "aurora silva", person="p-1")
    alone = _score_of("c-1", score([exact], set(), record({"p-1": (20, 20, 0, 0)}), threshold=0))
    other = _score_of("c-1", score([exact], set(), record({"p-1": (20, 20, 0, 1)}), threshold=0))
    assert other < alone
    slip = party("c-1", "kelly jonson", level=Agreement.CLOSE, person="p-1")
    twin = party("c-2", "kelly jonson", person="p-2")  # a party of an open case: suggested
    names = {"p-1": (20, 20, 0, 0), "p-2": (20, 20, 0, 0)}
    a = _score_of("c-1", score([slip, twin], set(), record(names), threshold=0))
    names["p-1"] = (20, 20, 0, 1)
    b = _score_of("c-1", score([slip, twin], set(), record(names), threshold=0))
    assert a == b > 0
    # 'Ming Gao' of a closed case only: a Min Gao of an open case is less likely meant
    closed = _score_of("c-1", score([slip], set(), record(names), threshold=0))
    assert 0 < closed < b


def test_a_person_settled_in_one_case_is_named_in_each_of_their_cases() -> None:
    """Josie Padilla beside the town and officer of one of her cases: both her cases."""
    names = record({"p-1": MIDDLING})
    nick = [
        party(c, "josie padilla", level=Agreement.VARIANT, person="p-1") for c in ("c-1", "c-2")
    ]
    town = Evidence("c-1", "town", "los lunas", "Los Lunas", "case", "c-1", "")
    officer = party("c-1", "smith", role="officer", level=Agreement.SURNAME, person="p-o")
    found = {s.case_id: s for s in score([*nick, town, officer], set(), names)}
    assert set(found) == {"c-1", "c-2"} and found["c-2"].score == found["c-1"].score
    assert "the same person as in c-1" in found["c-2"].reasons[0]
    assert score(nick, set(), names) == []  # the name alone settles neither
