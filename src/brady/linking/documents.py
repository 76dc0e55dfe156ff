"""The text inside documents attached to evidence, page by page.

A case number or a name is as likely to sit in a lab report PDF, a typed statement or a
scanned property receipt as in the intake narrative, so linking reads those too. Each
piece of text keeps the page it came from, because a suggestion is only reviewable if
the reviewer can turn to the page, and the method that read it, because OCR misreads
and a reviewer should know when a match rests on it.

Pure apart from reading the one file it is given and running Tesseract on scanned
pages: no database, nothing from the rest of Brady, so it can run in a worker or a test
on its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from dataclasses import replace
from pathlib import Path
from typing import Final

from .document_kinds import kind_of
from .document_pages import DOCX, OCR, PDF_TEXT, TEXT, DocumentError, Page
from .docx_pages import docx_pages
from .image_pages import image_pages
from .ocr import OCR_DPI, OCR_TIMEOUT_SECONDS, ocr_engine
from .pdf_pages import pdf_pages
from .text_pages import text_pages

__all__ = [
    "DOCX",
    "OCR",
    "OCR_DPI",
    "OCR_TIMEOUT_SECONDS",
    "PDF_TEXT",
    "TEXT",
    "DocumentError",
    "Page",
    "ocr_engine",
    "read_pages",
]

_SNIFF_BYTES: Final = 8192


def read_pages(
    path: Path,
    media_type: str | None = None,
    *,
    ocr: bool = True,
    max_pages: int = 200,
    max_chars: int = 2_000_000,
) -> list[Page]:
    """The text of the document at `path`, one `Page` per page in page order.

    The type comes from the file's first bytes when they are conclusive, since declared
    media types and file names are often wrong; `media_type`, then the suffix, decide
    otherwise. Files that hold no readable text (video, audio, archives) give [].

    Every page of a PDF is returned, with empty text if it has none, so page numbers
    stay those of the document. Reading stops after `max_pages` pages or `max_chars`
    characters (the last page cut short): the result is then a prefix of the document,
    which keeps one huge or hostile file from taking all the memory or OCR time.

    With `ocr=False` nothing is OCRed: scanned PDF pages come back empty and images
    give []. Raises DocumentError if the file is damaged, encrypted, or needs OCR and
    Tesseract is not installed; OSError if the file cannot be opened at all.
    """
    if max_pages < 1 or max_chars < 1:
        raise ValueError("max_pages and max_chars must be positive")
    with path.open("rb") as file:
        head = file.read(_SNIFF_BYTES)
    kind = kind_of(path, head, media_type)
    pages: Generator[Page, None, None]
    if kind == "pdf":
        pages = pdf_pages(path, ocr=ocr)
    elif kind == "docx":
        pages = docx_pages(path, head)
    elif kind == "image":
        if not ocr:
            return []
        pages = image_pages(path)
    elif kind == "text":
        pages = text_pages(path, max_chars)
    else:
        return []
    return _collect(pages, max_pages=max_pages, max_chars=max_chars)


def _collect(pages: Generator[Page, None, None], *, max_pages: int, max_chars: int) -> list[Page]:
    # Consumed lazily, so pages past the limits are never rendered or OCRed.
    collected: list[Page] = []
    room = max_chars
    with contextlib.closing(pages):
        for page in pages:
            kept = page if len(page.text) <= room else replace(page, text=page.text[:room])
            collected.append(kept)
            room -= len(kept.text)
            if room <= 0 or len(collected) >= max_pages:
                break
    return collected
