"""Tesseract, run on one page image at a time, for scans that carry no text of their own."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Final

from PIL import Image

from .document_pages import DocumentError, clean_text

# Tesseract is trained on text of about 10 pt at 300 dpi; lower loses small print.
OCR_DPI: Final = 300
# A dense page takes Tesseract a few seconds; minutes means it is stuck on noise.
OCR_TIMEOUT_SECONDS: Final = 120
# Rendered or scanned pages with nothing darker than this grey are blank: no OCR.
_BLANK_GREY: Final = 230


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


def ocr_png(image: Image.Image, dpi: tuple[int, int] | None) -> bytes | None:
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


def ocr_text(png: bytes, path: Path, where: str) -> str:
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
    return clean_text(done.stdout.decode("utf-8", errors="replace"))
