"""Group commit on both databases: the commands of a group in one transaction, each still
all or nothing, each checked on what the ones before it left, each with its own answer."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from brady.custody.group_commit import GroupCommit, Job
from brady.custody.service import Custody, Session
from brady.domain.errors import RefusedError
from brady.ledger.entry import Entry, parse_entry
from brady.store import custody_queries as q
from brady.store.audit import audit

FIELDS: dict[str, Any] = {
    "category": "ammunition",
    "description": "Box of .45 Colt rounds",
    "quantity": 50,
    "location_id": "PR-B14",
    "case_ids": ["case-1"],
}


class Stop(BaseException):
    """Not an Exception: what a command's own handler does not catch (an interrupt)."""


def intake(s: Session) -> Entry:
    return s.intake("clerk", **FIELDS)


def checkpoints(custody: Custody) -> list[int]:
    with custody.led.engine.connect() as conn:
        return [c.size for c in custody.led.store.checkpoints(conn)]


def audited(custody: Custody) -> None:
    led = custody.led
    report = audit(led.store, led.config.database_url, led.config.log_vkey, workers=1)
    assert report.ok, report.first_problem()
    assert report.projections_checked


def kinds_after(custody: Custody, size: int) -> list[str]:
    store = custody.led.store
    return [parse_entry(store.entry(i), i).kind for i in range(size, store.size())]


def test_a_group_keeps_the_good_and_drops_the_refused_and_the_broken(custody: Custody) -> None:
    with custody.session() as s:
        held = s.intake("clerk", **FIELDS).payload["item_id"]
    size, marks = custody.led.store.size(), checkpoints(custody)

    def half_then_fail(s: Session) -> Entry:
        s.intake("clerk", **FIELDS)  # recorded in the transaction, then the command fails
        raise ValueError("the command broke after its first step")

    def database_error(s: Session) -> Entry:
        s.intake("clerk", **FIELDS)
        # A statement the database refuses: on PostgreSQL the whole transaction is aborted
        # until the savepoint is rolled back to.
        s.conn.exec_driver_sql("INSERT INTO ledger_entry (seq, kind, entry) VALUES (0, 'x', 'y')")
        raise AssertionError("not reached")

    group = [
        Job(None, intake),
        Job(None, lambda s: s.transfer("clerk", held, "clerk2")),
        # Checked on what the transfer before it left: the item is now on its way to clerk2.
        Job(None, lambda s: s.transfer("clerk", held, "officer")),
        Job(None, half_then_fail),
        Job(None, database_error),
        Job(None, intake),
    ]
    GroupCommit(custody).commit(group)

    first, transfer, refused, broken, failed, last = group
    assert isinstance(refused.error, RefusedError)
    assert isinstance(broken.error, ValueError)
    assert isinstance(failed.error, DBAPIError)
    assert first.error is None and transfer.error is None and last.error is None
    # Each caller has its own answer.
    assert first.result is not None and transfer.result is not None and last.result is not None
    assert first.result.payload["item_id"] != last.result.payload["item_id"]
    assert [first.result.seq, transfer.result.seq, last.result.seq] == [size, size + 1, size + 2]
    # One transaction: one checkpoint for the group, its entries in order, nothing else.
    assert kinds_after(custody, size) == ["item.intake", "item.transfer", "item.intake"]
    assert checkpoints(custody) == [*marks, size + 3]
    with custody.led.engine.connect() as conn:
        state = q.item_state(conn, held)
        assert state is not None and state.pending_to == "clerk2"
        # The item taken in before and the two good intakes: the broken ones left nothing.
        assert len(list(conn.exec_driver_sql("SELECT item_id FROM item"))) == 3
    audited(custody)


def test_a_command_alone_that_fails_records_nothing(custody: Custody) -> None:
    size, marks = custody.led.store.size(), checkpoints(custody)
    job = Job(None, lambda s: s.transfer("clerk", "no-such-item", "clerk2"))
    GroupCommit(custody).commit([job])
    assert job.error is not None and job.result is None
    assert custody.led.store.size() == size and checkpoints(custody) == marks


def test_a_failed_transaction_answers_every_command_with_its_error(custody: Custody) -> None:
    size, marks = custody.led.store.size(), checkpoints(custody)

    def interrupted(s: Session) -> Entry:
        intake(s)
        raise Stop()

    group = [Job(None, intake), Job(None, interrupted), Job(None, intake)]
    GroupCommit(custody).commit(group)
    assert all(isinstance(job.error, Stop) for job in group)
    assert all(job.result is None for job in group)
    assert custody.led.store.size() == size and checkpoints(custody) == marks
    audited(custody)


def test_commands_queued_together_share_one_transaction(custody: Custody) -> None:
    """Threads give commands while the writer is busy; they are then recorded as one group,
    each thread gets its own item, and `brady verify`'s audit passes."""
    grouped = Custody(custody.led, grouped=True)
    busy, go = threading.Event(), threading.Event()

    def first(s: Session) -> Entry:
        busy.set()
        go.wait()
        return intake(s)

    answers: dict[int, Any] = {}

    def give(k: int, act: Any) -> None:
        try:
            answers[k] = grouped.run(None, act)
        except Exception as exc:
            answers[k] = exc

    size, marks = custody.led.store.size(), checkpoints(custody)
    threads = [threading.Thread(target=give, args=(0, first))]
    threads[0].start()
    busy.wait()
    waiting = 12
    for k in range(1, waiting + 1):
        act = intake if k != 5 else (lambda s: s.transfer("clerk", "no-such-item", "clerk2"))
        threads.append(threading.Thread(target=give, args=(k, act)))
        threads[-1].start()
    group = grouped._group
    assert group is not None
    while group._queue.qsize() < waiting:  # every thread has queued its command
        threading.Event().wait(0.005)
    go.set()
    for t in threads:
        t.join()
    assert isinstance(answers.pop(5), RefusedError)
    items = [a.payload["item_id"] for a in answers.values()]
    assert len(set(items)) == waiting  # the first alone, then eleven intakes in one group
    assert custody.led.store.size() == size + waiting
    assert checkpoints(custody) == [*marks, size + 1, size + waiting]
    audited(custody)


@pytest.mark.parametrize("queued", [1, 3])
def test_the_api_path_answers_through_the_group(custody: Custody, queued: int) -> None:
    """Custody.run with and without group commit gives the same record."""
    plain, grouped = Custody(custody.led), Custody(custody.led, grouped=True)
    size = custody.led.store.size()
    for _ in range(queued):
        plain.run(None, intake)
        grouped.run(None, intake)
    assert kinds_after(custody, size) == ["item.intake"] * (2 * queued)
    audited(custody)
