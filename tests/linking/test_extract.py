"""Mention extraction: the words a narrative uses for people, things and numbers."""

from __future__ import annotations

import pytest

from brady.linking.extract import extract, name_key, name_variants

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
        case_number_patterns=[r"\b\d{2}-\d{5}\b"],
    )
    assert {m.key for m in found if m.kind == "case_number"} == {"24-00017"}
