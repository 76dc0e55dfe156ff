"""The command line: parse, call a service, render. Business rules live elsewhere."""

from __future__ import annotations


def main() -> None:
    from .app import main as run

    run()


__all__ = [
    "main",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
