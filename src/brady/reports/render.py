"""Reports as HTML (Jinja2) and PDF (WeasyPrint), from templates in this package."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..domain.moments import UTC_ZONE, local_minute

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html", "svg", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: Any, zone: ZoneInfo = UTC_ZONE) -> str:
    """A stored time as a person reads it: the agency's local time, with its offset."""
    return local_minute(str(value), zone)


_ENV.filters["when"] = _when


def html(template: str, **context: Any) -> str:
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return _ENV.get_template(template).render(generated=generated, **context)


def pdf(document: str) -> bytes:
    from weasyprint import HTML  # imported here: slow to load, only needed for PDF

    result: bytes = HTML(string=document).write_pdf()
    return result
