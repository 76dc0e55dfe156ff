"""`python -m brady.cli`: the same as the `brady` command."""

from . import main

main()
