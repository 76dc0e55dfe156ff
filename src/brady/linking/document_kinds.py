"""What kind of file a document is, from its first bytes before what it is called."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path
from typing import Final

_PNG: Final = b"\x89PNG\r\n\x1a\n"
_JPEG: Final = b"\xff\xd8\xff"
_TIFF: Final = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
_GIF: Final = (b"GIF87a", b"GIF89a")
_ZIP: Final = b"PK\x03\x04"

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


def kind_of(path: Path, head: bytes, media_type: str | None) -> str | None:
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
