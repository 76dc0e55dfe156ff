"""Random command sequences, valid and invalid: refused commands leave no trace, and the
stored state always equals the state rebuilt from the ledger."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings, target
from hypothesis import strategies as st
from sqlalchemy import text

from brady.custody.service import Custody
from brady.domain.errors import RefusedError
from brady.ledger_home import init_home
from brady.store.audit import audit

from .conftest import staff

# Repeats weight the draw towards commands that can succeed, so sequences go deep.
USERS = ["clerk"] * 4 + ["officer"] * 2 + ["super", "super2", "clerk2", "pros", "nobody"]
ITEMS = ["ITM-000001"] * 3 + ["ITM-000002"] * 2 + ["ITM-000003", "ITM-404"]
PLACES = ["PR", "PR-B14", "PR", "NOWHERE"]

command = st.one_of(
    st.tuples(st.just("intake"), st.sampled_from(USERS), st.sampled_from(PLACES)),
    st.tuples(
        st.just("transfer"), st.sampled_from(USERS), st.sampled_from(ITEMS), st.sampled_from(USERS)
    ),
    st.tuples(st.just("receive"), st.sampled_from(USERS), st.sampled_from(ITEMS)),
    st.tuples(
        st.just("checkout"),
        st.sampled_from(USERS),
        st.sampled_from(ITEMS),
        st.sampled_from(["2099-01-01", "2001-01-01"]),
    ),
    st.tuples(
        st.just("checkin"), st.sampled_from(USERS), st.sampled_from(ITEMS), st.sampled_from(PLACES)
    ),
    st.tuples(
        st.just("move"), st.sampled_from(USERS), st.sampled_from(ITEMS), st.sampled_from(PLACES)
    ),
    st.tuples(
        st.just("split"),
        st.sampled_from(USERS),
        st.sampled_from(ITEMS),
        st.integers(min_value=1, max_value=12),
    ),
    st.tuples(st.just("request"), st.sampled_from(USERS), st.sampled_from(ITEMS)),
    st.tuples(st.just("approve"), st.sampled_from(USERS), st.sampled_from(ITEMS)),
    st.tuples(st.just("dispose"), st.sampled_from(USERS), st.sampled_from(ITEMS)),
    st.tuples(st.just("close"), st.sampled_from(USERS)),
    st.tuples(st.just("cancel"), st.sampled_from(USERS), st.sampled_from(ITEMS)),
    st.tuples(st.just("withdraw"), st.sampled_from(USERS), st.sampled_from(ITEMS)),
    st.tuples(st.just("file"), st.sampled_from(USERS), st.sampled_from(ITEMS)),
)


def run(s: Any, cmd: tuple[Any, ...]) -> None:
    name, by, *args = cmd
    if name == "intake":
        s.intake(
            by,
            category="drugs",
            description="Bag",
            quantity=10,
            location_id=args[0],
            case_ids=["case-1"],
        )
    elif name == "transfer":
        s.transfer(by, args[0], args[1])
    elif name == "receive":
        s.receive(by, args[0])
    elif name == "checkout":
        s.checkout(by, args[0], to="Lab", purpose="lab", due_back=args[1])
    elif name == "checkin":
        s.checkin(by, args[0], location_id=args[1], condition="Good", seal_intact=True)
    elif name == "move":
        s.move(by, args[0], args[1])
    elif name == "split":
        s.split(by, args[0], args[1], "Part")
    elif name == "request":
        s.request_disposition(by, args[0], "destroyed", "Done with")
    elif name == "approve":
        s.approve_disposition(by, args[0])
    elif name == "dispose":
        s.dispose(by, args[0], "destroyed")
    elif name == "cancel":
        s.cancel_transfer(by, args[0], "Not collected")
    elif name == "withdraw":
        s.withdraw_disposition(by, args[0], "Changed our minds")
    elif name == "file":
        s.file_case(by, args[0], "case-1", "Bears on it")
    else:
        s.close_case(by, "case-1", "Closed")


def snapshot(custody: Custody) -> list[tuple[Any, ...]]:
    with custody.led.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT * FROM item ORDER BY item_id"))]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(command, min_size=1, max_size=30))
def test_random_command_sequences(commands: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        led = init_home(Path(tmp) / "home")
        custody = staff(Custody(led))
        accepted = 0
        starters = [("intake", "clerk", "PR"), ("intake", "clerk", "PR-B14")]
        for cmd in starters + commands:
            size, before = led.store.size(), snapshot(custody)
            try:
                with custody.session() as s:
                    run(s, cmd)
                accepted += 1
                assert led.store.size() == size + 1
            except RefusedError:
                assert led.store.size() == size
                assert snapshot(custody) == before
        target(float(accepted), label="accepted commands")  # steer towards deep sequences
        event(f"accepted {min(accepted, 10)}+" if accepted >= 10 else f"accepted {accepted}")
        report = audit(led.store, led.config.database_url, led.config.log_vkey, workers=1)
        assert report.ok, report.first_problem()
        led.close()
