"""Corrections of intake details, recorded as events of their own."""

from __future__ import annotations

from typing import Any

from ..domain.errors import RefusedError
from ..ledger.entry import Entry, parse_entry
from ..store import custody_queries as q
from ..store.custody_projection import CORRECTABLE
from ..store.custody_tables import item
from .commands_base import (
    PLACES,
    SessionBase,
    held_to,
)


class CorrectionCommands(SessionBase):
    @held_to(("entry", "target_seq"))
    def correct(
        self,
        by: str,
        target_seq: int,
        field: str,
        value: Any,
        reason: str,
        occurred_at: str | None = None,
    ) -> Entry:
        """Supersede one field of an earlier intake; the original entry stays as it was."""
        self._role(by, PLACES, "correct records")
        if not 0 <= target_seq < self.w.size:
            raise RefusedError(f"there is no entry {target_seq}", "target_seq")
        target = parse_entry(self.custody.led.store.entry(target_seq), target_seq)
        if target.kind != "item.intake":
            raise RefusedError(
                f"entry {target_seq} is a {target.kind}; only intake details can be corrected "
                "(record a new event for anything else)",
                "target_seq",
            )
        if field not in CORRECTABLE:
            raise RefusedError(
                f"{field!r} cannot be corrected; one of {', '.join(sorted(CORRECTABLE))}", "field"
            )
        if field == "quantity":
            target_item = str(target.payload.get("item_id"))
            if q.has_row(self.conn, item, parent_id=target_item):
                raise RefusedError(
                    f"{target_item} has been split; its quantity can no longer be corrected "
                    "(the parts carry their own counts)",
                    "field",
                )
            try:
                value = int(value)
            except (TypeError, ValueError) as exc:
                raise RefusedError(
                    f"quantity must be a whole number, not {value!r}", "value"
                ) from exc
            if value < 1:
                raise RefusedError("quantity must be at least 1", "value")
        entry = self._record(
            by,
            "record.correct",
            {
                "target_seq": target_seq,
                "field": field,
                "value": value,
                "reason": reason,
                "occurred_at": occurred_at,
            },
            [f"entry:{target_seq}"],
        )
        self.whole.link_item(str(target.payload["item_id"]))
        return entry
