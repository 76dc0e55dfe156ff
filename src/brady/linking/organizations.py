"""One key for a firm's name however it is written, shared by the text and the record."""

from __future__ import annotations

import re

from .names import fold

ORG_SUFFIXES = frozenset(
    [
        "co",
        "inc",
        "incorporated",
        "llc",
        "l.l.c",
        "corp",
        "corporation",
        "company",
        "ltd",
        "limited",
        "lp",
        "llp",
        "pllc",
        "pc",
    ]
)


def org_key(name: str) -> str:
    """'Rio Grande Title and Escrow Co.', 'RIO GRANDE TITLE & ESCROW, INC.' and
    'Rio Grande Title & Escrow' meet."""
    words = re.findall(r"[a-z0-9']+|&", fold(name).replace(" and ", " & ").replace(".", ""))
    while words and words[-1] in ORG_SUFFIXES:
        words.pop()
    while words and words[0] == "the":
        words.pop(0)
    return " ".join(words)
