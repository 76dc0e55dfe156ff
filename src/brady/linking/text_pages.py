"""A plain text file as one page, in whichever encoding it was written."""

from __future__ import annotations

import codecs
from collections.abc import Generator
from pathlib import Path

from .document_pages import TEXT, Page, clean_text


def text_pages(path: Path, max_chars: int) -> Generator[Page, None, None]:
    limit = max_chars * 4 + 4  # at most 4 bytes per character in UTF-8 and UTF-16
    with path.open("rb") as file:
        data = file.read(limit + 1)
    complete = len(data) <= limit
    yield Page(1, clean_text(_decode(data[:limit], complete=complete)), TEXT)


def _decode(data: bytes, *, complete: bool) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return codecs.getincrementaldecoder(encoding)().decode(data, final=complete)
    except UnicodeDecodeError:
        # Declared text that is not UTF-8 is, in practice, from Windows.
        return data.decode("cp1252", errors="replace")
