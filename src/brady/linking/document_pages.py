"""What every document reader gives back (pages, or DocumentError), and how it tidies text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

PDF_TEXT: Final = "pdf-text"
DOCX: Final = "docx"
OCR: Final = "ocr"
TEXT: Final = "text"


class DocumentError(ValueError):
    """A document that should be readable is not: damaged, encrypted, or it needs OCR
    and Tesseract is missing. The message names the file, since the caller is usually
    working through a batch of them."""


@dataclass(frozen=True)
class Page:
    number: int
    """1-based, as a reviewer counts pages."""
    text: str
    method: str
    """How the text was read: "pdf-text", "docx", "ocr" or "text" (a plain text file)."""


# PDFium marks a hyphen it added at a line break; the word belongs together.
_LINE_END_HYPHEN: Final = re.compile(r"[\x02\ufffe]\r?\n?")
_NEWLINES: Final = re.compile(r"\r\n?")


def clean_text(text: str) -> str:
    text = _LINE_END_HYPHEN.sub("", text)
    return _NEWLINES.sub("\n", text).replace("\x00", "").strip()


def visible_chars(text: str) -> int:
    return sum(1 for char in text if not char.isspace())
