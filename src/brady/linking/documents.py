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

import codecs
import contextlib
import io
import os
import re
import shutil
import subprocess
import threading
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import docx
import pypdfium2 as pdfium
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.parts.hdrftr import FooterPart, HeaderPart
from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = [
    "OCR_DPI",
    "OCR_TIMEOUT_SECONDS",
    "DocumentError",
    "Page",
    "ocr_engine",
    "read_pages",
]

# Tesseract is trained on text of about 10 pt at 300 dpi; lower loses small print.
OCR_DPI: Final = 300
# A dense page takes Tesseract a few seconds; minutes means it is stuck on noise.
OCR_TIMEOUT_SECONDS: Final = 120
# A page whose text layer has fewer visible characters than this is treated as a scan:
# a scanned page often carries only a stamped Bates number or "Page 2 of 9".
_SPARSE_TEXT: Final = 16
# Pages larger than this at OCR_DPI (A4 is about 9 million) are rendered at a lower
# resolution, so that a poster-sized page cannot exhaust memory.
_MAX_RENDER_PIXELS: Final = 40_000_000
# Rendered or scanned pages with nothing darker than this grey are blank: no OCR.
_BLANK_GREY: Final = 230
# python-docx holds every part of the package in memory; a zip bomb must not get there.
_MAX_DOCX_UNZIPPED: Final = 512 * 1024 * 1024
_SNIFF_BYTES: Final = 8192

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
    kind = _kind(path, head, media_type)
    pages: Generator[Page, None, None]
    if kind == "pdf":
        pages = _pdf_pages(path, ocr=ocr)
    elif kind == "docx":
        pages = _docx_pages(path, head)
    elif kind == "image":
        if not ocr:
            return []
        pages = _image_pages(path)
    elif kind == "text":
        pages = _text_pages(path, max_chars)
    else:
        return []
    return _collect(pages, max_pages=max_pages, max_chars=max_chars)


def ocr_engine() -> str | None:
    """The OCR engine's version line, e.g. "tesseract 5.3.0", or None if it is not
    installed, so that whoever stores OCRed text can record what read it."""
    executable = shutil.which("tesseract")
    if executable is None:
        return None
    try:
        done = subprocess.run(
            [executable, "--version"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    # Tesseract 5 prints the version on stdout, older releases on stderr.
    for line in (done.stdout + b"\n" + done.stderr).decode(errors="replace").splitlines():
        if line.strip().lower().startswith("tesseract"):
            return line.strip()
    return None


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


# -- what kind of file -------------------------------------------------------------

_PNG: Final = b"\x89PNG\r\n\x1a\n"
_JPEG: Final = b"\xff\xd8\xff"
_TIFF: Final = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
_GIF: Final = (b"GIF87a", b"GIF89a")
_ZIP: Final = b"PK\x03\x04"
# OLE compound file: an old .doc, or a password-protected DOCX, which Office wraps in one.
_COMPOUND_FILE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_DOCX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_MEDIA_TYPES: Final = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    _DOCX_MEDIA_TYPE: "docx",
    "image/png": "image",
    "image/jpeg": "image",
    "image/pjpeg": "image",
    "image/tiff": "image",
    "image/gif": "image",
    "image/bmp": "image",
    "image/webp": "image",
    "application/json": "text",
    "application/xml": "text",
}
_SUFFIXES: Final = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
    ".gif": "image",
    ".bmp": "image",
    ".webp": "image",
    ".txt": "text",
    ".text": "text",
    ".csv": "text",
    ".md": "text",
    ".log": "text",
}


def _kind(path: Path, head: bytes, media_type: str | None) -> str | None:
    sniffed = _sniff(path, head)
    if sniffed is not None:
        return sniffed
    if media_type:
        essence = media_type.split(";", 1)[0].strip().lower()
        declared = _MEDIA_TYPES.get(essence) or ("text" if essence.startswith("text/") else None)
        if declared is not None:
            return declared
    by_suffix = _SUFFIXES.get(path.suffix.lower())
    if by_suffix is not None:
        return by_suffix
    return "text" if _looks_like_text(head) else None


def _sniff(path: Path, head: bytes) -> str | None:
    # PDF readers accept junk before the header, within the first 1024 bytes.
    if head.find(b"%PDF-", 0, 1024) >= 0:
        return "pdf"
    if head.startswith((_PNG, _JPEG, *_TIFF, *_GIF)) or (
        head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    ):
        return "image"
    if head.startswith(_ZIP):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None  # a damaged zip is a DOCX only if declared or named so
        return "docx" if "word/document.xml" in names else None
    return None


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if b"\x00" in head:
        return False
    try:
        sample = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    controls = sum(1 for char in sample if ord(char) < 32 and char not in "\t\n\r\f\v\x1b")
    return controls * 100 <= len(sample)


# -- PDF -----------------------------------------------------------------------------

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


def _pdf_pages(path: Path, *, ocr: bool) -> Generator[Page, None, None]:
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
            scanned = "" if png is None else _ocr(png, path, f"page {number}")
            # A stamped Bates number may be all the text layer of a scan has: keep
            # whichever reading found more.
            if _visible_chars(scanned) > _visible_chars(text):
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
            text = _clean(textpage.get_text_bounded())
            textpage.close()
            if not ocr or _visible_chars(text) >= _SPARSE_TEXT:
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
    return _png(image, (dpi, dpi))


# -- DOCX ----------------------------------------------------------------------------

_W_T: Final = qn("w:t")
_W_BR: Final = qn("w:br")
_W_CHARACTERS: Final = {
    qn("w:tab"): "\t",
    qn("w:ptab"): "\t",
    qn("w:cr"): "\n",
    qn("w:noBreakHyphen"): "-",
}
_W_RENDERED_BREAK: Final = qn("w:lastRenderedPageBreak")
_W_P: Final = qn("w:p")
_W_PPR: Final = qn("w:pPr")
_W_PAGE_BREAK_BEFORE: Final = qn("w:pageBreakBefore")
_W_SECT_PR: Final = qn("w:sectPr")
_W_TYPE: Final = qn("w:type")
_W_VAL: Final = qn("w:val")
_W_TR: Final = qn("w:tr")
# Office writes content twice, for new and for old readers; the old copy would repeat it.
_MC_FALLBACK: Final = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _docx_pages(path: Path, head: bytes) -> Generator[Page, None, None]:
    document = _open_docx(path, head)
    pages = _story_pages(document.element.body)
    # Headers and footers carry case captions and file numbers; they are on every page,
    # so the first is where they are first seen.
    extra: list[str] = []
    for part in document.part.package.iter_parts():
        if isinstance(part, (HeaderPart, FooterPart)):
            text = "\n".join(_story_pages(part.element)).strip()
            if text and text not in extra:
                extra.append(text)
    if extra:
        pages[0] = "\n\n".join([pages[0], *extra]) if pages[0] else "\n\n".join(extra)
    for index, text in enumerate(pages):
        yield Page(index + 1, text, DOCX)


def _open_docx(path: Path, head: bytes) -> DocxDocument:
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        if head.startswith(_COMPOUND_FILE):
            raise DocumentError(
                f"{path}: not a DOCX but a password-protected Word file or an old .doc"
            ) from exc
        raise DocumentError(f"{path}: the DOCX is damaged or is not a DOCX ({exc})") from exc
    if unzipped > _MAX_DOCX_UNZIPPED:
        raise DocumentError(
            f"{path}: the DOCX unpacks to {unzipped} bytes, more than the"
            f" {_MAX_DOCX_UNZIPPED} that are read"
        )
    try:
        with path.open("rb") as file:
            return docx.Document(file)
    except OSError:
        raise
    except Exception as exc:
        # python-docx lets zipfile, zlib, lxml and its own errors through, whichever
        # layer of a damaged package breaks first.
        raise DocumentError(f"{path}: the DOCX is damaged ({type(exc).__name__}: {exc})") from exc


def _story_pages(root: Any) -> list[str]:
    """Text of a body, header or footer, split where the pages break.

    DOCX has no pages of its own. Word records where they fell when it last laid the
    document out (lastRenderedPageBreak); where those marks are absent (files from other
    programs), only explicit page breaks and new-page sections count.
    """
    rendered = next(root.iter(_W_RENDERED_BREAK), None) is not None
    pages: list[list[str]] = [[]]
    seen_text = False
    # Depth-first without recursion, so deeply nested tables cannot overflow the stack;
    # (element, True) marks the end of an element.
    stack: list[tuple[Any, bool]] = [(child, False) for child in reversed(list(root))]
    while stack:
        element, end = stack.pop()
        tag = element.tag
        if end:
            pages[-1].append("\n")
            if not rendered and tag == _W_P and _starts_new_section_page(element):
                pages.append([])
            continue
        if tag == _MC_FALLBACK:
            continue
        if tag == _W_T:
            pages[-1].append(element.text or "")
            seen_text = seen_text or bool((element.text or "").strip())
        elif tag in _W_CHARACTERS:
            pages[-1].append(_W_CHARACTERS[tag])
        elif tag == _W_BR and (rendered or element.get(_W_TYPE) != "page"):
            pages[-1].append("\n")
        elif _breaks_page(element, tag, rendered=rendered, seen_text=seen_text):
            pages.append([])
        children = list(element)
        if tag in (_W_P, _W_TR):
            stack.append((element, True))
        stack.extend((child, False) for child in reversed(children))
    return [_clean("".join(parts)) for parts in pages]


def _breaks_page(element: Any, tag: str, *, rendered: bool, seen_text: bool) -> bool:
    if rendered:
        return bool(tag == _W_RENDERED_BREAK)
    if tag == _W_BR:
        return True  # any other break was handled as a line break
    # "Page break before" on a paragraph with nothing above it makes no blank page.
    return tag == _W_P and seen_text and _breaks_page_before(element)


def _breaks_page_before(paragraph: Any) -> bool:
    properties = paragraph.find(_W_PPR)
    flag = None if properties is None else properties.find(_W_PAGE_BREAK_BEFORE)
    return flag is not None and flag.get(_W_VAL, "true") not in ("0", "false", "off")


def _starts_new_section_page(paragraph: Any) -> bool:
    properties = paragraph.find(_W_PPR)
    section = None if properties is None else properties.find(_W_SECT_PR)
    if section is None:
        return False
    kind = section.find(_W_TYPE)
    return kind is None or kind.get(_W_VAL) not in ("continuous", "nextColumn")


# -- images --------------------------------------------------------------------------


def _image_pages(path: Path) -> Generator[Page, None, None]:
    with _image_errors(path):
        image = Image.open(path)
    with image:
        frames = int(getattr(image, "n_frames", 1))
        for index in range(frames):
            number = index + 1
            with _image_errors(path):
                image.seek(index)
                frame = ImageOps.exif_transpose(image)  # phone photos are stored sideways
                png = _png(_greyscale(frame), _dpi(image))
            text = "" if png is None else _ocr(png, path, f"frame {number}")
            yield Page(number, text, OCR)


@contextlib.contextmanager
def _image_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except Image.DecompressionBombError as exc:
        raise DocumentError(f"{path}: the image is too large to read ({exc})") from exc
    except (UnidentifiedImageError, OSError, EOFError, SyntaxError, ValueError) as exc:
        # Pillow reports a damaged image as any of these, depending on the format.
        raise DocumentError(
            f"{path}: the image is damaged or not an image ({type(exc).__name__}: {exc})"
        ) from exc


def _greyscale(image: Image.Image) -> Image.Image:
    if image.mode.startswith("I") or image.mode == "F":
        # 16-bit scans: converting straight to 8 bits would clip everything to white.
        wide = image.convert("F")
        _, high = wide.getextrema()
        if isinstance(high, (int, float)) and high > 255:
            factor = 255 / high
            wide = wide.point(lambda value: value * factor)
        return wide.convert("L")
    # Transparent pixels are often black underneath: put them on white paper first.
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, "white")
        paper.alpha_composite(rgba)
        return paper.convert("L")
    return image.convert("L")


def _dpi(image: Image.Image) -> tuple[int, int] | None:
    dpi = image.info.get("dpi")
    if not isinstance(dpi, tuple) or len(dpi) != 2:
        return None
    try:
        x, y = (round(float(value)) for value in dpi)
    except (TypeError, ValueError):
        return None
    return (x, y) if x > 0 and y > 0 else None


def _png(image: Image.Image, dpi: tuple[int, int] | None) -> bytes | None:
    """PNG for Tesseract, carrying the resolution so it need not guess; None if blank."""
    darkest, _ = image.getextrema()
    if not isinstance(darkest, (int, float)) or darkest > _BLANK_GREY:
        return None
    buffer = io.BytesIO()
    if dpi is None:
        image.save(buffer, "PNG")
    else:
        image.save(buffer, "PNG", dpi=dpi)
    return buffer.getvalue()


# -- OCR -----------------------------------------------------------------------------


def _ocr(png: bytes, path: Path, where: str) -> str:
    executable = shutil.which("tesseract")
    if executable is None:
        raise DocumentError(
            f"{path}: {where} is a scanned image; reading it needs Tesseract"
            " (Debian package tesseract-ocr), which is not installed"
        )
    environment = dict(os.environ)
    # Tesseract's own threads slow it down when several pages are read side by side.
    environment.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        done = subprocess.run(
            [executable, "stdin", "stdout", "-l", "eng"],
            input=png,
            capture_output=True,
            timeout=OCR_TIMEOUT_SECONDS,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise DocumentError(
            f"{path}: Tesseract did not finish {where} within {OCR_TIMEOUT_SECONDS} s"
        ) from exc
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        raise DocumentError(
            f"{path}: Tesseract failed on {where}"
            f" (exit {done.returncode}: {said[-1] if said else 'no message'})"
        )
    return _clean(done.stdout.decode("utf-8", errors="replace"))


# -- plain text ----------------------------------------------------------------------


def _text_pages(path: Path, max_chars: int) -> Generator[Page, None, None]:
    limit = max_chars * 4 + 4  # at most 4 bytes per character in UTF-8 and UTF-16
    with path.open("rb") as file:
        data = file.read(limit + 1)
    complete = len(data) <= limit
    yield Page(1, _clean(_decode(data[:limit], complete=complete)), TEXT)


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


# -- shared --------------------------------------------------------------------------

# PDFium marks a hyphen it added at a line break; the word belongs together.
_LINE_END_HYPHEN: Final = re.compile(r"[\x02\ufffe]\r?\n?")
_NEWLINES: Final = re.compile(r"\r\n?")


def _clean(text: str) -> str:
    text = _LINE_END_HYPHEN.sub("", text)
    return _NEWLINES.sub("\n", text).replace("\x00", "").strip()


def _visible_chars(text: str) -> int:
    return sum(1 for char in text if not char.isspace())
