"""The frames of an image file, each read by OCR: photos and scans of paper."""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from .document_pages import OCR, DocumentError, Page
from .ocr import ocr_png, ocr_text


def image_pages(path: Path) -> Generator[Page, None, None]:
    with _image_errors(path):
        image = Image.open(path)
    with image:
        frames = int(getattr(image, "n_frames", 1))
        for index in range(frames):
            number = index + 1
            with _image_errors(path):
                image.seek(index)
                frame = ImageOps.exif_transpose(image)  # phone photos are stored sideways
                png = ocr_png(_greyscale(frame), _dpi(image))
            text = "" if png is None else ocr_text(png, path, f"frame {number}")
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
