"""Disclosure: obligations from jurisdiction rule files, productions, receipts, compliance."""

__all__ = [
    "certificate",
    "compliance",
    "desk",
    "production",
    "rules",
    "timeline",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
