"""The record "as of" a moment is the record that would stand had only what happened by then
been recorded. Random histories of real commands (cases opened, parties added, items taken
in, handed over, moved, checked out and in, split, filed, sent to the lab, counted in an
inventory, corrected, disposed of; link suggestions accepted and rejected) whose event times
(`occurred_at`) are not in recorded order: a step may be recorded days after it happened, so
entries are backdated and, for a moment in between, late. Ledger A records the whole
history; ledger B is given, through the same commands at the same recorded moments, only
the steps that had happened by a random moment `at` (and the steps without a time of their
own), in A's order. `as_of(A, at)` must hold B's live state, every projection table row for
row, and list as late exactly A's entries dated on or before `at` and recorded after it.
Real SQLite files and PostgreSQL databases.

No column is left out of the comparison. What B necessarily names otherwise (entry
positions, key ids, suggestion numbers) is translated to B's names through the pairing of
the two ledgers' entries, step by step (see `Names`); everything else, times included, must
be equal as it stands.

Recorded time: Brady has no clock to inject; the ledger stamps entries with
`brady.store.ledger_store.now`, which the test replaces by a clock it sets before each step,
so that a step is recorded when its history says (weeks after it happened, for some), in A
and in B alike. Only the stamp changes: entries are signed, hashed and projected as ever,
and the commands still refuse an `occurred_at` in the (real) future.

At the end of the file, the smallest histories that once broke it (each now fixed in the
commands: a suggestion dated before what it rests on, or by an unrelated later step; an
inventory dated before a step already recorded).
"""

from __future__ import annotations

import secrets
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any
from unittest import mock

import psycopg
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from brady.custody.commands_base import LINKER
from brady.custody.service import Custody, Session
from brady.domain.errors import RefusedError
from brady.ledger.entry import Entry, format_time, parse_entry
from brady.ledger_home import OpenLedger, init_home
from brady.store import as_of, ledger_store
from brady.store import custody_queries as q
from brady.store.custody_tables import actor_key, item, link_suggestion
from brady.store.projection_check import ProjectionMismatchError
from brady.store.tables import ledger_entry

from ..conftest import PG_ADMIN

pytestmark = pytest.mark.slow

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

# -- databases ------------------------------------------------------------------------------


def pg_url(name: str) -> str:
    base = PG_ADMIN.rsplit("/", 1)[0]
    return f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)


@contextmanager
def pg_database(template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (a copy of `template`, if named), dropped afterwards."""
    name = f"brady_test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        if template is None:
            admin.execute(f'CREATE DATABASE "{name}"')
        else:
            # A template must have no other sessions; its own engine reconnects later.
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (template,),
            )
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield pg_url(name)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def new_ledger(stack: ExitStack, backend: str) -> OpenLedger:
    """A fresh ledger home on `backend`, closed and removed when `stack` unwinds."""
    home = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "home"
    url = stack.enter_context(pg_database()) if backend == "postgres" else None
    led = init_home(home, url)
    stack.callback(led.close)
    return led


def projection_tables(led: OpenLedger) -> list[Table]:
    return [t for p in led.store.projectors for t in getattr(p, "tables", ())]


# -- the cast and the history ---------------------------------------------------------------

SETUP = datetime(2025, 2, 28, tzinfo=UTC)
"""When the users, places and first people are recorded: before anything happens."""
T0 = datetime(2025, 3, 1, tzinfo=UTC)

STAFF = (
    ("clerk", "Carl Clerk", "property_clerk"),
    ("clerk2", "Cleo Clerk", "property_clerk"),
    ("officer", "Olga Officer", "officer"),
    ("super", "Sam Supervisor", "supervisor"),
    ("pros", "Pat Prosecutor", "prosecutor"),
    ("analyst", "Lee Analyst", "lab_analyst"),
)
HOLDERS = ("clerk", "clerk2", "officer", "analyst")
PLACES = ("PR", "PR-B14", "LAB")
PEOPLE = {
    "p-ann": "Annabel Quixotic",
    "p-bob": "Bartholomew Zyzzyva",
    "p-cal": "Calpurnia Vexley",  # added during the history (person.add has no time)
}
CASES = ("case-a", "case-b", "case-c")
ITEMS = ("ITM-000001", "ITM-000002", "ITM-000003", "ITM-000004")
SPLITS = ("ITM-000101", "ITM-000102")
LABS = ("LAB-1", "LAB-2")
INVENTORIES = ("INV-1", "INV-2")
UNDATED_KINDS = frozenset({"person"})
"""Steps whose entries have no time of their own: every view takes them."""
LIVE_KINDS = frozenset({"accept", "reject", "correct"})
"""Steps always recorded as they happen, without `occurred_at`. A correction's fresh link
suggestions are dated when recorded, and so is a link decision's line in the item's history
(which later suggestions for the item may not precede). Given a past date and recorded after
`at`, such a step would be given to B and put there entries dated after `at`, which B's live
tables hold and the view rightly leaves out: B would no longer be the state of what had
happened by `at`. (The check below makes sure no B entry is dated after `at`.)"""


@dataclass(frozen=True)
class Step:
    kind: str
    args: tuple[Any, ...]
    gap: int  # hours after the step before it happened
    delay: int  # days between when it happened and when it was recorded
    dated: bool  # the command states occurred_at; else it is dated when recorded


@dataclass(frozen=True)
class Timed:
    index: int
    step: Step
    event: datetime | None  # when it happened; None for a step without a time of its own
    recorded: datetime


def _made(kind: tuple[Any, ...]) -> set[str]:
    """What a step brings into being, that later steps name."""
    k, a = kind[0], kind[1:]
    if k in {"open", "person", "intake", "lab", "inventory"}:
        return {a[0]}
    if k == "party":
        return {f"{a[0]}/{a[1]}"}
    if k == "split":
        return {a[1]}
    return set()


def _named(kind: tuple[Any, ...]) -> set[str]:
    """What must exist for a step to be given (a scan may name an item nobody took in)."""
    k, a = kind[0], kind[1:]
    if k == "intake":
        return {a[2]} if a[2] else set()
    if k == "party":
        return {a[0], a[1]}
    if k in {"accept", "reject"}:  # the suggestion: the item names a party of the case
        return {a[0], a[1], f"{a[1]}/{a[2]}"}
    if k == "lab":
        return set(a[1])
    if k in {"open", "person", "inventory"}:
        return set()
    if k == "file":
        return {a[0], a[1]}
    return {a[0]}


def _touches(step: Step, labs: dict[str, set[str]]) -> set[str]:
    """What a step acts on. Steps on one thing are recorded in the order they happened (as
    Brady requires of an item's steps, and as a clerk does for a case); steps on different
    things are not, which is what makes entries backdated and late. An inventory names no
    item: it counts what is on the shelves when it starts."""
    k, a = step.kind, step.args
    if k in {"accept", "reject"}:
        return {a[0], a[1]}
    if k == "scan":
        return {a[0], a[1]}
    if k == "dispose":  # waits for the item's cases to be closed
        return {a[0], *CASES}
    if k == "lab":
        labs.setdefault(a[0], set()).update(a[1])
    if k == "result":  # a result is a line in each item's history
        return {a[0], *labs.get(a[0], set())}
    return _named((k, *a)) | _made((k, *a))


def timeline(steps: Sequence[Step]) -> list[Timed]:
    """When each step happened (the steps are in that order, `gap` hours apart, never before
    an earlier step on the same thing) and when it was recorded (`delay` days later, never
    before an earlier step on the same thing)."""
    happened: dict[str, datetime] = {}
    recorded: dict[str, datetime] = {}
    labs: dict[str, set[str]] = {}
    out: list[Timed] = []
    moment = T0
    for i, step in enumerate(steps):
        moment += timedelta(hours=step.gap)
        keys = _touches(step, labs)
        earliest = max([moment, *(happened[k] for k in keys if k in happened)])
        after = max([earliest, *(recorded[k] for k in keys if k in recorded)])
        if step.kind in UNDATED_KINDS or step.kind in LIVE_KINDS or not step.dated:
            event: datetime | None = after  # dated when recorded, recorded at once
            rec = after
        else:
            event = earliest
            rec = max(earliest + timedelta(days=step.delay), after)
        for k in keys:
            happened[k], recorded[k] = event or rec, rec
        out.append(Timed(i, step, None if step.kind in UNDATED_KINDS else event, rec))
    return out


_case = st.sampled_from(CASES)
_place = st.sampled_from(PLACES)
_person = st.sampled_from(tuple(PEOPLE))
_mention = st.sampled_from((None, *PEOPLE))


@st.composite
def _case_life(draw: st.DrawFn, case: str) -> list[tuple[Any, ...]]:
    """A case is opened; parties are added to it (and a suggestion made for every item
    naming them); it may be closed."""
    parties = draw(st.lists(_person, max_size=2, unique=True))
    closed = [("close", case)] if draw(st.integers(0, 4)) == 0 else []
    return [("open", case), *(("party", case, p) for p in parties), *closed]


@st.composite
def _item_life(
    draw: st.DrawFn, item_id: str, parties: dict[str, list[str]]
) -> list[tuple[Any, ...]]:
    """An item is taken in, then goes through a few rounds of custody, each a run of steps
    that belong together (a hand-over and its receipt, a disposition asked for, approved and
    done...). `parties`: the cases each person is a party to (a suggestion to review)."""
    i = item_id
    named = draw(_mention)
    intake = ("intake", i, draw(_place), draw(st.sampled_from((None, None, *CASES))), named)
    rounds: dict[str, list[tuple[Any, ...]]] = {
        "handover": [("transfer", i, draw(st.sampled_from(HOLDERS))), ("receive", i)],
        "recalled": [("transfer", i, draw(st.sampled_from(HOLDERS))), ("cancel", i)],
        "lab trip": [("checkout", i), ("checkin", i, draw(_place))],
        "move": [("move", i, draw(_place))],
        "split": [("split", i, draw(st.sampled_from(SPLITS)), draw(st.integers(1, 3)))],
        "file": [("file", i, draw(_case))],
        "correct": [("correct", i, draw(_mention))],
        "dispose": [("request", i), ("approve", i), ("dispose", i)],
        "withdrawn": [("request", i), ("withdraw", i)],
    }
    if named and parties.get(named):
        decision = draw(st.sampled_from(("accept", "reject")))
        rounds["review"] = [(decision, i, draw(st.sampled_from(parties[named])), named)]
    chosen = draw(st.lists(st.sampled_from(sorted(rounds)), max_size=4))
    return [intake, *(step for name in chosen for step in rounds[name])]


@st.composite
def _lab(draw: st.DrawFn, lab: str, items: Sequence[str]) -> list[tuple[Any, ...]]:
    chosen = draw(st.lists(st.sampled_from(items), min_size=1, max_size=2, unique=True))
    return [("lab", lab, tuple(chosen)), ("result", lab, draw(_mention))]


@st.composite
def _inventory(draw: st.DrawFn, inventory: str) -> list[tuple[Any, ...]]:
    scans = draw(st.lists(st.sampled_from(ITEMS), max_size=3, unique=True))
    return [
        ("inventory", inventory, draw(st.sampled_from((None, "PR")))),
        *(("scan", inventory, i) for i in scans),
        ("close_inventory", inventory),
    ]


def _in_order(kinds: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The steps, each moved after what it names (the case an item is filed under, the
    items a lab request names...), else the real commands would mostly be refused."""
    out = list(kinds)
    i = 0
    while i < len(out):
        made = set().union(*(_made(k) for k in out[:i]))
        missing = _named(out[i]) - made
        maker = next((j for j in range(i + 1, len(out)) if _made(out[j]) & missing), None)
        if maker is None:
            i += 1
        else:
            out.insert(i, out.pop(maker))
    return out


@st.composite
def histories(draw: st.DrawFn) -> list[Step]:
    """The lives of the cases, of 2-4 items, of a lab request or two and an inventory or
    two, interleaved at random: the order in which things happened. Each step happened 1-36
    hours after the one before; most are recorded at once, some 1-30 days later."""
    lives = [draw(_case_life(c)) for c in CASES]
    parties: dict[str, list[str]] = {}
    for life in lives:
        for step in life:
            if step[0] == "party":
                parties.setdefault(step[2], []).append(step[1])
    items = ITEMS[: draw(st.integers(2, len(ITEMS)))]
    lives += [draw(_item_life(i, parties)) for i in items]
    lives += [draw(_lab(x, items)) for x in LABS[: draw(st.integers(0, len(LABS)))]]
    lives += [draw(_inventory(x)) for x in INVENTORIES[: draw(st.integers(0, 2))]]
    if "p-cal" in parties or draw(st.booleans()):
        lives.append([("person", "p-cal")])
    turns = draw(st.permutations([n for n, life in enumerate(lives) for _ in life]))
    kinds = _in_order([lives[n].pop(0) for n in turns])
    return [
        Step(
            k[0],
            tuple(k[1:]),
            draw(st.integers(1, 36)),
            draw(st.sampled_from((0, 0, 1, 3, 7, 14, 30))),
            draw(st.booleans()),
        )
        for k in kinds
    ]


# -- giving the commands --------------------------------------------------------------------


@dataclass
class Clock:
    """What the ledger takes for "now" when it stamps an entry."""

    moment: datetime = SETUP

    def __call__(self) -> str:
        return format_time(self.moment)


@dataclass(frozen=True)
class Call:
    """A command as given: the method and its arguments. What a person picks on the screen
    of their own record rather than types (the open suggestion for an item and a case, the
    intake entry of an item) is looked up in the ledger the command is given to."""

    method: str
    kwargs: dict[str, Any]
    suggestion: tuple[str, str] | None = None
    intake_of: str | None = None

    def __str__(self) -> str:
        shown = {k: v for k, v in self.kwargs.items() if v is not None}
        if self.suggestion:
            shown["suggestion"] = self.suggestion
        if self.intake_of:
            shown["intake_of"] = self.intake_of
        return f"{self.method}({', '.join(f'{k}={v!r}' for k, v in shown.items())})"


def _mentioning(person: str | None, otherwise: str) -> str:
    return f"Seized from {PEOPLE[person]} at the scene" if person else otherwise


def resolve(s: Session, step: Step, when: str | None) -> Call | None:
    """The command a person would give for `step` on this record: who gives it (the item's
    custodian, the person it is being handed to), with what. None: nobody could."""
    k, a = step.kind, step.args
    at = {"occurred_at": when}
    if k == "open":
        n = CASES.index(a[0]) + 1
        numbers = [{"kind": "agency", "number": f"2025-03-{n:04d}"}]
        return Call(
            "open_case",
            {"by": "pros", "case_id": a[0], "title": f"State v. {n}", "numbers": numbers, **at},
        )
    if k == "party":
        return Call(
            "add_party",
            {"by": "pros", "case_id": a[0], "person_id": a[1], "role": "defendant", **at},
        )
    if k == "person":
        return Call("add_person", {"by": "pros", "person_id": a[0], "name": PEOPLE[a[0]]})
    if k == "intake":
        item_id, place, case, person = a
        return Call(
            "intake",
            {
                "by": "clerk",
                "item_id": item_id,
                "category": "firearm",
                "description": "Revolver",
                "quantity": 10,
                "location_id": place,
                "case_ids": [case] if case else [],
                "narrative": _mentioning(person, "Found property"),
                **at,
            },
        )
    if k in {"accept", "reject"}:
        return Call(
            f"{k}_link", {"by": "pros", "reason": "Reviewed", **at}, suggestion=(a[0], a[1])
        )
    if k == "correct":
        value = _mentioning(a[1], "Found property, as the report says")
        return Call(
            "correct",
            {"by": "clerk", "field": "narrative", "value": value, "reason": "Misread", **at},
            intake_of=a[0],
        )
    if k == "close":
        return Call("close_case", {"by": "pros", "case_id": a[0], "reason": "Dismissed", **at})
    if k == "lab":
        return Call(
            "lab_request",
            {
                "by": "officer",
                "request_id": a[0],
                "lab": "State crime lab",
                "item_ids": list(a[1]),
                "examinations": "Ballistics",
                **at,
            },
        )
    if k == "result":
        findings = f"Prints of {PEOPLE[a[1]]} on the grip" if a[1] else "Nothing of note"
        return Call("lab_result", {"by": "analyst", "request_id": a[0], "findings": findings, **at})
    if k == "inventory":
        return Call(
            "start_inventory", {"by": "clerk", "inventory_id": a[0], "location_id": a[1], **at}
        )
    if k == "scan":
        return Call("scan", {"by": "clerk", "inventory_id": a[0], "item_id": a[1], **at})
    if k == "close_inventory":
        return Call("close_inventory", {"by": "clerk", "inventory_id": a[0], **at})
    # The steps of an item: by the clerk, the supervisor, the prosecutor...
    item_id = a[0]
    if k == "file":
        return Call(
            "file_case",
            {"by": "pros", "item_id": item_id, "case_id": a[1], "reason": "Bears on it", **at},
        )
    if k == "request":
        return Call(
            "request_disposition",
            {"by": "clerk", "item_id": item_id, "method": "destroyed", "reason": "Done", **at},
        )
    if k == "approve":
        return Call("approve_disposition", {"by": "super", "item_id": item_id, **at})
    if k == "withdraw":
        return Call(
            "withdraw_disposition",
            {"by": "super", "item_id": item_id, "reason": "Still needed", **at},
        )
    if k == "dispose":
        return Call("dispose", {"by": "clerk", "item_id": item_id, "method": "destroyed", **at})
    # ... or by whoever holds it, or is receiving it.
    state = q.item_state(s.conn, item_id)
    if state is None:
        return None
    holder = {"by": state.custodian, "item_id": item_id}
    if k == "transfer":
        return Call("transfer", {**holder, "to_user": a[1], **at})
    if k == "receive":
        if state.pending_to is None:
            return None
        return Call("receive", {"by": state.pending_to, "item_id": item_id, **at})
    if k == "cancel":
        return Call("cancel_transfer", {**holder, "reason": "Not collected", **at})
    if k == "move":
        return Call("move", {**holder, "location_id": a[1], **at})
    if k == "checkout":
        return Call(
            "checkout",
            {**holder, "to": "State crime lab", "purpose": "lab", "due_back": "2099-12-31", **at},
        )
    if k == "checkin":
        return Call(
            "checkin",
            {**holder, "location_id": a[1], "condition": "Good", "seal_intact": True, **at},
        )
    if k == "split":
        return Call(
            "split",
            {**holder, "quantity": a[2], "description": "Part", "new_item_id": a[1], **at},
        )
    raise AssertionError(f"unknown step {k}")


def perform(s: Session, call: Call) -> None:
    kwargs = dict(call.kwargs)
    if call.suggestion is not None:
        item_id, case_id = call.suggestion
        found = s.conn.execute(
            select(link_suggestion.c.suggestion_id).where(
                (link_suggestion.c.item_id == item_id)
                & (link_suggestion.c.case_id == case_id)
                & (link_suggestion.c.status == "open")
            )
        ).scalar()
        if found is None:
            raise RefusedError(f"no open suggestion links {item_id} to {case_id}")
        kwargs["suggestion_id"] = found
    if call.intake_of is not None:
        seq = s.conn.execute(
            select(item.c.intake_seq).where(item.c.item_id == call.intake_of)
        ).scalar()
        if seq is None:
            raise RefusedError(f"there is no item {call.intake_of}")
        kwargs["target_seq"] = int(seq)
    getattr(s, call.method)(**kwargs)


def read_entries(led: OpenLedger, start: int, stop: int) -> list[Entry]:
    return [parse_entry(led.store.entry(seq), seq) for seq in range(start, stop)]


def setup(custody: Custody) -> list[Entry]:
    """Users, places and two people: entries without a time of their own. Brady makes its
    linking user on the first link suggestion, an undated entry every view takes; made by a
    step that B leaves out, it would be a user the view rightly holds and B lacks, so it is
    made here, in both ledgers, as that first suggestion would make it."""
    with custody.session() as s:
        s.add_user(None, "admin", "Ada Admin", ["admin"])
    with custody.session() as s:
        s.add_user(None, LINKER, "Brady linking service", ["linker"])
        for user_id, name, role in STAFF:
            s.add_user("admin", user_id, name, [role])
        s.add_location("admin", "PR", "Property room", "room")
        s.add_location("admin", "PR-B14", "Shelf B-14", "shelf", parent_id="PR")
        s.add_location("admin", "LAB", "State crime lab", "temporary")
        for person_id in ("p-ann", "p-bob"):
            s.add_person("admin", person_id, PEOPLE[person_id])
    return read_entries(custody.led, 0, custody.led.store.size())


@dataclass
class Recorded:
    timed: Timed
    call: Call
    entries: list[Entry]


def record(custody: Custody, clock: Clock, steps: Sequence[Timed]) -> list[Recorded]:
    """Ledger A: every step in the order it was recorded; refused ones leave nothing."""
    done: list[Recorded] = []
    for t in sorted(steps, key=lambda t: (t.recorded, t.index)):
        clock.moment = t.recorded
        when = format_time(t.event) if t.event is not None and t.step.dated else None
        if t.step.kind in LIVE_KINDS:
            when = None
        start = custody.led.store.size()
        call: Call | None = None
        try:
            with custody.session() as s:
                call = resolve(s, t.step, when)
                if call is None:
                    raise RefusedError("nobody could give this command")
                perform(s, call)
        except RefusedError:
            continue
        assert call is not None
        done.append(Recorded(t, call, read_entries(custody.led, start, custody.led.store.size())))
    return done


def happened_by(t: Timed, at: str) -> bool:
    return t.event is None or format_time(t.event) <= at


# -- comparing ------------------------------------------------------------------------------


def _is_seq(column: str) -> bool:
    return column == "seq" or column.endswith("_seq")


@dataclass
class Names:
    """A's names for what B names otherwise, found by pairing the entries of each step:
    - entry positions (`seq`, `*_seq` columns): B holds fewer entries, so the same entry
      sits elsewhere in it;
    - key ids (`key_id`): every ledger draws its own key for each user;
    - suggestion ids (`suggestion_id`): numbered in the order suggestions were recorded, so
      B, which never made the ones for steps after `at`, numbers them otherwise;
    - an entry's subjects (`subject`) that name a key ("key:ID") or an entry ("entry:SEQ").
    Everything else must be equal as it stands."""

    seqs: dict[int, int] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    suggestions: dict[str, str] = field(default_factory=dict)

    def pair(self, a: Sequence[Entry], b: Sequence[Entry]) -> list[str]:
        """Pair the entries of one step in both ledgers, by kind; what has no pair."""
        match = SequenceMatcher(None, [e.kind for e in a], [e.kind for e in b], autojunk=False)
        paired_a, paired_b = set(), set()
        for block in match.get_matching_blocks():
            for j in range(block.size):
                self.seqs[a[block.a + j].seq] = b[block.b + j].seq
                paired_a.add(block.a + j)
                paired_b.add(block.b + j)
        return [
            f"only in the view: entry {e.seq} {e.kind} {list(e.subjects)} {e.payload}"
            for i, e in enumerate(a)
            if i not in paired_a
        ] + [
            f"only in B: entry {e.seq} {e.kind} {list(e.subjects)} {e.payload}"
            for i, e in enumerate(b)
            if i not in paired_b
        ]

    def learn(self, view: Connection, b: Connection) -> None:
        holders = {h: k for h, k in b.execute(select(actor_key.c.holder, actor_key.c.key_id))}
        for key_id, holder in view.execute(select(actor_key.c.key_id, actor_key.c.holder)):
            if holder in holders:
                self.keys[key_id] = holders[holder]
        by_seq = {
            seq: sid
            for seq, sid in b.execute(
                select(link_suggestion.c.suggested_seq, link_suggestion.c.suggestion_id)
            )
        }
        for sid, seq in view.execute(
            select(link_suggestion.c.suggestion_id, link_suggestion.c.suggested_seq)
        ):
            if self.seqs.get(seq) in by_seq:
                self.suggestions[sid] = by_seq[self.seqs[seq]]

    def translate(self, column: str, value: Any) -> Any:
        if value is None:
            return None
        if _is_seq(column):
            return self.seqs.get(value, f"<entry {value}, not in B>")
        if column == "key_id":
            return self.keys.get(value, f"<key {value}, not in B>")
        if column == "suggestion_id":
            return self.suggestions.get(value, f"<suggestion {value}, not in B>")
        if column == "subject":  # an entry's subject may name a key or an entry by position
            kind, _, name = str(value).partition(":")
            if kind == "key":
                return f"key:{self.translate('key_id', name)}"
            if kind == "entry":
                return f"entry:{self.translate('seq', int(name))}"
        return value


def rows(conn: Connection, table: Table, names: Names | None = None) -> Counter[tuple[Any, ...]]:
    columns = [c.name for c in table.columns]
    got: Counter[tuple[Any, ...]] = Counter()
    for row in conn.execute(select(table)):
        if names is None:
            got[tuple(row)] += 1
        else:
            got[tuple(names.translate(c, v) for c, v in zip(columns, row, strict=True))] += 1
    return got


def table_differences(
    tables: Sequence[Table], view: Connection, b: Connection, names: Names
) -> list[str]:
    out = []
    for table in tables:
        have, want = rows(view, table, names), rows(b, table)
        if have == want:
            continue
        cols = ", ".join(c.name for c in table.columns)
        out.append(f"table {table.name} ({cols}) differs:")
        out += [f"  only in the view: {r}" for r in sorted(have - want, key=repr)[:6]]
        out += [f"  only in B:        {r}" for r in sorted(want - have, key=repr)[:6]]
    return out


def describe(done: Sequence[Recorded], at: str) -> list[str]:
    """A's history as recorded, for the failure message."""
    lines = [f"A's steps as recorded (at = {at}; '>' marks a step B was not given):"]
    for r in done:
        event = format_time(r.timed.event) if r.timed.event else "(no time of its own)"
        mark = " " if happened_by(r.timed, at) else ">"
        lines.append(
            f" {mark} recorded {format_time(r.timed.recorded)}, happened {event}: {r.call}"
            f" -> entries {[e.seq for e in r.entries]}"
        )
    return lines


# -- the property ---------------------------------------------------------------------------


def check(backend: str, history: Sequence[Step], at: str) -> list[str]:
    """Everything in which `as_of(A, at)` and B differ (nothing, if the property holds)."""
    steps = timeline(history)
    clock = Clock()
    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(ledger_store, "now", clock))
        a, b = Custody(new_ledger(stack, backend)), Custody(new_ledger(stack, backend))
        names = Names()
        problems = names.pair(setup(a), setup(b))
        done = record(a, clock, steps)
        given_to_b: list[tuple[Recorded, list[Entry]]] = []
        for r in done:
            if not happened_by(r.timed, at):
                continue
            clock.moment = r.timed.recorded
            start = b.led.store.size()
            try:
                with b.session() as s:
                    perform(s, r.call)
            except RefusedError as exc:
                problems.append(f"B refused {r.call}, which A recorded: {exc}")
                continue
            entries = read_entries(b.led, start, b.led.store.size())
            given_to_b.append((r, entries))
            # B must be the state of events dated by `at`: an entry of its own dated after
            # it would void the comparison with its live tables (see LIVE_KINDS).
            problems += [
                f"B's entry {e.seq} {e.kind} is dated {when}, after {at}: B is no oracle"
                for e in entries
                if r.timed.event is not None
                and (when := str(e.payload.get("occurred_at") or e.recorded_at)) > at
            ]
        try:
            with as_of.as_of(a.led.store, at) as view, b.led.engine.connect() as live:
                taken = {int(seq) for (seq,) in view.conn.execute(select(ledger_entry.c.seq))}
                in_b = {id(r): entries for r, entries in given_to_b}
                for r in done:
                    mine = [e for e in r.entries if e.seq in taken]
                    problems += names.pair(mine, in_b.get(id(r), []))
                names.learn(view.conn, live)
                problems += table_differences(projection_tables(a.led), view.conn, live, names)
                late = {x.seq for x in view.late}
                left_out = [(x.seq, x.kind, x.occurred_at) for x in view.left_out]
        except ProjectionMismatchError as exc:
            return [f"as_of(A, {at}) cannot be built: {exc}", *describe(done, at)]
    # Late: A's entries dated on or before `at` (by `occurred_at`, else when recorded) and
    # recorded after it; the steps without a time of their own (and the setup) have none.
    expected = {
        e.seq
        for r in done
        if r.timed.event is not None
        for e in r.entries
        if str(e.payload.get("occurred_at") or e.recorded_at) <= at < e.recorded_at
    }
    if late != expected:
        problems.append(
            f"view.late lists entries {sorted(late - expected)} it should not, and misses "
            f"{sorted(expected - late)}"
        )
    if left_out:
        problems.append(f"the view left out entries {left_out}")
    return [f"as of {at}, on {backend}:", *problems, *describe(done, at)] if problems else []


@pytest.mark.parametrize("backend", BACKENDS)
@settings(
    max_examples=8,
    deadline=None,
    database=None,
    derandomize=True,
    # No shrinking: each example is two ledgers, and a failure lists its history step by step.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@given(history=histories(), pick=st.integers(0, 10_000), just_before=st.booleans())
def test_as_of_equals_a_ledger_given_only_what_had_happened(
    backend: str, history: list[Step], pick: int, just_before: bool
) -> None:
    moment = timeline(history)[pick % len(history)]
    at = (moment.event or moment.recorded) - timedelta(microseconds=1 if just_before else 0)
    problems = check(backend, history, format_time(at))
    assert not problems, "\n".join(problems)


# -- the smallest histories in which it does not hold ---------------------------------------

REPRODUCTIONS = {
    "a suggestion dated before the case and party it rests on": (
        [
            Step("intake", ("ITM-000001", "PR", None, "p-ann"), 1, 12, True),
            Step("open", ("case-a",), 24, 0, True),
            Step("party", ("case-a", "p-ann"), 24, 0, True),
        ],
        "2025-03-01T12:00:00.000000Z",
        "An item naming Annabel Quixotic is taken in on 1 March and recorded on 13 March, "
        "after case-a was opened (2 March) and Annabel made a party to it (3 March). Its "
        "suggestion to case-a is dated 1 March, the intake's date, so the view as of noon on "
        "1 March would hold a suggestion for a case it does not hold. A suggestion is dated "
        "no earlier than the case's opening and the party it names (3 March), as B dates it.",
    ),
    "a suggestion dated by a later step of its item": (
        [
            Step("open", ("case-a",), 1, 0, True),
            Step("intake", ("ITM-000001", "PR", None, "p-ann"), 1, 0, True),
            Step("party", ("case-a", "p-ann"), 24, 3, True),
            Step("move", ("ITM-000001", "PR-B14"), 24, 0, True),
        ],
        "2025-03-02T12:00:00.000000Z",
        "Annabel is made a party to case-a on 2 March, recorded on 5 March, after the item "
        "naming her was moved (3 March). The suggestion her becoming a party prompts was dated "
        "by the item's last step, the move (3 March), so the view as of noon on 2 March held "
        "no suggestion; it is now dated by what it rests on, the party (2 March), as in B.",
    ),
    "a backdated inventory": (
        [
            Step("intake", ("ITM-000001", "PR", None, None), 1, 0, True),
            Step("inventory", ("INV-1", None), 1, 10, True),
            Step("intake", ("ITM-000002", "PR", None, None), 24, 0, True),
        ],
        "2025-03-01T12:00:00.000000Z",
        "An inventory dated 1 March is recorded on 11 March, after ITM-000002 came in (2 "
        "March): it would pin the shelves as they are on 11 March, so Brady refuses it (an "
        "inventory cannot be dated before a step already recorded); neither ledger holds it, "
        "and the views agree.",
    ),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(REPRODUCTIONS))
def test_as_of_equals_a_ledger_given_only_what_had_happened_in(backend: str, name: str) -> None:
    history, at, story = REPRODUCTIONS[name]
    problems = check(backend, history, at)
    assert not problems, "\n".join([f"{name}: {story}", *problems])
