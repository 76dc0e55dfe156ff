"""Where the timeline's words go, worked out before anything is drawn.

A picture whose labels run into each other is worse than none: a reader takes "produced
1019 days late" for part of the next mark. So labels are laid out, not placed: each gets a
row of its lane where its text box meets no other (first fit, leftmost mark first), on the
side of its mark that keeps it off the as-of line; calendar ticks are thinned until their
labels clear each other. Text boxes are estimated from DejaVu Sans' advance widths (the
first font the picture asks for; Arial is narrower) and never narrower than 0.62 em a
character, so a substitute font still fits. Arithmetic on numbers and strings only: no
drawing, no I/O, so the layout is tested without a browser.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

FLAT_EM = 0.62  # the floor of the width estimate, in em a character
ASCENT, DESCENT = 0.95, 0.25  # em above and below the baseline (DejaVu Sans: .93, .24)
PAD = 10.0  # the least room between two labels (or a label and another's mark) in a row
GAP = 5.0  # the least room between a label and the as-of line
TICK_GAP = 14.0  # the least room between two tick labels

# DejaVu Sans advance widths in thousandths of an em, each group rounded up to its widest;
# any other character (accented, non-Latin) counts a full em.
_GROUPS = (
    ("ijlIJ'", 300),
    (" .,", 320),
    (":;/|", 340),
    ("f-", 365),
    ("rt()[]!", 420),
    ('"', 460),
    ("_*", 500),
    ("cszL?", 560),
    ("aeokvxyFPTY", 615),
    ("bdghnpquES0123456789", 640),
    ("ABCKRVXZ", 700),
    ("&DGHNOQU", 790),
    ("w+#<>=~", 840),
    ("M", 870),
    ("mW%@", 1000),
)
_WIDTHS = {c: w for chars, w in _GROUPS for c in chars}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """How wide `text` is drawn at `size` px. Bold DejaVu is at most 12% and 0.05 em a
    character wider than regular; the flat floor covers a viewer without DejaVu."""
    glyphs = float(sum(_WIDTHS.get(c, 1000) for c in text))
    if bold:
        glyphs = glyphs * 1.12 + 50 * len(text)
    return max(glyphs / 1000, FLAT_EM * len(text)) * size


@dataclass(frozen=True)
class Box:
    """A text's extent in picture units: y grows downwards, as in SVG."""

    left: float
    top: float
    right: float
    bottom: float

    def meets(self, other: Box) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )


def text_box(
    x: float, baseline: float, text: str, size: float, anchor: str = "start", bold: bool = False
) -> Box:
    """The box `text` covers when drawn at (x, baseline) with SVG's `text-anchor`."""
    width = text_width(text, size, bold)
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return Box(left, baseline - ASCENT * size, left + width, baseline + DESCENT * size)


def wrap(text: str, size: float, room: float, bold: bool = False) -> tuple[str, ...]:
    """`text` in lines no wider than `room`, broken between words, and inside a word only
    when that word alone is wider: a label wider than the picture is still all shown."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        trial = f"{line} {word}" if line else word
        if text_width(trial, size, bold) <= room:
            line = trial
            continue
        if line:
            lines.append(line)
        line = word
        while len(line) > 1 and text_width(line, size, bold) > room:
            cut = max(
                [n for n in range(1, len(line)) if text_width(line[:n], size, bold) <= room],
                default=1,
            )
            lines.append(line[:cut])
            line = line[cut:]
    lines.append(line)
    return tuple(lines)


# -- labels in rows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Extent:
    """A mark as the layout sees it: the x extent of its dot or bar, and its label."""

    left: float
    right: float
    label: str


@dataclass(frozen=True)
class Frame:
    """Where labels may go: between `lo` and `hi`, at `size` px, clear of the as-of line
    at `today` where they can be; rows `pitch` apart, a label's lines `leading` apart."""

    lo: float
    hi: float
    today: float
    size: float
    pitch: float
    leading: float


@dataclass(frozen=True)
class Label:
    """A laid-out label: its lines, anchored at `x`, from row `row` on, taking `rows`."""

    row: int
    rows: int
    x: float
    anchor: str  # "start" or "end"
    lines: tuple[str, ...]
    left: float
    right: float


def lay_out(marks: Sequence[Extent], frame: Frame) -> list[Label]:
    """Each mark's label, in the order given. Rows are filled first fit, leftmost mark
    first (the greedy interval layout): a row holds a mark only where its dot or bar and its
    words meet nothing else of that row, so no two labels of a lane can overlap."""
    rows: list[list[tuple[float, float]]] = []
    placed: dict[int, Label] = {}
    for i in sorted(range(len(marks)), key=lambda i: (marks[i].left, marks[i].right, i)):
        mark = marks[i]
        lines = wrap(mark.label, frame.size, frame.hi - frame.lo)
        width = max(text_width(line, frame.size) for line in lines)
        tall = 1 + math.ceil((len(lines) - 1) * frame.leading / frame.pitch)
        placed[i] = _first_fit(rows, mark, _options(mark, width, frame), lines, tall)
    return [placed[i] for i in range(len(marks))]


def rows_used(labels: Sequence[Label]) -> int:
    return max((label.row + label.rows for label in labels), default=0)


_Option = tuple[float, str, float, float]  # anchor x, anchor, left, right


def _options(mark: Extent, width: float, frame: Frame) -> list[_Option]:
    """Where the words may go, best first: reading rightwards from the mark, ending at its
    right end, just either side of the as-of line, or pushed inside the picture. Each keeps
    the words touching their mark and inside the picture; those crossing the as-of line are
    dropped while another is left (the line is then broken around the words)."""
    pushed = min(max(mark.left, frame.lo), frame.hi - width)
    options: list[_Option] = [
        (mark.left, "start", mark.left, mark.left + width),
        (mark.right, "end", mark.right - width, mark.right),
        (frame.today - GAP - width, "start", frame.today - GAP - width, frame.today - GAP),
        (frame.today + GAP, "start", frame.today + GAP, frame.today + GAP + width),
        (pushed, "start", pushed, pushed + width),
    ]
    fits = [
        o
        for o in options
        if frame.lo <= o[2] and o[3] <= frame.hi and o[2] <= mark.right and mark.left <= o[3]
    ]
    clear = [o for o in fits if not o[2] - GAP < frame.today < o[3] + GAP]
    return clear or fits[-1:]


def _first_fit(
    rows: list[list[tuple[float, float]]],
    mark: Extent,
    options: list[_Option],
    lines: tuple[str, ...],
    tall: int,
) -> Label:
    """The lowest row (and, in it, the best option) where the mark and its words are free."""
    row = 0
    while True:
        for x, anchor, left, right in options:
            span = (min(mark.left, left) - PAD, max(mark.right, right) + PAD)
            wanted = range(row, row + tall)
            while len(rows) < wanted.stop:
                rows.append([])
            if all(_free(rows[r], span) for r in wanted):
                for r in wanted:
                    rows[r].append(span)
                return Label(row, tall, x, anchor, lines, left, right)
        row += 1


def _free(row: list[tuple[float, float]], span: tuple[float, float]) -> bool:
    return all(span[1] <= a or b <= span[0] for a, b in row)


# -- calendar ticks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


def ticks(
    first: date, last: date, x: Callable[[date], float], size: float, right: float
) -> list[Tick]:
    """The finest calendar ticks (days, weeks, months, quarters, years, decades) whose
    labels, each drawn from just right of its tick, clear each other by TICK_GAP and end
    before `right`: a short case gets weeks, a long one years, and none collide."""
    for series in _series(first, last):
        drawn = [Tick(x(d), label) for d, label in series]
        drawn = [t for t in drawn if t.x + 3 + text_width(t.label, size) <= right]
        ends = [t.x + 3 + text_width(t.label, size) for t in drawn]
        if drawn and all(
            end + TICK_GAP <= t.x + 3 for end, t in zip(ends, drawn[1:], strict=False)
        ):
            return drawn
    return []


def _series(first: date, last: date) -> Iterator[list[tuple[date, str]]]:
    """Candidate tick series, finest first; those with over 60 ticks are not offered."""
    span = (last - first).days
    for step in (1, 2, 7, 14):
        if span // step <= 60:
            days = (first + timedelta(days=n) for n in range(span + 1))
            yield [(d, f"{d.day} {d:%b %Y}") for d in days if (d.toordinal() - 1) % step == 0]
    months = (last.year - first.year) * 12 + last.month - first.month
    for step in (1, 2, 3, 6):
        if months // step <= 60:
            yield [(d, f"{d:%b %Y}") for d in _months(first, last) if (d.month - 1) % step == 0]
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        if (last.year - first.year) // step <= 60:
            years = range(first.year + (first > date(first.year, 1, 1)), last.year + 1)
            yield [(date(y, 1, 1), str(y)) for y in years if y % step == 0]


def _months(first: date, last: date) -> Iterator[date]:
    """The first days of the months from `first` to `last`, both included."""
    month = date(first.year, first.month, 1)
    while month <= last:
        if month >= first:
            yield month
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)


# -- the as-of line ---------------------------------------------------------------------------


def line_pieces(
    x: float, top: float, bottom: float, boxes: Sequence[Box]
) -> list[tuple[float, float]]:
    """The vertical line at `x` from `top` to `bottom`, broken (by GAP) around every text
    box it would cross: the as-of line may run behind the picture, never through words."""
    cuts = sorted((b.top - GAP, b.bottom + GAP) for b in boxes if b.left - GAP < x < b.right + GAP)
    pieces: list[tuple[float, float]] = []
    y = top
    for start, end in cuts:
        if start > y:
            pieces.append((y, min(start, bottom)))
        y = max(y, end)
    if y < bottom:
        pieces.append((y, bottom))
    return [(a, b) for a, b in pieces if b > a]
