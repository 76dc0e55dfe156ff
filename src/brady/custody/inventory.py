"""Inventories of the property room: start, scan, close."""

from __future__ import annotations

import secrets

from ..domain import events as ev
from ..domain import sampling
from ..domain.errors import RefusedError
from ..ledger.entry import Entry
from ..store import custody_queries as q
from ..store.custody_tables import (
    inventory,
    inventory_scan,
    location,
)
from .commands_base import (
    PLACES,
    SessionBase,
    held_to,
)
from .items import ItemCommands


class InventoryCommands(SessionBase):
    @held_to(("staff", None))
    def start_inventory(
        self,
        by: str,
        inventory_id: str,
        scope: str = "full",
        location_id: str | None = None,
        occurred_at: str | None = None,
    ) -> Entry:
        """Fix what the inventory expects to find: every item in scope, or a random sample
        of the high-risk ones sized for 95% confidence within 3%. Brady draws the seed,
        so no one can choose a favourable sample."""
        self._role(by, PLACES, "run an inventory")
        if q.exists(self.conn, inventory, inventory_id):
            raise RefusedError(f"inventory {inventory_id!r} already exists", "inventory_id")
        self._need(location, location_id, "location_id", "location")
        if scope not in {"full", "sample"}:
            raise RefusedError(f"scope must be full or sample, not {scope!r}", "scope")
        self._not_backdated(occurred_at)
        agency_id = q.user_agency(self.conn, by)
        pool = q.items_in_custody(
            self.conn, location_id, scope == "sample", agency_id, every_agency=agency_id is None
        )
        seed = secrets.token_hex(16) if scope == "sample" else None
        expected = sampling.expected_items(pool, scope, seed)
        return self._record(
            by,
            "inventory.start",
            {
                "inventory_id": inventory_id,
                "scope": scope,
                "location_id": location_id,
                "expected_count": len(expected),
                "expected_sha256": sampling.list_digest(expected),
                "population": len(pool),
                "seed": seed,
                "agency_id": agency_id,
                "occurred_at": occurred_at,
            },
            [f"inventory:{inventory_id}"],
        )

    def _not_backdated(self, occurred_at: str | None) -> None:
        """An inventory expects the shelves as the record holds them now: it cannot be
        dated before a step already recorded, or it would expect what was not there yet."""
        if occurred_at is None:
            return
        try:
            given = ev.ledger_time(occurred_at)
        except ValueError:
            return  # not a time at all: the event's own check says so, naming the field
        latest = q.latest_item_step(self.conn)
        if latest is not None and given < latest[0]:
            raise RefusedError(
                f"an inventory lists the shelves as the record holds them now, so it cannot "
                f"be dated {occurred_at}, before the last recorded step of {latest[1]} "
                f"({latest[0]}); give the time the count began, or leave it out for now",
                "occurred_at",
            )

    def _open_inventory(self, inventory_id: str, by: str) -> None:
        """An inventory still open, and of the agency of `by` (another agency's inventory is
        answered as if it did not exist: its items are not theirs to see)."""
        exists, agency_id = q.inventory_agency(self.conn, inventory_id)
        if exists and q.user_agency(self.conn, by) != agency_id:
            exists = False
        if not exists:
            raise RefusedError(f"there is no inventory {inventory_id!r}", "inventory_id")
        found, closed_at = q.inventory_closed_at(self.conn, inventory_id)
        if not found:
            raise RefusedError(f"there is no inventory {inventory_id!r}", "inventory_id")
        if closed_at is not None:
            raise RefusedError(f"inventory {inventory_id} is closed", "inventory_id")

    @held_to(("inventory", "inventory_id"))
    def scan(
        self,
        by: str,
        inventory_id: str,
        item_id: str,
        location_id: str | None = None,
        occurred_at: str | None = None,
    ) -> Entry:
        self._role(by, PLACES, "scan inventories")
        self._open_inventory(inventory_id, by)
        self._need(location, location_id, "location_id", "location")
        # The tag as recorded, whatever the case it was typed in; a tag on no record is
        # kept as scanned (it is on the shelf: the inventory lists it as unexpected).
        item_id = ItemCommands.stored_tag(self.conn, item_id) or item_id
        if q.has_row(self.conn, inventory_scan, inventory_id=inventory_id, item_id=item_id):
            raise RefusedError(f"{item_id} was already scanned in {inventory_id}", "item_id")
        return self._record(
            by,
            "inventory.scan",
            {
                "inventory_id": inventory_id,
                "item_id": item_id,
                "location_id": location_id,
                "occurred_at": occurred_at,
            },
            [f"inventory:{inventory_id}", f"item:{item_id}"],
        )

    @held_to(("inventory", "inventory_id"))
    def close_inventory(self, by: str, inventory_id: str, occurred_at: str | None = None) -> Entry:
        self._role(by, PLACES, "close inventories")
        self._open_inventory(inventory_id, by)
        return self._record(
            by,
            "inventory.close",
            {"inventory_id": inventory_id, "occurred_at": occurred_at},
            [f"inventory:{inventory_id}"],
        )
