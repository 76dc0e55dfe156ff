"""Content-addressed storage of digital evidence with streaming hashes and fixity checks."""

__all__ = [
    "store",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
