"""The one shape every reader of free text gives back, so that all its finds meet in the index."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Mention:
    kind: str
    key: str
    text: str
