"""The evidence vocabulary: cases, persons, items, locations, event kinds, custody rules.

No database here.
"""

__all__ = [
    "errors",
    "events",
    "moments",
    "rules",
    "sampling",
    "vocabulary",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
