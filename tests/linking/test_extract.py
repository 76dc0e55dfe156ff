"""Mention extraction: the words a narrative uses for people, things and numbers."""

from __future__ import annotations

import pytest

from brady.linking.extract import Patterns, case_ref_key, extract
from brady.linking.names import name_key
from brady.linking.names import record_keys as name_variants

TESKE = (
    "Troy Teske, a retired Arizona officer, brought about two dozen .45 Colt rounds, some "
    "Starline Brass, saying they belonged to Reed, Thell and came from the batch Seth Kenney "
    "of PDQ Arm & Prop took for the production at Bonanza Creek Ranch. Serial no. KT-4471. "
    "Call (505) 555-0199. Plate NM ABC1234. See D-101-CR-2023-90041."
)


def keys(text: str, kind: str) -> set[str]:
    return {m.key for m in extract(text) if m.kind == kind}


def test_the_teske_narrative() -> None:
    assert keys(TESKE, "person") == {"troy teske", "thell reed", "seth kenney"}
    assert keys(TESKE, "caliber") == {"45-colt"}
    assert {"starline", "pdq"} <= keys(TESKE, "make")
    assert keys(TESKE, "organization") == {"pdq arm & prop"}
    assert keys(TESKE, "place") == {"bonanza creek ranch"}
    assert keys(TESKE, "serial") == {"KT4471"}
    assert keys(TESKE, "phone") == {"5055550199"}
    assert keys(TESKE, "plate") == {"ABC1234"}
    assert keys(TESKE, "case_number") == {"D-101-CR-2023-90041"}


@pytest.mark.parametrize(
    "written",
    [".45 Colt", "45 Long Colt", ".45 LC", "Colt .45", "45 colt", ".45 caliber Colt"],
)
def test_one_caliber_many_spellings(written: str) -> None:
    assert keys(f"Six {written} cartridges", "caliber") == {"45-colt"}


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("9mm Luger", "9mm-luger"),
        ("9x19", "9mm-luger"),
        (".38 Spl", "38-special"),
        ("12 ga", "12-gauge"),
        (".45 ACP", "45-acp"),
        ("5.56", "223-remington"),
    ],
)
def test_other_calibers_do_not_collide(written: str, key: str) -> None:
    assert keys(f"Box of {written} rounds", "caliber") == {key}


def test_names_in_any_order_and_accents() -> None:
    assert name_key("Reed, Thell") == name_key("THELL  REED") == "thell reed"
    assert name_key("José Núñez") == "jose nunez"
    assert {"t reed", "thell reed"} <= name_variants("Thell Reed")
    assert {"bob smith", "robert smith"} <= name_variants("Robert Smith")
    assert "robert smith" in name_variants("Bob Smith")
    assert "hannah reed" in name_variants("Hannah Gutierrez-Reed", ["Hannah Reed"])


def test_single_surnames_are_kept_for_matching() -> None:
    words = keys("The rounds were said to be Reed's.", "name_word")
    assert "reed" in words and "the" not in words


def test_configured_case_number_formats() -> None:
    found = extract(
        "Filed under SFCSO 24-00017 and D-101-CR-2024-00013",
        Patterns(case_numbers=(r"\b\d{2}-\d{5}\b",)),
    )
    assert {m.key for m in found if m.kind == "case_number"} == {"24-00017"}
    both = extract(
        "Filed under SFCSO 24-00017 and D-101-CR-2024-00013",
        Patterns.with_extra(case_numbers=[r"\b\d{2}-\d{5}\b"]),
    )
    assert {m.key for m in both if m.kind == "case_number"} == {
        "24-00017",
        "D-101-CR-2024-00013",
    }


def test_extra_calibers_and_makes() -> None:
    text = "Two 5.7x28 rounds, Zastava, and a Hi-Point pistol"
    assert not keys(text, "caliber")
    assert "zastava" not in keys(text, "make")
    patterns = Patterns.with_extra(
        calibers=[("57x28", r"5\.7\s*x\s*28")],
        makes={"zastava": "zastava", "hi-point": "hi-point"},
    )
    found = extract(text, patterns)
    assert {m.key for m in found if m.kind == "caliber"} == {"57x28"}
    assert {m.key for m in found if m.kind == "make"} == {"zastava", "hi-point"}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Cover letter marked: SFSO #24-415, Castillo.", "24-415"),
        ("see case no. 24-00415", "24-415"),
        ("Report 21-7 attached", "21-7"),
    ],
)
def test_case_numbers_written_short(text: str, key: str) -> None:
    assert keys(text, "case_ref") == {key}


@pytest.mark.parametrize("text", ["Call 505-555-0142", "1024-415 Agua Fria", "#24-0"])
def test_what_is_not_a_short_case_number(text: str) -> None:
    assert not keys(text, "case_ref")


def test_a_number_held_as_year_district_serial_is_read_in_full_but_never_a_date() -> None:
    text = "Rounds logged under 2021-10-0001 on 2021-10-01 (see 2021-10-01T09:00)"
    assert keys(text, "case_number") == {"2021-10-0001"}
    assert keys(text, "case_ref") == {"21-1"}
    assert not keys("Seized 2021-10-01, returned 2021-11-15", "case_number")


@pytest.mark.parametrize(
    ("number", "short"),
    [
        ("2024-SF-000415", "24-415"),
        ("D-101-CR-2024-00161", "24-161"),
        ("2021-10-0001", "21-1"),
        ("SF-0042", None),
    ],
)
def test_the_short_form_of_a_case_number(number: str, short: str | None) -> None:
    assert case_ref_key(number) == short


def test_the_agencys_places_are_towns_never_people() -> None:
    text = "Bicycle found by Maria Chavez in Los Chavez"
    assert keys(text, "person") == {"maria chavez", "los chavez"}
    patterns = Patterns.with_extra(places=["Los Chavez"])
    found = extract(text, patterns)
    assert {m.key for m in found if m.kind == "person"} == {"maria chavez"}
    assert {m.key for m in found if m.kind == "town"} == {"los chavez"}
    # a town inside a hyphenated surname is the surname
    named = extract(
        "Taken from victim Paige Valencia-Baros in Valencia.",
        Patterns.with_extra(places=["Valencia"]),
    )
    assert {m.key for m in named if m.kind == "person"} == {"paige valencia-baros"}
    assert {m.key for m in named if m.kind == "town"} == {"valencia"}
    # a town that is a surname too, where the words around it make it one
    towns = Patterns.with_extra(places=["Corrales", "Mesa", "Peralta"])
    for text, person in [
        ("Subject CORRALES, DALIA was detained.", "dalia corrales"),
        ("Subject Chris Mesa was detained.", "chris mesa"),
        ("Cpl. J. Peralta took custody.", "j peralta"),
    ]:
        assert person in {m.key for m in extract(text, towns) if m.kind == "person"}, text
    assert not {m for m in extract("Recovered in Peralta, NM", towns) if m.kind == "person"}


def test_two_surnames_first_in_mixed_case() -> None:
    """A records system writes 'Martínez Apodaca, Alison' in mixed case too: both readings
    are looked up, the record says which names someone. A known given name before the comma
    is a list of people, not a surname ('John Smith, Mary')."""
    found = keys("Owner identified as Martínez Apodaca, Alison. Counted twice.", "person")
    assert {"alison martinez apodaca", "martinez apodaca"} <= found
    assert keys("Witnesses were John Smith, Mary and others.", "person") == {"john smith"}
    assert "rosa garcia lopez" not in keys("Garcia Lopez, Rosa Maria was there.", "person")


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("Turned over by defendant Sevastyan Makarov, DOB 01/30/1989.", "sevastyan makarov"),
        ("Sierra Lopez stated the phone was hers.", "sierra lopez"),
        ("Mercedes Garcia was contacted.", "mercedes garcia"),
        ("Owner is Kenji Suzuki of Belen.", "kenji suzuki"),
        ("Obtained from victim Frank White. Item air dried.", "frank white"),
    ],
)
def test_surnames_that_are_also_makes_or_states_are_read_as_names(text: str, person: str) -> None:
    assert person in keys(text, "person")


@pytest.mark.parametrize(
    "text",
    [
        "a 9x18 Makarov pistol",
        "Makarov pistol recovered",
        "a white GMC Sierra pickup",
        "a black Mercedes Benz sedan",
        "a 2012 Harley Davidson",
    ],
)
def test_makes_beside_their_words_are_never_people(text: str) -> None:
    assert not {m for m in extract(text) if m.kind in ("person", "name_word")}


def test_race_words_that_are_surnames_never_start_a_name() -> None:
    for text in ("Subject is a White male, 40s.", "Hispanic male, White shirt, fled west."):
        assert not keys(text, "person") and not keys(text, "name_word"), text
