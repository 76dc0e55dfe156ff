"""A view of one case or one item replays only its own entries and what they refer to, and
shows exactly what the view of the whole ledger shows: for every case and item of the
Rust record (with the link accepted and the rounds produced later, and an inventory),
at moments across its history, as of each moment and as recorded at several sizes, the
compliance picture, the case view, the item view and its history are equal. Real SQLite
and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Connection

from brady.custody import reads
from brady.custody.service import Custody
from brady.disclosure import compliance
from brady.domain.errors import BradyError
from brady.store import as_of
from brady.store.raw_sql import fetch_all
from brady.store.subject_scope import scope

from ..disclosure.test_rust import accept_teske, hand_over, rust  # noqa: F401  (the fixture)

MOMENTS = [
    "2021-10-22T23:59:59.999999Z",
    "2024-07-12T23:59:59.999999Z",
    "2026-11-30T23:59:59.999999Z",
]


def _answer(read: Callable[[], Any]) -> Any:
    try:
        return read()
    except BradyError as exc:  # no such case or item then: the same refusal both ways
        return type(exc).__name__


def _case(conn: Connection, case_id: str, day: str) -> Any:
    from datetime import date

    found = compliance.compute(conn, case_id, date.fromisoformat(day[:10]))
    return (
        found.to_json() if found else None,
        _answer(lambda: reads.case_view(conn, None, case_id)),
    )


def _item(conn: Connection, item_id: str) -> Any:
    return (
        _answer(lambda: reads.item_view(conn, None, item_id)),
        _answer(lambda: reads.item_history(conn, None, item_id)),
    )


@pytest.fixture
def grown(rust: Custody, tmp_path: Path) -> Custody:  # noqa: F811
    accept_teske(rust)
    hand_over(rust, tmp_path, "BALDWIN-P9", "2026-11-30T10:00:00-07:00")
    return rust


def test_a_case_or_item_view_equals_the_whole_view(grown: Custody) -> None:
    store = grown.led.store
    with grown.led.engine.connect() as conn:
        cases = [str(c) for (c,) in fetch_all(conn, "SELECT case_id FROM case_file")]
        every = sorted(str(i) for (i,) in fetch_all(conn, "SELECT item_id FROM item"))
        # The Rust record counts its rounds one item each: a sample of them, and every
        # item of Baldwin's case, suggested for a case, or split.
        tied = fetch_all(
            conn,
            "SELECT item_id FROM item_case WHERE case_id = 'state-v-baldwin' "
            "UNION SELECT item_id FROM link_suggestion "
            "UNION SELECT item_id FROM item WHERE parent_id IS NOT NULL",
        )
        items = sorted({str(i) for (i,) in tied} | set(every[::100]))
        total = store.size()
        sizes = [total // 2, total - 3]
        assert all(len(scope(conn, f"case:{c}", total)) < total for c in cases)
    compared = 0
    for at in MOMENTS:
        with as_of.as_of(store, at) as whole:
            expected = {c: _case(whole.conn, c, at) for c in cases}
            expected_items = {i: _item(whole.conn, i) for i in items}
        for case_id in cases:
            with as_of.as_of(store, at, subject=f"case:{case_id}") as mine:
                assert _case(mine.conn, case_id, at) == expected[case_id], (case_id, at)
            compared += 1
        for item_id in items:
            with as_of.as_of(store, at, subject=f"item:{item_id}") as mine:
                assert _item(mine.conn, item_id) == expected_items[item_id], (item_id, at)
            compared += 1
    for size in sizes:
        with as_of.as_recorded(store, size) as whole:
            expected = {c: _case(whole.conn, c, MOMENTS[-1]) for c in cases}
        for case_id in cases:
            with as_of.as_recorded(store, size, subject=f"case:{case_id}") as mine:
                assert _case(mine.conn, case_id, MOMENTS[-1]) == expected[case_id]
            compared += 1
    assert compared > 40
