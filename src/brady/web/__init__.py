"""The web pages: parse, authorize, call a service, render."""

__all__ = [
    "errors",
    "pages",
    "render",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
