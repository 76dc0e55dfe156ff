"""Numbers for new records (ITM-000001, LNK-000001, ...), read under the write lock.

Automatic numbers are handed out in order and records are never deleted, so they fill
1..N and the next is the first gap. Counting the rows would cost a scan of the whole
table per record (tens of milliseconds at a million items); instead the number handed
out last in this process is checked first (one lookup of two keys), and only when
another process or a rolled-back transaction moved things is the gap searched for
(about 2 log2 N key lookups).
"""

from __future__ import annotations

from collections.abc import Callable
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from .raw_sql import fetch_all

_LAST: WeakKeyDictionary[Engine, dict[str, int]] = WeakKeyDictionary()


def next_number(conn: Connection, table: str, column: str, prefix: str) -> str:
    """The next free `PREFIX-000000` key of `table.column` (names are ours, never input)."""

    def key(n: int) -> str:
        return f"{prefix}-{n:06d}"

    def taken(*ns: int) -> set[str]:
        keys = [key(n) for n in ns]
        marks = ", ".join("?" for _ in keys)
        sql = f"SELECT {column} FROM {table} WHERE {column} IN ({marks})"
        return {str(r[0]) for r in fetch_all(conn, sql, keys)}

    last = _LAST.setdefault(conn.engine, {})
    hint = last.get(prefix, 0)
    if hint and taken(hint, hint + 1) == {key(hint)}:
        n = hint + 1
    else:
        n = first_gap(lambda k: bool(taken(k)))
    last[prefix] = n
    return key(n)


def first_gap(taken: Callable[[int], bool]) -> int:
    """The smallest n >= 1 that is not taken, where 1..N are taken and N+1 is not
    (galloping, then halving); with other numbers taken too, still one that is free."""
    high = 1
    while taken(high):
        high *= 2
    low = high // 2  # taken (or 0)
    while high - low > 1:
        mid = (low + high) // 2
        if taken(mid):
            low = mid
        else:
            high = mid
    return high
