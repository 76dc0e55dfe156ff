"""Content-addressed storage of digital evidence with streaming hashes and fixity checks:
in a local folder (the default) or an S3-compatible bucket under Object Lock."""

__all__ = [
    "base",
    "factory",
    "kept_bags",
    "migrate",
    "settings",
    "store",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
