"""Sealing the rows of a ledger made before seals existed, and checking every seal.

`brady upgrade` seals the rows it finds (with the master key, which it therefore needs);
`brady verify`, given the master key, checks every row's seal, the checkpoint chain and
that every sealed private key opens to the public key its row names.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Table, select, update
from sqlalchemy.engine import Connection

from ..ledger.ed25519 import Signer
from ..ledger.entry import actor_key_id, format_time
from .account_tables import access_log, account, api_token, web_session
from .append_only import unprotected
from .keys import LOG, load_role
from .row_seals import COVERED, RowSeals, chain_key, chain_link
from .sealing import MasterKey, SealingError
from .tables import ledger_checkpoint, sealed_key

SEALED: tuple[Table, ...] = (account, api_token, web_session, sealed_key)
assert {t.name for t in SEALED} == set(COVERED)


def reseal(
    conn: Connection, seals: RowSeals, table: Table, where: ColumnElement[bool], **values: object
) -> int:
    """Change rows and their seals together (each seal covers the row's new values); with no
    values, seal the rows as they are. The one way a sealed row is written after insert."""
    (key,) = table.primary_key.columns
    rows = conn.execute(select(table).where(where)).mappings().all()
    for row in rows:
        seal = seals.seal(table.name, {**row, **values})
        conn.execute(update(table).where(key == row[key.name]).values(**values, seal=seal))
    return len(rows)


def _chain_key(conn: Connection, master: MasterKey) -> bytes:
    return chain_key(load_role(conn, master, LOG).seed)


def _distrust_unsealed(conn: Connection) -> None:
    """Before sealing an older ledger's rows: what it cannot vouch for is ended, not sealed.
    Browser sessions end (their users sign in again); a token the access log never saw
    made (`token.create`) is revoked, so a row planted before the upgrade is not sealed
    into a working credential."""
    now = format_time(datetime.now(UTC))
    conn.execute(
        update(web_session)
        .where(web_session.c.seal.is_(None) & web_session.c.ended_at.is_(None))
        .values(ended_at=now)
    )
    made = select(access_log.c.detail).where(
        (access_log.c.action == "token.create") & access_log.c.detail.is_not(None)
    )
    conn.execute(
        update(api_token)
        .where(
            api_token.c.seal.is_(None)
            & api_token.c.revoked_at.is_(None)
            & api_token.c.token_id.not_in(made)
        )
        .values(revoked_at=now)
    )


def seal_all(conn: Connection, master: MasterKey) -> int:
    """Seal every unsealed row and chain every unchained checkpoint; returns how many."""
    done = 0
    _distrust_unsealed(conn)
    with unprotected(conn, ("sealed_key", "ledger_checkpoint")):
        for table in SEALED:
            done += reseal(conn, master.rows, table, table.c.seal.is_(None))
        link_key = _chain_key(conn, master)
        previous: str | None = None
        for cp in conn.execute(select(ledger_checkpoint).order_by(ledger_checkpoint.c.size)):
            if cp.chain is None:
                chain = chain_link(link_key, previous, int(cp.size), cp.note, cp.created_at)
                conn.execute(
                    update(ledger_checkpoint)
                    .where(ledger_checkpoint.c.size == cp.size)
                    .values(chain=chain)
                )
                done += 1
                previous = chain
            else:
                previous = cp.chain
    return done


def _what(table: str, row: dict[str, object]) -> str:
    if table == "account":
        return f"the password record of {row['user_id']}"
    if table == "api_token":
        return f"API token {row['token_id']} of {row['user_id']}"
    if table == "web_session":
        return f"a browser session of {row['user_id']} (started {row['created_at']})"
    return f"the stored key {row['key_id']} ({row['holder']})"


def broken_seals(conn: Connection, master: MasterKey) -> Iterator[str]:
    """What was changed outside Brady: each row whose seal fails, each break in the
    checkpoint chain, each sealed key that does not open to its own public key."""
    seals: RowSeals = master.rows
    for table in SEALED:
        for found in conn.execute(select(table)).mappings():
            row = dict(found)
            if not seals.holds(table.name, row):
                state = "has no seal" if row["seal"] is None else "does not match its seal"
                yield f"{_what(table.name, row)} {state}: it was added or changed outside Brady"
            elif table is sealed_key:
                yield from _opens(master, row)
    try:
        link_key = _chain_key(conn, master)
    except (LookupError, SealingError) as exc:
        yield f"the checkpoint chain cannot be checked: {exc}"
        return
    previous: str | None = None
    for cp in conn.execute(select(ledger_checkpoint).order_by(ledger_checkpoint.c.size)):
        expected = chain_link(link_key, previous, int(cp.size), cp.note, cp.created_at)
        if cp.chain != expected:
            yield (
                f"the stored checkpoint of {cp.size} entries does not follow the one before it "
                "(a checkpoint between them was deleted, or this one was changed)"
            )
        previous = cp.chain


def _opens(master: MasterKey, row: dict[str, object]) -> Iterator[str]:
    try:
        seed = master.unseal(bytes(row["sealed"]), f"key {row['key_id']}")  # type: ignore[call-overload]
    except SealingError as exc:
        yield str(exc)
        return
    if actor_key_id(Signer(seed).public_key) != row["key_id"]:
        yield f"the stored key {row['key_id']} opens to a different private key"
