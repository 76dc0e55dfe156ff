"""The pages of a PDF: its text layer, or OCR where a page is a scan."""

from __future__ import annotations

import threading
from collections.abc import Generator
from pathlib import Path
from typing import Any, Final

import pypdfium2 as pdfium
from PIL import Image

from .document_pages import OCR, PDF_TEXT, DocumentError, Page, clean_text, visible_chars
from .ocr import OCR_DPI, ocr_png, ocr_text

# A page whose text layer has fewer visible characters than this is treated as a scan:
# a scanned page often carries only a stamped Bates number or "Page 2 of 9".
_SPARSE_TEXT: Final = 16
# Pages larger than this at OCR_DPI (A4 is about 9 million) are rendered at a lower
# resolution, so that a poster-sized page cannot exhaust memory.
_MAX_RENDER_PIXELS: Final = 40_000_000

# PDFium is not thread-safe: a worker reading attachments in threads must take turns.
# (Finalizers can still run in any thread, so pages and documents are closed explicitly.)
_PDFIUM: Final = threading.Lock()
_PDFIUM_PROBLEMS: Final = {
    2: "cannot be opened",
    3: "is damaged or is not a PDF",
    4: "is encrypted with a password",
    5: "is encrypted with an unsupported security scheme",
    6: "has a damaged page",
}


def pdf_pages(path: Path, *, ocr: bool) -> Generator[Page, None, None]:
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as exc:
            problem = _PDFIUM_PROBLEMS.get(exc.err_code) or f"cannot be read ({exc})"
            raise DocumentError(f"{path}: the PDF {problem}") from exc
        count = len(document)
    try:
        for index in range(count):
            number = index + 1
            with _PDFIUM:
                text, png = _pdf_page(document, index, path, ocr=ocr)
            # Tesseract runs outside the lock: it is the slow part, and not PDFium.
            scanned = "" if png is None else ocr_text(png, path, f"page {number}")
            # A stamped Bates number may be all the text layer of a scan has: keep
            # whichever reading found more.
            if visible_chars(scanned) > visible_chars(text):
                yield Page(number, scanned, OCR)
            else:
                yield Page(number, text, PDF_TEXT)
    finally:
        with _PDFIUM:
            document.close()


def _pdf_page(document: Any, index: int, path: Path, *, ocr: bool) -> tuple[str, bytes | None]:
    """The page's text layer and, if that is (almost) empty, the page drawn for OCR."""
    try:
        page = document[index]
        try:
            textpage = page.get_textpage()
            text = clean_text(textpage.get_text_bounded())
            textpage.close()
            if not ocr or visible_chars(text) >= _SPARSE_TEXT:
                return text, None
            return text, _render(page)
        finally:
            page.close()
    except pdfium.PdfiumError as exc:
        raise DocumentError(f"{path}: page {index + 1} of the PDF is damaged ({exc})") from exc


def _render(page: Any) -> bytes | None:
    """The page as a greyscale PNG for Tesseract, or None if it is blank."""
    width, height = page.get_size()
    if width < 1 or height < 1:
        return None
    scale = OCR_DPI / 72
    pixels = width * height * scale * scale
    if pixels > _MAX_RENDER_PIXELS:
        scale *= (_MAX_RENDER_PIXELS / pixels) ** 0.5
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        image: Image.Image = bitmap.to_pil().convert("L")  # a copy: the bitmap can go
    finally:
        bitmap.close()
    dpi = round(scale * 72)
    return ocr_png(image, (dpi, dpi))
