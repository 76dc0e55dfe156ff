"""Bulk import of an agency's existing record (a YAML event file, a legacy system's CSV):
one service above custody and disclosure, since an import drives both, with the same rules
and signatures as commands typed one by one."""

__all__ = [
    "importer",
    "legacy_csv",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
