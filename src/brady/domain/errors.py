"""Why a command was refused, in words for the person who gave it."""

from __future__ import annotations


class RefusedError(Exception):
    """A command that breaks a rule or names something that does not exist.

    Nothing is written when one is raised. `field` names the input at fault,
    when there is one, so forms and import files can point at it.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)
