"""Helpers for store tests: filling a ledger, and tampering with it as an intruder would."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from brady.ledger.ed25519 import Signer
from brady.ledger.entry import Event
from brady.ledger.keyring import register_event
from brady.ledger_home import OpenLedger


def fill(led: OpenLedger, batches: int = 8, per_batch: int = 5) -> Signer:
    """A clerk key, then batches of item events: one checkpoint per batch."""
    clerk = Signer.generate()
    led.store.append(led.actor(), [register_event(clerk.public_key, "Clerk Example")])
    for b in range(batches):
        led.store.append(
            clerk,
            [
                Event("test.intake", (f"item:{b}-{i}",), {"description": f"Item {b}-{i}"})
                for i in range(per_batch)
            ],
        )
    return clerk


def tamper(led: OpenLedger, *statements: tuple[str, dict[str, Any]]) -> None:
    """Run SQL with the append-only triggers out of the way, as someone with the
    database's own credentials could; Brady itself has no such path."""
    with led.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET session_replication_role = replica"))
        else:
            # The append-only guards; the search index's own triggers are left in place,
            # so that a test that removes one does so on purpose.
            names = conn.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                    "AND name NOT LIKE 'person_name_fts%'"
                )
            )
            for (name,) in list(names):
                conn.execute(text(f'DROP TRIGGER "{name}"'))
        for sql, params in statements:
            conn.execute(text(sql), params)
        conn.commit()
