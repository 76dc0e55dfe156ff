"""The account tables as the accounts service writes them: write transactions, sealed
rows checked on every read, and the access log, shared by sign-in, sessions and tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from ..domain.errors import RefusedError
from ..ledger.entry import format_time
from ..store import access_log, account_queries
from ..store.engine import writing
from ..store.sealing import MasterKey


class AccountRows:
    """The base of the Accounts service (service.py): what its parts need to read and
    write their sealed rows and log what they do."""

    def __init__(
        self,
        engine: Engine,
        master: MasterKey,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.seals = master.rows
        self.clock = clock

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction that takes SQLite's write lock at BEGIN (never mid-way)."""
        with writing(self.engine) as conn:
            yield conn

    def _now(self) -> str:
        return format_time(self.clock())

    def log(self, action: str, user_id: str | None, **kw: object) -> None:
        access_log.append(self.engine, access_log.Access(action, user_id, at=self._now(), **kw))  # type: ignore[arg-type]

    # -- sealed rows ----------------------------------------------------------------

    def _holds(self, table: str, row: Mapping[str, object], source: str | None = None) -> bool:
        """Whether a stored row is one Brady wrote; a forged or edited one is logged."""
        values = dict(row)
        if self.seals.holds(table, values):
            return True
        self.log(
            "credential.forged",
            str(values.get("user_id")) if values.get("user_id") else None,
            target=table,
            outcome="refused",
            source=source,
            detail="the row's seal does not match: it was added or changed outside Brady",
        )
        return False

    def _ensure(self, conn: Connection, user_id: str) -> None:
        if not account_queries.is_user(conn, user_id):
            raise RefusedError(f"{user_id!r} is not a Brady user", "user_id")
        if not account_queries.has_account(conn, user_id):
            row = {"user_id": user_id, "password_hash": None}
            account_queries.add_account(conn, self.seals, row, self._now())
