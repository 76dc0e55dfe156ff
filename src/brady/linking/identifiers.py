"""Serial numbers, plates and phone numbers in text, each in the one form a record keeps."""

from __future__ import annotations

import re

import phonenumbers

from .mention import Mention

_SERIAL = re.compile(
    r"\b(?:serial\b(?:\s*(?:nos?\b\.?|numbers?\b|#))?|s/n\b|sn\b)\s*[:#]?\s*", re.IGNORECASE
)
_SERIAL_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]|[A-Za-z0-9]")
_PLATE = re.compile(
    r"\b(?:license\s+plate|lic(?:ense)?\.?\s*plate|plate|tag|lic(?:ense)?|reg(?:istration)?|"
    r"registered|LP)\b\.?\s*(?:no\.?|number|#)?\s*[:#]?\s*"
    r"(?:(?:[A-Z]{2}|New Mexico|Texas|Arizona|Colorado)\s+)?"
    r"([A-Z0-9]{1,4}[-\s]?[A-Z0-9]{1,5})\b",
    re.IGNORECASE,
)
_STATE_PLATE = re.compile(
    r"\b(?:NM|TX|AZ|CO|UT|CA|OK|NV)\s+(?:plate|tag)?\s*([A-Z0-9]{2,4}[-\s]?[A-Z0-9]{2,4})\b"
)
_LOOKALIKE = str.maketrans(
    {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2", "G": "6"}
)


def id_shape(key: str) -> str:
    """A serial or plate with look-alike characters made one (O/0, I/1/L, S/5, B/8, Z/2):
    what a clerk copying it by hand, or a scanner, may have read either way."""
    return key.upper().translate(_LOOKALIKE)


def serials(text: str) -> list[Mention]:
    """Serial numbers after 'serial', 's/n' ...: one, a list, or one written with spaces
    ('BER 441872 Z'). A serial has a digit; 'serial numbers ground off' names none."""
    out: list[Mention] = []
    for m in _SERIAL.finditer(text):
        tail = re.split(r"[.;](?:\s|$)|\n|\.$|,\s", text[m.end() : m.end() + 120])[0]
        runs: list[list[str]] = [[]]
        for tok in _SERIAL_TOKEN.findall(tail)[:6]:  # the number follows the word
            serialish = any(c.isdigit() for c in tok) or (tok.isupper() and len(tok) <= 3)
            if serialish:
                runs[-1].append(tok)
            elif runs[-1]:
                runs.append([])
        for run in runs[:1]:  # the serial follows the word; later numbers are other things
            while run and not any(c.isdigit() for c in run[-1]) and len(run[-1]) > 1:
                run.pop()  # trailing letters that are not part of it
            if not run or not any(c.isdigit() for c in "".join(run)):
                continue
            if len(run) == 1 and re.fullmatch(r"(?:19|20)\d\d", run[0]):
                continue  # a year ('serial number ground off; found 2026'), not a serial
            out.append(Mention("serial", "".join(run).upper().replace("-", ""), " ".join(run)))
            if len(run) > 1:  # a list of serials read as one run: each one too
                out += [
                    Mention("serial", r.upper().replace("-", ""), r)
                    for r in run
                    if sum(c.isdigit() for c in r) >= 3
                ]
    return out


def plates(text: str) -> list[Mention]:
    out = []
    for pattern in (_PLATE, _STATE_PLATE):
        for m in pattern.finditer(text):
            plate = re.sub(r"[^A-Z0-9]", "", m.group(1).upper())
            if (
                5 <= len(plate) <= 8 and any(c.isdigit() for c in plate) and not plate.isdigit()
            ) or (5 <= len(plate) <= 8 and plate.isdigit() and pattern is _PLATE):
                out.append(Mention("plate", plate, m.group(1)))
    return out


_DIGIT_RUN = re.compile(r"\d(?:(?:[^\w]|[xX\u30fc]){0,4}\d)*")
"""Digits joined by at most four marks that are not letters (or the x and the katakana
dash phone numbers may use): every number the phone matcher could read lies inside one."""
PHONE_DIGITS = 9
"""Fewer digits than this in every run, and the text holds no phone number Brady keeps:
a kept number has 10 or more digits in E.164, all written but an implied +1 (no other
digit is added: the default region's rules, the United States', add none), so at least 9
in the text. A date (8 digits) is not given to the matcher; a date and time is."""


def phones(text: str) -> list[Mention]:
    """Phone numbers in E.164 (+1 left out). The matcher reads every run of digits it
    finds, dates and case numbers too (a fifth of the text reading's time on generated
    narratives): a text without a long enough run is not given to it."""
    if not any(
        sum(c.isdecimal() for c in run.group()) >= PHONE_DIGITS for run in _DIGIT_RUN.finditer(text)
    ):
        return []
    return matched_phones(text)


def matched_phones(text: str) -> list[Mention]:
    """`phones` without the check of the digits first: what the matcher reads."""
    out = []
    for m in phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE):
        number = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
        if len(number) >= 11:
            out.append(Mention("phone", number.removeprefix("+1"), m.raw_string))
    return out
