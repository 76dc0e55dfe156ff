"""Projections update in the append's own transaction: both land, or neither does."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.engine import Connection

from brady.ledger.entry import Entry, Event
from brady.ledger_home import OpenLedger
from brady.store.ledger_store import LedgerStore

meta = MetaData()
holders = Table(
    "test_holder", meta, Column("seq", Integer, primary_key=True), Column("item", String)
)


class HolderProjection:
    tables = (holders,)

    def __init__(self, fail_on: str | None = None) -> None:
        self.fail_on = fail_on

    def apply(self, conn: Connection, entries: Sequence[Entry]) -> None:
        for e in entries:
            if e.payload.get("item") == self.fail_on:
                raise ValueError(f"custody rule refused {self.fail_on}")
            conn.execute(holders.insert(), {"seq": e.seq, "item": e.payload["item"]})


def _counts(led: OpenLedger) -> tuple[int, int, int]:
    with led.engine.connect() as conn:
        return (
            led.store.size(conn),
            int(conn.execute(select(func.count()).select_from(holders)).scalar_one()),
            led.store.checkpoint().size,
        )


def test_projection_and_ledger_commit_together(ledger: OpenLedger) -> None:
    meta.create_all(ledger.engine)
    admin = ledger.actor()
    store = LedgerStore(
        ledger.engine,
        ledger.config.origin,
        ledger.store.log_signer,
        [HolderProjection(fail_on="bad")],
    )
    store.append(
        admin, [Event("item.move", (), {"item": "a"}), Event("item.move", (), {"item": "b"})]
    )
    assert _counts(ledger) == (3, 2, 3)
    with pytest.raises(ValueError, match="refused bad"):
        store.append(
            admin, [Event("item.move", (), {"item": "c"}), Event("item.move", (), {"item": "bad"})]
        )
    assert _counts(ledger) == (3, 2, 3)  # neither the entries, the rows nor a checkpoint
