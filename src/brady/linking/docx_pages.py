"""The pages of a Word document, as Word last laid them out or as its breaks say."""

from __future__ import annotations

import zipfile
from collections.abc import Generator
from pathlib import Path
from typing import Any, Final

import docx
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.parts.hdrftr import FooterPart, HeaderPart

from .document_pages import DOCX, DocumentError, Page, clean_text

# python-docx holds every part of the package in memory; a zip bomb must not get there.
_MAX_DOCX_UNZIPPED: Final = 512 * 1024 * 1024
# OLE compound file: an old .doc, or a password-protected DOCX, which Office wraps in one.
_COMPOUND_FILE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

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


def docx_pages(path: Path, head: bytes) -> Generator[Page, None, None]:
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
    return [clean_text("".join(parts)) for parts in pages]


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
