"""Custody services: intake, transfer, check-out and return, move, inventory, disposition."""

__all__ = [
    "file_migration",
    "files",
    "reads",
    "service",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
