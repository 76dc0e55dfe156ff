"""Which open cases an item may bear on: candidates from the index, weighed by the model.

The one place the linking service, the dry run of the CLI and the evaluation ask, so
all three always agree.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.engine import Connection

from ..store._raw import fetch_all
from . import candidates, match


def open_cases(conn: Connection) -> int:
    (n,) = fetch_all(conn, "SELECT count(*) FROM case_file WHERE status <> 'closed'")[0]
    return int(n)


def suggest(
    conn: Connection,
    item_id: str,
    weights: Mapping[str, float] | None = None,
    threshold: float = match.DEFAULT_THRESHOLD,
) -> list[match.Suggestion]:
    """The cases the item may bear on (other than those it is filed under or was already
    suggested for), best first, with their reasons."""
    return match.score(
        candidates.evidence_for_item(conn, item_id),
        candidates.already_linked(conn, item_id),
        open_cases(conn),
        candidates.item_mentions(conn, item_id),
        {**match.DEFAULT_M, **(weights or {})},
        threshold,
    )
