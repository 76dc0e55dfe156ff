"""The access log: who signed in, looked at, downloaded or was refused what, and when.

Each record is kept as its canonical JSON (RFC 8785) and chained: its `chain` is
SHA-256(previous chain || canonical record), starting from 32 zero bytes. Rows are
insert-only (database triggers). Rewriting the log means recomputing every later
chain value, which `verify` catches against each chain head fixed on the ledger by
an `access.anchor` event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import rfc8785
from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

from ..ledger.entry import now
from .engine import writing
from .raw_sql import fetch_all

_PG_LOCK = 0x62726163  # one writer at a time extends the chain
GENESIS_CHAIN = bytes(32)
COLUMNS = ("seq", "at", "action", "user_id", "target", "outcome", "source", "bytes", "detail")


@dataclass(frozen=True)
class Access:
    """One look, download, sign-in or refusal. `target` names what: 'item:X', 'file:SHA'..."""

    action: str
    user_id: str | None
    target: str | None = None
    outcome: str = "ok"
    source: str | None = None
    bytes: int | None = None
    detail: str | None = None
    at: str = field(default_factory=now)


def canonical(seq: int, access: Access) -> bytes:
    return rfc8785.dumps({"seq": seq, **asdict(access)})


def next_chain(previous: bytes, record: bytes) -> bytes:
    return hashlib.sha256(previous + record).digest()


def append(engine: Engine, access: Access) -> int:
    """Add one record (its own short transaction); returns its number."""
    with writing(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
        last = fetch_all(conn, "SELECT seq, chain FROM access_log ORDER BY seq DESC LIMIT 1")
        seq, previous = (
            (int(last[0][0]) + 1, bytes.fromhex(last[0][1])) if last else (0, GENESIS_CHAIN)
        )
        chain = next_chain(previous, canonical(seq, access)).hex()
        conn.execute(
            text(
                "INSERT INTO access_log (seq, at, action, user_id, target, outcome, source, "
                "bytes, detail, chain) VALUES (:seq, :at, :action, :user_id, :target, "
                ":outcome, :source, :bytes, :detail, :chain)"
            ),
            {"seq": seq, **asdict(access), "chain": chain},
        )
    return seq


def head(conn: Connection) -> tuple[int, str] | None:
    """(size, chain head) of the log now, or None while it is empty."""
    rows = fetch_all(conn, "SELECT seq, chain FROM access_log ORDER BY seq DESC LIMIT 1")
    return (int(rows[0][0]) + 1, str(rows[0][1])) if rows else None


def anchor_entries(conn: Connection, kind: str, *, last: bool = False) -> list[tuple[int, bytes]]:
    """(position, stored entry) of the ledger entries recorded as `kind` (the anchors of
    this log), in ledger order; with `last`, only the latest."""
    sql = "SELECT seq, entry FROM ledger_entry WHERE kind = ? ORDER BY seq"
    if last:
        sql += " DESC LIMIT 1"
    return [(int(seq), bytes(raw)) for seq, raw in fetch_all(conn, sql, (kind,))]


@dataclass(frozen=True)
class Query:
    """An auditor's question: any of these may be left open."""

    user_id: str | None = None
    target: str | None = None
    action: str | None = None
    outcome: str | None = None
    since: str | None = None
    until: str | None = None
    limit: int = 100
    offset: int = 0


def search(conn: Connection, q: Query) -> list[dict[str, Any]]:
    """Records matching the query, newest first ("who looked at item X", "what did Y open")."""
    where, params = ["1 = 1"], {}
    for name in ("user_id", "target", "action", "outcome"):
        value = getattr(q, name)
        if value is not None:
            where.append(f"{name} = :{name}")
            params[name] = value
    if q.since is not None:
        where.append("at >= :since")
        params["since"] = q.since
    if q.until is not None:
        where.append("at < :until")
        params["until"] = q.until
    sql = (
        f"SELECT {', '.join(COLUMNS)} FROM access_log WHERE {' AND '.join(where)} "
        "ORDER BY seq DESC LIMIT :limit OFFSET :offset"
    )
    rows = conn.execute(text(sql), {**params, "limit": q.limit, "offset": q.offset})
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def _records(conn: Connection) -> Iterator[tuple[int, Access, str]]:
    sql = f"SELECT {', '.join(COLUMNS)}, chain FROM access_log ORDER BY seq"
    for row in conn.execute(text(sql)):
        seq, *rest, chain = row
        yield int(seq), Access(**dict(zip(COLUMNS[1:], rest, strict=True))), str(chain)


@dataclass
class Verdict:
    records: int = 0
    anchors_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(conn: Connection, anchors: Sequence[tuple[int, str, int]]) -> Verdict:
    """Recompute the chain; check it against each anchor (size, head, ledger position)."""
    wanted = {size: (head_hex, pos) for size, head_hex, pos in anchors}
    verdict, chain = Verdict(), GENESIS_CHAIN
    for seq, access, stored in _records(conn):
        if seq != verdict.records:
            verdict.problems.append(f"access record {verdict.records} is missing (found {seq})")
            return verdict
        chain = next_chain(chain, canonical(seq, access))
        if chain.hex() != stored:
            verdict.problems.append(
                f"access record {seq} does not match its chain value: it was changed"
            )
            return verdict
        verdict.records += 1
        if verdict.records in wanted:
            head_hex, pos = wanted.pop(verdict.records)
            verdict.anchors_checked += 1
            if head_hex != chain.hex():
                verdict.problems.append(
                    f"the log's first {verdict.records} records differ from those fixed on "
                    f"the ledger at entry {pos}: records were rewritten"
                )
    for size, (_, pos) in sorted(wanted.items()):
        verdict.problems.append(
            f"ledger entry {pos} fixed {size} access records, but the log holds only "
            f"{verdict.records}: records were removed"
        )
    return verdict
