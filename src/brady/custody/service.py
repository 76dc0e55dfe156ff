"""Custody commands: check the rules on current state, then record the event.

Each command runs inside a ledger write transaction: the state it checks is
read under the ledger's write lock, the event is signed by the acting user's
own key, and the projections change in the same commit. A refused command
raises RefusedError and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..domain.errors import RefusedError
from ..ledger._ed25519 import Signer
from ..ledger_home import OpenLedger
from ..store.keys import ACTOR, load_role
from ..store.ledger_store import Writer
from .cases import CaseCommands
from .commands_base import CHARGING, LINKER, STAFF, user_holder
from .corrections import CorrectionCommands
from .inventory import InventoryCommands
from .items import ItemCommands
from .lab import LabCommands
from .link_review import LinkCommands
from .people import PeopleCommands

__all__ = ["CHARGING", "LINKER", "STAFF", "Custody", "Session", "user_holder"]


class Custody:
    """The custody services of one open ledger."""

    def __init__(self, led: OpenLedger) -> None:
        self.led = led

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Several commands in one transaction: all are recorded, or none."""
        with self.led.store.transaction() as writer:
            yield Session(self, writer)

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
    CorrectionCommands,
):
    """One transaction's commands, by area (people.py, cases.py, items.py, lab.py,
    inventory.py, link_review.py, corrections.py); commands_base.py holds what they share."""
