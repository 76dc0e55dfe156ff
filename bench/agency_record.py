"""A seeded, noisy agency record with labelled truth, for measuring link suggestions.

    from agency_record import generate
    record = generate(seed=1, cases=300, intakes=2000)

The record is a fictional but plausible slice of central New Mexico: the Valencia County
Sheriff's Office and the Los Lunas, Belen and Rio Rancho police departments, about 25
towns, streets that exist in several towns, businesses (pawn shops, gun stores, tow yards,
bars, stores), and people from many origins (Hispanic New Mexican, Anglo, Diné and
Pueblo, Vietnamese, Ukrainian and Russian transliterated by several systems, Chinese,
Polish, German, Arabic). Surnames are drawn Zipf-like from one pooled ranking of every
origin's list, so Martinez, Garcia, Smith, Nguyen, Begay are shared by many people; first
names are shared heavily too. Everything is made up: names come from Faker's lists (and a
few short curated lists where Faker has none in Latin script: Diné/Pueblo, Arabic), phone
numbers are in the 555 exchange, plates and serials are random.

`generate` returns an AgencyRecord:

  * scenario: a Brady import (format 1, docs/import-format.md): agencies, users (property
    clerks, officers, the prosecutor `pros`; `admin` is the bench's own), locations,
    persons, organizations, and the dated events: case.open (title, agency number, some
    court numbers, an incident narrative), case.party (parties and 1-3 officer parties
    from a pool of about one officer per 25 cases), some case.charge, 1-3 background
    item.intake per case, and case.close for about 3% of the cases.
  * intakes: the measured item.intake events, in time order, each filed under one open
    case of its own, to be recorded one by one with linking on.
  * labels: {item_id: sorted case_ids}: the OTHER open cases each measured intake truly
    bears on (most are []). Computed from the generator's own entities, never from
    strings: an identity it names (the same person, vehicle, firearm, phone, or a case's
    number) links it to every open case that identity is part of; a place it names (an
    incident's premises or victim business) links it to the incident it comes from only
    (two robberies of one store are two incidents). Officers, towns, makes, calibers and
    incidental businesses (the tow yard, the pawn shop) are never links.
  * noise: {item_id: kind} for every intake with a true link; hard: {item_id: kind} for
    the hard negatives; mentions: {item_id: (as the record holds it, as the intake writes
    it)} for both; notes: {item_id: the truth in words}; own: {item_id: its own case}.

About 8% of the measured intakes are misfiled (filed under case A, bearing on open case B
through exactly one mention of something of B's), the kinds in equal numbers:

  noise kind                      the intake names B's ...     record -> intake
  exact                           party, as recorded           Daniel Ortiz -> Daniel Ortiz
  name_caps                       party, in capitals           Daniel Ortiz -> ORTIZ, DANIEL
  name_accent                     party, accents added or      Jose Hernandez -> José Hernández
                                  dropped
  name_ocr                        party, two OCR-like slips    Hernandez -> Hemandez
                                  (rn/m, cl/d, li/h, e/c, ...)
  translit                        Ukrainian or Russian party,  Yurii Kovalenko -> Jurij Kowalenko
                                  another transliteration
                                  system (both words differ)
  nickname                        party, by a nickname         Guillermo Baca -> Memo Baca
  name_order                      party, surname first         Yuriy Kovalenko
                                                               -> Kovalenko, Yuriy M.
  close_spelling_exact_elsewhere  party, with one slip that    Anthony Gonzales -> Anthony
                                  is EXACTLY the name of a     Gonzalez (a witness in case C)
                                  party of another case
  plate_typo                      plate, one character wrong   BKR-482 -> BKR-4B2
                                  or look-alike (0/O 1/I 5/S
                                  8/B 2/Z)
  plate_marker                    plate, exact, after a        BKR-482 -> reg. BKR-482
                                  marker (reg., lic., NM tag)
  serial_typo                     firearm serial, one          HFK7421 -> HFK742I
                                  character wrong or alike
  case_number_variant             agency or court number       SO-2021-000114 -> SO-21-114
                                  written another way
  address_variant                 incident premises, same      1402 Los Lentes Rd NE
                                  town, USPS variation         -> 1402 Los Lentes Road Northeast
  org_variant                     victim or scene business,    Rio Grande Pawn & Loan, Inc.
                                  name variation               -> RIO GRANDE PAWN INC.
  phone_format                    phone, other formatting      (505) 555-2841 -> 505.555.2841

A noisy mention never equals any spelling the record holds for the entity (its name or an
alias; a plate, serial, number or address as written in B's record), and a noisy name is
never exactly another person's name (but for close_spelling_exact_elsewhere, whose point
that is). When the link is through a person, the narrative gives that person's DOB or age
(agreeing with the record) about half the time. Each misfiled intake names a different
thing of B's, in B's town, with B's officers (it is B's item, filed under the wrong case).

The targets of address_variant and org_variant are places of one incident only.

Ordinary intakes (the rest) name their own case's parties, officers, town, premises,
business, vehicle and guns as recorded; when one of its parties is also a party of another
open case (about 3% of persons are parties in two cases), the label says so and the noise
kind is `repeat_person`.

About 8% are hard negatives (label []), the kinds in equal numbers:

  hard kind                 what it shares, and why it is no link
  common_name_other_person  a full name equal to a party of another open case; the DOB or
                            age given disagrees with every DOB of that name in the record
  same_street_other_town    the number and street of another case's premises, another town
  officer_named             only officers, who are officer-parties of many cases
  town_and_make             town names, vehicle makes and models, gun makes (Los Lunas,
                            Smith & Wesson, Sig Sauer, Rio Rancho)
  common_caliber            9mm, .223 and Glock, shared with hundreds of items
  closed_case_match         a party of a closed case (and of no open case)

Deterministic for a seed: one random.Random(seed) and Faker instances seeded from it; no
global random state is touched.
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from faker import Faker
from faker.providers.person.en_US import Provider as EnPersons
from faker.providers.person.pl_PL import Provider as PlPersons
from faker.providers.person.ru_RU import Provider as RuPersons
from faker.providers.person.vi_VN import Provider as ViPersons

NOISE_KINDS = (
    "exact",
    "name_caps",
    "name_accent",
    "name_ocr",
    "translit",
    "nickname",
    "name_order",
    "close_spelling_exact_elsewhere",
    "plate_typo",
    "plate_marker",
    "serial_typo",
    "case_number_variant",
    "address_variant",
    "org_variant",
    "phone_format",
)
REPEAT_KINDS = ("repeat_person",)
HARD_KINDS = (
    "common_name_other_person",
    "same_street_other_town",
    "officer_named",
    "town_and_make",
    "common_caliber",
    "closed_case_match",
)
NAME_KINDS = frozenset(NOISE_KINDS[:8])
MISFILED_SHARE = 0.08
HARD_SHARE = 0.08
CLOSED_SHARE = 0.03
REPEAT_PERSON_SHARE = 0.03

TZ = ZoneInfo("America/Denver")
CASES_FROM = datetime(2022, 1, 3, tzinfo=TZ)
CASES_UNTIL = datetime(2025, 6, 30, tzinfo=TZ)
CLOSED_BY = datetime(2025, 12, 15, tzinfo=TZ)
INTAKES_FROM = datetime(2026, 1, 5, tzinfo=TZ)
INTAKES_UNTIL = datetime(2026, 10, 30, tzinfo=TZ)


@dataclass
class AgencyRecord:
    """A generated record: the scenario to load, the intakes to measure, and the truth."""

    seed: int
    scenario: dict[str, Any]
    intakes: list[dict[str, Any]]
    labels: dict[str, list[str]]
    noise: dict[str, str]
    hard: dict[str, str]
    mentions: dict[str, tuple[str, str]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    own: dict[str, str] = field(default_factory=dict)
    closed: list[str] = field(default_factory=list)


# -- text --------------------------------------------------------------------------------

_FOLD_EXTRA = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "ø": "o"})


def fold(text: str) -> str:
    """Letters without diacritics (José -> Jose, Łukasz -> Lukasz, Nguyễn -> Nguyen)."""
    text = text.translate(_FOLD_EXTRA)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _cap(word: str) -> str:
    """Each part of a (possibly hyphenated) name with a capital letter."""
    return "-".join(p[:1].upper() + p[1:] for p in word.split("-"))


class _Zipf:
    """Draws items by rank r (0-based) with weight 1 / (r + 1 + q)^s."""

    def __init__(self, items: Sequence[Any], q: float = 2.0, s: float = 1.0) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(1 / (r + 1 + q) ** s for r in range(len(items))))

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_left(self.cum, rng.random() * self.cum[-1])]


def _weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


# -- transliteration of Ukrainian and Russian names ---------------------------------------

# fmt: off
_CYR = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "є": "ye", "'": "", "’": "", "-": "-",
}
# fmt: on
_VOWELS = set("аеёиіїоуыэюяєйьъ")
# Per system: letter -> (form at the start of a word or after a vowel, form elsewhere).
_SYSTEMS: dict[str, dict[str, tuple[str, str]]] = {
    "ua": {  # Ukrainian national system (2010): Ukrainian passports
        "г": ("h", "h"),
        "и": ("y", "y"),
        "і": ("i", "i"),
        "ї": ("yi", "i"),
        "й": ("y", "i"),
        "є": ("ye", "ie"),
        "ю": ("yu", "iu"),
        "я": ("ya", "ia"),
    },
    "bgn": {  # BGN/PCGN
        "е": ("ye", "e"),
        "ё": ("yo", "ë"),
        "й": ("y", "y"),
        "ю": ("yu", "yu"),
        "я": ("ya", "ya"),
    },
    "icao": {  # ICAO 9303 (Russian passports since 2013)
        "е": ("e", "e"),
        "ё": ("e", "e"),
        "й": ("i", "i"),
        "ъ": ("ie", "ie"),
        "ю": ("iu", "iu"),
        "я": ("ia", "ia"),
        "є": ("ie", "ie"),
        "ї": ("i", "i"),
    },
    "rus": {  # a Ukrainian name as its Russian form would be written (Soviet papers)
        "и": ("y", "y"),
        "і": ("i", "i"),
        "й": ("y", "y"),
        "е": ("e", "e"),
    },
    "de": {  # German (Duden)
        "в": ("w", "w"),
        "е": ("je", "e"),
        "ё": ("jo", "jo"),
        "ж": ("sch", "sch"),
        "з": ("s", "s"),
        "й": ("j", "j"),
        "х": ("ch", "ch"),
        "ц": ("z", "z"),
        "ч": ("tsch", "tsch"),
        "ш": ("sch", "sch"),
        "щ": ("schtsch", "schtsch"),
        "ю": ("ju", "ju"),
        "я": ("ja", "ja"),
        "є": ("je", "je"),
        "ї": ("ji", "ji"),
    },
    "pl": {  # Polish (diacritics folded, as a US record would)
        "в": ("w", "w"),
        "е": ("je", "ie"),
        "ё": ("jo", "io"),
        "ж": ("z", "z"),
        "й": ("j", "j"),
        "х": ("ch", "ch"),
        "ц": ("c", "c"),
        "ч": ("cz", "cz"),
        "ш": ("sz", "sz"),
        "щ": ("szcz", "szcz"),
        "ю": ("ju", "iu"),
        "я": ("ja", "ia"),
        "є": ("je", "ie"),
        "ї": ("ji", "ji"),
    },
    "fr": {  # French
        "у": ("ou", "ou"),
        "ж": ("j", "j"),
        "ш": ("ch", "ch"),
        "ч": ("tch", "tch"),
        "щ": ("chtch", "chtch"),
        "й": ("i", "i"),
        "ю": ("iou", "iou"),
        "я": ("ia", "ia"),
        "є": ("ie", "ie"),
        "ї": ("i", "i"),
        "ё": ("io", "io"),
    },
    "en": {  # informal English (Yuri, Sergei, Alexander)
        "е": ("e", "e"),
        "й": ("y", "y"),
    },
}
# fmt: off
TRANSLIT_SYSTEMS = {
    "uk": ("ua", "bgn", "rus", "de", "pl", "fr"), "ru": ("bgn", "icao", "en", "de", "pl", "fr"),
}
# fmt: on


def translit(word: str, system: str, lang: str) -> str:
    """One Cyrillic name in Latin letters by a transliteration system."""
    low = word.lower()
    if system == "ua" and lang == "uk":
        low = low.replace("зг", "з\u0000")  # zgh, the national system's one digraph rule
    if system == "en":
        low = re.sub("(ий|ій|ый)$", "\u0001", low)
        low = re.sub("ей$", "\u0002", low).replace("кс", "\u0003")
    table = _SYSTEMS[system]
    out = []
    for i, ch in enumerate(low):
        start = i == 0 or low[i - 1] == "-"
        if system != "ua":  # the national system's y- forms are for the first letter only
            start = start or low[i - 1] in _VOWELS
        if system == "pl" and i > 0 and low[i - 1] in "жшщчцл" and ch in "еяю":
            out.append({"е": "e", "я": "a", "ю": "u"}[ch])
            continue
        if ch == "\u0000":
            out.append("gh")
        elif ch in "\u0001\u0002\u0003":
            out.append({"\u0001": "i", "\u0002": "ei", "\u0003": "x"}[ch])
        elif ch in table:
            out.append(table[ch][0 if start else 1])
        elif lang == "uk" and ch == "г" and system != "rus":
            out.append("h")
        elif lang == "uk" and ch == "и" and system not in ("icao", "en"):
            out.append("y")
        else:
            out.append(_CYR.get(ch, ch))
    text = "".join(out)
    if system == "fr":
        text = re.sub("in$", "ine", text)
    if system == "en" and text.endswith("ndr"):
        text = text[:-3] + "nder"
    return _cap(text.replace("ë", "e"))


# -- names --------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


_HISPANIC_TOP = _words(
    "Martínez García Chávez Sánchez Lucero Romero Baca Trujillo Montoya Gallegos Gonzales "
    "López Hernández Vigil Padilla Archuleta Apodaca Sandoval Jaramillo Gutiérrez Torres "
    "Ortiz Valdez Armijo Aragón Maestas Salazar Herrera Rodríguez Pérez Ramírez Gómez Díaz "
    "Castillo Silva Otero Tafoya Gabaldón Sisneros Luna Anaya Benavídez Luján Sena Medina "
    "Griego Mora Durán Vallejos Baros Muñoz Núñez Peña Jiménez Márquez Domínguez Chacón"
)
_HISPANIC_MALE_TOP = _words(
    "José Juan Luis Carlos Jesús Antonio Francisco Miguel Manuel Pedro Ramón Jorge Ricardo "
    "Roberto Eduardo Fernando Javier Alejandro Daniel Guillermo Ignacio Alberto Enrique "
    "Vicente Rafael Andrés Ángel Raúl Rubén Héctor Óscar Arturo Gilbert Adrián Joaquín "
    "Martín Ernesto Gabriel Isaac Orlando"
)
_HISPANIC_FEMALE_TOP = _words(
    "María Guadalupe Rosa Ana Carmen Verónica Mónica Patricia Elena Yolanda Teresa Gloria "
    "Josefina Juanita Lucía Sofía Isabel Dolores Angélica Leticia Marisol Adriana Claudia "
    "Alejandra Rosario Consuelo Inés Beatriz Priscilla Crystal"
)
# fmt: off
_COMPOUND_GIVEN = {
    "M": ("Luis", "Carlos", "Antonio", "Ángel", "Manuel", "Alberto"),
    "F": ("Elena", "de Jesús", "Guadalupe", "Luisa", "Isabel", "Teresa"),
}
# fmt: on
_NATIVE_LAST = _words(
    "Begay Yazzie Benally Tsosie Nez Chee Tso Etsitty Manuelito Begaye Bitsui Largo "
    "Peshlakai Yellowhair Silversmith Attakai Tohannie Watchman Werito Tsinnijinnie "
    "Abeita Jojola Lente Zuni Jiron Olguin Teller Pacheco Sarracino Paisano Concho Vallo "
    "Shije Chino Riley"
)
_NATIVE_MALE = _words(
    "Marvin Leonard Darrell Freddie Kee Wilson Lorenzo Vernon Delbert Nathaniel Tyrone Elvis Rudy "
    "Jerome"
)
_NATIVE_FEMALE = _words(
    "Loretta Bernadine Darlene Shirley Tanya Rochelle Arlene Valerie Cheryl Roberta Shandiin "
    "Lorraine"
)
_ARABIC_LAST = _words(
    "Haddad Khoury Nasser Saleh Mansour Hamdan Abdallah Ibrahim Hassan Khalil Aziz Rahman "
    "Al-Masri Al-Ahmad Qasem Darwish Farah Shami Said Yousef Awad Bakr Suleiman Jaber Odeh"
)
_ARABIC_MALE = _words(
    "Mohammed Ahmed Ali Omar Khalid Youssef Ibrahim Hassan Hussein Mustafa Abdullah Samir Tariq "
    "Karim Nabil Walid Faisal Jamal Rami Ziad Bilal"
)
_ARABIC_FEMALE = _words(
    "Fatima Aisha Mariam Layla Noor Huda Rania Salma Yasmin Amira Dina Hana Reem"
)
_VIET_LAST_EXTRA = _words("Huỳnh Phan Võ Đỗ Ngô Đinh Lý Trương Hồ")
_ZH_LAST_TOP = _words(
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo"
)
# fmt: off
_ZH_ENGLISH = {
    "M": ("David", "Kevin", "Michael", "Eric", "Jason", "Tony"),
    "F": ("Jenny", "Grace", "Amy", "Linda", "Helen", "Vivian"),
}
# fmt: on
_UK_LAST_TOP = _words(
    "Шевченко Коваленко Бондаренко Ткаченко Кравченко Бойко Коваль Олійник Шевчук Мельник Поліщук "
    "Лисенко Руденко Савченко Петренко Марченко Мороз Павленко Клименко"
)
_UK_MALE_TOP = _words(
    "Олександр Сергій Андрій Володимир Микола Іван Василь Юрій Віктор Дмитро Олег Петро Михайло "
    "Богдан Тарас Ярослав Роман Ігор Віталій"
)
_UK_FEMALE_TOP = _words(
    "Олена Наталія Тетяна Ірина Оксана Світлана Людмила Ольга Юлія Марія Галина Валентина Анна"
)
_RU_MALE_TOP = _words(
    "Александр Сергей Дмитрий Андрей Алексей Михаил Иван Владимир Николай Евгений Юрий Виктор"
)
_RU_FEMALE_TOP = _words("Елена Ольга Наталья Татьяна Ирина Светлана Анна Мария Екатерина Юлия")
_DE_LAST_TOP = _words("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann")

# origin -> share of the population (the pooled surname ranking is weighted by it)
# fmt: off
ORIGINS = {
    "hispanic": 0.4, "anglo": 0.29, "native": 0.07, "vietnamese": 0.05, "ukrainian": 0.04,
    "russian": 0.03, "chinese": 0.03, "polish": 0.03, "german": 0.03, "arabic": 0.03,
}
# fmt: on
_LATIN_MIX = ("hispanic", "anglo", "native")

# fmt: off
NICKNAMES = {
    "Robert": ("Bob", "Bobby", "Rob"), "William": ("Bill", "Billy", "Will"),
    "Richard": ("Rick", "Dick", "Ricky"), "James": ("Jim", "Jimmy"), "John": ("Johnny", "Jack"),
    "Michael": ("Mike", "Mikey"), "Joseph": ("Joe", "Joey"), "Thomas": ("Tom", "Tommy"),
    "Charles": ("Chuck", "Charlie"), "Christopher": ("Chris",), "Daniel": ("Danny", "Dan"),
    "Anthony": ("Tony",), "Edward": ("Eddie", "Ed"), "Steven": ("Steve",), "Stephen": ("Steve",),
    "Matthew": ("Matt",), "Nicholas": ("Nick",), "Andrew": ("Andy", "Drew"), "Gregory": ("Greg",),
    "Jeffrey": ("Jeff",), "Ronald": ("Ron", "Ronnie"), "Donald": ("Don", "Donnie"),
    "Kenneth": ("Ken", "Kenny"), "Lawrence": ("Larry",), "Gerald": ("Jerry",), "Timothy": ("Tim",),
    "Benjamin": ("Ben",), "Samuel": ("Sam",), "Alexander": ("Alex",), "Jonathan": ("Jon",),
    "Patrick": ("Pat",), "Raymond": ("Ray",), "Elizabeth": ("Liz", "Beth", "Betty"),
    "Margaret": ("Peggy", "Maggie"), "Katherine": ("Kate", "Kathy"), "Jennifer": ("Jenny", "Jen"),
    "Patricia": ("Patty", "Trish"), "Rebecca": ("Becky",), "Deborah": ("Debbie",),
    "Cynthia": ("Cindy",), "Sandra": ("Sandy",), "Susan": ("Sue",), "Barbara": ("Barb",),
    "Jessica": ("Jess",), "Samantha": ("Sam",), "Victoria": ("Vicky", "Tori"),
    "Christina": ("Tina", "Chris"), "Kimberly": ("Kim",), "Jose": ("Pepe", "Chepe"),
    "Guillermo": ("Memo",), "Jesus": ("Chuy", "Chucho"), "Francisco": ("Paco", "Pancho", "Frank"),
    "Guadalupe": ("Lupe",), "Ignacio": ("Nacho",), "Alberto": ("Beto",), "Roberto": ("Beto",),
    "Antonio": ("Tony", "Toño"), "Eduardo": ("Lalo",), "Vicente": ("Chente",), "Enrique": ("Kike",),
    "Alfredo": ("Fredo",), "Rafael": ("Rafa",), "Manuel": ("Manny", "Meño"), "Gilbert": ("Gil",),
    "Consuelo": ("Chelo",), "Dolores": ("Lola",), "Rosario": ("Chayo",),
    "Josefina": ("Josie", "Pina"), "Alejandro": ("Alex", "Jando"), "Alejandra": ("Alex",),
    "Fernando": ("Nando",), "Ricardo": ("Ricky",), "Ramon": ("Moncho",), "Aleksandr": ("Sasha",),
    "Oleksandr": ("Sasha",), "Dmitriy": ("Dima",), "Dmitrii": ("Dima",), "Dmitry": ("Dima",),
    "Dmytro": ("Dima",), "Mikhail": ("Misha",), "Mykhailo": ("Misha",), "Vladimir": ("Volodya",),
    "Volodymyr": ("Volodya",), "Nikolay": ("Kolya",), "Nikolai": ("Kolya",), "Mykola": ("Kolya",),
    "Ivan": ("Vanya",), "Sergey": ("Seryozha",), "Sergei": ("Seryozha",), "Serhii": ("Serhiy",),
    "Yevgeniy": ("Zhenya",), "Evgenii": ("Zhenya",), "Tatyana": ("Tanya",), "Tatiana": ("Tanya",),
    "Tetiana": ("Tanya",), "Natalya": ("Natasha",), "Natalia": ("Natasha",),
    "Nataliia": ("Natasha",), "Yekaterina": ("Katya",), "Ekaterina": ("Katya",), "Olga": ("Olya",),
    "Olha": ("Olya",),
}
# fmt: on
# one-slip spellings of surnames that are real surnames too (the twin of close_spelling)
# fmt: off
SPELLING_TWINS = {
    "Gonzales": "Gonzalez", "Gonzalez": "Gonzales", "Rodriguez": "Rodrigues", "Chavez": "Chaves",
    "Chaves": "Chavez", "Sanchez": "Sanches", "Baca": "Vaca", "Smith": "Smyth", "Reed": "Reid",
    "Reid": "Reed", "Thompson": "Thomson", "Hansen": "Hanson", "Hanson": "Hansen",
    "Peterson": "Petersen", "Jensen": "Jenson", "Phillips": "Philips", "Mathews": "Matthews",
    "Matthews": "Mathews", "Jaramillo": "Jaramilo", "Lujan": "Luhan", "Valdez": "Valdes",
    "Valdes": "Valdez", "Benavidez": "Benavides", "Benavides": "Benavidez", "Olguin": "Olguen",
    "Begay": "Begaye", "Begaye": "Begay", "Tso": "Tsoo", "Nguyen": "Nguyem", "Tran": "Trann",
    "Kowalski": "Kowalsky", "Schmidt": "Schmitt", "Meyer": "Meier", "Meier": "Meyer",
    "Fischer": "Fisher", "Fisher": "Fischer", "Hernandez": "Hernandes", "Martinez": "Martines",
    "Ramirez": "Ramires", "Lopez": "Lopes", "Perez": "Peres", "Gomez": "Gomes", "Ortiz": "Ortis",
    "Diaz": "Dias", "Jimenez": "Jimenes", "Sandoval": "Sandobal", "Montoya": "Montolla",
    "Gallegos": "Gallego", "Romero": "Romeo", "Lucero": "Lusero", "Archuleta": "Archuletta",
    "Trujillo": "Trujilo", "Padilla": "Padila", "Vigil": "Vigel", "Armijo": "Armijio",
    "Tafoya": "Tafolla", "Johnson": "Jonson", "Brown": "Browne", "Clark": "Clarke",
    "Clarke": "Clark", "Allen": "Allan", "Allan": "Allen", "Stevens": "Stephens",
    "Carter": "Cartier",
}
# fmt: on
# fmt: off
GIVEN_TWINS = {
    "John": "Jon", "Jon": "John", "Sarah": "Sara", "Sara": "Sarah", "Eric": "Erik", "Erik": "Eric",
    "Steven": "Stephen", "Mathew": "Matthew", "Matthew": "Mathew", "Phillip": "Philip",
    "Philip": "Phillip", "Jeffrey": "Jeffery", "Geoffrey": "Jeffrey", "Alan": "Allan",
    "Brian": "Bryan", "Bryan": "Brian", "Katherine": "Catherine", "Catherine": "Katherine",
    "Marc": "Mark", "Mark": "Marc", "Carl": "Karl", "Karl": "Carl",
}
# fmt: on


def _female_surname(surname: str, origin: str) -> str:
    if origin == "polish":
        for m, f in (("dzki", "dzka"), ("cki", "cka"), ("ski", "ska")):
            if surname.endswith(m):
                return surname[: -len(m)] + f
        return surname
    if origin in ("ukrainian", "russian"):
        for m, f in (("ський", "ська"), ("цький", "цька"), ("ский", "ская"), ("цкий", "цкая")):
            if surname.endswith(m):
                return surname[: -len(m)] + f
        if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
            return surname + "а"
    return surname


def _drawn(method: Callable[[], str], limit: int, tries: int = 8) -> list[str]:
    """Unique values in the order a seeded Faker draws them (weighted lists: commonest
    first, roughly; uniform lists: a seeded shuffle)."""
    seen: dict[str, None] = {}
    for _ in range(limit * tries):
        seen.setdefault(method(), None)
        if len(seen) >= limit:
            break
    return list(seen)


def _by_weight(weighted: Any) -> list[str]:
    """Faker's weighted list (name: frequency), commonest first."""
    return [k for k, _ in sorted(weighted.items(), key=lambda kv: -kv[1])]


def _ranked(top: Iterable[str], rest: Iterable[str]) -> list[str]:
    out: dict[str, str] = {fold(t): t for t in top}
    for r in rest:
        out.setdefault(fold(r), r)
    return list(out.values())


class _NamePools:
    """Ranked first names (per origin and sex) and one pooled surname ranking, from Faker
    lists drawn with a seed, with each origin's commonest names first where Faker's list
    is alphabetical."""

    def __init__(self, seed: int) -> None:
        f = {
            loc: Faker(loc)
            for loc in ("en_US", "es_MX", "vi_VN", "uk_UA", "ru_RU", "pl_PL", "de_DE", "zh_CN")
        }
        for k, fake in enumerate(f.values()):
            fake.seed_instance(seed * 1000 + k)
        en, mx, vi, uk, ru, pl, de, zh = f.values()
        first: dict[str, dict[str, list[str]]] = {
            "anglo": {
                "M": _by_weight(EnPersons.first_names_male),
                "F": _by_weight(EnPersons.first_names_female),
            },
            "hispanic": {
                "M": _ranked(_HISPANIC_MALE_TOP, _drawn(mx.first_name_male, 120)),
                "F": _ranked(_HISPANIC_FEMALE_TOP, _drawn(mx.first_name_female, 120)),
            },
            "vietnamese": {
                "M": _drawn(vi.first_name_male, 20),
                "F": _drawn(vi.first_name_female, 15),
            },
            "ukrainian": {
                "M": _ranked(_UK_MALE_TOP, _drawn(uk.first_name_male, 80)),
                "F": _ranked(_UK_FEMALE_TOP, _drawn(uk.first_name_female, 50)),
            },
            "russian": {
                "M": _ranked(_RU_MALE_TOP, _drawn(ru.first_name_male, 80)),
                "F": _ranked(_RU_FEMALE_TOP, _drawn(ru.first_name_female, 50)),
            },
            "polish": {"M": _drawn(pl.first_name_male, 80), "F": _drawn(pl.first_name_female, 50)},
            "german": {
                "M": _drawn(de.first_name_male, 150),
                "F": _drawn(de.first_name_female, 150),
            },
            "chinese": {
                "M": _drawn(zh.first_romanized_name, 23),
                "F": _drawn(zh.first_romanized_name, 23),
            },
            "arabic": {"M": list(_ARABIC_MALE), "F": list(_ARABIC_FEMALE)},
        }
        first["native"] = {
            "M": _ranked(_NATIVE_MALE, first["anglo"]["M"]),
            "F": _ranked(_NATIVE_FEMALE, first["anglo"]["F"]),
        }
        last = {
            "anglo": _by_weight(EnPersons.last_names),  # by US census frequency
            "hispanic": _ranked(_HISPANIC_TOP, _drawn(mx.last_name, 400)),
            "native": list(_NATIVE_LAST),
            "vietnamese": _ranked(ViPersons.last_names, _VIET_LAST_EXTRA),  # by frequency
            "ukrainian": _ranked(_UK_LAST_TOP, _drawn(uk.last_name_male, 300)),
            "russian": list(RuPersons.last_names_male),  # Faker's list is by frequency
            "polish": list(PlPersons.male_last_names),  # by frequency too
            "german": _ranked(_DE_LAST_TOP, _drawn(de.last_name, 250)),
            "chinese": _ranked(_ZH_LAST_TOP, _drawn(zh.last_romanized_name, 91)),
            "arabic": list(_ARABIC_LAST),
        }
        self.first = {o: {s: _Zipf(v) for s, v in d.items()} for o, d in first.items()}
        self.middle_ru = _drawn(ru.middle_name_male, 60), _drawn(ru.middle_name_female, 40)
        self.middle_uk = _drawn(uk.middle_name_male, 60), _drawn(uk.middle_name_female, 40)
        pooled: list[tuple[float, str, str]] = []
        for origin, names in last.items():
            harmonic = sum(1 / (r + 3) for r in range(len(names)))
            pooled += [
                (ORIGINS[origin] / ((r + 3) * harmonic), origin, n) for r, n in enumerate(names)
            ]
        pooled.sort(key=lambda t: -t[0])
        self.surnames = [(o, n) for _, o, n in pooled]
        self.surname_cum = list(itertools.accumulate(w for w, _, _ in pooled))
        self.clerk_names = [en.name() for _ in range(12)] + [fold(mx.name()) for _ in range(6)]

    def surname(self, rng: random.Random) -> tuple[str, str]:
        """(origin, surname) from the pooled ranking."""
        i = bisect.bisect_left(self.surname_cum, rng.random() * self.surname_cum[-1])
        return self.surnames[min(i, len(self.surnames) - 1)]


# -- places ---------------------------------------------------------------------------------

# town: (county, zip, agency handling incidents there or None, uses quadrants, weight)
# fmt: off
TOWNS = {
    "Los Lunas": ("Valencia", "87031", "LLPD", True, 10),
    "Belen": ("Valencia", "87002", "BPD", False, 8),
    "Rio Rancho": ("Sandoval", "87124", "RRPD", True, 12),
    "Bosque Farms": ("Valencia", "87068", "VCSO", False, 3),
    "Peralta": ("Valencia", "87042", "VCSO", False, 3),
    "Tome": ("Valencia", "87060", "VCSO", False, 2),
    "Jarales": ("Valencia", "87023", "VCSO", False, 2),
    "Meadow Lake": ("Valencia", "87031", "VCSO", False, 3),
    "El Cerro Mission": ("Valencia", "87031", "VCSO", False, 2),
    "Los Chavez": ("Valencia", "87002", "VCSO", False, 3),
    "Rio Communities": ("Valencia", "87002", "VCSO", False, 2),
    "Valencia": ("Valencia", "87031", "VCSO", False, 2),
    "Adelino": ("Valencia", "87060", "VCSO", False, 1),
    "Highland Meadows": ("Valencia", "87031", "VCSO", False, 1),
    "Casa Colorada": ("Valencia", "87002", "VCSO", False, 1),
    "Albuquerque": ("Bernalillo", "87105", None, True, 6),
    "Socorro": ("Socorro", "87801", None, False, 2),
    "Española": ("Rio Arriba", "87532", None, False, 1),
    "Moriarty": ("Torrance", "87035", None, False, 1),
    "Bernalillo": ("Sandoval", "87004", None, False, 1),
    "Corrales": ("Sandoval", "87048", None, False, 1),
    "Edgewood": ("Santa Fe", "87015", None, False, 1),
    "Estancia": ("Torrance", "87016", None, False, 1),
    "Lemitar": ("Socorro", "87823", None, False, 1),
    "Isleta": ("Bernalillo", "87022", None, False, 1),
}
# fmt: on
# street pool: (name, type); many exist in several towns
# fmt: off
STREETS = [
    ("Main", "St"), ("Church", "St"), ("2nd", "St"), ("3rd", "St"), ("5th", "St"),
    ("Becker", "Ave"), ("Reinken", "Ave"), ("Dalies", "Ave"), ("Aragon", "Rd"), ("Castillo", "Ave"),
    ("Mesa", "Rd"), ("Sichler", "Rd"), ("Los Lentes", "Rd"), ("Don Pasqual", "Rd"), ("Lujan", "Rd"),
    ("Morris", "Rd"), ("Tabet", "Rd"), ("Jarales", "Rd"), ("Camino del Llano", ""),
    ("Camino del Rio", ""), ("Calle del Sol", ""), ("El Cerro Loop", ""), ("Meadow Lake", "Rd"),
    ("Baca", "Ln"), ("Chavez", "Rd"), ("Gabaldon", "Rd"), ("Otero", "Rd"), ("Romero", "Rd"),
    ("Sandia", "Ave"), ("Manzano", "Ave"), ("Juan Perea", "Rd"), ("Southern", "Blvd"),
    ("Northern", "Blvd"), ("Unser", "Blvd"), ("Idalia", "Rd"), ("Pine", "St"), ("Cedar", "Dr"),
    ("Willow", "Ln"), ("Cottonwood", "Dr"), ("Sunset", "Dr"), ("Bosque Farms", "Blvd"),
    ("Sosimo Padilla", "Blvd"), ("Christopher", "Rd"), ("Mountain View", "Dr"),
    ("Rio Grande", "Ave"), ("Vallejos", "Rd"), ("Highway 47", "HWY"), ("Highway 314", "HWY"),
    ("Highway 304", "HWY"),
]
# fmt: on
# fmt: off
_TYPES = {
    "St": "Street", "Ave": "Avenue", "Rd": "Road", "Ln": "Lane", "Dr": "Drive", "Blvd": "Boulevard",
}
# fmt: on
# fmt: off
_DIRS = {
    "NE": "Northeast", "NW": "Northwest", "SE": "Southeast", "SW": "Southwest",
}
# fmt: on
_NUMBERED = {"2nd": "Second", "3rd": "Third", "5th": "Fifth"}
# fmt: off
ADDRESS_STYLES = (
    "abbr", "usps", "dotted", "full", "full_abbrdir", "predir",
)
# fmt: on


@dataclass(frozen=True)
class Address:
    number: int
    street: tuple[str, str]
    town: str
    quadrant: str = ""
    unit: str = ""

    @property
    def key(self) -> tuple[int, str, str, str]:
        return (self.number, self.street[0], self.quadrant, self.town)

    def line(self, style: str = "abbr") -> str:
        """The street line, as a given writer would put it (USPS abbreviations or not)."""
        name, kind = self.street
        n, q = self.number, self.quadrant
        if kind == "HWY":
            route = name.split()[-1]
            form = {
                "abbr": f"NM-{route}",
                "usps": f"NM {route}",
                "dotted": f"Hwy. {route}",
                "full": f"State Road {route}",
                "full_abbrdir": f"Highway {route}",
                "predir": f"N.M. {route}",
            }[style]
            text = f"{n} {form}"
        else:
            full_name = _NUMBERED.get(name, name) if style in ("full", "full_abbrdir") else name
            typ = _TYPES.get(kind, kind) if style.startswith("full") else kind
            typ = f"{typ}." if style == "dotted" and typ else typ
            qd = {"full": _DIRS.get(q, q), "dotted": ".".join(q) + "." if q else ""}.get(style, q)
            if style == "predir" and q:
                text = f"{n} {q} {name} {kind}".replace("  ", " ")
            else:
                text = " ".join(x for x in (str(n), full_name, typ, qd) if x)
        if self.unit:
            text += f", {self.unit}"
        return text.upper() if style == "usps" else text

    def full(self, style: str = "abbr") -> str:
        return f"{self.line(style)}, {self.town.upper() if style == 'usps' else self.town}"


# -- agencies and case numbers -------------------------------------------------------------

# fmt: off
AGENCIES = {
    "VCSO": ("Valencia County Sheriff's Office", "^SO-\\d{4}-\\d{6}$", "D-1314", 0.4),
    "LLPD": ("Los Lunas Police Department", "^LLPD-\\d{2}-\\d{4}$", "D-1314", 0.22),
    "BPD": ("Belen Police Department", "^B\\d{4}-\\d{5}$", "D-1314", 0.15),
    "RRPD": ("Rio Rancho Police Department", "^RR\\d{2}-\\d{6}$", "D-1329", 0.23),
}
# fmt: on
COURT_FORMAT = r"^D-13(14|29)-CR-\d{4}-\d{5}$"
# fmt: off
_RANKS = {
    "VCSO": (
        ("Dep.", "Deputy", 70), ("Cpl.", "Corporal", 8), ("Sgt.", "Sergeant", 12),
        ("Det.", "Detective", 8), ("Lt.", "Lieutenant", 2),
    ),
    "PD": (
        ("Ofc.", "Officer", 72), ("Cpl.", "Corporal", 8), ("Sgt.", "Sergeant", 11),
        ("Det.", "Detective", 8), ("Lt.", "Lieutenant", 1),
    ),
}
# fmt: on


def agency_number(agency: str, year: int, seq: int) -> str:
    return {
        "VCSO": f"SO-{year}-{seq:06d}",
        "LLPD": f"LLPD-{year % 100:02d}-{seq:04d}",
        "BPD": f"B{year}-{seq:05d}",
        "RRPD": f"RR{year % 100:02d}-{seq:06d}",
    }[agency]


def number_variants(number: str) -> list[str]:
    """Other ways officers and clerks write a case number (never the number itself)."""
    out: list[str] = []
    if m := re.fullmatch(r"SO-(\d{2})(\d{2})-(\d{6})", number):
        c, y, s = m.groups()
        n = str(int(s))
        out = [
            f"SO-{y}-{n}",
            f"SO {y}-{s}",
            f"VCSO #{c}{y}-{n}",
            f"SO{c}{y}{s}",
            f"VCSO case {y}-{n}",
            f"SO-{c}{y}-{n}",
            f"sheriff's report {c}{y}-{s}",
        ]
    elif m := re.fullmatch(r"LLPD-(\d{2})-(\d{4})", number):
        y, s = m.groups()
        out = [
            f"PD case {y}-{s}",
            f"LLPD #{y}-{int(s)}",
            f"LLPD 20{y}-{s}",
            f"LL{y}-{s}",
            f"Los Lunas PD report {y}-{s}",
            f"LLPD{y}-{s}",
        ]
    elif m := re.fullmatch(r"B(\d{2})(\d{2})-(\d{5})", number):
        c, y, s = m.groups()
        out = [
            f"B-{y}-{int(s)}",
            f"BPD {c}{y}-{int(s)}",
            f"Belen PD case {c}{y}-{s}",
            f"B{y}-{s}",
            f"B {c}{y}-{int(s)}",
        ]
    elif m := re.fullmatch(r"RR(\d{2})-(\d{6})", number):
        y, s = m.groups()
        out = [
            f"RRPD {y}-{int(s)}",
            f"RR-20{y}-{s}",
            f"RR{y}{s}",
            f"Rio Rancho PD case {y}-{s}",
            f"RR {y}-{int(s)}",
        ]
    elif m := re.fullmatch(r"D-(\d{4})-CR-(\d{2})(\d{2})-(\d{5})", number):
        d, c, y, s = m.groups()
        n = int(s)
        out = [
            f"cause no. CR-{c}{y}-{n:03d}",
            f"D-{d}-CR-{c}{y}-{n}",
            f"CR {c}{y}-{s}",
            f"D-{d}-CR-{c}{y}{s}",
            f"No. D-{d}-CR-{y}-{s}",
            f"CR-{y}-{n}",
        ]
    return [v for v in out if v != number]


# -- vehicles, firearms, phones --------------------------------------------------------------

# fmt: off
VEHICLES = [
    ("Ford", "F-150", 14), ("Chevrolet", "Silverado", 12), ("Ram", "1500", 8),
    ("Dodge", "Ram 1500", 4), ("Toyota", "Tacoma", 7), ("Nissan", "Altima", 6),
    ("Honda", "Civic", 5), ("Honda", "Accord", 4), ("Toyota", "Camry", 5),
    ("Chevrolet", "Impala", 4), ("Chevrolet", "Malibu", 4), ("Ford", "Explorer", 4),
    ("Jeep", "Grand Cherokee", 4), ("GMC", "Sierra", 4), ("Ford", "Ranger", 3),
    ("Nissan", "Frontier", 3), ("Hyundai", "Elantra", 3), ("Kia", "Optima", 2),
    ("Chevrolet", "Tahoe", 3), ("Dodge", "Charger", 3), ("Buick", "LeSabre", 1),
    ("Subaru", "Outback", 2), ("Toyota", "Corolla", 4), ("Chrysler", "300", 2),
    ("Pontiac", "Grand Prix", 1), ("Ford", "Mustang", 2), ("Chevrolet", "Trailblazer", 2),
]
# fmt: on
# fmt: off
COLORS = (
    "white", "black", "silver", "gray", "red", "blue", "maroon", "tan", "gold", "green",
)
# fmt: on
# make: [(model, caliber, kind, weight)]; serial shape per make
# fmt: off
FIREARMS = {
    "Glock": [
        ("17", "9mm", "pistol", 4), ("19", "9mm", "pistol", 6), ("26", "9mm", "pistol", 2),
        ("43", "9mm", "pistol", 3), ("22", ".40 S&W", "pistol", 2), ("23", ".40 S&W", "pistol", 2),
        ("21", ".45 ACP", "pistol", 1),
    ],
    "Smith & Wesson": [
        ("M&P9 Shield", "9mm", "pistol", 5), ("SD9VE", "9mm", "pistol", 4),
        ("SD40VE", ".40 S&W", "pistol", 2), ("686", ".357 Magnum", "revolver", 1),
        ("Bodyguard 380", ".380 ACP", "pistol", 2), ("M&P15", ".223", "rifle", 2),
    ],
    "Ruger": [
        ("LCP", ".380 ACP", "pistol", 3), ("EC9s", "9mm", "pistol", 3),
        ("Security-9", "9mm", "pistol", 3), ("10/22", ".22 LR", "rifle", 3),
        ("GP100", ".357 Magnum", "revolver", 1), ("LCR", ".38 Special", "revolver", 2),
        ("AR-556", ".223", "rifle", 2),
    ],
    "Sig Sauer": [
        ("P365", "9mm", "pistol", 4), ("P320", "9mm", "pistol", 3), ("P226", "9mm", "pistol", 1),
        ("P229", ".40 S&W", "pistol", 1),
    ],
    "Taurus": [
        ("G2C", "9mm", "pistol", 4), ("G3", "9mm", "pistol", 2),
        ("Judge", ".45 Colt", "revolver", 1),
    ],
    "Springfield Armory": [
        ("XD-9", "9mm", "pistol", 2), ("Hellcat", "9mm", "pistol", 2),
        ("XD-40", ".40 S&W", "pistol", 1),
    ],
    "Hi-Point": [
        ("C9", "9mm", "pistol", 3), ("JCP", ".40 S&W", "pistol", 1), ("995", "9mm", "rifle", 1),
    ],
    "Mossberg": [("500", "12 gauge", "shotgun", 2), ("Maverick 88", "12 gauge", "shotgun", 1)],
    "Remington": [("870", "12 gauge", "shotgun", 2), ("700", ".308 Win", "rifle", 1)],
    "Anderson Manufacturing": [("AM-15", ".223", "rifle", 2)],
    "Kel-Tec": [("P-11", "9mm", "pistol", 1), ("PF-9", "9mm", "pistol", 1)],
    "Colt": [("1911", ".45 ACP", "pistol", 1), ("Python", ".357 Magnum", "revolver", 1)],
}
# fmt: on
# fmt: off
_MAKE_WEIGHT = {
    "Glock": 9, "Smith & Wesson": 7, "Ruger": 7, "Sig Sauer": 5, "Taurus": 5,
    "Springfield Armory": 3, "Hi-Point": 3, "Mossberg": 2, "Remington": 2,
    "Anderson Manufacturing": 1, "Kel-Tec": 1, "Colt": 1,
}
# fmt: on
# fmt: off
_SERIAL_SHAPES = {
    "Glock": "LLLL###", "Smith & Wesson": "LLL####", "Ruger": "###-#####", "Sig Sauer": "##L######",
    "Taurus": "LLL######", "Springfield Armory": "LL######", "Hi-Point": "P#######",
    "Mossberg": "V#######", "Remington": "RS#####L", "Anderson Manufacturing": "##L#####",
    "Kel-Tec": "LL#L##", "Colt": "LW######",
}
# fmt: on
# fmt: off
LOOKALIKE = {
    "0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "S": "5", "8": "B", "B": "8", "2": "Z",
    "Z": "2", "6": "G", "G": "6", "D": "0", "Q": "O",
}
# fmt: on
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
# fmt: off
AMMO_BRANDS = (
    "Winchester", "Federal", "Blazer", "Hornady", "PMC", "Remington", "CCI", "Aguila", "Tula",
)
# fmt: on
# fmt: off
CALIBER_WRITTEN = {
    "9mm": ("9mm", "9 mm", "9mm Luger", "9x19"), ".40 S&W": (".40 S&W", ".40 cal", "40 S&W"),
    ".223": (".223", ".223 Rem", "5.56x45"), ".45 ACP": (".45 ACP", ".45 auto", ".45 cal"),
    ".380 ACP": (".380", ".380 ACP", ".380 auto"), ".22 LR": (".22 LR", ".22 cal", "22LR"),
    "12 gauge": ("12 gauge", "12 ga", "12GA"), ".357 Magnum": (".357 Magnum", ".357 Mag"),
    ".38 Special": (".38 Special", ".38 Spl"), ".45 Colt": (".45 Colt", ".45 LC"),
    ".308 Win": (".308 Win", ".308"),
}
# fmt: on
# fmt: off
PHONE_STYLES = (
    "paren", "dash", "dot", "plain", "space", "intl",
)
# fmt: on


def phone_text(digits: str, style: str) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return {
        "paren": f"({a}) {b}-{c}",
        "dash": f"{a}-{b}-{c}",
        "dot": f"{a}.{b}.{c}",
        "plain": digits,
        "space": f"{a} {b} {c}",
        "intl": f"+1 {a}-{b}-{c}",
    }[style]


# -- the world's entities ----------------------------------------------------------------------


@dataclass(eq=False)
class Person:
    pid: str
    origin: str
    sex: str
    given: str  # as the record holds it
    surname: str
    middle: str | None = None  # the true middle name (or patronymic), recorded or not
    middle_in_record: bool = False
    dob: date | None = None
    aliases: list[str] = field(default_factory=list)
    accented: tuple[str, str] | None = None  # (given, surname) with diacritics
    middle_acc: str | None = None
    record_accents: bool = False
    cyr: tuple[str, str] | None = None  # (given, surname) in Cyrillic
    lang: str = ""
    system: str = ""
    cases: list[str] = field(default_factory=list)
    officer: Officer | None = None

    @property
    def name(self) -> str:
        mid = f" {self.middle}" if self.middle_in_record and self.middle else ""
        return f"{self.given}{mid} {self.surname}"

    @property
    def spellings(self) -> list[str]:
        return [self.name, *self.aliases]

    @property
    def plain(self) -> tuple[str, str]:
        return fold(self.given), fold(self.surname)


@dataclass(eq=False)
class Officer:
    person: Person
    user_id: str
    agency: str
    rank: tuple[str, str]
    badge: int
    cases: int = 0


@dataclass(eq=False)
class Vehicle:
    vid: str
    year: int
    color: str
    make: str
    model: str
    plate: str  # as the record writes it
    state: str = "NM"

    def phrase(self, short: bool = False) -> str:
        make = "Chevy" if self.make == "Chevrolet" and short else self.make
        return (
            f"{self.color} {self.year} {make} {self.model}"
            if not short
            else f"{self.color} {make} {self.model}"
        )


@dataclass(eq=False)
class Firearm:
    fid: str
    make: str
    model: str
    caliber: str
    kind: str
    serial: str
    color: str
    outstanding: bool = True  # reported stolen or used, not yet in custody

    def phrase(self) -> str:
        return f"{self.make} {self.model} {self.caliber} {self.kind}"


@dataclass(eq=False)
class Org:
    oid: str
    kind: str
    name: str
    aliases: list[str]
    address: Address

    @property
    def spellings(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass(eq=False)
class Case:
    cid: str
    agency: str
    town: str
    offense: str
    at: datetime
    number: str
    court: str | None = None
    parties: list[tuple[Person, str]] = field(default_factory=list)
    officers: list[Officer] = field(default_factory=list)
    premises: Address | None = None
    addr_style: str = "abbr"
    vehicle: Vehicle | None = None
    firearm: Firearm | None = None
    phone: str | None = None
    phone_style: str = "paren"
    phone_owner: Person | None = None
    victim_org: Org | None = None
    incidental_org: Org | None = None
    charges: list[str] = field(default_factory=list)
    closed: bool = False
    closed_at: datetime | None = None
    close_reason: str = ""
    late_parties: list[tuple[Person, str]] = field(default_factory=list)

    def role_of(self, role: str) -> list[Person]:
        return [p for p, r in self.parties if r == role]

    @property
    def civilians(self) -> list[Person]:
        return [p for p, _ in self.parties]


# -- offenses -------------------------------------------------------------------------------
# key: (weight, label, victim: person/org/either/none, defendant share, suspect share,
#       witnesses (min, max), firearm share (outstanding share), vehicle, phone, scene,
#       incidental business kind, charges)
# fmt: off
OFFENSES: dict[str, tuple[Any, ...]] = {
    "burglary_res": (
        16, "residential burglary", "person", 0.35, 0.25, (0, 1), (0.4, 0.85), 0.3, 0.2, "home",
        "pawn", ["Burglary (dwelling house) (30-16-3(A))", "Larceny (over $500) (30-16-1)"],
    ),
    "burglary_com": (
        6, "commercial burglary", "org", 0.35, 0.25, (1, 1), (0.15, 0.9), 0.25, 0.1, "org", "pawn",
        ["Burglary (commercial) (30-16-3(B))", "Criminal damage to property (30-15-1)"],
    ),
    "robbery": (
        6, "armed robbery", "either", 0.65, 0.2, (0, 2), (0.75, 0.6), 0.5, 0.25, "org", None,
        ["Armed robbery (30-16-2)", "Conspiracy to commit armed robbery (30-28-2)"],
    ),
    "agg_assault": (
        10, "aggravated battery", "person", 0.75, 0.15, (0, 2), (0.4, 0.5), 0.15, 0.2, "bar", None,
        [
            "Aggravated battery (deadly weapon) (30-3-5(C))",
            "Aggravated assault (deadly weapon) (30-3-2(A))",
        ],
    ),
    "dv": (
        10, "battery on a household member", "person", 0.9, 0.0, (0, 1), (0.1, 0.3), 0.1, 0.5,
        "home", None,
        ["Battery on a household member (30-3-15)", "Interference with communications (30-12-1)"],
    ),
    "auto_theft": (
        8, "unlawful taking of a motor vehicle", "person", 0.3, 0.3, (0, 1), (0.0, 0.0), 1.0, 0.15,
        "home", "tow",
        [
            "Unlawful taking of a motor vehicle (30-16D-1)",
            "Receiving or transferring stolen motor vehicles (30-16D-4)",
        ],
    ),
    "firearm_larceny": (
        5, "larceny of a firearm", "person", 0.25, 0.3, (0, 1), (1.0, 0.85), 0.2, 0.15, "home",
        "pawn",
        ["Larceny (firearm) (30-16-1(L))", "Receiving stolen property (firearm) (30-16-11)"],
    ),
    "drugs": (
        12, "trafficking controlled substances", "none", 0.95, 0.05, (0, 0), (0.3, 0.0), 0.6, 0.6,
        "stop", "tow",
        [
            "Trafficking controlled substances (distribution) (30-31-20)",
            "Possession of drug paraphernalia (30-31-25.1)",
        ],
    ),
    "dwi": (
        8, "DWI", "none", 1.0, 0.0, (0, 1), (0.03, 0.0), 1.0, 0.05, "road", "tow",
        ["Aggravated DWI (66-8-102(D))", "Open container (66-8-138)"],
    ),
    "shoplifting": (
        5, "shoplifting", "org", 0.85, 0.1, (1, 1), (0.0, 0.0), 0.15, 0.05, "org", None,
        ["Shoplifting (over $500) (30-16-20)"],
    ),
    "fraud": (
        4, "fraud", "either", 0.5, 0.4, (0, 1), (0.0, 0.0), 0.05, 0.7, "home", None,
        ["Fraud (over $2,500) (30-16-6)", "Identity theft (30-16-24.1)"],
    ),
    "shots_fired": (
        3, "shooting at a dwelling", "person", 0.3, 0.4, (1, 2), (0.4, 0.9), 0.4, 0.1, "home", None,
        [
            "Shooting at a dwelling or occupied building (30-3-8(A))",
            "Negligent use of a deadly weapon (30-7-4)",
        ],
    ),
    "homicide": (
        1, "homicide", "person", 0.7, 0.3, (1, 3), (0.7, 0.5), 0.4, 0.6, "home", None,
        ["Murder in the second degree (30-2-1(B))", "Tampering with evidence (30-22-5)"],
    ),
    "criminal_damage": (
        6, "criminal damage to property", "person", 0.4, 0.3, (0, 1), (0.0, 0.0), 0.2, 0.1, "home",
        None, ["Criminal damage to property (over $1,000) (30-15-1)"],
    ),
}
# fmt: on
# fmt: off
CLOSE_REASONS = (
    "Nolle prosequi filed by the District Attorney", "Plea accepted; judgment and sentence entered",
    "Inactivated: no further leads", "Dismissed without prejudice", "Acquitted at jury trial",
)
# fmt: on
# fmt: off
ORG_KINDS = {
    "pawn": (14, ("Pawn & Loan", "Pawn", "Pawn & Jewelry", "Pawn & Gun", "Pawn Shop"), True),
    "gun": (7, ("Guns & Ammo", "Firearms", "Gun Shop", "Shooting Supply", "Outdoors & Guns"), True),
    "tow": (7, ("Towing", "Tow & Recovery", "Wrecker Service", "Towing & Salvage"), False),
    "bar": (12, ("Lounge", "Bar & Grill", "Saloon", "Tavern", "Cantina", "Sports Bar"), True),
    "store": (
        22, ("Stop & Go", "Food Mart", "Mini Mart", "Travel Center", "Gas & Go", "Market"), True,
    ),
    "hardware": (8, ("Hardware", "Auto Parts", "Feed & Supply", "Building Supply"), True),
    "restaurant": (6, ("Cafe", "Diner", "Restaurant", "Burritos"), True),
    "motel": (5, ("Motel", "Inn", "Motor Lodge"), True),
    "tire": (5, ("Tire & Auto", "Tire Shop", "Auto Repair"), True),
}
# fmt: on
# fmt: off
ORG_PREFIXES = (
    "Rio Grande", "Sandia", "Manzano", "Valencia", "Sunset", "Mesa", "Roadrunner", "Zia",
    "Enchanted", "La Joya", "Tome Hill", "Lucky 7", "Desert", "Turquoise", "Kokopelli",
    "Cottonwood", "Bosque", "Ladron", "Frontier", "Big Mike's", "Cash Cow", "Sun Country",
    "Route 66", "Chile Pepper", "Rattlesnake", "Camino Real", "Piñon", "Blue Mesa", "Hacienda",
    "Lone Star", "Eagle", "Golden Eagle", "Thunderbird", "Duke City", "Sierra", "Vista", "Estrella",
    "El Paisano", "La Casita", "Sol", "Red Rock", "Cielo", "Coyote", "Lobo", "Mustang", "Los Lunas",
    "Belen", "Rio Rancho", "Isleta", "Jarales", "Tierra", "Chaparral", "Acoma", "Alameda", "Corona",
    "Dos Amigos", "High Desert", "Land of Enchantment",
)
# fmt: on
# fmt: off
MONIKERS_F = ("Flaca", "Guera", "Chata", "Nena", "Baby Girl", "Lady", "Shorty", "Princess")
MONIKERS = (
    "Smoke", "Flaco", "Chato", "Guero", "Spider", "Lil Man", "Casper", "Sleepy", "Droopy", "Oso",
    "Nene", "Trigger", "Shorty", "Big Mike", "Loco", "Gordo", "Chino",
)
# fmt: on


class _World:
    """The people, places, businesses, officers and cases of one generated record."""

    def __init__(self, seed: int, n_cases: int, repeat_share: float = REPEAT_PERSON_SHARE) -> None:
        self.rng = random.Random(seed)
        self.names = _NamePools(seed)
        self.persons: list[Person] = []
        self.civilians: list[Person] = []
        self.streets = self._town_streets()
        self.used: set[str] = set()
        self.officers: dict[str, list[Officer]] = {}
        self.officer_pick: dict[str, _Zipf] = {}
        self.orgs: list[Org] = []
        self.cases: list[Case] = []
        self.counters: dict[tuple[str, int], int] = {}
        self.n_cases = n_cases
        self.repeat_share = repeat_share
        self._make_officers(max(40, n_cases // 25))
        self._make_orgs(max(40, n_cases // 3))
        for k in range(n_cases):
            self.cases.append(self._make_case(k))
        self._close_some(max(1, round(n_cases * CLOSED_SHARE)))

    # -- people ----------------------------------------------------------------------------

    def _town_streets(self) -> dict[str, list[tuple[str, str]]]:
        out = {}
        common = STREETS[:5] + STREETS[-3:]
        for town in TOWNS:
            k = self.rng.randint(12, 20)
            picks = self.rng.sample(STREETS[5:-3], k)
            out[town] = sorted(set(self.rng.sample(common, 4) + picks))
        return out

    def _unique(self, make: Callable[[], str]) -> str:
        for _ in range(1000):
            value = make()
            key = re.sub(r"[^A-Z0-9]", "", value.upper())
            if key not in self.used:
                self.used.add(key)
                return value
        raise RuntimeError("ran out of unique values")

    def new_person(
        self, when: date | None, ages: tuple[int, int] = (16, 80), dob_share: float = 0.85
    ) -> Person:
        rng = self.rng
        origin, base = self.names.surname(rng)
        sex = rng.choice("MF")
        given_origin = origin
        if origin in _LATIN_MIX and rng.random() < 0.15:
            given_origin = rng.choice([o for o in _LATIN_MIX if o != origin])
        p = Person(f"P{len(self.persons) + 1:06d}", origin, sex, "", "")
        if origin in ("ukrainian", "russian"):
            self._slavic(p, base)
        else:
            self._latin(p, base, given_origin)
        if when is not None and rng.random() < dob_share:
            age = (
                rng.randint(*ages) if rng.random() < 0.5 else rng.randint(ages[0], min(ages[1], 45))
            )
            p.dob = when - timedelta(days=age * 365 + rng.randint(0, 364))
        if rng.random() < 0.12:
            self._alias(p)
        self.persons.append(p)
        return p

    def _latin(self, p: Person, base: str, given_origin: str) -> None:
        rng = self.rng
        given = self.names.first[given_origin][p.sex].draw(rng)
        surname = _female_surname(base, p.origin) if p.sex == "F" else base
        if p.origin == "chinese" and rng.random() < 0.3:
            given = rng.choice(_ZH_ENGLISH[p.sex])
        if p.origin == "hispanic":
            if given_origin == "hispanic" and rng.random() < 0.15:
                given = f"{given} {rng.choice(_COMPOUND_GIVEN[p.sex])}"
            r = rng.random()
            if r < 0.08:
                surname = f"{surname} {rng.choice(_HISPANIC_TOP)}"
            elif r < 0.11:
                surname = f"{surname}-{rng.choice(_HISPANIC_TOP)}"
        if p.origin == "vietnamese":
            p.middle = "Thị" if p.sex == "F" else rng.choice(("Văn", "Văn", "Minh", "Đức", "Quang"))
            p.middle_in_record = rng.random() < 0.5
        elif p.origin not in ("chinese", "arabic") and " " not in given and rng.random() < 0.6:
            p.middle = self.names.first[given_origin][p.sex].draw(rng)
            p.middle_in_record = rng.random() < 0.2
            if fold(p.middle) == fold(given):
                p.middle = None
        p.record_accents = p.origin == "hispanic" and rng.random() < 0.25
        if fold(given) != given or fold(surname) != surname:
            p.accented = (given, surname)
        if not p.record_accents:
            given, surname = fold(given), fold(surname)
        p.given, p.surname = given, surname
        if p.middle:
            p.middle_acc, p.middle = p.middle, fold(p.middle)

    def _slavic(self, p: Person, base: str) -> None:
        rng = self.rng
        lang = "uk" if p.origin == "ukrainian" else "ru"
        given = self.names.first[p.origin][p.sex].draw(rng)
        surname = _female_surname(base, p.origin) if p.sex == "F" else base
        systems = TRANSLIT_SYSTEMS[lang]
        system = _weighted(rng, list(zip(systems[:3], (60, 25, 15), strict=True)))
        middles = self.names.middle_uk if lang == "uk" else self.names.middle_ru
        patronymic = rng.choice(middles[0 if p.sex == "M" else 1])
        p.lang, p.system, p.cyr = lang, system, (given, surname)
        p.given, p.surname = translit(given, system, lang), translit(surname, system, lang)
        p.middle = translit(patronymic, system, lang)
        p.middle_in_record = rng.random() < 0.1

    def _alias(self, p: Person) -> None:
        rng = self.rng
        first = p.given.split()[0]
        options = [f'"{rng.choice(MONIKERS if p.sex == "M" else MONIKERS_F)}"']
        if first in NICKNAMES:
            options.append(f"{rng.choice(NICKNAMES[first])} {p.surname}")
        if p.sex == "F":
            options.append(f"{p.given} {fold(rng.choice([*_HISPANIC_TOP, 'Smith', 'Jones']))}")
        if p.cyr:
            other = [s for s in TRANSLIT_SYSTEMS[p.lang] if s != p.system]
            s = rng.choice(other)
            options.append(f"{translit(p.cyr[0], s, p.lang)} {translit(p.cyr[1], s, p.lang)}")
        if p.origin in ("vietnamese", "chinese"):
            options.append(f"{p.surname} {p.given}")
        alias = rng.choice(options).strip('"')
        if alias not in p.spellings:
            p.aliases.append(alias)

    def civilian(
        self, when: date, ages: tuple[int, int], case_id: str, taken: list[Person]
    ) -> Person:
        """A party: usually someone new, about 3% of the time a person of an earlier case."""
        rng = self.rng
        if self.civilians and rng.random() < self.repeat_share / (1 + self.repeat_share) * 1.3:
            for _ in range(10):
                p = rng.choice(self.civilians)
                if len(p.cases) == 1 and p not in taken and p.cases[0] != case_id:
                    p.cases.append(case_id)
                    return p
        p = self.new_person(when, ages)
        p.cases.append(case_id)
        self.civilians.append(p)
        return p

    # -- officers, businesses ------------------------------------------------------------------

    def _make_officers(self, n: int) -> None:
        rng = self.rng
        for agency, (_, _, _, share) in AGENCIES.items():
            ranks = _RANKS["VCSO" if agency == "VCSO" else "PD"]
            badges = rng.sample(range(101, 999), max(4, round(n * share)))
            officers = []
            for badge in badges:
                person = self.new_person(None, dob_share=0.0)
                person.aliases = []
                rank = _weighted(rng, [((a, b), w) for a, b, w in ranks])
                o = Officer(person, f"{agency.lower()}{badge}", agency, rank, badge)
                person.officer = o
                officers.append(o)
            self.officers[agency] = officers
            self.officer_pick[agency] = _Zipf(officers, q=4.0, s=0.8)

    def new_address(self, town: str, units: bool = True) -> Address:
        rng = self.rng
        street = rng.choice(self.streets[town])
        quadrant = ""
        if TOWNS[town][3] and street[1] != "HWY":
            quadrant = rng.choice(
                ("NE", "SE") if town == "Rio Rancho" else ("NE", "NW", "SE", "SW")
            )
        number = rng.choice(
            (
                rng.randint(1, 99) * 10 + rng.randint(0, 9),
                rng.randint(100, 4999),
                rng.randint(1000, 19999),
            )
        )
        unit = ""
        if units and rng.random() < 0.1:
            unit = rng.choice(
                (
                    f"Apt {rng.randint(1, 30)}{rng.choice('ABCD')}",
                    f"Lot {rng.randint(1, 60)}",
                    f"Space {rng.randint(1, 40)}",
                    f"Unit {rng.choice('ABCDEF')}",
                )
            )
        return Address(number, street, town, quadrant, unit)

    def _make_orgs(self, n: int) -> None:
        rng = self.rng
        case_towns = [(t, v[4]) for t, v in TOWNS.items() if v[2]]
        kinds = [(k, v[0]) for k, v in ORG_KINDS.items()]
        while len(self.orgs) < n:
            self._new_org(_weighted(rng, kinds), _weighted(rng, case_towns))

    def _new_org(self, kind: str, town: str) -> Org:
        rng = self.rng
        taken = {o.name.split(",")[0].removesuffix(" LLC").removesuffix(" Inc.") for o in self.orgs}
        core = f"{rng.choice(ORG_PREFIXES)} {rng.choice(ORG_KINDS[kind][1])}"
        while core in taken:
            extra = rng.choice(ORG_PREFIXES).split()[-1]
            core = f"{rng.choice(ORG_PREFIXES)} {extra} {rng.choice(ORG_KINDS[kind][1])}"
        suffix = _weighted(rng, [(", Inc.", 2), (" LLC", 2), (" Inc.", 1), ("", 5)])
        aliases = []
        if rng.random() < 0.3:
            aliases.append(short_name(core) or core.replace("&", "and"))
        org = Org(
            f"ORG-{len(self.orgs) + 1:04d}",
            kind,
            core + suffix,
            aliases,
            self.new_address(town, units=False),
        )
        self.orgs.append(org)
        return org

    def pick_org(self, town: str, kinds: Sequence[str], local: bool = True) -> Org:
        """A business of one of these kinds in the town (`local`), or nearby."""
        rng = self.rng
        fits = [o for o in self.orgs if o.kind in kinds]
        here = [o for o in fits if o.address.town == town]
        if here and (local or rng.random() < 0.8):
            return rng.choice(here)
        if fits and not local:
            return rng.choice(fits)
        return self._new_org(rng.choice(list(kinds)), town)

    # -- cases ------------------------------------------------------------------------------

    def _case_town(self, agency: str) -> str:
        rng = self.rng
        if agency != "VCSO":
            return next(t for t, v in TOWNS.items() if v[2] == agency)
        if rng.random() < 0.15:  # county addresses with a Los Lunas or Belen mailing town
            return rng.choice(("Los Lunas", "Belen"))
        return _weighted(rng, [(t, v[4]) for t, v in TOWNS.items() if v[2] == "VCSO"])

    def _when(self) -> datetime:
        rng = self.rng
        span = (CASES_UNTIL - CASES_FROM).days
        day = CASES_FROM + timedelta(days=rng.randrange(span))
        hour = _weighted(
            rng, [(h, 3 if h >= 18 or h < 3 else 1 if 3 <= h < 8 else 2) for h in range(24)]
        )
        return datetime.combine(day.date(), time(hour, rng.randrange(60)), tzinfo=TZ)

    def _number(self, agency: str, year: int) -> str:
        """The next report number: gaps are the agency's incidents that are not cases here,
        fewer the more cases there are (LLPD's numbers have four digits)."""
        key = (agency, year)
        per_year = self.n_cases * AGENCIES[agency][3] / 3.5
        gap = max(1, min(30, round(2 * 7000 / per_year) - 1))
        start = self.counters.get(key, self.rng.randint(10, 400))
        self.counters[key] = start + self.rng.randint(1, gap)
        return agency_number(agency, year, self.counters[key])

    def _court(self, agency: str, year: int) -> str:
        district = AGENCIES[agency][2]
        key = (district, year)
        self.counters[key] = self.counters.get(key, self.rng.randint(1, 60)) + self.rng.randint(
            1, 12
        )
        return f"{district}-CR-{year}-{self.counters[key]:05d}"

    def _make_case(self, k: int) -> Case:
        rng = self.rng
        agency = _weighted(rng, [(a, v[3]) for a, v in AGENCIES.items()])
        town = self._case_town(agency)
        at = self._when()
        offense = _weighted(rng, [(o, v[0]) for o, v in OFFENSES.items()])
        c = Case(f"C{k + 1:05d}", agency, town, offense, at, self._number(agency, at.year))
        spec = OFFENSES[offense]
        self._parties(c, spec)
        self._things(c, spec)
        n_off = _weighted(rng, [(1, 40), (2, 45), (3, 15)])
        pick = self.officer_pick[agency]
        while len(c.officers) < n_off:
            o = pick.draw(rng)
            if o not in c.officers:
                c.officers.append(o)
                o.cases += 1
        defendants = c.role_of("defendant")
        if defendants and rng.random() < 0.45:
            c.charges = spec[11][: rng.randint(1, len(spec[11]))]
            if c.firearm and offense in ("drugs", "burglary_res"):
                c.charges.append(
                    "Receiving stolen property (firearm) (30-16-11)"
                    if offense == "burglary_res"
                    else "Possession of a firearm by a felon (30-7-16)"
                )
            if rng.random() < 0.6:
                c.court = self._court(agency, at.year)
        c.addr_style = _weighted(
            rng, list(zip(ADDRESS_STYLES, (40, 20, 10, 12, 10, 8), strict=True))
        )
        c.phone_style = rng.choice(PHONE_STYLES[:5])
        return c

    def _parties(self, c: Case, spec: tuple[Any, ...]) -> None:
        rng = self.rng
        day = c.at.date()
        taken: list[Person] = []

        def add(role: str, ages: tuple[int, int]) -> Person:
            p = self.civilian(day, ages, c.cid, taken)
            taken.append(p)
            c.parties.append((p, role))
            return p

        victim, def_share, susp_share, (wmin, wmax) = spec[2], spec[3], spec[4], spec[5]
        org_victim = victim == "org" or (victim == "either" and rng.random() < 0.55)
        if org_victim:
            kinds = {
                "robbery": ("store", "pawn", "gun", "motel"),
                "shoplifting": ("store", "hardware"),
            }.get(
                c.offense,
                ("store", "pawn", "gun", "hardware", "tire", "restaurant", "motel", "bar"),
            )
            c.victim_org = self.pick_org(c.town, kinds)
            wmin = max(wmin, 1)  # an employee tells what happened
        elif victim != "none":
            add("victim", (16, 85))
        if spec[9] == "bar" and rng.random() < 0.35:
            c.victim_org = self.pick_org(c.town, ("bar",))
        if rng.random() < def_share:
            add("defendant", (18, 60))
            if c.offense == "drugs" and rng.random() < 0.2:
                add("defendant", (18, 50))
        elif rng.random() < susp_share / max(0.01, 1 - def_share):
            add("suspect", (18, 60))
        for _ in range(rng.randint(wmin, wmax)):
            add("witness", (16, 80))

    def _things(self, c: Case, spec: tuple[Any, ...]) -> None:
        rng = self.rng
        fa_share, fa_out = spec[6]
        if rng.random() < fa_share:
            make = _weighted(rng, list(_MAKE_WEIGHT.items()))
            model, caliber, kind, _ = _weighted(rng, [(m, m[3]) for m in FIREARMS[make]])
            shape = _SERIAL_SHAPES[make]
            serial = self._unique(
                lambda: "".join(
                    rng.choice(_LETTERS)
                    if ch == "L"
                    else str(rng.randrange(10))
                    if ch == "#"
                    else ch
                    for ch in shape
                )
            )
            color = rng.choice(
                ("black", "black", "black", "FDE", "stainless", "two-tone", "OD green")
            )
            c.firearm = Firearm(
                f"F-{c.cid}", make, model, caliber, kind, serial, color, rng.random() < fa_out
            )
        if rng.random() < spec[7]:
            make, model, _ = _weighted(rng, [(v, v[2]) for v in VEHICLES])
            state = _weighted(rng, [("NM", 90), ("AZ", 4), ("TX", 3), ("CO", 3)])
            c.vehicle = Vehicle(
                f"V-{c.cid}",
                rng.randint(1998, min(2023, c.at.year)),
                rng.choice(COLORS),
                make,
                model,
                self._plate(state),
                state,
            )
        if rng.random() < spec[8]:
            owners = c.role_of("defendant") + c.role_of("suspect") or c.civilians
            c.phone_owner = rng.choice(owners) if owners else None
            c.phone = self._unique(
                lambda: f"{rng.choice(('505', '505', '575'))}555{rng.randint(100, 9999):04d}"
            )
        scene = spec[9]
        if scene in ("org", "bar") and c.victim_org:
            c.premises = c.victim_org.address
        else:
            c.premises = self.new_address(c.town)
        if spec[10] == "tow" and c.vehicle and rng.random() < 0.8:
            c.incidental_org = self.pick_org(c.town, ("tow",), local=False)
        elif spec[10] == "pawn" and rng.random() < 0.3:
            c.incidental_org = self.pick_org(c.town, ("pawn",), local=False)

    def _plate(self, state: str) -> str:
        rng = self.rng

        def one() -> str:
            letters = "".join(rng.choice(_LETTERS) for _ in range(3))
            digits = f"{rng.randint(0, 999):03d}"
            if state != "NM":
                return letters + f"{rng.randint(0, 9999):04d}"
            form = _weighted(
                rng,
                [
                    (f"{letters}-{digits}", 5),
                    (f"{letters}{digits}", 3),
                    (f"{digits}-{letters}", 2),
                    (f"{letters} {digits}", 1),
                ],
            )
            return str(form)

        return self._unique(one)

    def _close_some(self, n: int) -> None:
        rng = self.rng
        for c in rng.sample(self.cases, min(n, len(self.cases))):
            c.closed = True
            span = (CLOSED_BY - c.at).days - 90
            c.closed_at = c.at + timedelta(
                days=90 + rng.randrange(max(1, span)), hours=rng.randint(0, 8)
            )
            c.close_reason = rng.choice(CLOSE_REASONS if c.charges else CLOSE_REASONS[2:4])


# -- how reports are written ------------------------------------------------------------------


def age_on(dob: date, when: date) -> int:
    return when.year - dob.year - ((when.month, when.day) < (dob.month, dob.day))


def date_text(d: date, rng: random.Random) -> str:
    return rng.choice(
        (
            f"{d.month:02d}/{d.day:02d}/{d.year}",
            f"{d.month}/{d.day}/{d.year % 100:02d}",
            f"{d:%B} {d.day}, {d.year}",
            f"{d.day} {d:%b} {d.year}",
            f"{d.month:02d}-{d.day:02d}-{d.year}",
        )
    )


def time_text(t: datetime, rng: random.Random) -> str:
    hm = f"{t.hour:02d}{t.minute:02d}"
    twelve = f"{(t.hour - 1) % 12 + 1}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"
    return rng.choice(
        (f"approx {hm} hrs", f"approximately {hm} hours", f"about {twelve}", f"{hm} hrs")
    )


def dob_text(dob: date, when: date, rng: random.Random) -> str:
    """A date of birth or an age, as reports write them."""
    age = age_on(dob, when)
    return rng.choice(
        (
            f", DOB {dob.month:02d}/{dob.day:02d}/{dob.year},",
            f" (DOB: {dob.isoformat()})",
            f" (DOB {dob.month}/{dob.day}/{dob.year % 100:02d})",
            f", {age} y/o,",
            f" ({age} y/o)",
            f", age {age},",
            f", d.o.b. {dob.month:02d}-{dob.day:02d}-{dob.year},",
        )
    )


def officer_text(o: Officer, rng: random.Random) -> str:
    p = o.person
    abbr, full = o.rank
    first = p.given.split()[0]
    return rng.choice(
        (
            f"{abbr} {first[0]}. {p.surname} #{o.badge}",
            f"{full} {first} {p.surname}",
            f"{abbr} {p.surname} #{o.badge}",
            f"{abbr} {first} {p.surname} ({o.badge})",
            f"{full} {p.surname}",
            f"{abbr} {first[0]}. {p.surname}",
        )
    )


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _pron(p: Person | None) -> tuple[str, str, str]:
    """Possessive, subject and object pronouns."""
    return ("her", "she", "her") if p is not None and p.sex == "F" else ("his", "he", "him")


# fmt: off
LOOT = (
    "a 55-inch Samsung TV", "jewelry", "a DeWalt drill set", "a laptop computer", "an Xbox",
    "about $300 in cash", "prescription medication", "a Milwaukee impact driver", "a chainsaw",
    "a generator", "a PlayStation 5", "a gold necklace",
)
# fmt: on
# fmt: off
STOP_REASONS = (
    "a defective tail lamp",
    "speeding",
    "failure to maintain lane",
    "an expired registration",
    "no headlights",
)
SAFED_BY = ("the collecting officer", "Sgt. on scene", "the deputy")
NINES = ("9mm", "9 mm", "9x19")
PLATE_WORDS = (
    "plate", "NM plate", "license plate", "bearing plate",
)
# fmt: on
# fmt: off
PLATE_MARKERS = (
    "reg.", "lic.", "NM tag", "registration", "LP#", "tag no.", "MVD reg",
)
# fmt: on


class _Writer:
    """Writes incident narratives and property reports for the world's cases."""

    def __init__(self, world: _World, rng: random.Random) -> None:
        self.w = world
        self.rng = rng

    def who(self, p: Person, when: date, dob_p: float = 0.6, end: bool = False) -> str:
        """The name as recorded, often with the DOB or age (`end`: before ; or .)."""
        if p.dob is not None and self.rng.random() < dob_p:
            text = p.name + dob_text(p.dob, when, self.rng)
            return text.rstrip(",") if end else text
        return p.name

    def plate_text(self, v: Vehicle, marker: bool = False) -> str:
        words = PLATE_MARKERS if marker else PLATE_WORDS
        word = self.rng.choice(words)
        if v.state != "NM":
            word = word.replace("NM ", f"{v.state} ") if "NM" in word else f"{v.state} {word}"
        return f"{word} {v.plate}"

    def vehicle_text(self, v: Vehicle) -> str:
        return f"a {v.phrase(self.rng.random() < 0.4)}, {self.plate_text(v)}"

    def gun_text(self, f: Firearm, serial: str | None = None) -> str:
        serial = serial or f.serial
        tag = self.rng.choice(("SN", "serial", "s/n", "serial number", "S/N"))
        return f"a {f.color} {f.phrase()}, {tag} {serial}"

    def officers(self, c: Case, k: int | None = None) -> str:
        offs = c.officers[: k or self.rng.randint(1, 2)]
        return " and ".join(officer_text(o, self.rng) for o in offs)

    def where(self, c: Case) -> str:
        assert c.premises is not None
        text = c.premises.full(c.addr_style)
        return text + (", NM" if self.rng.random() < 0.3 else "")

    # -- case narratives ----------------------------------------------------------------------

    def case_title(self, c: Case) -> str:
        label = OFFENSES[c.offense][1]
        defendants = c.role_of("defendant")
        if defendants:
            d = defendants[0]
            return self.rng.choice(
                (
                    f"State v. {d.given} {d.surname}",
                    f"State v. {d.surname} ({label})",
                    f"State of New Mexico v. {d.name}",
                )
            )
        assert c.premises is not None
        return f"{label[:1].upper()}{label[1:]}, {c.premises.line(c.addr_style)}, {c.town}"

    def case_narrative(self, c: Case) -> str:
        rng = self.rng
        day = c.at.date()
        label = OFFENSES[c.offense][1]
        o1 = officer_text(c.officers[0], rng)
        if c.offense in ("drugs", "dwi") and c.vehicle:
            why = rng.choice(STOP_REASONS)
            out = [
                f"On {date_text(day, rng)} at {time_text(c.at, rng)}, {o1} conducted a traffic "
                f"stop on {self.vehicle_text(c.vehicle)} near {self.where(c)} for {why}."
            ]
        else:
            out = [
                rng.choice(
                    (
                        f"On {date_text(day, rng)} at {time_text(c.at, rng)}, {o1} responded to "
                        f"{self.where(c)} in reference to {_a(label)}.",
                        f"{o1} was dispatched to {self.where(c)} on {date_text(day, rng)} at "
                        f"{time_text(c.at, rng)} reference {_a(label)} call.",
                    )
                )
            ]
        if len(c.officers) > 1 and rng.random() < 0.7:
            helped = rng.choice(("assisted on scene", "arrived to assist", "responded as backup"))
            out.append(f"{officer_text(c.officers[-1], rng)} {helped}.")
        out += self._events(c, day)
        out.append(
            rng.choice(
                (
                    "NCIC/NMLETS checks completed.",
                    "Photographs taken; evidence tagged into property.",
                    "Case forwarded to the 13th Judicial District Attorney's Office for review.",
                    "No further information at this time.",
                    "Supplemental reports to follow.",
                )
            )
        )
        return " ".join(out)

    def _events(self, c: Case, day: date) -> list[str]:
        rng = self.rng
        out: list[str] = []
        victims, defs = c.role_of("victim"), c.role_of("defendant")
        sus = c.role_of("suspect")
        v = victims[0] if victims else None
        vpos = _pron(v)[0]
        org = c.victim_org
        loot = ", ".join(rng.sample(LOOT, 2))
        gun = c.firearm
        vsub = _pron(v)[1]
        said = {
            "burglary_res": f"reported that {vpos} residence was entered while {vsub} was at "
            f"work; entry was made through the rear door. Missing: {loot}.",
            "robbery": f"stated that a male displayed a handgun and demanded {vpos} wallet "
            "and phone.",
            "agg_assault": f"had a laceration to the left forearm and stated {vpos} attacker "
            f"swung a knife at {vpos} face.",
            "dv": f"stated that during an argument the defendant struck {_pron(v)[2]} several "
            f"times and took {vpos} phone when {vsub} tried to call 911.",
            "auto_theft": f"reported {vpos} vehicle stolen from the driveway overnight.",
            "firearm_larceny": "reported that a firearm was missing from a bedroom closet; "
            f"{vsub} last saw it about two weeks ago.",
            "fraud": f"reported unauthorized charges and checks written on {vpos} account.",
            "shots_fired": "reported hearing several gunshots and found bullet holes in the "
            f"front of {vpos} home.",
            "homicide": "was found unresponsive with an apparent gunshot wound and was "
            "pronounced deceased by Valencia County EMS.",
            "criminal_damage": f"reported that {vpos} vehicle's windows had been smashed and "
            "the tires slashed.",
        }
        if v is not None:
            role = rng.choice(("RP/victim", "Victim", "The victim,", "Reporting party"))
            out.append(f"{role} {self.who(v, day)} {said.get(c.offense, 'reported the incident.')}")
        if org is not None:
            out.append(
                {
                    "burglary_com": f"{org.name} reported an overnight break-in; the front "
                    "glass door was shattered and merchandise was taken.",
                    "robbery": f"A male entered {org.name} and displayed a handgun, demanding "
                    "cash from the register.",
                    "shoplifting": f"Loss prevention at {org.name} observed a subject conceal "
                    "merchandise and leave without paying.",
                    "fraud": f"{org.name} reported counterfeit checks passed at the register.",
                }.get(c.offense, f"The incident took place in the parking lot of {org.name}.")
            )
        for w in c.role_of("witness"):
            obs = [
                "saw a male running from the area",
                "heard yelling and then a loud bang",
                "observed the suspect leave on foot toward the ditch bank",
                "provided a written statement",
            ]
            if org is not None:
                obs.append("is an employee and was working the register at the time")
            out.append(f"Witness {self.who(w, day)} {rng.choice(obs)}.")
        if gun is not None:
            out.append(self._gun_sentence(c, gun, defs + sus))
        if c.vehicle and c.offense not in ("drugs", "dwi"):
            seen = (
                "The stolen vehicle is"
                if c.offense == "auto_theft"
                else rng.choice(
                    (
                        "A witness described the suspect vehicle as",
                        "Suspect vehicle:",
                        "The suspect left in",
                    )
                )
            )
            out.append(f"{seen} {self.vehicle_text(c.vehicle)}.")
        for d in defs:
            out.append(self._defendant_sentence(c, d, day))
        for p in sus:
            lead = rng.choice(
                ("Suspect identified as", "Possible suspect:", "Investigation points to")
            )
            then = rng.choice(
                ("warrant requested", "attempts to locate were negative", "photo array pending")
            )
            out.append(f"{lead} {self.who(p, day, end=True)}; {then}.")
        if c.phone and c.phone_owner:
            ph = phone_text(c.phone, c.phone_style)
            out.append(
                rng.choice(
                    (
                        f"{c.phone_owner.name}'s cell number is {ph}.",
                        f"Contact number for {c.phone_owner.name}: {ph}.",
                        f"Text messages from {ph} ({c.phone_owner.name}) were photographed.",
                    )
                )
            )
        if c.incidental_org:
            io = c.incidental_org
            out.append(
                f"Vehicle was towed by {io.name}."
                if io.kind == "tow"
                else f"Some of the property was later located at {io.name} (pawn ticket pending)."
            )
        return out

    def _gun_sentence(self, c: Case, gun: Firearm, suspects: list[Person]) -> str:
        rng = self.rng
        g = self.gun_text(gun)
        if c.offense in ("burglary_res", "burglary_com", "firearm_larceny"):
            tail = (
                "entered into NCIC as stolen."
                if gun.outstanding
                else "later recovered and tagged into property."
            )
            return f"Among the missing property: {g}; {tail}"
        if not gun.outstanding:
            place = rng.choice(
                (
                    "the center console",
                    "under the driver's seat",
                    "a backpack",
                    "the suspect's waistband",
                    "a kitchen drawer",
                )
            )
            return f"{g[0].upper()}{g[1:]} was recovered from {place} and tagged into evidence."
        owner = suspects[0].name if suspects else "an unknown subject"
        return f"ATF trace shows {g} was purchased by {owner}; the weapon has not been recovered."

    def _defendant_sentence(self, c: Case, d: Person, day: date) -> str:
        rng = self.rng
        name = self.who(d, day, 0.8)
        if c.offense == "dwi":
            b1 = rng.randint(9, 24)
            b2 = b1 + rng.choice((-1, 0, 0, 1))
            return (
                f"Driver {name} showed signs of impairment and performed poorly on SFSTs; "
                f"breath samples .{b1:02d}/.{b2:02d}."
            )
        if c.offense == "drugs":
            found = rng.choice(
                (
                    "a baggie of suspected methamphetamine",
                    "blue M30 pills (susp. fentanyl)",
                    "black tar heroin",
                )
            )
            return f"The driver, {name}, consented to a search; {found} was located in the vehicle."
        return rng.choice(
            (
                f"{name} was located nearby and detained.",
                f"{name} was identified through a photo array and arrested.",
                f"{name} was arrested and booked into the Valencia County Detention Center."
                if c.agency != "RRPD"
                else f"{name} was arrested and booked into the Sandoval County Detention Center.",
                f"Defendant {name} declined to give a statement.",
            )
        )

    # -- items ----------------------------------------------------------------------------------

    def new_firearm(self) -> Firearm:
        rng = self.rng
        make = _weighted(rng, list(_MAKE_WEIGHT.items()))
        model, caliber, kind, _ = _weighted(rng, [(m, m[3]) for m in FIREARMS[make]])
        shape = _SERIAL_SHAPES[make]
        serial = self.w._unique(
            lambda: "".join(
                rng.choice(_LETTERS) if ch == "L" else str(rng.randrange(10)) if ch == "#" else ch
                for ch in shape
            )
        )
        return Firearm(
            f"F-new-{serial}",
            make,
            model,
            caliber,
            kind,
            serial,
            rng.choice(("black", "black", "FDE", "stainless")),
            False,
        )

    def item(self, kind: str, c: Case, when: date, **ctx: Any) -> tuple[dict[str, Any], str]:
        """An item's fields (category, description, make, serial, ...) and a sentence of
        detail for its narrative. ctx: firearm, serial, name, org, phone, place."""
        rng = self.rng
        make = getattr(self, f"_item_{kind}", None)
        if make is None:
            raise ValueError(f"no item kind {kind}")
        fields, detail = make(c, when, ctx)
        fields.setdefault("quantity", 1)
        if not ctx and rng.random() < 0.1:
            detail = ""  # not every report says more (but never drops what ctx asked for)
        return {k: v for k, v in fields.items() if v not in (None, "")}, detail

    def _item_firearm(self, c: Case, when: date, ctx: dict[str, Any]) -> tuple[dict[str, Any], str]:
        rng = self.rng
        f: Firearm = ctx.get("firearm") or c.firearm or self.new_firearm()
        serial = ctx.get("serial") or f.serial
        extras = rng.choice(
            ("", ", w/ 1 magazine", ", loaded, w/ magazine", ", no magazine", " in black soft case")
        )
        hit = ctx.get(
            "ncic",
            rng.choice(
                (
                    "NCIC check on the serial was negative.",
                    "NCIC/NMLETS check: no record.",
                    "Serial run through NCIC; results pending.",
                )
            ),
        )
        cal = rng.choice(CALIBER_WRITTEN.get(f.caliber, (f.caliber,)))
        fields = {
            "category": "firearm",
            "description": f"{f.make} {f.model} {cal} {f.kind}, {f.color}, SN {serial}{extras}",
            "make": f.make,
            "model": f.model,
            "serial": serial,
            "caliber": f.caliber,
            "packaging": "gun box, zip-tied",
        }
        return (
            fields,
            f"Firearm rendered safe by {rng.choice(SAFED_BY)}. {hit}",
        )

    def _item_ammo(self, c: Case, when: date, ctx: dict[str, Any]) -> tuple[dict[str, Any], str]:
        rng = self.rng
        cal = ctx.get("caliber") or (
            c.firearm.caliber
            if c.firearm
            else rng.choice(
                ("9mm", "9mm", ".223", ".40 S&W", ".45 ACP", ".380 ACP", ".22 LR", "12 gauge")
            )
        )
        n = rng.choice((6, 10, 13, 15, 17, 20, 50))
        written = rng.choice(CALIBER_WRITTEN.get(cal, (cal,)))
        desc = rng.choice(
            (
                f"{n} rds {rng.choice(AMMO_BRANDS)} {written} ammunition",
                f"Loaded magazine, {n} rds {written}",
                f"Box of {rng.choice(AMMO_BRANDS)} {written}, {n} rds",
            )
        )
        return {
            "category": "ammunition",
            "description": desc,
            "caliber": cal,
            "quantity": n,
        }, "Rounds counted and photographed."

    def _item_casings(self, c: Case, when: date, ctx: dict[str, Any]) -> tuple[dict[str, Any], str]:
        rng = self.rng
        cal = (
            c.firearm.caliber
            if c.firearm and rng.random() < 0.8
            else rng.choice(("9mm", "9mm", ".40 S&W", ".223", ".45 ACP"))
        )
        n = rng.randint(2, 14)
        written = rng.choice(CALIBER_WRITTEN.get(cal, (cal,)))
        stamp = rng.choice(AMMO_BRANDS).upper()
        return (
            {
                "category": "ammunition",
                "description": f"Spent casings ({n}), {written}, headstamp {stamp}",
                "caliber": cal,
                "quantity": n,
            },
            f"Casings marked with evidence placards 1-{n} and photographed in place; "
            "to be entered into NIBIN.",
        )

    def _item_projectile(
        self, c: Case, when: date, ctx: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        where = self.rng.choice(
            (
                "the living room wall",
                "the front door frame",
                "a vehicle door panel",
                "the victim's clothing",
            )
        )
        return {
            "category": "ammunition",
            "description": f"Fired projectile recovered from {where}",
        }, "Projectile packaged in a pill box."

    def _item_drugs(self, c: Case, when: date, ctx: dict[str, Any]) -> tuple[dict[str, Any], str]:
        rng = self.rng
        g = round(rng.uniform(0.4, 60), 1)
        desc = rng.choice(
            (
                "Clear plastic baggie w/ white crystalline substance (susp. methamphetamine), "
                f"approx {g} g gross",
                f"Blue M30 pills (susp. fentanyl), {rng.randint(5, 400)} count",
                f"Black tar substance (susp. heroin) wrapped in foil, approx {g} g",
                f"White powder (susp. cocaine) in knotted baggie, approx {g} g",
            )
        )
        return {
            "category": "drugs",
            "description": desc,
            "packaging": "heat-sealed bag",
        }, rng.choice(
            (
                "NIK field test positive.",
                "Field test not conducted (fentanyl precautions).",
                "Weighed with packaging.",
            )
        )

    def _item_paraphernalia(
        self, c: Case, when: date, ctx: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        desc = self.rng.choice(
            (
                "Glass pipe w/ burnt residue",
                "Digital scale w/ white residue",
                "Box of small ziploc baggies",
                "Burnt foil and straw",
            )
        )
        return {"category": "other", "description": desc}, ""

    def _item_money(self, c: Case, when: date, ctx: dict[str, Any]) -> tuple[dict[str, Any], str]:
        rng = self.rng
        h, t = rng.randint(0, 30), rng.randint(1, 40)
        total = 100 * h + 20 * t
        return (
            {
                "category": "money",
                "description": f"US currency, ${total:,}.00 ({h} x $100, {t} x $20)",
                "packaging": "currency envelope",
            },
            f"Currency counted twice in the presence of {officer_text(c.officers[-1], rng)}.",
        )

    def _item_phone(self, c: Case, when: date, ctx: dict[str, Any]) -> tuple[dict[str, Any], str]:
        rng = self.rng
        model = rng.choice(
            (
                "Samsung Galaxy A14",
                "Apple iPhone 12",
                "Apple iPhone 13",
                "Motorola Moto G",
                "Samsung Galaxy S21",
                "LG Stylo 6",
                "TCL flip phone",
            )
        )
        color = rng.choice(("black", "blue", "white", "gray"))
        state = rng.choice(("", ", cracked screen", ", in black case"))
        fields = {
            "category": "digital_media",
            "description": f"{model} cell phone, {color}{state}",
            "make": model.split()[0],
            "model": " ".join(model.split()[1:]),
        }
        number = ctx.get("phone")
        detail = (
            f"Device assigned number {number} per carrier return."
            if number
            else "Device powered off and placed in a Faraday bag."
        )
        return fields, detail

    def _item_video(self, c: Case, when: date, ctx: dict[str, Any]) -> tuple[dict[str, Any], str]:
        rng = self.rng
        src = ctx.get("org") or (
            c.victim_org.name
            if c.victim_org
            else rng.choice(
                (
                    "a neighbor's Ring doorbell",
                    "the residence's security camera",
                    "a business across the street",
                )
            )
        )
        return {
            "category": "digital_media",
            "description": rng.choice(
                (
                    f"USB drive with surveillance video from {src}",
                    f"DVR (8-channel) from {src}",
                    f"Disc: video exported from {src}",
                )
            ),
        }, "Video shows the time frame of the incident."

    def _item_photos(self, c: Case, when: date, ctx: dict[str, Any]) -> tuple[dict[str, Any], str]:
        return {
            "category": "digital_media",
            "description": self.rng.choice(
                (
                    "SD card with scene photographs",
                    "Body-worn camera export (Axon) on disc",
                    "Photographs of injuries on USB drive",
                )
            ),
        }, ""

    def _item_latents(self, c: Case, when: date, ctx: dict[str, Any]) -> tuple[dict[str, Any], str]:
        n = self.rng.randint(1, 6)
        where = self.rng.choice(
            (
                "the rear door frame",
                "the point of entry",
                "the vehicle's driver door",
                "a jewelry box",
                "the cash register",
            )
        )
        return {
            "category": "other",
            "description": f"Latent lift cards ({n}) from {where}",
            "quantity": n,
        }, "Lifts developed with black powder."

    def _item_swabs(self, c: Case, when: date, ctx: dict[str, Any]) -> tuple[dict[str, Any], str]:
        where = self.rng.choice(
            (
                "the steering wheel",
                "the gear shift",
                "the door handle",
                "a blood stain on the kitchen floor",
                "the knife handle",
            )
        )
        return {
            "category": "biological",
            "description": f"DNA swabs (2) from {where}",
            "packaging": "swab box, air dried",
        }, "Swabs air dried before packaging."

    def _item_buccal(self, c: Case, when: date, ctx: dict[str, Any]) -> tuple[dict[str, Any], str]:
        name = ctx.get("name") or "subject"
        return {
            "category": "biological",
            "description": "Buccal swabs (2)",
            "packaging": "swab box",
        }, f"Buccal swabs collected from {name} pursuant to search warrant."

    def _item_blood_kit(
        self, c: Case, when: date, ctx: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        return {
            "category": "biological",
            "description": "Blood kit (SLD), 2 gray-top tubes",
            "packaging": "SLD kit, sealed",
        }, "Blood drawn by a phlebotomist at the hospital; kit refrigerated."

    def _item_breath_card(
        self, c: Case, when: date, ctx: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        return {
            "category": "document",
            "description": "Intoxilyzer 9000 breath card and printout",
        }, ""

    def _item_open_container(
        self, c: Case, when: date, ctx: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        return {
            "category": "other",
            "description": self.rng.choice(
                (
                    "Open can of beer, 24 oz, half full",
                    "Open bottle of vodka (750 ml), partially consumed",
                )
            ),
        }, "Contents photographed and poured out."

    def _item_pry_tool(
        self, c: Case, when: date, ctx: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        return {
            "category": "other",
            "description": self.rng.choice(
                (
                    "Pry bar, 24 in, black",
                    "Flathead screwdriver with paint transfer",
                    "Bolt cutters, red handles",
                )
            ),
        }, "Tool marks at the point of entry photographed for comparison."

    def _item_knife(self, c: Case, when: date, ctx: dict[str, Any]) -> tuple[dict[str, Any], str]:
        return {
            "category": "other",
            "description": self.rng.choice(
                (
                    'Folding knife, Kershaw, 3.5" blade',
                    "Kitchen knife, 8 in blade, black handle",
                    "Fixed-blade hunting knife in sheath",
                )
            ),
        }, "Knife secured in a knife tube."

    def _item_clothing(
        self, c: Case, when: date, ctx: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        return {
            "category": "other",
            "description": self.rng.choice(
                (
                    "Gray hooded sweatshirt",
                    "Black beanie",
                    "Blood-stained white t-shirt",
                    "Pair of black Nike shoes",
                )
            ),
        }, "Item air dried and packaged in a paper bag."

    def _item_property(
        self, c: Case, when: date, ctx: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        what = self.rng.choice(
            (
                "DeWalt 20V drill and battery",
                "Milwaukee M18 impact driver",
                "Samsung tablet",
                "Jewelry box with rings and earrings",
                "Catalytic converter",
                "Craftsman tool box",
                "Trek mountain bike, red",
            )
        )
        return {
            "category": "other",
            "description": what,
        }, "Victim to be contacted to identify the property."

    def _item_key(self, c: Case, when: date, ctx: dict[str, Any]) -> tuple[dict[str, Any], str]:
        return {
            "category": "other",
            "description": self.rng.choice(
                ("Shaved Toyota key", "Key fob and ring of keys", "Jiggler key set")
            ),
        }, ""

    def _item_pawn_ticket(
        self, c: Case, when: date, ctx: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        shop = ctx.get("org") or (
            c.incidental_org.name if c.incidental_org else self.w.pick_org(c.town, ("pawn",)).name
        )
        return {
            "category": "document",
            "description": f"Pawn ticket #{self.rng.randint(10000, 99999)} ({shop})",
        }, "Copy of the pawn transaction obtained from the shop."

    def _item_documents(
        self, c: Case, when: date, ctx: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        return {
            "category": "document",
            "description": self.rng.choice(
                (
                    "Counterfeit checks (4)",
                    "Bank statements, 12 pages",
                    "Handwritten ledger / owe sheet",
                    "Credit card receipts",
                )
            ),
        }, ""

    def _item_wallet(self, c: Case, when: date, ctx: dict[str, Any]) -> tuple[dict[str, Any], str]:
        return {
            "category": "other",
            "description": self.rng.choice(
                ("Black leather wallet", "Brown wallet with chain", "Card holder with ID")
            ),
        }, ""

    def _item_receipt(self, c: Case, when: date, ctx: dict[str, Any]) -> tuple[dict[str, Any], str]:
        shop = ctx.get("org") or (c.victim_org.name if c.victim_org else "a local store")
        total = self.rng.randint(3, 400) + self.rng.randint(0, 99) / 100
        fields = {"category": "document", "description": f"Receipt from {shop}, ${total:.2f}"}
        return fields, "Receipt located in the suspect's jacket pocket."

    def _item_statement(
        self, c: Case, when: date, ctx: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        return {"category": "document", "description": "Written statement (2 pages)"}, ""


# fmt: off
BACKGROUND_ITEMS = {
    "burglary_res": ("latents", "pry_tool", "video", "property", "firearm"),
    "burglary_com": ("latents", "video", "pry_tool", "property"),
    "robbery": ("video", "casings", "clothing", "money", "firearm"),
    "agg_assault": ("knife", "swabs", "photos", "clothing", "firearm"),
    "dv": ("photos", "swabs", "phone", "statement"), "auto_theft": ("swabs", "key", "latents"),
    "firearm_larceny": ("latents", "pawn_ticket", "firearm"),
    "drugs": ("drugs", "drugs", "money", "phone", "paraphernalia", "firearm"),
    "dwi": ("blood_kit", "breath_card", "open_container"), "shoplifting": ("video", "property"),
    "fraud": ("documents", "phone", "video"),
    "shots_fired": ("casings", "casings", "projectile", "video"),
    "homicide": ("casings", "swabs", "clothing", "phone", "projectile", "firearm"),
    "criminal_damage": ("photos", "pry_tool", "video"),
}
# fmt: on
# fmt: off
LOCATION_OF = {
    "firearm": "FA", "ammunition": "FA", "drugs": "DV", "money": "DV", "biological": "BIO",
    "digital_media": "GEN", "document": "GEN", "other": "GEN",
}
# fmt: on


# -- noise ------------------------------------------------------------------------------------

# fmt: off
OCR_PAIRS = (
    ("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("li", "h"), ("h", "li"), ("vv", "w"),
    ("w", "vv"),
)
# fmt: on
# fmt: off
OCR_SINGLE = (
    ("e", "c"), ("c", "e"), ("i", "l"), ("l", "i"), ("a", "o"), ("o", "a"),
)
# fmt: on


def _slips(text: str, pairs: Sequence[tuple[str, str]]) -> list[tuple[int, str, str]]:
    """Where each OCR confusion could happen: inside words, never on a first letter."""
    out = []
    for a, b in pairs:
        for m in re.finditer(re.escape(a), text):
            i = m.start()
            if i > 0 and text[i - 1].isalpha():
                out.append((i, a, b))
    return out


def ocr_noise(name: str, rng: random.Random) -> str | None:
    """The name with OCR-like slips that change it by exactly two characters."""
    options: list[str] = []
    for i, a, b in _slips(name, OCR_PAIRS):
        options.append(name[:i] + b + name[i + len(a) :])
    singles = _slips(name, OCR_SINGLE)
    for (i, a, b), (j, c, d) in itertools.combinations(singles, 2):
        if abs(i - j) > 1:
            first, second = sorted(((i, a, b), (j, c, d)))
            t = name[: second[0]] + second[2] + name[second[0] + 1 :]
            options.append(t[: first[0]] + first[2] + t[first[0] + 1 :])
    words = sorted(name.split())
    options = [o for o in options if levenshtein(o, name) == 2 and sorted(o.split()) != words]
    return rng.choice(options) if options else None


def typo(text: str, rng: random.Random) -> str:
    """One character wrong: a look-alike (0/O, 1/I, 5/S, 8/B, 2/Z) when there is one."""
    spots = [i for i, ch in enumerate(text) if ch in LOOKALIKE]
    if spots and rng.random() < 0.75:
        i = rng.choice(spots)
        return text[:i] + LOOKALIKE[text[i]] + text[i + 1 :]
    spots = [i for i, ch in enumerate(text) if ch.isalnum()]
    i = rng.choice(spots)
    pool = "0123456789" if text[i].isdigit() else _LETTERS
    return text[:i] + rng.choice([x for x in pool if x != text[i]]) + text[i + 1 :]


def reading(name: str) -> str:
    """A name as a reader takes it: any case and accents, surname-first turned round,
    initials dropped ('LUCERO, LUIS J.' reads 'luis lucero')."""
    text = fold(name).lower()
    if "," in text:
        surname, given = text.split(",", 1)
        text = f"{given} {surname}"
    return " ".join(w for w in re.findall(r"[\w'-]+", text) if len(w) > 1)


def _differs(written: str, spellings: Iterable[str], exact: bool = False) -> bool:
    if exact:
        return written not in spellings
    return all(fold(written).lower() != fold(s).lower() for s in spellings)


def name_noise(kind: str, p: Person, rng: random.Random) -> str | None:
    """How an intake writes person p under a noise kind (None: p does not allow it)."""
    first = p.given.split()[0]
    if kind == "exact":
        return p.name
    if kind == "name_caps":
        given = f"{p.given} {p.middle}" if p.middle_in_record and p.middle else p.given
        text = rng.choice((f"{p.surname}, {given}", f"{given} {p.surname}")).upper()
        return text if _differs(text, p.spellings, exact=True) else None
    if kind == "name_accent":
        if p.accented is None:
            return None
        given, surname = p.plain if p.record_accents else p.accented
        middle = (p.middle if p.record_accents else p.middle_acc) if p.middle_in_record else None
        text = f"{given} {middle} {surname}" if middle else f"{given} {surname}"
        return text if text != p.name and text not in p.spellings else None
    if kind == "name_ocr":
        text = ocr_noise(p.name, rng)
        return text if text and _differs(text, p.spellings) else None
    if kind == "translit":
        if not p.cyr:
            return None
        options = []
        for system in TRANSLIT_SYSTEMS[p.lang]:
            g, s = translit(p.cyr[0], system, p.lang), translit(p.cyr[1], system, p.lang)
            if (
                g.lower() != p.given.lower()
                and s.lower() != p.surname.lower()
                and _differs(f"{g} {s}", p.spellings)
            ):
                options.append(f"{g} {s}")
        return rng.choice(options) if options else None
    if kind == "nickname":
        nicks = [
            n for n in NICKNAMES.get(fold(first), ()) if _differs(f"{n} {p.surname}", p.spellings)
        ]
        return f"{rng.choice(nicks)} {p.surname}" if nicks else None
    if kind == "name_order":
        initial = f" {p.middle[0]}." if p.middle and rng.random() < 0.6 else ""
        return f"{p.surname}, {p.given}{initial}"
    return None


def short_name(core: str) -> str | None:
    """A business name without its "& ..." tail (Rio Grande Pawn & Loan -> Rio Grande Pawn),
    when what is left still says what the business is."""
    if " & " not in core or core.endswith(("Stop & Go", "Gas & Go")):
        return None
    return core.split(" & ", maxsplit=1)[0]


def org_noise(org: Org, rng: random.Random) -> str | None:
    """The business's name as someone might write it: without or with another suffix, with
    "and" for "&", in capitals, or shortened."""
    core = re.sub(r"(,? (Inc\.|LLC))$", "", org.name)
    short = short_name(core)
    options = [core, f"{core} INC.".upper(), core.replace("&", "and"), f"{core} LLC".upper()]
    if short:
        options += [short, f"{short} INC.".upper()]
    options = [o for o in dict.fromkeys(options) if _differs(o, org.spellings) and len(o) > 4]
    return rng.choice(options) if options else None


PERSON_LINES = (
    "Wallet contained a NM driver's license issued to {n}{d}.",
    "Owner identified as {n}{d}.",
    "Item was turned over by {n}{d}, who stated it was found in {pos} yard.",
    "{n}{d} was contacted and stated the item belongs to an acquaintance.",
    "Subject {n}{d} was detained; the item was located in {pos} front pocket.",
    "Item taken from {n}{d} at booking.",
    "Per {n}{d}, the item had been left at the residence by a friend.",
)


# -- the measured intakes -----------------------------------------------------------------------

Key = tuple[str, Any]


def case_keys(c: Case) -> list[Key]:
    """The identities in a case: its parties, vehicle, firearm, phone and case numbers. An
    item naming one bears on every open case it is part of."""
    keys: list[Key] = [("person", p.pid) for p, _ in c.parties]
    keys += [("case", c.cid)]
    if c.vehicle:
        keys.append(("vehicle", c.vehicle.vid))
    if c.firearm:
        keys.append(("firearm", c.firearm.fid))
    if c.phone:
        keys.append(("phone", c.phone))
    return keys


def place_keys(c: Case) -> list[Key]:
    """The places of a case's incident: its premises and its victim (or scene) business.
    A place is no identity: two robberies of one store are two incidents, so an item naming
    the store bears only on the incident it comes from."""
    keys: list[Key] = []
    if c.premises is not None:
        keys.append(("premises", c.premises.key))
    if c.victim_org:
        keys.append(("org", c.victim_org.oid))
    return keys


@dataclass
class _Intake:
    """One measured intake before it is written out, and its truth."""

    own: Case
    at: datetime
    keys: list[Key] = field(default_factory=list)  # identities it names
    kind: str = ""  # noise kind, hard kind, or "" (ordinary)
    hard: bool = False
    held: str = ""
    written: str = ""
    note: str = ""
    event: dict[str, Any] = field(default_factory=dict)
    incident: str = ""  # the case whose incident it comes from, named by a place


class _Measured:
    """Plans and writes the measured intakes, and labels them from the world's entities."""

    def __init__(self, world: _World, writer: _Writer, n: int, misfiled_share: float) -> None:
        self.w, self.wr, self.rng = world, writer, world.rng
        self.n = n
        self.misfiled_share = misfiled_share
        self.open = [c for c in world.cases if not c.closed]
        self.used: set[Key] = set()
        self.twins: list[tuple[Person, Case, str]] = []  # (the B party, B, the twin's name)
        self.index: dict[Key, list[str]] = {}  # identity -> the cases it is part of
        self.places: dict[Key, list[str]] = {}  # place -> the cases whose incident it is
        self.spelled: dict[str, set[str]] = {}  # a name or alias, folded -> persons
        self.by_id = {c.cid: c for c in world.cases}

    def slots(self) -> list[tuple[str, str]]:
        rng = self.rng
        n_mis, n_hard = round(self.n * self.misfiled_share), round(self.n * HARD_SHARE)
        kinds = list(NOISE_KINDS)
        rng.shuffle(kinds)
        hards = list(HARD_KINDS)
        rng.shuffle(hards)
        out = [("mis", kinds[i % len(kinds)]) for i in range(n_mis)]
        out += [("hard", hards[i % len(hards)]) for i in range(n_hard)]
        out += [("ord", "")] * (self.n - len(out))
        rng.shuffle(out)
        return out

    def make_twins(self, k: int) -> None:
        """For close_spelling_exact_elsewhere: k parties of open cases whose one-slip
        spelling is the exact name of another person, a witness in another open case."""
        rng = self.rng
        read = Counter(r for q in self.w.persons for r in {reading(s) for s in q.spellings})
        candidates = [
            (p, c)
            for c in self.open
            for p, _ in c.parties
            if not p.record_accents
            and fold(p.name) == p.name
            # a namesake would make the slip anyone's: no reader could tell whose it is
            and read[reading(p.name)] == 1
        ]
        rng.shuffle(candidates)
        for p, b in candidates:
            if len(self.twins) >= k:
                break
            first = p.given.split()[0]
            options = []
            if p.surname in SPELLING_TWINS:
                options.append(p.name[: -len(p.surname)] + SPELLING_TWINS[p.surname])
            if first in GIVEN_TWINS:
                options.append(GIVEN_TWINS[first] + p.name[len(first) :])
            options = [
                o for o in options if levenshtein(o, p.name) == 1 and _differs(o, p.spellings)
            ]
            if not options or any(t[0] is p for t in self.twins):
                continue
            twin_name = rng.choice(options)
            host = rng.choice([c for c in self.open if c is not b and c.cid not in p.cases])
            twin = self.w.new_person(host.at.date(), (18, 80))
            twin.aliases = []
            twin.origin, twin.sex, twin.cyr, twin.accented = p.origin, p.sex, None, None
            twin.given, twin.surname = twin_name.split()[0], twin_name.split()[-1]
            twin.middle = " ".join(twin_name.split()[1:-1]) or None
            twin.middle_in_record = twin.middle is not None
            if twin.dob is None or (p.dob and abs(age_on(p.dob, twin.dob)) < 3):
                twin.dob = host.at.date() - timedelta(days=rng.randint(18 * 365, 75 * 365))
            assert twin.name == twin_name, (twin.name, twin_name)
            twin.cases.append(host.cid)
            host.parties.append((twin, "witness"))
            self.twins.append((p, b, twin_name))

    def build_index(self) -> None:
        for c in self.w.cases:
            for key in case_keys(c):
                self.index.setdefault(key, []).append(c.cid)
            for key in place_keys(c):
                self.places.setdefault(key, []).append(c.cid)
        for p in self.w.persons:
            for spelling in p.spellings:
                self.spelled.setdefault(reading(spelling), set()).add(p.pid)

    def _someone_else(self, written: str, p: Person) -> bool:
        """Whether a noisy spelling reads as exactly the name of another person ('Lucero,
        Luis' where the record holds other Luis Luceros: no reader could tell which one it
        is); that is the close_spelling kind's trap, not the other kinds'."""
        return bool(self.spelled.get(reading(written), set()) - {p.pid})

    def labels(self, it: _Intake) -> list[str]:
        """The open cases, other than its own, that the intake truly bears on."""
        cases = {cid for key in it.keys for cid in self.index.get(key, [])}
        if it.incident:
            cases.add(it.incident)
        return sorted(c for c in cases if c != it.own.cid and not self.by_id[c].closed)

    def times(self) -> list[datetime]:
        rng = self.rng
        span = (INTAKES_UNTIL - INTAKES_FROM).days
        out = []
        for _ in range(self.n):
            day = INTAKES_FROM + timedelta(days=rng.randrange(span))
            out.append(
                datetime.combine(day.date(), time(rng.randint(7, 18), rng.randrange(60)), tzinfo=TZ)
            )
        return sorted(out)

    def other_case(self, not_in: Iterable[str]) -> Case:
        avoid = set(not_in)
        for _ in range(1000):
            c = self.rng.choice(self.open)
            if c.cid not in avoid:
                return c
        raise RuntimeError("no case to file under")

    # -- misfiled: filed under A, bearing on B through one noisy mention ------------------------

    def misfiled(self, kind: str, at: datetime) -> _Intake | None:
        target = self._target(kind)
        if target is None:
            return None
        b, key, held, written = target
        self.used.add(key)
        if key[0] in ("premises", "org"):
            a = self.other_case(self.places[key])
            it = _Intake(a, at, [], kind, incident=b.cid, held=held, written=written)
        else:
            a = self.other_case(self.index[key])
            it = _Intake(a, at, [key], kind, held=held, written=written)
        it.note = f"{kind}: {key[0]} {key[1]} of {b.cid}, held as {held!r}, written {written!r}"
        self._write_misfiled(it, b, key)
        return it

    def _target(self, kind: str) -> tuple[Case, Key, str, str] | None:
        rng = self.rng
        if kind == "close_spelling_exact_elsewhere":
            if not self.twins:
                return None
            p, b, twin_name = self.twins.pop()
            return b, ("person", p.pid), p.name, twin_name
        cases = list(self.open)
        rng.shuffle(cases)
        for b in cases:
            found = self._target_in(kind, b)
            if found is not None and found[0] not in self.used:
                return b, found[0], found[1], found[2]
        return None

    def _target_in(self, kind: str, b: Case) -> tuple[Key, str, str] | None:
        rng = self.rng
        if kind in NAME_KINDS:
            parties = [p for p, _ in b.parties if ("person", p.pid) not in self.used]
            rng.shuffle(parties)
            for p in parties:
                written = name_noise(kind, p, rng)
                if written is not None and not self._someone_else(written, p):
                    return ("person", p.pid), p.name, written
            return None
        if kind in ("plate_typo", "plate_marker") and b.vehicle:
            v = b.vehicle
            written = v.plate if kind == "plate_marker" else typo(v.plate, rng)
            if re.sub(r"[^A-Z0-9]", "", written) in self.w.used and kind == "plate_typo":
                return None
            return ("vehicle", v.vid), v.plate, written
        if kind == "serial_typo" and b.firearm and b.firearm.outstanding:
            written = typo(b.firearm.serial, rng)
            if re.sub(r"[^A-Z0-9]", "", written) in self.w.used:
                return None
            return ("firearm", b.firearm.fid), b.firearm.serial, written
        if kind == "case_number_variant":
            number = b.court if b.court and rng.random() < 0.4 else b.number
            return ("case", b.cid), number, rng.choice(number_variants(number))
        if kind == "address_variant" and b.premises is not None:
            if self.places[("premises", b.premises.key)] != [b.cid]:
                return None  # another incident at the same place: no target
            held = b.premises.line(b.addr_style)
            styles = [
                s for s in ADDRESS_STYLES if fold(b.premises.line(s)).lower() != fold(held).lower()
            ]
            if not styles:
                return None
            return ("premises", b.premises.key), held, b.premises.line(rng.choice(styles))
        if kind == "org_variant" and b.victim_org:
            if self.places[("org", b.victim_org.oid)] != [b.cid]:
                return None
            written = org_noise(b.victim_org, rng)
            return (("org", b.victim_org.oid), b.victim_org.name, written) if written else None
        if kind == "phone_format" and b.phone:
            style = rng.choice([s for s in PHONE_STYLES if s != b.phone_style])
            return (
                ("phone", b.phone),
                phone_text(b.phone, b.phone_style),
                phone_text(b.phone, style),
            )
        return None

    def _write_misfiled(self, it: _Intake, b: Case, key: Key) -> None:
        rng, wr = self.rng, self.wr
        day = it.at.date()
        kind, written = it.kind, it.written
        ctx: dict[str, Any] = {}
        where = ("during a follow-up in", "at the substation in", "on a call for service in")
        place = f"{rng.choice(where)} {b.town}"
        mention = ""
        if key[0] == "person":
            p = next(p for p, _ in b.parties if p.pid == key[1])
            d = dob_text(p.dob, day, rng).rstrip(",") if p.dob and rng.random() < 0.5 else ""
            item_kind = rng.choice(
                ("wallet", "phone", "property", "money", "drugs", "statement", "buccal")
            )
            if item_kind == "buccal":
                ctx["name"] = written + d
            else:
                mention = rng.choice(PERSON_LINES).format(n=written, d=d, pos=_pron(p)[0])
        elif key[0] == "vehicle":
            assert b.vehicle is not None
            item_kind = rng.choice(("drugs", "property", "documents", "paraphernalia"))
            word = rng.choice(PLATE_MARKERS if kind == "plate_marker" else PLATE_WORDS)
            mention = f"Item was located inside a {b.vehicle.phrase(True)} ({word} {written})."
        elif key[0] == "firearm":
            item_kind, ctx["serial"] = "firearm", written
            assert b.firearm is not None
            ctx["firearm"] = b.firearm
            ctx["ncic"] = rng.choice(
                (
                    f"NCIC check on serial {written}: no record.",
                    f"Serial {written} run through NCIC; no hit returned.",
                    "NCIC check to be completed.",
                )
            )
        elif key[0] == "phone":
            item_kind, ctx["phone"] = "phone", written
        elif key[0] == "case":
            item_kind = rng.choice(
                ("property", "photos", "documents", "clothing", "latents", "swabs")
            )
            mention = rng.choice(
                (
                    f"Supplemental evidence for {written}.",
                    f"Refer to {written}.",
                    f"Related to {written}; booked by the assigned officer.",
                )
            )
        elif key[0] == "premises":
            item_kind = rng.choice(("property", "swabs", "clothing", "knife", "latents"))
            place = f"at {written}, {b.town}"
            it.event["found_at"] = f"{written}, {b.town}"
        else:
            assert b.victim_org is not None
            kinds = ["video", "receipt"]
            kinds += (
                ["property"] if b.victim_org.kind in ("store", "hardware", "pawn", "gun") else []
            )
            kinds += ["pawn_ticket"] if b.victim_org.kind == "pawn" else []
            item_kind = rng.choice(kinds)
            ctx["org"] = written
            if item_kind == "property":
                mention = f"Merchandise still bears price tags from {written}."
        fields, detail = wr.item(item_kind, b, day, **ctx)
        if item_kind == "video" and written not in fields["description"]:
            mention = f"Video obtained from {written}."
        self._finish(it, fields, b, place, [mention, detail])

    def _finish(
        self, it: _Intake, fields: dict[str, Any], ctx_case: Case, place: str, sentences: list[str]
    ) -> None:
        """The intake event: filed under its own case; officers and town of ctx_case."""
        rng, wr = self.rng, self.wr
        day = it.at.date()
        offs = wr.officers(ctx_case)
        desc = fields["description"]
        opener = rng.choice(
            (
                f"On {date_text(day, rng)} at {time_text(it.at, rng)}, {offs} collected the "
                f"item {place}.",
                f"{offs} booked the item into property on {date_text(day, rng)}; it was "
                f"recovered {place}.",
                f"Supplemental: on {date_text(day, rng)} {offs} took custody of the item {place}.",
            )
        )
        closing = rng.choice(
            (
                "Sealed and placed in temp locker.",
                "Chain of custody form completed.",
                "Item tagged and submitted to the property room.",
                "",
            )
        )
        narrative = " ".join(x for x in [opener, *sentences, closing] if x).replace("..", ".")
        a = it.own
        event = {
            "do": "item.intake",
            "by": f"{a.agency.lower()}-pc{rng.randint(1, 2)}",
            "at": it.at.isoformat(timespec="seconds"),
            "item_id": "",
            **fields,
            "description": desc,
            "narrative": narrative,
            "location_id": f"{a.agency}-PR-{LOCATION_OF[fields['category']]}",
            "case_ids": [a.cid],
        }
        if rng.random() < 0.6:
            event["received_from"] = officer_text(ctx_case.officers[0], rng)
        event.update(it.event)
        it.event = event

    # -- hard negatives ----------------------------------------------------------------------

    def hard(self, kind: str, at: datetime) -> _Intake | None:
        made = getattr(self, f"_hard_{kind}")(at)
        if made is None:
            return None
        it, fields, place, sentences, ctx_case = made
        it.kind, it.hard = kind, True
        self._finish(it, fields, ctx_case, place, sentences)
        return it

    def _hard_common_name_other_person(self, at: datetime) -> Any:
        rng = self.rng
        day = at.date()
        ranked = {n for _, n in self.w.names.surnames[:60]}
        people = [
            (p, c)
            for c in self.open
            for p, _ in c.parties
            if p.dob and (p.surname in ranked or fold(p.surname) in ranked)
        ]
        if not people:
            return None
        x, b = rng.choice(people)
        namesakes = [
            q.dob for q in self.w.persons if q.dob and fold(q.name).lower() == fold(x.name).lower()
        ]
        for _ in range(100):
            dob = day - timedelta(days=rng.randint(17 * 365, 85 * 365))
            if all(abs((dob - d).days) > 3 * 366 for d in namesakes):
                break
        else:
            return None
        a = self.other_case([b.cid])
        it = _Intake(a, at, [], held=x.name, written=x.name)
        it.note = f"{x.name} (DOB {dob}) is not {x.pid} of {b.cid} (DOB {x.dob})"
        fields, detail = self.wr.item(rng.choice(("wallet", "property", "phone")), a, day)
        d = dob_text(dob, day, rng).rstrip(",")
        line = rng.choice(
            (
                f"Wallet contained a NM ID card issued to {x.name}{d}.",
                f"Owner identified as {x.name}{d}; owner to be notified by mail.",
                f"Property claimed by {x.name}{d}, who was not home at the time.",
            )
        )
        return (
            it,
            fields,
            f"at the {a.agency} front desk in {a.town}",
            ["Found property.", line, detail],
            a,
        )

    def _hard_same_street_other_town(self, at: datetime) -> Any:
        rng = self.rng
        cases = [c for c in self.open if c.premises is not None]
        rng.shuffle(cases)
        for b in cases:
            addr = b.premises
            assert addr is not None
            towns = [
                t
                for t, streets in self.w.streets.items()
                if t != addr.town and addr.street in streets
            ]
            if not towns:
                continue
            town = rng.choice(towns)
            quadrant = (
                rng.choice(("NE", "NW", "SE", "SW"))
                if TOWNS[town][3] and addr.street[1] != "HWY"
                else ""
            )
            other = Address(addr.number, addr.street, town, quadrant)
            if ("premises", other.key) in self.places:
                continue
            a = self.other_case([b.cid])
            style = rng.choice(ADDRESS_STYLES[:4])
            it = _Intake(
                a,
                at,
                [("premises", other.key)],
                held=addr.full(b.addr_style),
                written=other.full(style),
            )
            it.note = f"{other.full(style)} is not {b.cid}'s premises in {addr.town}"
            it.event["found_at"] = other.full(style)
            fields, detail = self.wr.item(
                rng.choice(("property", "clothing", "ammo", "drugs")), a, at.date()
            )
            line = rng.choice(
                (
                    "Collected from the front yard during a welfare check; no suspects.",
                    "Turned in by the homeowner, who found it near the mailbox.",
                    "Located during a trash pickup; no owner information.",
                )
            )
            return it, fields, f"at {other.full(style)}", [line, detail], a
        return None

    def _hard_officer_named(self, at: datetime) -> Any:
        rng = self.rng
        busy = sorted((o for os in self.w.officers.values() for o in os), key=lambda o: -o.cases)
        top = busy[: max(4, len(busy) // 10)]
        offs = rng.sample(top, 2)
        a = self.other_case([])
        names = [officer_text(o, rng) for o in offs]
        it = _Intake(a, at, [], held=offs[0].person.name, written=names[0])
        it.note = "names only officers " + ", ".join(f"{o.user_id} ({o.cases} cases)" for o in offs)
        fields, detail = self.wr.item(
            rng.choice(("property", "drugs", "key", "wallet")), a, at.date()
        )
        lines = [
            f"Found by {names[0]} in the parking lot of the {offs[0].agency} substation; "
            f"{names[1]} approved the found property report.",
            "Owner unknown.",
            detail,
        ]
        return it, fields, f"in {a.town}", lines, a

    def _hard_town_and_make(self, at: datetime) -> Any:
        rng = self.rng
        a = self.other_case([])
        towns = rng.sample([t for t in TOWNS if t != a.town], 3)
        v1, v2 = rng.sample(VEHICLES, 2)
        g1, g2 = rng.sample(sorted(_MAKE_WEIGHT), 2)
        hwy = rng.choice(("NM-47", "NM-314", "I-25", "NM-6"))
        text = (
            f"Found on the shoulder of {hwy} between {a.town} and {towns[0]}. Nearby: an "
            f"empty {g1} box and a {g2} holster. A {v1[0]} {v1[1]} and a {v2[0]} {v2[1]} "
            f"were parked at the turnout; a driver from {towns[1]} stated he was headed to "
            f"{towns[2]} and saw nothing."
        )
        it = _Intake(
            a, at, [], held="", written=f"{a.town}, {towns[0]}, {g1}, {g2}, {v1[0]} {v1[1]}"
        )
        it.note = "town names, vehicle and gun makes only"
        fields, detail = self.wr.item(rng.choice(("property", "clothing", "wallet")), a, at.date())
        return it, fields, f"in {a.town}", [text, detail], a

    def _hard_common_caliber(self, at: datetime) -> Any:
        rng = self.rng
        a = self.other_case([])
        n, m = rng.randint(5, 50), rng.randint(3, 30)
        fields = {
            "category": "ammunition",
            "description": f"{n} rds 9mm Luger and {m} rds .223 Rem, loose, in a Glock "
            "magazine pouch",
            "caliber": "9mm",
            "quantity": n + m,
        }
        it = _Intake(a, at, [], held="", written="9mm, .223, Glock")
        it.note = "calibers 9mm/.223 and Glock only"
        text = rng.choice(
            (
                f"Abandoned backpack found behind a convenience store in {a.town}.",
                f"Turned in by a landlord after an eviction clean-out in {a.town}.",
                f"Located in a field off {rng.choice(self.w.streets[a.town])[0]} in {a.town}.",
            )
        )
        return (
            it,
            fields,
            f"in {a.town}",
            [
                text,
                f"Also in the pouch: an empty Glock 17 magazine ({rng.choice(NINES)}).",
            ],
            a,
        )

    def _hard_closed_case_match(self, at: datetime) -> Any:
        rng = self.rng
        people = [
            (p, c)
            for c in self.w.cases
            if c.closed
            for p, _ in c.parties
            if all(self.by_id[x].closed for x in p.cases)
        ]
        if not people:
            return None
        fresh = [(p, c) for p, c in people if ("person", p.pid) not in self.used]
        p, k = rng.choice(fresh or people)
        self.used.add(("person", p.pid))
        a = self.other_case([])
        d = dob_text(p.dob, at.date(), rng).rstrip(",") if p.dob and rng.random() < 0.5 else ""
        it = _Intake(a, at, [("person", p.pid)], held=p.name, written=p.name)
        it.note = f"{p.name} ({p.pid}) is a party only of closed case {k.cid}"
        fields, detail = self.wr.item(
            rng.choice(("property", "wallet", "documents", "phone")), a, at.date()
        )
        line = rng.choice(
            (
                f"Personal property of {p.name}{d}, found during a storage unit clean-out.",
                f"Owner identified as {p.name}{d}.",
                f"Item taken from {p.name}{d} at booking.",
            )
        )
        return it, fields, f"in {a.town}", [line, detail], a

    # -- ordinary intakes ----------------------------------------------------------------------

    def ordinary(self, at: datetime) -> _Intake:
        rng, wr = self.rng, self.wr
        a = rng.choice(self.open)
        day = at.date()
        it = _Intake(a, at)
        kinds = [*BACKGROUND_ITEMS[a.offense], "statement", "photos", "buccal", "wallet"]
        if a.firearm and a.firearm.outstanding and ("firearm", a.firearm.fid) not in self.used:
            kinds += ["firearm"] * 3
        elif "firearm" in kinds:
            kinds.remove("firearm")
        kind = rng.choice(kinds)
        sentences: list[str] = []
        people = a.civilians
        named = rng.sample(people, min(len(people), rng.choice((1, 1, 2)))) if people else []
        ctx: dict[str, Any] = {}
        if kind == "firearm":
            assert a.firearm is not None
            self.used.add(("firearm", a.firearm.fid))
            it.keys.append(("firearm", a.firearm.fid))
            ctx["ncic"] = rng.choice(
                (
                    "NCIC check returned stolen; this is the firearm reported in this case.",
                    "Serial matches the firearm listed in the original report.",
                )
            )
        if kind == "phone" and a.phone:
            ctx["phone"] = phone_text(a.phone, rng.choice(PHONE_STYLES))
            it.keys.append(("phone", a.phone))
        if kind == "buccal" and named:
            ctx["name"] = wr.who(named[0], day, 0.4, end=True)
        elif kind == "buccal":
            kind = "statement"
        verbs = ["Taken from", "Turned over by", "Property of", "Obtained from"]
        rng.shuffle(verbs)
        for k, p in enumerate(named[1:] if kind == "buccal" else named):
            role = next(r for q, r in a.parties if q is p)
            verb = verbs[0] if k == 0 else "Also present:"
            sentences.append(f"{verb} {role} {wr.who(p, day, 0.4, end=True)}.")
        it.keys += [("person", p.pid) for p in named]
        place = f"in {a.town}"
        if a.premises is not None and rng.random() < 0.5:
            place = f"at {wr.where(a)}"  # its own incident's place: no link to another
            it.event["found_at"] = a.premises.full(a.addr_style)
        if a.vehicle and rng.random() < 0.3:
            sentences.append(f"Located in {wr.vehicle_text(a.vehicle)}.")
            it.keys.append(("vehicle", a.vehicle.vid))
        if a.victim_org and rng.random() < 0.4:
            sentences.append(f"Business involved: {a.victim_org.name}.")
        if a.incidental_org and rng.random() < 0.3:
            io = a.incidental_org
            sentences.append(
                f"Vehicle released to {io.name}."
                if io.kind == "tow"
                else f"Pawn records requested from {io.name}."
            )
        fields, detail = wr.item(kind, a, day, **ctx)
        self._finish(it, fields, a, place, [*sentences, detail])
        return it


# -- the record -------------------------------------------------------------------------------


class _Numbers:
    """Property-room barcodes: AGENCY-YY-NNNNN, one sequence per agency and year."""

    def __init__(self) -> None:
        self.seq: dict[tuple[str, int], int] = {}

    def next(self, agency: str, year: int) -> str:
        key = (agency, year % 100)
        self.seq[key] = self.seq.get(key, 0) + 1
        return f"{agency}-{year % 100:02d}-{self.seq[key]:05d}"


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def _case_events(c: Case, wr: _Writer, barcodes: _Numbers) -> list[tuple[datetime, dict[str, Any]]]:
    rng = wr.rng
    by = c.officers[0].user_id
    numbers = [{"kind": "agency", "number": c.number}]
    if c.court:
        numbers.append({"kind": "court", "number": c.court})
    out: list[tuple[datetime, dict[str, Any]]] = [
        (
            c.at,
            {
                "do": "case.open",
                "by": by,
                "at": _iso(c.at),
                "case_id": c.cid,
                "title": wr.case_title(c),
                "numbers": numbers,
                "agency_id": c.agency,
                "narrative": wr.case_narrative(c),
            },
        )
    ]
    t = c.at + timedelta(minutes=10)
    for p, role in [*c.parties, *((o.person, "officer") for o in c.officers)]:
        out.append(
            (
                t,
                {
                    "do": "case.party",
                    "by": by,
                    "at": _iso(t),
                    "case_id": c.cid,
                    "person_id": p.pid,
                    "role": role,
                },
            )
        )
    if c.charges:
        d = c.role_of("defendant")[0]
        day = c.at.date() + timedelta(days=rng.randint(2, 60))
        t = datetime.combine(day, time(rng.randint(8, 16), rng.randrange(60)), tzinfo=TZ)
        out.append(
            (
                t,
                {
                    "do": "case.charge",
                    "by": "pros",
                    "at": _iso(t),
                    "case_id": c.cid,
                    "person_id": d.pid,
                    "charges": c.charges,
                    "charged_on": t.date().isoformat(),
                },
            )
        )
    kinds = [
        k
        for k in BACKGROUND_ITEMS[c.offense]
        if (k != "firearm" or (c.firearm and not c.firearm.outstanding))
        and (k != "phone" or c.phone)
    ]
    for kind in rng.sample(kinds, min(len(kinds), rng.choice((1, 1, 2, 2, 3)))):
        t = c.at + timedelta(hours=rng.randint(1, 72), minutes=rng.randrange(60))
        out.append((t, _background_item(c, kind, t, wr, barcodes)))
    if c.closed and c.closed_at:
        out.append(
            (
                c.closed_at,
                {
                    "do": "case.close",
                    "by": "pros",
                    "at": _iso(c.closed_at),
                    "case_id": c.cid,
                    "reason": c.close_reason,
                },
            )
        )
    return out


def _background_item(
    c: Case, kind: str, t: datetime, wr: _Writer, barcodes: _Numbers
) -> dict[str, Any]:
    rng = wr.rng
    day = t.date()
    ctx: dict[str, Any] = {}
    if kind == "phone" and c.phone:
        ctx["phone"] = phone_text(c.phone, c.phone_style)
    if kind == "buccal" and c.civilians:
        ctx["name"] = c.civilians[0].name
    fields, detail = wr.item(kind, c, day, **ctx)
    people = c.civilians
    sentences = [
        f"On {date_text(day, rng)} at {time_text(t, rng)}, {wr.officers(c)} collected the item "
        f"at {wr.where(c)}."
    ]
    if people and rng.random() < 0.7:
        p = rng.choice(people)
        role = next(r for q, r in c.parties if q is p)
        verb = rng.choice(("Taken from", "Turned over by", "Property of", "Associated with"))
        sentences.append(f"{verb} {role} {p.name}.")
    sentences += [
        detail,
        rng.choice(
            (
                "Sealed, initialed and dated.",
                "Placed in temp locker pending transfer to property.",
                "",
            )
        ),
    ]
    event = {
        "do": "item.intake",
        "by": f"{c.agency.lower()}-pc{rng.randint(1, 2)}",
        "at": _iso(t),
        "item_id": barcodes.next(c.agency, t.year),
        **fields,
        "narrative": " ".join(s for s in sentences if s),
        "location_id": f"{c.agency}-PR-{LOCATION_OF[fields['category']]}",
        "case_ids": [c.cid],
    }
    if rng.random() < 0.5:
        event["received_from"] = officer_text(c.officers[0], rng)
    return event


def _reference(world: _World) -> dict[str, Any]:
    rng = world.rng
    agencies = [
        {
            "agency_id": a,
            "name": v[0],
            "case_number_formats": {"agency": v[1], "court": COURT_FORMAT},
        }
        for a, v in AGENCIES.items()
    ]
    clerks = iter(world.names.clerk_names)
    users: list[dict[str, Any]] = []
    locations: list[dict[str, Any]] = []
    for a, v in AGENCIES.items():
        users += [
            {
                "user_id": f"{a.lower()}-pc{k}",
                "name": next(clerks),
                "roles": ["property_clerk"],
                "agency_id": a,
            }
            for k in (1, 2)
        ]
        users += [
            {"user_id": o.user_id, "name": o.person.name, "roles": ["officer"], "agency_id": a}
            for o in world.officers[a]
        ]
        room = f"{a}-PR"
        locations.append({"location_id": room, "name": f"{v[0]} property room", "kind": "room"})
        for sub, name, kind in (
            ("FA", "firearms and ammunition", "shelf"),
            ("DV", "drug and money vault", "locker"),
            ("BIO", "evidence refrigerator", "locker"),
            ("GEN", "general evidence", "shelf"),
        ):
            locations.append(
                {
                    "location_id": f"{room}-{sub}",
                    "name": f"{a} {name}",
                    "kind": kind,
                    "parent_id": room,
                }
            )
    users.append({"user_id": "pros", "name": f"ADA {next(clerks)}", "roles": ["prosecutor"]})
    persons = []
    for p in world.persons:
        rec: dict[str, Any] = {"person_id": p.pid, "name": p.name}
        if p.aliases:
            rec["aliases"] = list(p.aliases)
        if p.dob:
            rec["dob"] = p.dob.isoformat()
        persons.append(rec)
    orgs = []
    for o in world.orgs:
        line = o.address.line(rng.choice(("abbr", "usps")))
        rec = {
            "org_id": o.oid,
            "name": o.name,
            "address": f"{line}, {o.address.town}, NM {TOWNS[o.address.town][1]}",
        }
        if o.aliases:
            rec["aliases"] = list(o.aliases)
        orgs.append(rec)
    return {
        "brady_import": 1,
        "agencies": agencies,
        "users": users,
        "locations": locations,
        "persons": persons,
        "organizations": orgs,
    }


def _repeat_kind(m: _Measured, it: _Intake) -> str:
    """An ordinary intake's link: a person of its own case who is a party elsewhere too
    (vehicles, firearms and phones belong to one case each)."""
    for key in it.keys:
        if any(c != it.own.cid and not m.by_id[c].closed for c in m.index.get(key, [])):
            return f"repeat_{key[0]}"
    return "repeat_person"


def generate(
    seed: int = 1,
    cases: int = 300,
    intakes: int = 2000,
    misfiled_share: float = MISFILED_SHARE,
    repeat_share: float = REPEAT_PERSON_SHARE,
) -> AgencyRecord:
    """A noisy agency record of `cases` cases and `intakes` measured intakes, with labels.

    The two shares set how many true links the record holds: the default 8% misfiled gives
    every noise kind about ten intakes at 2,000 (enough to measure each kind); a queue's
    load is measured at the density the agency really has (the issue's own record: some
    dozens misfiled in 2,000 intakes, --misfiled-share 0.02)."""
    world = _World(seed, cases, repeat_share)
    wr = _Writer(world, world.rng)
    m = _Measured(world, wr, intakes, misfiled_share)
    slots = m.slots()
    m.make_twins(sum(1 for _, k in slots if k == "close_spelling_exact_elsewhere"))
    m.build_index()
    barcodes = _Numbers()
    timed: list[tuple[datetime, dict[str, Any]]] = []
    for c in world.cases:
        timed += _case_events(c, wr, barcodes)
    timed.sort(key=lambda te: te[0])
    scenario = _reference(world)
    scenario["events"] = [e for _, e in timed]
    record = AgencyRecord(
        seed, scenario, [], {}, {}, {}, closed=[c.cid for c in world.cases if c.closed]
    )
    for (cls, kind), at in zip(slots, m.times(), strict=True):
        it = m.misfiled(kind, at) if cls == "mis" else m.hard(kind, at) if cls == "hard" else None
        it = it or m.ordinary(at)
        item_id = barcodes.next(it.own.agency, at.year)
        it.event["item_id"] = item_id
        record.intakes.append(it.event)
        record.own[item_id] = it.own.cid
        record.labels[item_id] = m.labels(it)
        if it.hard:
            record.hard[item_id] = it.kind
        elif it.kind:
            record.noise[item_id] = it.kind
        elif record.labels[item_id]:
            record.noise[item_id] = _repeat_kind(m, it)
        if it.kind:
            record.mentions[item_id] = (it.held, it.written)
            record.notes[item_id] = it.note
        elif record.labels[item_id]:
            named = ", ".join(f"{k[0]} {k[1]}" for k in it.keys)
            record.notes[item_id] = (
                f"{record.noise[item_id]}: names {named} of its own case, "
                f"also part of {', '.join(record.labels[item_id])}"
            )
        if it.hard and record.labels[item_id]:
            raise AssertionError(
                f"hard negative {item_id} has a true link: {record.labels[item_id]}"
            )
    return record
