"""People in free text: name-shaped phrases, who acted as an officer, and when they were born."""

from __future__ import annotations

import re
from datetime import date
from typing import TypeAlias

from . import gazetteer
from .births import born_between
from .mention import Mention
from .names import GIVEN_NAMES, fold, name_key
from .patterns import Patterns
from .person_words import (
    ABBREVIATIONS,
    GUN_WORDS,
    MAKE_WORDS,
    PARTICLES,
    STOP,
    SURNAMES_IN_STOP,
    TITLES,
    VEHICLE_WORDS,
)

_Token: TypeAlias = tuple[int, int, str]
"""A token of the text: where it starts and ends, and as written."""

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*\.?|[,;:()\[\]\"]|\S")


def _place_in_name(lat: str, start: int, end: int, patterns: Patterns) -> bool:
    """A one-word town that is a surname too, where the words around it make it one:
    after a given name or initial ('Chris Mesa', 'J. Peralta'), or first in a records
    system's capitals ('CORRALES, DALIA')."""
    word = lat[start:end]
    if " " in word or fold(word).lower() not in patterns.places:
        return False
    before = re.findall(
        r"[A-Za-z][A-Za-z'-]*\.?", lat[max(0, start - 30) : start].rsplit("\n", maxsplit=1)[-1]
    )
    after = lat[end : end + 30].split("\n", maxsplit=1)[0]
    if before and lat[start - 1] == " " and _name_token(before[-1]):
        return before[-1].rstrip(".").lower() not in TITLES
    return word.isupper() and re.match(r",\s*[A-Z]{2,}\b", after) is not None


def _masked(lat: str, patterns: Patterns) -> list[tuple[int, int]]:
    """Spans that name things, not people: gazetteer phrases, and name-like makes or
    months where the words around them say so ('2014 Ford', 'Henry rifle', 'May 3')."""
    low = lat.lower()
    spans = [
        (m.start(), m.end())
        for m in patterns._things_re.finditer(fold(lat))
        if not _place_in_name(lat, m.start(), m.end(), patterns)
    ]
    for m in re.finditer(r"[A-Za-z]+", lat):
        word = m.group(0).lower()
        if word not in gazetteer.NAME_LIKE:
            continue
        before = low[max(0, m.start() - 6) : m.start()]
        after = low[m.end() : m.end() + 16].split()
        nxt = after[0].strip(".,") if after else ""
        prev = low[max(0, m.start() - 16) : m.start()].split()
        if (
            re.search(r"\d\s*$", before)
            or (prev and prev[-1].strip(".,") in MAKE_WORDS)  # 'GMC Sierra', 'Harley Davidson'
            or nxt in VEHICLE_WORDS
            or nxt in GUN_WORDS
            or re.match(r"\d", nxt)
            or (word in {"ford", "dodge", "ram", "lincoln", "mercury"} and m.group(0).isupper())
        ):
            spans.append((m.start(), m.end()))
    return spans


def _name_token(tok: str) -> bool:
    word = tok.rstrip(".").removesuffix("'s").removesuffix("\u2019s")
    if not word or not word[0].isupper() or word.endswith("-"):
        return False
    folded = word.lower()
    if folded in STOP or folded in TITLES:
        return False
    if len(word) == 1:
        return True  # an initial
    if word.isupper() and len(word) == 2 and folded in STOP:
        return False
    return word[1:].replace("'", "").replace("-", "").isalpha()


def _two_capital_surnames(run: list[_Token]) -> bool:
    """'VIGIL MONTOYA, ROCIO': a records system's surnames-first form, in capitals."""
    return len(run) == 2 and all(t[2].isupper() and len(t[2]) > 1 for t in run)


def _name_words(run: list[_Token]) -> list[_Token]:
    """The words of a run, its comma dropped and no particle left hanging at its end."""
    words = [t for t in run if t[2] != ","]
    while words and words[-1][2].lower() in PARTICLES:
        if len(words) == 2 and words[-1][2][0].isupper():
            break  # 'Vi Le', 'Minh Da': a surname, not a particle left hanging
        words.pop()
    return words


def _person(
    lat: str, written: str, end: int, next_start: int, today: date | None, *, officer: bool
) -> list[Mention]:
    """A name of two words or more ('person'), as an officer too if a title said so, and
    when the person was born if the text says it right after the name (`end`)."""
    key = name_key(written)
    if " " not in key:
        return []
    out = [Mention("person", key, written)]
    if officer:
        out.append(Mention("officer", key, written))
    born = born_between(lat[end : min(len(lat), next_start + 60, end + 60)], today)
    if born is not None:
        lo, hi = born
        out.append(Mention("born", f"{key}|{lo}|{hi}", written))
    return out


def _name_word(token: str, *, officer: bool) -> list[Mention]:
    """A single capitalized word that may still be a surname ('name_word'); not an
    initial, and not a short word in capitals, which is more often an abbreviation."""
    word = token.rstrip(".").removesuffix("'s").removesuffix("\u2019s")
    if len(word) < 3 or (word.isupper() and len(word) <= 3):
        return []
    out = [Mention("name_word", fold(word), word)]
    if officer:
        out.append(Mention("officer", fold(word), word))
    return out


def _run_mentions(
    lat: str, run: list[_Token], next_start: int, today: date | None, *, officer: bool
) -> list[Mention]:
    """What a finished run of name-shaped tokens names: a person, or one word that may be
    a surname; `next_start` is where the text after it goes on."""
    words = _name_words(run)
    if not words:
        return []
    out: list[Mention] = []
    full = [w for w in words if len(w[2].rstrip(".")) > 1]
    if len(words) >= 2 and full:
        written = re.sub(r"(?:'s|\u2019s)?\.?$", "", lat[words[0][0] : words[-1][1]])
        out += _person(lat, written, words[-1][1], next_start, today, officer=officer)
    if len(full) == 1 and len(words) == 1:
        out += _name_word(full[0][2], officer=officer)
    return out


def _continues(lat: str, before: _Token, token: _Token) -> bool:
    """Whether `token` goes on the name `before` ends: a name-shaped word on the same line,
    after no full stop ('Alison. Counted' is two sentences)."""
    stop = before[2].endswith(".") and len(before[2]) > 2
    names = _name_token(before[2]) and _name_token(token[2])
    return names and not stop and "\n" not in lat[before[1] : token[0]]


def _surnames_first(
    lat: str, tokens: list[_Token], masked: list[bool], today: date | None
) -> list[Mention]:
    """'Martínez Apodaca, Alison': two surnames, a comma, one given name, in mixed case.
    The run reading takes the two words before the comma for a given name and surname;
    this adds the surnames-first reading beside it (it names someone only if the record
    holds them), unless the first word is a known given name ('John Smith, Mary')."""
    out: list[Mention] = []
    for i in range(len(tokens) - 3):
        a, b, comma, given = tokens[i : i + 4]
        after = tokens[i + 4] if i + 4 < len(tokens) else None
        if (
            comma[2] != ","
            or any(masked[i + k] for k in (0, 1, 3))
            or not all(_name_token(t[2]) and len(t[2].rstrip(".")) > 2 for t in (a, b, given))
            or all(t[2].isupper() for t in (a, b))  # the capitals' form, read in the run
            or (i > 0 and _continues(lat, tokens[i - 1], a))
            or (after is not None and _continues(lat, given, after))
            or "\n" in lat[a[0] : given[1]]
            or fold(a[2]).lower() in GIVEN_NAMES
        ):
            continue
        written = lat[a[0] : given[1]].rstrip(".")
        next_start = after[0] if after else len(lat)
        out += _person(lat, written, given[1], next_start, today, officer=False)
    return out


def people(
    lat: str, patterns: Patterns, today: date | None, things: list[tuple[int, int]]
) -> list[Mention]:
    """Name-shaped phrases ('person'), with a date of birth or age said right after them
    ('born'), marked when a title shows the person acted for an agency ('officer'); and
    single capitalized words that may still be a surname ('name_word')."""
    masks = sorted([*_masked(lat, patterns), *things])
    tokens = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(lat)]
    masked_at = [any(s < end and start < e for s, e in masks) for start, end, _ in tokens]
    out: list[Mention] = []
    run: list[_Token] = []
    comma_at = -1
    title_before = False

    def flush(next_start: int) -> None:
        nonlocal run, comma_at, title_before
        out.extend(_run_mentions(lat, run, next_start, today, officer=title_before))
        run, comma_at, title_before = [], -1, False

    previous = ""
    for (start, end, tok), masked in zip(tokens, masked_at, strict=True):
        if run and "\n" in lat[run[-1][1] : start]:
            flush(start)  # a name does not run on into the next line (or field)
        if masked:
            flush(start)
            previous = ""
            continue
        if tok == "," and comma_at < 0 and (len(run) == 1 or _two_capital_surnames(run)):
            run.append((start, end, tok))
            comma_at = len(run)
            continue
        surname = (
            len(run) == 1 and tok[:1].isupper() and tok.rstrip(".").lower() in SURNAMES_IN_STOP
        )
        if _name_token(tok) or (run and tok.lower() in PARTICLES) or surname:
            if not run:
                title_before = previous.rstrip(".").lower() in TITLES
            if comma_at >= 0 and len(run) - comma_at >= 2:
                flush(start)
            run.append((start, end, tok))
            sentence_end = (
                tok.endswith(".") and len(tok) > 2 and tok[:-1].lower() not in ABBREVIATIONS
            )
            if len(run) >= 5 or sentence_end:
                flush(end)
        else:
            if run and comma_at == len(run):
                run.pop()  # 'Reed, and ...': the comma ended the name
            flush(start)
            if not (tok.startswith("#") or tok.isdigit()):
                previous = tok
    flush(len(lat))
    return out + _surnames_first(lat, tokens, masked_at, today)
