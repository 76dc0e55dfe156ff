"""The server's world (two agencies, every role, one production), for the attacks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from brady.ledger_home import OpenLedger

from ..api.conftest import PASSWORD, World, build

__all__ = ["PASSWORD", "World"]


@pytest.fixture
def world(ledger: OpenLedger) -> Iterator[World]:
    w = build(ledger)
    with w.client:
        yield w
