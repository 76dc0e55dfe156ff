"""The case timeline is legible: read back from the SVG it draws, no two words overlap, the
calendar ticks clear each other, the as-of line crosses no words, and all text is at least
11 px when the picture is shown 768 px wide (a tablet). Checked on the Rust case as the demo
shows it (the day of the dismissal, and after the late production of 2026), on a dense
made-up case, and on random ones; every box is measured twice, with the layout's own width
estimate and with a flat 0.62 em a character, so the check is not the layout's echo."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations, pairwise
from pathlib import Path

import pytest

from brady.cli.admin import bootstrap_admin
from brady.cli.demo import load_rust
from brady.custody.service import Custody
from brady.disclosure import timeline
from brady.disclosure.timeline import Mark
from brady.disclosure.timeline_layout import ASCENT, DESCENT, text_width
from brady.ledger_home import init_home

from .test_as_of import _late_disclosure
from .test_rust import PRODUCING, TESKE

NS = "{http://www.w3.org/2000/svg}"
TABLET = 768
Width = Callable[[str, float, bool], float]


def _flat(text: str, size: float, bold: bool) -> float:
    """The second opinion: 0.62 em a character, whatever the characters."""
    return 0.62 * len(text) * size


ESTIMATES: dict[str, Width] = {"layout": text_width, "flat 0.62 em": _flat}


@dataclass(frozen=True)
class Text:
    cls: str
    text: str
    x: float
    y: float
    size: float
    anchor: str
    bold: bool

    def box(self, width: Width) -> tuple[float, float, float, float]:
        w = width(self.text, self.size, self.bold)
        left = {"start": self.x, "middle": self.x - w / 2, "end": self.x - w}[self.anchor]
        return (left, self.y - ASCENT * self.size, left + w, self.y + DESCENT * self.size)


@dataclass(frozen=True)
class Picture:
    width: float
    texts: list[Text]
    asof: list[tuple[float, float, float]]  # x, y1, y2 of each piece of the as-of line
    glyphs: int  # dots and bars: one a mark


def _parse(svg: str) -> Picture:
    root = ET.fromstring(svg)
    width = float(root.attrib["viewBox"].split()[2])
    size = float(root.attrib.get("font-size", "16"))
    texts = [
        Text(
            t.get("class", ""),
            "".join(t.itertext()),
            float(t.attrib["x"]),
            float(t.attrib["y"]),
            float(t.get("font-size", size)),
            t.get("text-anchor", "start"),
            t.get("font-weight") == "bold",
        )
        for t in root.iter(f"{NS}text")
    ]
    asof = [
        (float(line.attrib["x1"]), float(line.attrib["y1"]), float(line.attrib["y2"]))
        for line in root.iter(f"{NS}line")
        if line.get("class") == "asof"
    ]
    assert all(line.attrib["x1"] == line.attrib["x2"] for line in root.iter(f"{NS}line"))
    glyphs = len(list(root.iter(f"{NS}circle"))) + sum(
        1 for r in root.iter(f"{NS}rect") if r.get("opacity") == "0.75"
    )
    return Picture(width, texts, asof, glyphs)


def _meet(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_legible(svg: str, marks: list[Mark], whole_labels: bool = True) -> None:
    picture = _parse(svg)
    assert picture.asof, "the as-of line is drawn"
    for name, width in ESTIMATES.items():
        boxes = [(t, t.box(width)) for t in picture.texts]
        for (s, a), (t, b) in combinations(boxes, 2):
            assert not _meet(a, b), f"{name}: {s.text!r} at {a} meets {t.text!r} at {b}"
        for t, (left, top, right, bottom) in boxes:
            assert left >= 0 and right <= picture.width, f"{name}: {t.text!r} leaves the picture"
            for x, y1, y2 in picture.asof:
                crossing = y1 < bottom and top < y2 and left <= x <= right
                assert not crossing, f"{name}: the as-of line at {x} crosses {t.text!r}"
        ticks = sorted(b for t, b in boxes if t.cls == "tick")
        assert all(a[2] < b[0] for a, b in pairwise(ticks)), ticks
    for t in picture.texts:
        assert t.size * TABLET / picture.width >= 11, f"{t.text!r} is too small on a tablet"
    assert picture.glyphs == len(marks)
    words = " ".join(t.text for t in picture.texts if t.cls == "mark")
    for m in marks if whole_labels else []:
        assert m.label in words, f"{m.label!r} is not shown"


# -- the Rust case, as the demo shows it --------------------------------------------------------


@pytest.fixture(scope="module")
def rust_marks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[date, list[Mark]]]:
    """The Rust case's marks on the day of the dismissal, and after the rounds were
    produced in 2026 (992 days late): one SQLite ledger, built once for the module."""
    tmp = tmp_path_factory.mktemp("rust-timeline")
    led = init_home(tmp / "home", None)
    custody = Custody(led)
    bootstrap_admin(custody)
    load_rust(custody, lambda e: e["do"] not in PRODUCING)
    out: dict[date, list[Mark]] = {}
    with led.engine.connect() as conn:
        out[date(2024, 7, 12)] = timeline.collect(conn, "state-v-baldwin", date(2024, 7, 12)) or []
    _late_disclosure(custody, Path(tmp))
    with led.engine.connect() as conn:
        out[date(2026, 12, 1)] = timeline.collect(conn, "state-v-baldwin", date(2026, 12, 1)) or []
    yield out
    led.close()


@pytest.mark.parametrize("today", [date(2024, 7, 12), date(2026, 12, 1)])
def test_the_rust_timeline_is_legible(rust_marks: dict[date, list[Mark]], today: date) -> None:
    marks = rust_marks[today]
    assert {m.lane for m in marks} == set(timeline.LANES)
    picture = timeline.svg("state-v-baldwin: State v. Baldwin", marks, today)
    assert_legible(picture, marks)
    assert TESKE in picture


# -- a dense case, made up ----------------------------------------------------------------------

DAY = date(2024, 3, 4)
LONG = "STATE-OF-NEW-MEXICO-EVIDENCE-ITEM-2024"


def _dense() -> list[Mark]:
    """Forty items taken in within a week, defendants charged on one day, links waiting
    across the as-of line, a dozen productions within days, late and overdue spans, future
    deadlines, and labels longer than the picture is wide."""
    at = DAY.toordinal()
    marks = [Mark("Court", DAY, None, "case opened", "plain")]
    for n in range(6):
        marks.append(Mark("Court", DAY, None, f"Defendant Number {n} charged", "plain"))
        marks.append(
            Mark("Court", DAY + timedelta(days=n), None, f"Defendant {n} arraigned", "plain")
        )
    for n in range(40):
        day = date.fromordinal(at + n % 7)
        label = f"{LONG}-{n:03d}, {LONG}-{n + 1:03d} and {n} more taken in"
        marks.append(Mark("Evidence", day, None, label, "plain"))
    for n in range(15):
        start = date.fromordinal(at + 2 * n)
        end = start + timedelta(days=3 + 5 * n) if n % 3 else DAY + timedelta(days=30)
        label = f"SF24-{n:04d}-01 suggested, NOT REVIEWED (LNK-{n:06d})"
        marks.append(Mark("Links", start, end, label, "bad"))
    for n in range(12):
        day = date.fromordinal(at + 10 + n // 3)
        marks.append(Mark("Disclosure", day, None, f"BALDWIN-P{n} (NOT acknowledged)", "good"))
        marks.append(
            Mark("Disclosure", day, day + timedelta(days=n), f"X{n} produced {n} days late", "bad")
        )
    for n in range(3):
        marks.append(Mark("Disclosure", DAY + timedelta(days=40 + n), None, f"due {DAY}", "plain"))
    words = " ".join(f"RUST-LIVE-{n:03d}," for n in range(30))
    marks.append(Mark("Disclosure", DAY, DAY + timedelta(days=20), f"{words} overdue", "bad"))
    return marks


def test_a_dense_case_is_laid_out_in_rows_not_piled_up() -> None:
    marks = _dense()
    today = DAY + timedelta(days=30)  # the deadlines are still to come
    picture = timeline.svg("state-v-dense: " + "A Very Long Caption " * 8, marks, today)
    assert_legible(picture, marks)
    assert _parse(picture).width == timeline.WIDTH  # it grew taller, not wider


def test_a_word_wider_than_the_picture_is_broken_not_cut() -> None:
    word = "X" * 150
    marks = [Mark("Evidence", DAY, None, word, "plain")]
    picture = timeline.svg("one long word", marks, DAY + timedelta(days=3))
    assert_legible(picture, marks, whole_labels=False)  # it is in pieces: see the letters
    pieces = [t.text for t in _parse(picture).texts if t.cls == "mark"]
    assert len(pieces) > 1 and "".join(pieces) == word


def _random_case(rng: random.Random) -> tuple[list[Mark], date]:
    start = date(2015, 1, 1) + timedelta(days=rng.randrange(3000))
    length = rng.choice([3, 20, 90, 400, 1500, 5000, 15000])
    marks = []
    for _ in range(rng.randrange(1, 40)):
        lane = rng.choice(timeline.LANES)
        day = start + timedelta(days=rng.randrange(length))
        end = day + timedelta(days=rng.randrange(length)) if rng.random() < 0.3 else None
        label = " ".join(
            rng.choice(["due", "RUST-CASING,", "produced", "1019", "NOT"])
            for _ in range(rng.randrange(1, 12))
        )
        marks.append(Mark(lane, day, end, label, rng.choice(["plain", "good", "bad"])))
    return marks, start + timedelta(days=rng.randrange(length + 30))


@pytest.mark.parametrize("seed", range(40))
def test_random_cases_are_legible(seed: int) -> None:
    marks, today = _random_case(random.Random(seed))
    assert_legible(timeline.svg(f"case {seed}", marks, today), marks)
