"""Which entries a view of one case or one item needs: its own, what they refer to, and
the agency's reference entries (users, keys, places, rule sets), never the whole ledger.

A case's entries name its items, parties, suggestions and productions; those items'
entries (their whole custody) name the lab requests about them. An item's entries name
its cases, whose opening and numbers its view shows. Other cases' own entries are not
followed: a view of one case needs nothing of theirs. Inventories are agency-wide and
change no item's state, so they are not part of a case's or an item's view.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.engine import Connection

from ..ledger.keyring import GENESIS, KEY_KINDS
from .raw_sql import fetch_in

REFERENCE = frozenset(
    {
        GENESIS,
        *KEY_KINDS,
        "user.add",
        "user.roles",
        "user.key",
        "agency.add",
        "location.add",
        "organization.add",
        "rules.adopt",
        "linking.patterns",
        "linking.model",
        "blobs.migrate",
    }
)
"""Kinds every view takes: who the people and places are, the rules in force, and where
the evidence files are kept."""

ANY = None
CASE_FACTS = frozenset({"case.open", "case.add_number", "case.close", "case.charge"})

FOLLOW: dict[str, dict[str, frozenset[str] | None]] = {
    "case": {
        "item": ANY,
        "suggestion": ANY,
        "production": ANY,
        "person": frozenset({"person.add"}),
    },
    "item": {"item": ANY, "suggestion": ANY, "case": CASE_FACTS, "lab": ANY},
    "lab": {"lab": ANY},
}
"""From a subject's entries, which subjects they name are followed, and to which kinds of
their entries (ANY: all). The second step follows from the first step's subjects by their
own prefix (a case's items lead to the labs about them)."""

SKIPPED = ("inventory.", "access.")


def _seqs(conn: Connection, subjects: Iterable[str], size: int) -> set[int]:
    rows = fetch_in(
        conn, "SELECT seq FROM entry_subject WHERE subject IN ({marks})", sorted(subjects)
    )
    return {int(seq) for (seq,) in rows if seq < size}


def _named(conn: Connection, seqs: Iterable[int]) -> set[str]:
    sql = "SELECT subject FROM entry_subject WHERE seq IN ({marks})"
    rows = fetch_in(conn, sql, sorted(seqs))
    return {str(s) for (s,) in rows}


def _kinds(conn: Connection, seqs: Iterable[int]) -> dict[int, str]:
    sql = "SELECT seq, kind FROM ledger_entry WHERE seq IN ({marks})"
    rows = fetch_in(conn, sql, sorted(seqs))
    return {int(seq): str(kind) for seq, kind in rows}


def _reference(conn: Connection, size: int) -> set[int]:
    sql = "SELECT seq FROM ledger_entry WHERE kind IN ({marks})"
    rows = fetch_in(conn, sql, sorted(REFERENCE))
    return {int(seq) for (seq,) in rows if seq < size}


def _followed(conn: Connection, start: str, seqs: set[int], size: int, done: set[str]) -> set[int]:
    """The entries of the subjects `seqs` name that `start`'s kind follows."""
    rules = FOLLOW.get(start.split(":", 1)[0], {})
    named = {s for s in _named(conn, seqs) if s.split(":", 1)[0] in rules} - done
    done |= named
    found: set[int] = set()
    for subject in named:
        kinds = rules[subject.split(":", 1)[0]]
        mine = _seqs(conn, [subject], size)
        if kinds is not ANY:
            mine = {seq for seq, kind in _kinds(conn, mine).items() if kind in kinds}
        found |= mine
        found |= (
            _followed(conn, subject, mine, size, done)
            if subject.startswith(("item:", "lab:"))
            else set()
        )
    return found


def scope(conn: Connection, subject: str, size: int) -> list[int]:
    """The positions (below `size`) a view of `subject` ('case:ID', 'item:ID') replays, in
    ledger order."""
    own = _seqs(conn, [subject], size)
    wanted = own | _followed(conn, subject, own, size, {subject}) | _reference(conn, size)
    kinds = _kinds(conn, wanted)
    return sorted(seq for seq in wanted if not kinds[seq].startswith(SKIPPED))
