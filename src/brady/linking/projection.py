"""Keeps the mention index in step with the ledger: what each record is known by.

A projection like the custody one (the same entries give the same rows, so `brady
verify` can rebuild and compare it), kept by linking because only linking knows what a
mention is. It runs after the custody projection in every append and reads the custody
tables it needs (an item's fields, an agency's number formats) but writes only its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from ..domain import events as ev
from ..ledger.entry import Entry
from ..store.custody_tables import item
from ..store.ledger_store import HandlerProjector
from ..store.raw_sql import execute_many, fetch_all
from . import index, known_patterns, name_search
from .mention import Mention
from .patterns import Patterns
from .tables import (
    file_mention,
    linking_count,
    linking_pattern,
    linking_patterns_version,
    mention_index,
)


def _payload(entry: Entry) -> Any:
    return ev.parse_payload(entry.kind, entry.payload)


def _day(entry: Entry, payload: Any) -> date:
    """The day a record speaks of: when it happened, else when it was recorded."""
    when = getattr(payload, "occurred_at", None) or entry.recorded_at
    return date.fromisoformat(str(when)[:10])


def _index(conn: Connection, owner_kind: str, owner_id: str, mentions: Iterable[Mention]) -> None:
    """Record what a thing is known by. Sorted: the same text wins in every replay."""
    mentions = list(mentions)
    rows = index.stored_rows(mentions)
    if rows:
        execute_many(
            conn,
            "INSERT INTO mention_index (owner_kind, owner_id, kind, key, text) "
            "VALUES (?, ?, ?, ?, ?)",
            [(owner_kind, owner_id, kind, key, text) for kind, key, text in rows],
        )
        _learn_towns(conn, mentions)


def _index_new(
    conn: Connection, owner_kind: str, owner_id: str, mentions: Iterable[Mention]
) -> None:
    """Add what a thing is now also known by (a lab finding, a page, a new number)."""
    have = {
        (str(k), str(v))
        for k, v in fetch_all(
            conn,
            "SELECT kind, key FROM mention_index WHERE owner_kind = ? AND owner_id = ?",
            (owner_kind, owner_id),
        )
    }
    _index(conn, owner_kind, owner_id, [m for m in mentions if (m.kind, m.key[:200]) not in have])


TOWN_SEEN = 2
"""A town is learned once addresses in this many records name it ('..., Los Lunas'):
then it is never read as a person, and a report that names it says so."""


def patterns(conn: Connection) -> Patterns:
    """What extraction looks for at this point of the ledger: the defaults, every
    agency's case-number formats, the patterns and places an administrator recorded, the
    towns the record's addresses name and the record's organizations."""
    return known_patterns.read(conn, [])[0]


def _learn_towns(conn: Connection, mentions: Iterable[Mention]) -> None:
    for town in sorted({m.key for m in mentions if m.kind == "town@"}):
        known = fetch_all(
            conn, "SELECT 1 FROM linking_pattern WHERE kind = 'town' AND key = ?", (town,)
        )
        if known:
            continue
        (seen,) = fetch_all(
            conn,
            "SELECT count(*) FROM mention_index WHERE kind = 'town@' AND key = ?",
            (town,),
        )[0]
        if int(seen) >= TOWN_SEEN:
            conn.execute(linking_pattern.insert(), [{"kind": "town", "key": town, "pattern": ""}])
            known_patterns.changed(conn, f"town {town}".encode())


KEPT_KINDS = ("town", "m", "prior", "queue")
"""Rows a new set of patterns leaves: learned towns, and the trained model."""


def _linking_model(conn: Connection, entry: Entry) -> None:
    p: ev.LinkingModel = _payload(entry)
    conn.execute(delete(linking_pattern).where(linking_pattern.c.kind.in_(("m", "prior", "queue"))))
    rows = [{"kind": "m", "key": k, "pattern": repr(v)} for k, v in sorted(p.m.items())]
    rows.append({"kind": "prior", "key": "", "pattern": repr(p.prior)})
    if p.threshold is not None:
        rows.append({"kind": "queue", "key": repr(p.queue_per_100), "pattern": repr(p.threshold)})
    conn.execute(linking_pattern.insert(), rows)
    known_patterns.changed(conn, entry.raw)


def _linking_patterns(conn: Connection, entry: Entry) -> None:
    p: ev.LinkingPatterns = _payload(entry)
    conn.execute(delete(linking_pattern).where(linking_pattern.c.kind.not_in(KEPT_KINDS)))
    rows = [{"kind": "case_number", "key": "", "pattern": x} for x in sorted(set(p.case_numbers))]
    rows += [{"kind": "caliber", "key": k, "pattern": v} for k, v in sorted(p.calibers.items())]
    rows += [{"kind": "make", "key": v, "pattern": k} for k, v in sorted(p.makes.items())]
    rows += [{"kind": "place", "key": x, "pattern": ""} for x in sorted(set(p.places))]
    if rows:
        conn.execute(linking_pattern.insert(), rows)
    known_patterns.changed(conn, entry.raw)


def reindex_item(conn: Connection, item_id: str, day: date) -> None:
    """An item's fields changed (a correction, a split): its mentions are read again,
    with what the lab found about it."""
    execute_many(
        conn, "DELETE FROM mention_index WHERE owner_kind = 'item' AND owner_id = ?", [(item_id,)]
    )
    row = conn.execute(select(item).where(item.c.item_id == item_id)).one()
    found = index.item_mentions(dict(row._mapping), patterns(conn), day)
    found |= {
        Mention(str(kind), str(key), str(text))
        for kind, key, text in fetch_all(
            conn, "SELECT kind, key, text FROM file_mention WHERE item_id = ?", (item_id,)
        )
    }
    for (findings,) in fetch_all(
        conn,
        "SELECT findings FROM lab_request WHERE findings IS NOT NULL AND item_ids LIKE ? "
        "ORDER BY request_id",
        (f'%"{item_id}"%',),
    ):
        found |= index.text_mentions(str(findings), patterns(conn), day)
    _index(conn, "item", item_id, found)


def _intake(conn: Connection, entry: Entry) -> None:
    p: ev.ItemIntake = _payload(entry)
    found = index.item_mentions(p.model_dump(), patterns(conn), _day(entry, p))
    _index(conn, "item", p.item_id, found)


def _split(conn: Connection, entry: Entry) -> None:
    p: ev.ItemSplit = _payload(entry)
    reindex_item(conn, p.new_item_id, _day(entry, p))


def _correct(conn: Connection, entry: Entry) -> None:
    p: ev.Correction = _payload(entry)
    target = conn.execute(select(item.c.item_id).where(item.c.intake_seq == p.target_seq)).scalar()
    if target is not None:
        reindex_item(conn, str(target), _day(entry, p))


def _lab_result(conn: Connection, entry: Entry) -> None:
    """What the lab found is known about the items too."""
    p: ev.LabResult = _payload(entry)
    (raw,) = fetch_all(
        conn, "SELECT item_ids FROM lab_request WHERE request_id = ?", (p.request_id,)
    )[0]
    found = index.text_mentions(p.findings, patterns(conn), _day(entry, p))
    for item_id in json.loads(raw):
        _index_new(conn, "item", item_id, found)


def _file_read(conn: Connection, entry: Entry) -> None:
    """What the pages of a file say is known about its item too."""
    p: ev.FileRead = _payload(entry)
    rows: dict[tuple[str, str], ev.PageMention] = {}
    for m in p.mentions:
        rows.setdefault((m.kind, m.key), m)  # the first page that says it
    if rows:
        conn.execute(
            file_mention.insert(),
            [
                {
                    "item_id": p.item_id,
                    "sha256": p.sha256,
                    "kind": k,
                    "key": key,
                    "page": m.page,
                    "text": m.text,
                }
                for (k, key), m in sorted(rows.items())
            ],
        )
    _index_new(conn, "item", p.item_id, [Mention(m.kind, m.key, m.text) for m in rows.values()])


def count(conn: Connection, kind: str, key: str, by: int = 1) -> None:
    """One more (or fewer) of something in the record."""
    updated = conn.execute(
        update(linking_count)
        .where((linking_count.c.kind == kind) & (linking_count.c.key == key))
        .values(n=linking_count.c.n + by)
    )
    if updated.rowcount == 0:
        conn.execute(linking_count.insert().values(kind=kind, key=key, n=by))


def _person_add(conn: Connection, entry: Entry) -> None:
    p: ev.PersonAdd = _payload(entry)
    _index(conn, "person", p.person_id, index.person_mentions(p.name, p.aliases))
    count(conn, "people", "")
    for kind, key in index.name_parts(p.name):
        count(conn, kind, key)


def _organization_add(conn: Connection, entry: Entry) -> None:
    p: ev.OrganizationAdd = _payload(entry)
    _index(conn, "organization", p.org_id, index.organization_mentions(p.name, p.aliases))
    count(conn, "organizations", "")
    known_patterns.changed(conn, entry.raw)


def _agency_add(conn: Connection, entry: Entry) -> None:
    """The custody projection keeps the agency; its case-number formats are patterns."""
    known_patterns.changed(conn, entry.raw)


def _case_close(conn: Connection, entry: Entry) -> None:
    count(conn, "open_cases", "", -1)


def _case_open(conn: Connection, entry: Entry) -> None:
    p: ev.CaseOpen = _payload(entry)
    count(conn, "open_cases", "")
    found = index.case_mentions(
        p.narrative, [n.number for n in p.numbers], patterns(conn), _day(entry, p)
    )
    _index(conn, "case", p.case_id, found)


def _case_add_number(conn: Connection, entry: Entry) -> None:
    p: ev.CaseAddNumber = _payload(entry)
    _index_new(conn, "case", p.case_id, index.case_mentions(None, [p.number.number]))


_HANDLERS: dict[str, Callable[[Connection, Entry], None]] = {
    "linking.patterns": _linking_patterns,
    "linking.model": _linking_model,
    "person.add": _person_add,
    "organization.add": _organization_add,
    "agency.add": _agency_add,
    "case.open": _case_open,
    "case.close": _case_close,
    "case.add_number": _case_add_number,
    "item.intake": _intake,
    "item.split": _split,
    "record.correct": _correct,
    "lab.result": _lab_result,
    "file.read": _file_read,
}


class LinkingProjector(HandlerProjector):
    """The mention index and the recorded patterns; plug in after the custody projector."""

    tables = (mention_index, linking_pattern, file_mention, linking_count, linking_patterns_version)
    handlers = _HANDLERS
    version = 5
    """1: names in any script and order with their sound, scanner and slip keys; near
    keys of serials and plates; case numbers by shape; addresses; the agency's places.
    2: how common given names, surnames and full names are; towns learned from
    addresses; the record's organizations looked for without their suffixes; what the
    pages of attached files mention; how common names, people, businesses and open cases
    are (counted as they are recorded); the trained model. 3: a number held as year,
    district, serial ('2021-10-0001') found in free text written in full. 4: two
    surnames first in mixed case ('Martínez Apodaca, Alison'); surnames that are makes or
    states (Makarov, Sierra) and 'Frank White' read as names; a middle name that is a
    known given name never taken for a first surname. 5: the hash of the changes to what
    extraction looks for (`linking_patterns_version`), so a process reads them once per
    change."""

    def prepare(self, conn: Connection) -> None:
        """Before a rebuild: the name search index is emptied (the rebuild refills it)."""
        name_search.reset(conn)

    def check(self, conn: Connection) -> list[str]:
        return name_search.check(conn)
