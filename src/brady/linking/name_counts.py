"""How common the names an item's suggested parties bear are in the record: a match on
'Maria Martinez' weighs less than one on a rare name."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy.engine import Connection

from ..store.raw_sql import fetch_all
from . import index


def name_counts(
    conn: Connection, names: Mapping[str, Collection[str]], recorded: Mapping[str, str]
) -> dict[str, tuple[int, int, int, int]]:
    """For each person (id -> their name as recorded, and as the item writes it): how
    many people of the record share the given name and the surname, the commoner reading
    of each ('Martinez, Maria' is common, however rare 'Maria del Carmen Martinez' is as a
    whole); how many others bear the full name as recorded; and how many bear it as the
    item writes it, when that reads otherwise: 'Aurora Silva' is someone else's whole name
    when the record holds an Aurora Silva besides Aurora Correa-Silva (`recorded`: each
    person's name as the record holds it)."""
    readings = {
        person_id: [index.name_parts(n) for n in sorted(set(written))]
        for person_id, written in names.items()
    }
    wanted = sorted({p for person in readings.values() for parts in person for p in parts})
    counts: dict[tuple[str, str], int] = {}
    for start in range(0, len(wanted), 300):
        chunk = wanted[start : start + 300]
        where = " OR ".join("(kind = ? AND key = ?)" for _ in chunk)
        for kind, key, n in fetch_all(
            conn,
            f"SELECT kind, key, n FROM linking_count WHERE {where}",
            tuple(x for part in chunk for x in part),
        ):
            counts[(str(kind), str(key))] = int(n)
    own = {pid: index.name_parts(name)[2] for pid, name in recorded.items()}

    def others(person_id: str, full: tuple[str, str]) -> int:
        return max(counts.get(full, 0) - (full == own.get(person_id)), 0)

    return {
        person_id: (
            max(counts.get(g, 0) for g, _, _ in person),
            max(counts.get(s, 0) for _, s, _ in person),
            max((others(person_id, f) for _, _, f in person if f == own.get(person_id)), default=0),
            max((others(person_id, f) for _, _, f in person if f != own.get(person_id)), default=0),
        )
        for person_id, person in readings.items()
    }
