"""Names as a records clerk compares them: each kind of spelling a real record holds."""

from __future__ import annotations

import pytest

from brady.linking.names import Agreement, agreement, middle_agreement, name_key

EXACT, VARIANT, CLOSE, SURNAME, NONE = (
    Agreement.EXACT,
    Agreement.VARIANT,
    Agreement.CLOSE,
    Agreement.SURNAME,
    Agreement.NONE,
)


@pytest.mark.parametrize(
    ("written", "record", "level"),
    [
        ("ORTIZ, DANIEL", "Daniel Ortiz", EXACT),  # capitals, surname first
        ("VIGIL MONTOYA, ROCIO", "Rocio Vigil Montoya", EXACT),  # two surnames first
        ("José Hernández", "Jose Hernandez", EXACT),  # accents
        ("Юрій Коваленко", "Yurii Kovalenko", CLOSE),  # another script
        ("Wasyl Szewczenko", "Vasyl Shevchenko", CLOSE),  # Polish transliteration
        ("Jurij Kowalenko", "Yuriy Kovalenko", CLOSE),  # German/Polish vs BGN
        ("Riegina Solowjewa", "Regina Solovyeva", CLOSE),
        ("Matwiej Bielakow", "Matvei Beliakov", CLOSE),  # Polish soft l
        ("Daniel Hemandez", "Daniel Hernandez", CLOSE),  # a scanner's rn/m
        ("Elizabcth Wllliams", "Elizabeth Williams", CLOSE),  # c/e and i/l
        ("Shandiln Biake", "Shandiin Blake", CLOSE),
        ("Seth Kenny", "Seth Kenney", CLOSE),  # one slip
        ("Tara Vaca", "Tara Baca", CLOSE),  # b and v sound alike in Spanish
        ("Memo Baca", "Guillermo Baca", VARIANT),  # a Spanish hypocorism
        ("Sasha Bondar", "Oleksandr Bondar", VARIANT),
        ("Joe Watchman", "Joseph Eddie Watchman", VARIANT),
        ("J. Martinez", "Juan Martinez", VARIANT),  # an initial
        ("Martinez", "Juan Martinez", SURNAME),
        ("Minh Ly", "Linh Ly", NONE),  # another given name, one letter apart
        ("Maria Garcia", "Rosa Garcia", NONE),  # another given name: another person
        ("Juan Gutierrez", "Juan Gutierrez Reed", EXACT),  # the first of two surnames
        ("Christopher Matthews", "Christopher Matthew Stewart", NONE),  # a middle name
    ],
)
def test_how_closely_a_written_name_agrees(written: str, record: str, level: Agreement) -> None:
    assert agreement(written, record) == level


def test_any_order_and_case_give_one_key() -> None:
    assert {name_key(n) for n in ("Reed, Thell", "THELL  REED", "Thell J. Reed")} == {"thell reed"}


@pytest.mark.parametrize(
    ("written", "record", "agrees"),
    [
        ("BEGAY, JOHN ELVIS", "John Elvis Begay", 2),
        ("John E. Begay", "John Elvis Begay", 1),
        ("John A. Begay", "John Elvis Begay", -1),
        ("John Begay", "John Elvis Begay", 0),
        ("Rasa Tercsa Martinez", "Rosa Teresa Martinez", 1),  # a scanner's slip, not another
        ("Rosa Lucia Martinez", "Rosa Teresa Martinez", -1),
    ],
)
def test_middle_names_tell_namesakes_apart(written: str, record: str, agrees: int) -> None:
    assert middle_agreement(written, record) == agrees
