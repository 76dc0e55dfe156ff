"""The record "as recorded" at N entries is the state a copy of the ledger cut at N entries
rebuilds by itself: for random ledgers (the Rust scenario, then random custody steps drawn by
Hypothesis: intakes, hand-overs and receipts, moves, check-outs and check-ins, splits,
filings, dispositions, lab work, corrections, parties, closings, link suggestions accepted
and rejected) and random cuts, every projection table of the in-memory view equals the table
`rebuild` makes in a copy of the database whose ledger holds only the first N entries.

Real SQLite files and PostgreSQL databases. The copy is the SQLite file's backup, or a
PostgreSQL database created with the original as its template, in a home with the same
configuration and keys; its entries from N on are deleted with the append-only guards out
of the way (as an intruder would, see helpers.tamper), then `rebuild` drops every projection
table and replays what is left, on that database, by itself.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from brady.cli.admin import bootstrap_admin
from brady.cli.demo import load_rust
from brady.custody.service import Custody, Session
from brady.domain.errors import RefusedError
from brady.ledger.entry import parse_entry
from brady.ledger_home import OpenLedger, init_home, open_home
from brady.store import as_of
from brady.store import custody_queries as q
from brady.store.custody_tables import item, link_suggestion
from brady.store.home import read_config, write_config
from brady.store.projection_check import rebuild

from .test_as_of_view import BACKENDS, pg_database, projection_tables

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=BACKENDS)
def rust(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OpenLedger]:
    """The Rust scenario, recorded once per backend; each example grows a copy of it."""
    with ExitStack() as stack:
        url = stack.enter_context(pg_database()) if request.param == "postgres" else None
        led = init_home(tmp_path_factory.mktemp("rust") / "home", url)
        stack.callback(led.close)
        custody = Custody(led)
        bootstrap_admin(custody)
        load_rust(custody)
        yield led


def copy_home(led: OpenLedger, where: Path, stack: ExitStack, cut: int | None = None) -> OpenLedger:
    """A copy of the ledger home at `where`: its configuration and keys, and a copy of its
    database; with `cut`, the copy's ledger holds only its first `cut` entries. Closed and
    dropped when `stack` unwinds."""
    shutil.copytree(led.config.path, where, ignore=shutil.ignore_patterns("brady.db*"))
    if led.engine.dialect.name == "sqlite":
        source = sqlite3.connect(led.config.path / "brady.db")
        target = sqlite3.connect(where / "brady.db")
        source.backup(target)
        source.close()
        if cut is not None:
            triggers = target.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'ledger_entry'"
            ).fetchall()
            for (name,) in triggers:
                target.execute(f'DROP TRIGGER "{name}"')
            target.execute("DELETE FROM ledger_entry WHERE seq >= ?", (cut,))
            target.commit()
        target.close()
    else:
        led.engine.dispose()  # a template must have no sessions; the engine reconnects
        url = stack.enter_context(pg_database(template=led.engine.url.database))
        write_config(replace(read_config(where), database=url))
        if cut is not None:
            with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as db:
                db.execute("SET session_replication_role = replica")  # the guards are triggers
                db.execute("DELETE FROM ledger_entry WHERE seq >= %s", (cut,))
    copy = open_home(where, writable=True)
    stack.callback(copy.close)
    return copy


# -- random custody steps on the Rust record ------------------------------------------------

CLERK, SUPERVISOR, PROSECUTOR, OFFICER, ANALYST = (
    "poppell",
    "sgt",
    "morrissey",
    "hancock",
    "fbi-analyst",
)
HOLDERS = ("poppell", "clerk2", "hancock", "fbi-analyst")
PLACES = ("SFCSO-EV-A", "SFCSO-EV-B", "SFCSO-EV-C")
CASES = ("rust-inv", "teske-supp", "state-v-baldwin")
NEW = ("NEW-1", "NEW-2", "NEW-3")
ITEMS = ("RUST-REVOLVER", "RUST-CASING", "RUST-GUN-2", "RUST-LIVE-001", *NEW, *NEW)
NAMED = (None, "Seth Kenney", "Troy Teske", "Alec Baldwin")

_item = st.sampled_from(ITEMS)
_place = st.sampled_from(PLACES)
_case = st.sampled_from(CASES)


def _round(*steps: st.SearchStrategy[tuple[Any, ...]]) -> st.SearchStrategy[list[Any]]:
    return st.tuples(*steps).map(list)


def _of_item(*kinds: str) -> st.SearchStrategy[list[Any]]:
    """Steps that belong together on one item (a hand-over and its receipt...)."""
    return _item.map(lambda i: [(k, i) for k in kinds])


ROUNDS = st.one_of(
    _round(
        st.tuples(st.just("intake"), st.sampled_from(NEW), _place, _case, st.sampled_from(NAMED))
    ),
    st.tuples(_item, st.sampled_from(HOLDERS)).map(lambda x: [("transfer", *x), ("receive", x[0])]),
    st.tuples(_item, st.sampled_from(HOLDERS)).map(lambda x: [("transfer", *x), ("cancel", x[0])]),
    st.tuples(_item, _place).map(lambda x: [("checkout", x[0]), ("checkin", *x)]),
    _round(st.tuples(st.just("move"), _item, _place)),
    _round(st.tuples(st.just("split"), _item, st.integers(1, 2))),
    _round(st.tuples(st.just("file"), _item, _case)),
    _of_item("request", "approve", "dispose"),
    _of_item("request", "withdraw"),
    _round(st.tuples(st.just("correct"), _item, st.sampled_from(NAMED))),
    _round(st.tuples(st.just("decide"), st.integers(0, 9), st.booleans())),
    _round(st.tuples(st.just("party"), _case, st.sampled_from(("kenney", "teske", "hutchins")))),
    st.tuples(
        st.sampled_from(("LAB-R1", "LAB-R2")), st.lists(_item, min_size=1, max_size=2, unique=True)
    ).map(lambda x: [("lab", x[0], tuple(x[1])), ("result", x[0])]),
    _round(st.tuples(st.just("close"), _case)),
)


def _item_step(s: Session, kind: str, item_id: str, *args: Any) -> None:
    state = q.item_state(s.conn, item_id)
    if state is None:
        return
    holder = state.custodian
    if kind == "transfer":
        s.transfer(holder, item_id, args[0])
    elif kind == "receive" and state.pending_to:
        s.receive(state.pending_to, item_id)
    elif kind == "cancel":
        s.cancel_transfer(holder, item_id, "Not collected")
    elif kind == "checkout":
        s.checkout(holder, item_id, to="FBI lab", purpose="lab", due_back="2099-12-31")
    elif kind == "checkin":
        s.checkin(holder, item_id, location_id=args[0], condition="Good", seal_intact=True)
    elif kind == "move":
        s.move(holder, item_id, args[0])
    elif kind == "split":
        s.split(holder, item_id, args[0], "Part of it")
    elif kind == "file":
        s.file_case(PROSECUTOR, item_id, args[0], "Bears on it")
    elif kind == "request":
        s.request_disposition(CLERK, item_id, "destroyed", "No longer needed")
    elif kind == "approve":
        s.approve_disposition(SUPERVISOR, item_id)
    elif kind == "withdraw":
        s.withdraw_disposition(SUPERVISOR, item_id, "Still needed")
    elif kind == "dispose":
        s.dispose(CLERK, item_id, "destroyed")
    elif kind == "correct":
        query = select(item.c.intake_seq).where(item.c.item_id == item_id)
        seq = s.conn.execute(query).scalar_one()
        said = f"Recovered from {args[0]}" if args[0] else "Recovered on set"
        s.correct(CLERK, int(seq), "narrative", said, "Misread the report")


def step(s: Session, kind: str, *args: Any) -> None:
    """One custody step, given by whoever may give it on this record now."""
    if kind == "intake":
        item_id, place, case, named = args
        s.intake(
            CLERK,
            item_id=item_id,
            category="firearm",
            description="Revolver",
            quantity=5,
            location_id=place,
            case_ids=[case],
            narrative=f"Recovered from {named}" if named else "Recovered on set",
        )
    elif kind == "decide":
        found = s.conn.execute(
            select(link_suggestion.c.suggestion_id)
            .where(link_suggestion.c.status == "open")
            .order_by(link_suggestion.c.suggestion_id)
        ).all()
        if found:
            chosen = str(found[args[0] % len(found)][0])
            decide = s.accept_link if args[1] else s.reject_link
            decide(PROSECUTOR, chosen, "Reviewed")
    elif kind == "party":
        s.add_party(PROSECUTOR, args[0], args[1], "witness")
    elif kind == "lab":
        s.lab_request(OFFICER, args[0], "FBI lab", list(args[1]), "Function test")
    elif kind == "result":
        s.lab_result(ANALYST, args[0], "Functions normally; prints of Seth Kenney")
    elif kind == "close":
        s.close_case(PROSECUTOR, args[0], "Closed")
    else:
        _item_step(s, kind, *args)


def rows(conn: Connection, table: Table) -> Counter[tuple[Any, ...]]:
    return Counter(tuple(r) for r in conn.execute(select(table)))


@settings(
    max_examples=5,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(rounds=st.lists(ROUNDS, min_size=6, max_size=16), data=st.data())
def test_as_recorded_equals_a_truncated_copy_rebuilt(
    rust: OpenLedger,
    tmp_path_factory: pytest.TempPathFactory,
    rounds: list[list[tuple[Any, ...]]],
    data: st.DataObject,
) -> None:
    with ExitStack() as stack:
        led = copy_home(rust, tmp_path_factory.mktemp("grown") / "home", stack)
        custody = Custody(led)
        first = ("intake", "NEW-1", PLACES[0], CASES[0], NAMED[1])  # something new to act on
        for kind, *args in [first, *(s for r in rounds for s in r)]:
            try:
                with custody.session() as s:
                    step(s, kind, *args)
            except RefusedError:
                pass  # refused: nothing recorded
        size, grown_from = led.store.size(), rust.store.size()
        event(f"the steps recorded {min((size - grown_from) // 10 * 10, 30)}+ entries")
        # Half the cuts fall among the random steps, so that they end on varied kinds.
        cut_at = data.draw(
            st.one_of(st.integers(grown_from, size), st.integers(1, size)), label="cut"
        )
        last = parse_entry(led.store.entry(cut_at - 1), cut_at - 1)
        event(f"cut after a {last.kind}")
        cut = copy_home(led, tmp_path_factory.mktemp("cut") / "home", stack, cut_at)
        assert cut.store.size() == cut_at
        rebuild(cut.store)
        with as_of.as_recorded(led.store, cut_at) as view, cut.engine.connect() as conn:
            assert view.size == cut_at
            differ = {
                t.name: (view_rows - cut_rows, cut_rows - view_rows)
                for t in projection_tables(led)
                if (view_rows := rows(view.conn, t)) != (cut_rows := rows(conn, t))
            }
    assert not differ, (
        f"cut at {cut_at} of {size} (after a {last.kind}): (only in the view, only in the "
        f"rebuilt copy) per table: {differ}"
    )
