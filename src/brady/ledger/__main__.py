"""`python -m brady.ledger ...` is the stand-alone verifier (see cli.py)."""

from .cli import main

main()
