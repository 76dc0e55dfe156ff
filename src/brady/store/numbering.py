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
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from .raw_sql import fetch_all

_LAST: WeakKeyDictionary[Engine, dict[str, int]] = WeakKeyDictionary()


@dataclass(frozen=True)
class NextNumber:
    """The search for the next free `PREFIX-000000` key of `table.column` (names are ours,
    never input). Its first question (`probe`) may be sent with a command's other reads."""

    conn: Connection
    table: str
    column: str
    prefix: str

    def key(self, n: int) -> str:
        return f"{self.prefix}-{n:06d}"

    def _taken_query(self, *ns: int) -> tuple[str, list[str]]:
        keys = [self.key(n) for n in ns]
        marks = ", ".join("?" for _ in keys)
        return f"SELECT {self.column} FROM {self.table} WHERE {self.column} IN ({marks})", keys

    def _hint(self) -> int:
        return _LAST.setdefault(self.conn.engine, {}).get(self.prefix, 0)

    def probe(self) -> tuple[str, list[str]]:
        """Whether the number after the last one this process handed out is free (with no
        such number yet, a question whose answer is not used)."""
        hint = self._hint()
        return self._taken_query(hint, hint + 1)

    def next(self) -> str:
        """The next free key, asked for alone."""
        return self.number(fetch_all(self.conn, *self.probe()))

    def number(self, probed: list[tuple[Any, ...]]) -> str:
        """The next free key, from the probe's rows: the number after the hint, or else
        the first gap, searched for."""
        hint = self._hint()
        if hint and {str(r[0]) for r in probed} == {self.key(hint)}:
            n = hint + 1
        else:
            n = first_gap(lambda k: bool(fetch_all(self.conn, *self._taken_query(k))))
        _LAST.setdefault(self.conn.engine, {})[self.prefix] = n
        return self.key(n)


def next_number(conn: Connection, table: str, column: str, prefix: str) -> str:
    """The next free `PREFIX-000000` key of `table.column` (names are ours, never input)."""
    return NextNumber(conn, table, column, prefix).next()


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
