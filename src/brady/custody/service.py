"""Custody commands: check the rules on current state, then record the event.

Each command runs inside a ledger write transaction: the state it checks is
read under the ledger's write lock, the event is signed by the acting user's
own key, and the projections change in the same commit. A refused command
raises RefusedError and writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from ..access.policy import Caller
from ..domain.errors import RefusedError
from ..ledger.ed25519 import Signer
from ..ledger_home import OpenLedger
from ..linking import foresight
from ..linking.foresight import Foresight
from ..linking.match import Suggestion
from ..store.engine import reading
from ..store.keys import ACTOR, load_role
from ..store.ledger_store import Writer
from .cases import CaseCommands
from .commands_base import CHARGING, LINKER, STAFF, held_to, user_holder
from .corrections import CorrectionCommands
from .group_commit import GroupCommit
from .inventory import InventoryCommands
from .items import ItemCommands
from .lab import LabCommands
from .link_review import LinkCommands, suggestions_on
from .people import PeopleCommands
from .related_cases import RelationCommands

__all__ = ["CHARGING", "LINKER", "STAFF", "Custody", "Session", "held_to", "user_holder"]

T = TypeVar("T")
_log = logging.getLogger("brady.custody")


class Custody:
    """The custody services of one open ledger."""

    def __init__(self, led: OpenLedger, grouped: bool = False) -> None:
        self.led = led
        self._group = GroupCommit(self) if grouped else None

    def run(self, caller: Caller | None, act: Callable[[Session], T]) -> T:
        """One command (`act` on a session) in a transaction of its own: all of it is
        recorded, or none. With group commit (the server's), it shares its transaction with
        the commands queued beside it, still all or nothing on its own (group_commit.py)."""
        if self._group is None:
            with self.session(caller) as s:
                return act(s)
        return self._group.run(caller, act)

    @contextmanager
    def session(self, caller: Caller | None = None) -> Iterator[Session]:
        """Several commands in one transaction: all are recorded, or none. With a `caller`,
        each is recorded only if the access rules let that caller record it."""
        with self.led.store.transaction() as writer:
            session = Session(self, writer, caller)
            yield session
        for then in session.after_commit:
            then()

    def suggestions(self, item_id: str) -> list[Suggestion]:
        """Which open cases the item may bear on, and why: a dry run that records nothing,
        so it reads without taking the ledger's write lock. In a transaction: on PostgreSQL
        the planner's setting for linking's lookups lasts from one pipeline to the next."""
        with self.led.engine.connect() as conn:
            return suggestions_on(conn, self.led.config.linking, item_id)

    def foresee_intake(self, by: str, fields: dict[str, Any]) -> Foresight | None:
        """An intake's link suggestions read now, before its command waits for the ledger's
        lock, to be checked under it (`linking.foresight`); give them to the session that
        records the intake (`Session.foreseen`). None if they could not be read: the
        intake then finds them under the lock, and its own checks say what is wrong.

        Only on PostgreSQL, where the server's processes take turns at the lock and the
        work moved out of it is done by one process while another writes. On SQLite one
        process serves (its threads share one interpreter, so the work is not shortened,
        only moved), and a read connection finds its page cache emptied by every commit:
        measured at 150 req/s, reading ahead cost 2.5 ms of CPU per request there."""
        if self.led.engine.dialect.name != "postgresql":
            return None
        return self.read_ahead(by, fields)

    def read_ahead(self, by: str, fields: dict[str, Any]) -> Foresight | None:
        """`foresee_intake` on any database."""
        if self._group is not None:  # the writer first: see GroupCommit.wait_for_writer
            self._group.wait_for_writer()
        try:
            with reading(self.led.engine) as conn:  # no transaction: see foresight.py
                return foresight.foresee(conn, self.led.config.linking, by, fields)
        except Exception:  # never the intake's answer: it is checked again under the lock
            _log.debug("an intake's suggestions were not read ahead", exc_info=True)
            return None

    def signer(self, writer: Writer, user_id: str) -> Signer:
        """The user's newest key, opened from its sealed copy."""
        if self.led.master is None:
            raise RefusedError("this ledger was opened read-only")
        return load_role(writer.conn, self.led.master, ACTOR, user_holder(user_id))


class Session(
    PeopleCommands,
    CaseCommands,
    ItemCommands,
    LabCommands,
    InventoryCommands,
    LinkCommands,
    RelationCommands,
    CorrectionCommands,
):
    """One transaction's commands, by area (people.py, cases.py, items.py, lab.py,
    inventory.py, link_review.py, related_cases.py, corrections.py); commands_base.py holds
    what they share."""
