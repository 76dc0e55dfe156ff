"""Linking: finds cases an intake may bear on and records each suggestion for review."""

__all__ = [
    "candidates",
    "documents",
    "foresight",
    "index",
    "match",
    "names",
    "naming_items",
    "projection",
    "suggest",
    "training",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
