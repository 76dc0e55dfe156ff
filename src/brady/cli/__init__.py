"""The command line: parse, call a service, render. Business rules live elsewhere."""

from __future__ import annotations


def main() -> None:
    from .app import main as run

    run()
