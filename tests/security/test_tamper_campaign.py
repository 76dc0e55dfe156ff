"""A random tamper campaign over every table of a working ledger (finding 10's method).

The world of the server tests (two agencies, every role, files, a production, a link
suggestion, an inventory, the access log anchored) is built once per database; then, for
every table, seeded random single changes are made as an intruder with the database's
credentials would (triggers and foreign keys out of the way): a cell edited, a row
deleted, a row copied under a new key, two rows' values exchanged. After each change
`brady verify`'s audit (with the master key) and the access log's check run; the change
must be caught. The database is then put back as it was before the next change.

What a change may leave unseen is listed in EXEMPT with the reason: working state that
is not the record (sign-in counters, last-use times) and schema bookkeeping.
"""

from __future__ import annotations

import io
import os
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, text
from sqlalchemy.engine import Connection

from brady.accounts.anchors import anchor, anchors, verify_access
from brady.custody.files import attach
from brady.custody.service import Custody
from brady.disclosure.desk import Desk
from brady.ledger.errors import LedgerError
from brady.ledger_home import OpenLedger
from brady.ledger_witnesses import check_kept, offer
from brady.linking.name_search import fts_query
from brady.store.audit import audit
from brady.witness.home import close_witness, follow_log, init_witness, open_witness
from brady.witness.http import create_app

from ..api.conftest import PASSWORD, World, build
from ..conftest import served

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("BRADY_TAMPER_SEED", "20261206"))
PER_TABLE = int(os.environ.get("BRADY_TAMPER_PER_TABLE", "4"))
"""The test command's campaign; a longer one: BRADY_TAMPER_PER_TABLE=25 and other seeds."""

EXEMPT_TABLES = {
    "signin_attempt": "sign-in counters decide when to lock an account, they record nothing",
    "alembic_version": "schema bookkeeping: Brady refuses to open a database at another version",
    "projection_version": "bookkeeping: a changed version makes Brady rebuild the state tables",
}
EXEMPT_COLUMNS = {
    ("account", "locked_at"): "a lock only ever refuses more",
    ("account", "locked_reason"): "a lock only ever refuses more",
    ("account", "banner_ack_at"): "when the user last acknowledged the banner",
    ("account", "changed_at"): "when the row last changed; decides nothing it grants",
    ("api_token", "label"): "the token's name for its owner",
    ("api_token", "last_used_at"): "last-use time (the token list shows it)",
    ("web_session", "last_seen_at"): "last-use time (decides only the idle limit)",
    ("ledger_cosignature", "received_at"): "when Brady received it; the time the witness "
    "signed is inside the signed line",
}
FTS_INNER = "person_name_fts"
"""SQLite FTS5's table and its own pages (data, idx, docsize, config, content). A change
there that no search can tell from the original (a page nothing points to, two names of
one person exchanging row numbers) alters nothing the index answers; whether any search
notices is judged by _search_answers, not by verify."""
ACCESS_ROWS = {"account", "api_token", "web_session"}
"""Deleting one of these takes access away and grants none; the access log keeps every
token made and every sign-in."""
TAKEN_AWAY_ONLY = {"ledger_cosignature"}
"""A witness's cosignature is the witness's signature, not the agency's: deleting one
only takes it away, and a verifier's quorum then refuses more (`brady ledger witnesses
status` names the checkpoint that lacks it). Every other change must be caught."""


@dataclass(frozen=True)
class Change:
    table: str
    kind: str  # edit | delete | copy | swap
    column: str | None
    sql: list[tuple[str, dict[str, Any]]]

    def __str__(self) -> str:
        return f"{self.kind} {self.table}" + (f".{self.column}" if self.column else "")


def _rows(conn: Connection, table: Table, locator: str) -> list[dict[str, Any]]:
    cols = ", ".join(f'"{c.name}"' for c in table.columns)
    query = f'SELECT {locator} AS loc_, {cols} FROM "{table.name}"'
    return [dict(r._mapping) for r in conn.execute(text(query))]


def _where(dialect: str, table: Table, row: dict[str, Any], p: str) -> tuple[str, dict[str, Any]]:
    if row["loc_"] is None:  # SQLite WITHOUT ROWID: its primary key says which row
        keys = [c.name for c in table.primary_key.columns]
        return " AND ".join(f'"{k}" = :{p}{k}' for k in keys), {f"{p}{k}": row[k] for k in keys}
    if dialect == "postgresql":
        return f"ctid = CAST(:{p}loc AS tid)", {f"{p}loc": row["loc_"]}
    return f"rowid = :{p}loc", {f"{p}loc": row["loc_"]}


def _kind(column: Any) -> type:
    try:
        return column.type.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return str


def _other(value: Any, column: Any, rng: random.Random) -> Any:
    """A different value of the same kind: the least an intruder would change."""
    if value is None:
        kind = _kind(column)
        return {int: 7, bool: True, bytes: b"\x01", str: "2026-01-01T00:00:00Z"}.get(kind, "x")
    if isinstance(value, bool) or _kind(column) is bool:  # SQLite keeps a boolean as 0 or 1
        return not value
    if isinstance(value, int):
        return value + rng.choice((1, -1, 1000))
    if isinstance(value, bytes | memoryview):
        raw = bytearray(bytes(value) or b"\x00")
        raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
        return bytes(raw)
    if isinstance(value, float):
        return value + 1.5
    text_value = str(value)
    if not text_value:
        return "x"
    i = rng.randrange(len(text_value))
    swap = "b" if text_value[i] != "b" else "c"
    return text_value[:i] + swap + text_value[i + 1 :]


def _change(conn: Connection, table: Table, rng: random.Random, locator: str) -> Change | None:
    """One random change to the table as it is now (None: a no-op was drawn)."""
    rows = _rows(conn, table, locator)
    if not rows:
        return None
    dialect = conn.dialect.name
    columns = [c for c in table.columns if (table.name, c.name) not in EXEMPT_COLUMNS]
    kinds = ["edit", "edit", "swap", "copy"]
    if table.name not in ACCESS_ROWS | TAKEN_AWAY_ONLY:
        kinds.append("delete")
    kind = rng.choice(kinds)
    row = rng.choice(rows)
    where, params = _where(dialect, table, row, "a")
    if kind == "delete":
        return Change(
            table.name, kind, None, [(f'DELETE FROM "{table.name}" WHERE {where}', params)]
        )
    if kind == "edit":
        column = rng.choice(columns)
        new = _other(row[column.name], column, rng)
        sql = f'UPDATE "{table.name}" SET "{column.name}" = :new WHERE {where}'
        return Change(table.name, kind, column.name, [(sql, {**params, "new": new})])
    if kind == "swap":
        column = rng.choice(columns)
        other = rng.choice(rows)
        if other[column.name] == row[column.name]:
            return None
        where_b, params_b = _where(dialect, table, other, "b")
        set_ = f'UPDATE "{table.name}" SET "{column.name}" = :v WHERE '
        return Change(
            table.name,
            kind,
            column.name,
            [
                (set_ + where, {**params, "v": other[column.name]}),
                (set_ + where_b, {**params_b, "v": row[column.name]}),
            ],
        )
    keys = [c.name for c in table.primary_key.columns] or [rng.choice(columns).name]
    copy = {c.name: row[c.name] for c in table.columns}
    for k in keys:
        copy[k] = _other(copy[k], table.c[k], rng)
    names = ", ".join(f'"{n}"' for n in copy)
    marks = ", ".join(f":{n}" for n in copy)
    return Change(
        table.name, kind, None, [(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', copy)]
    )


def _backup(source: Path, target: Path) -> None:
    """SQLite's own copy (its write-ahead log included), page for page."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


class Database:
    """Applies a change as an intruder would, and puts the database back afterwards."""

    def __init__(self, led: OpenLedger, scratch: Path) -> None:
        self.led = led
        self.engine = led.engine
        self.sqlite = self.engine.dialect.name == "sqlite"
        self.file = Path(str(self.engine.url.database)) if self.sqlite else None
        self.copy = scratch / "before.db"
        self.kept: dict[str, list[dict[str, Any]]] = {}

    def locator(self, conn: Connection, table: str) -> str:
        if not self.sqlite:
            return "ctid::text"
        try:
            conn.execute(text(f'SELECT rowid FROM "{table}" LIMIT 1'))
            return "rowid"
        except Exception:
            conn.rollback()
            return "NULL"

    def apply(self, change: Change, table: Table) -> bool:
        """Make the change; False if the database itself refused it (a constraint)."""
        self.engine.dispose()
        if self.file is not None:
            _backup(self.file, self.copy)
        with self.engine.connect() as conn:
            if not self.sqlite:
                cols = ", ".join(f'"{c.name}"' for c in table.columns)
                self.kept[table.name] = [
                    dict(r._mapping)
                    for r in conn.execute(text(f'SELECT {cols} FROM "{table.name}"'))
                ]
                conn.execute(text("SET session_replication_role = replica"))
            else:
                for (name,) in list(
                    conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                ):
                    if not name.startswith("person_name_fts"):
                        conn.execute(text(f'DROP TRIGGER "{name}"'))
            try:
                for sql, params in change.sql:
                    if conn.execute(text(sql), params).rowcount != 1:
                        raise LookupError(f"{change}: the row was not found")
                conn.commit()
            except Exception:  # refused by the database (a constraint): not a change made
                conn.rollback()
                self.restore(table)
                return False
        return True

    def restore(self, table: Table) -> None:
        self.engine.dispose()
        if self.file is not None:
            _backup(self.copy, self.file)
            return
        with self.engine.connect() as conn:
            conn.execute(text("SET session_replication_role = replica"))
            conn.execute(text(f'DELETE FROM "{table.name}"'))
            rows = self.kept.pop(table.name)
            if rows:
                names = ", ".join(f'"{n}"' for n in rows[0])
                marks = ", ".join(f":{n}" for n in rows[0])
                conn.execute(text(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'), rows)
            conn.commit()


def _search_answers(led: OpenLedger) -> dict[str, list[tuple[Any, ...]]]:
    """What SQLite's name search answers for every name in the record, each misspelt once,
    and each of their trigrams: the oracle for a change to the search index's own inner
    tables, judged by the searches linking makes rather than by verify's check."""
    if led.engine.dialect.name != "sqlite":
        return {}
    with led.engine.connect() as conn:
        keys = [
            str(k)
            for (k,) in conn.execute(
                text(
                    "SELECT key FROM mention_index WHERE owner_kind = 'person' AND kind = 'person'"
                )
            )
        ]
        probes = {fts_query(k) for k in keys}
        probes |= {fts_query(k[:i] + k[i + 1 :]) for k in keys for i in range(len(k))}
        probes |= {f'"{k[i : i + 3]}"' for k in keys for i in range(len(k) - 2)}
        # The names and people found, as linking reads them; which inner row number holds
        # a name is no part of any answer.
        sql = text(
            "SELECT owner_id, key FROM person_name_fts WHERE person_name_fts MATCH :q "
            "ORDER BY owner_id, key"
        )
        return {q: [tuple(r) for r in conn.execute(sql, {"q": q})] for q in sorted(probes) if q}


def _caught(led: OpenLedger) -> list[str]:
    """What verify (with the witnesses' keys) and the access log check report; a check that
    fails with an error of its own instead of a finding is reported as 'stopped' (and fails
    the campaign below)."""
    try:
        report = audit(
            led.store, led.config.database_url, led.config.log_vkey, workers=1, master=led.master
        )
        found = [str(p) for p in report.problems]
        found += check_kept(led)  # with the witness keys brady.toml lists
    except Exception as exc:  # the audit could not read what it found
        found = [f"stopped: verify: {exc!r}"]
    try:
        found += verify_access(led).problems
    except LedgerError as exc:  # a finding, as the CLI shows it
        found.append(str(exc))
    except Exception as exc:
        found.append(f"stopped: access verify: {exc!r}")
    return found


def _cosigned_by_a_witness(led: OpenLedger, folder: Path) -> None:
    """A real witness (its own folder, store and HTTP server) listed in brady.toml cosigns
    two of the ledger's checkpoints, offered and kept as the server does."""
    init_witness(folder, "clerk.example/w1")
    witness = open_witness(folder)
    try:
        follow_log(witness, led.config.origin, led.config.log_vkey)
        with served(create_app(witness)) as url:
            with (led.config.path / "brady.toml").open("a") as fh:
                fh.write(
                    f'\n[[witnesses]]\nname = "clerk.example/w1"\n'
                    f'vkey = "{witness.cosigner.vkey()}"\nurl = "{url}"\n'
                )
            first = led.store.checkpoint().size
            assert [o.outcome for o in offer(led, first)] == ["cosigned"]
            with Custody(led).session() as s:
                s.add_location("admin", "SHELF9", "Shelf 9", "shelf")
            assert [o.outcome for o in offer(led)] == ["cosigned"]
    finally:
        close_witness(witness)


def _every_kind_of_row(world: World) -> None:
    """Beyond the server tests' world: a row in every table the record has."""
    custody = Custody(world.led)
    with custody.session() as s:
        s.add_organization("prosA", "ORG1", "Bonanza Creek Ranch", aliases=["BCR"])
        s.add_case_number("prosA", "CA1", "court", "D-101-CR-2024-00013")
        s.add_party("prosA", "CA2", "P1", "witness")  # CA1's defendant: related cases
        s.scan("clerkA", "INV1", "IA1", "PR")
        s.correct("clerkA", world.intake_seq, "description", "Report IA1, two pages", "Omitted")
        s.set_linking_patterns("admin", "Rounds", calibers={"45lc": r"\.45\s*colt"})
        desk = Desk(s)
        desk.case_rules("prosA", "CA1", "us-nm-district")
        desk.request("prosA", "CA1", "defA Name")
        desk.flag("prosA", "CA1", "item:IA2", impeachment=True, note="Prior statement")
        desk.withhold("prosA", "CA1", f"file:{world.files['IA2']}", "Witness safety", "Order 17")
        desk.receipt("prosA", world.production, "defA Name", world.bag_sha256)
    attach(
        custody,
        "clerkA",
        "IA3",
        io.BytesIO(b"Statement taken from Dana Delacroix at the ranch."),
        "statement.txt",
        "text/plain",
    )
    signed_in = world.client.post("/api/session", json={"user_id": "judgeA", "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text


@pytest.fixture
def world_led(ledger: OpenLedger) -> Iterator[OpenLedger]:
    world = build(ledger)
    with world.client:
        _every_kind_of_row(world)
        world.client.get("/api/items/IA1", headers=world.as_("prosA"))  # an access record
    _cosigned_by_a_witness(ledger, ledger.config.path.parent / "witness")
    anchor(Custody(ledger), "auditor")  # every access record anchored (if the server's own
    # anchor at shutdown left any out)
    fixed = anchors(ledger)
    assert fixed and fixed[-1][0] == verify_access(ledger).records
    yield ledger


def test_every_change_to_any_table_is_caught(world_led: OpenLedger, tmp_path: Path) -> None:
    led = world_led
    assert _caught(led) == []  # the untouched world verifies
    meta = MetaData()
    meta.reflect(led.engine)
    db = Database(led, tmp_path)
    rng = random.Random(SEED)
    tried: dict[str, int] = {}
    missed: list[str] = []
    unseen: list[str] = []
    stopped: list[str] = []
    answers = _search_answers(led)
    empty: list[str] = []
    for name in sorted(meta.tables):
        if name in EXEMPT_TABLES:
            continue
        table = meta.tables[name]
        for _ in range(40):  # until PER_TABLE changes the database accepts were made
            if tried.get(name, 0) >= PER_TABLE:
                break
            with led.engine.connect() as conn:
                if not _rows(conn, table, "NULL"):
                    empty.append(name)
                    break
                change = _change(conn, table, rng, db.locator(conn, name))
            if change is None or not db.apply(change, table):
                continue
            tried[name] = tried.get(name, 0) + 1
            found = _caught(led)
            stopped += [f"{change}: {f}" for f in found if f.startswith("stopped:")]
            if not found:
                if name.startswith(FTS_INNER) and _search_answers(led) == answers:
                    unseen.append(str(change))  # no search answers differently
                else:
                    missed.append(str(change))
            db.restore(table)
    assert _caught(led) == []  # put back as it was: the campaign itself left nothing behind
    print(f"\n{led.engine.dialect.name}: {sum(tried.values())} changes over {len(tried)} tables")
    print(f"tables with no rows in this world: {', '.join(empty) or 'none'}")
    print(f"changes to the search index's inner pages that no search notices: {unseen}")
    assert not missed, f"not caught: {missed}"
    assert not stopped, f"caught, but a check failed with an error of its own: {stopped}"
    assert not empty and len(tried) >= 40, (empty, tried)
    assert tried.get("ledger_cosignature") == PER_TABLE  # the witnesses' rows too
