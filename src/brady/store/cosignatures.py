"""Witnesses' cosignatures on the ledger's checkpoints, kept beside the checkpoints.

A cosignature is the witness's own signature (cosignature/v1) on a checkpoint: the
agency cannot make one, so a row here is trusted by no one on its word. Whoever relies
on it checks the line against the witness's key (`brady-verify --witness`, and
`problems` below with the keys in brady.toml). A row changed outside Brady fails that
check; a row deleted only takes a cosignature away, which a verifier's quorum then
misses. Rows are written once, after the checkpoint's own transaction committed, and
never changed (the migration adds the same triggers as on the ledger's tables).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Engine, Index, String, Table, Text, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..ledger.cosignature import Cosignature, Cosigner, split_note, verify_cosignature
from ..ledger.errors import LedgerError
from .engine import writing
from .tables import ledger_checkpoint, metadata

ledger_cosignature = Table(
    "ledger_cosignature",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    # The witness's key name, as on its cosignature line.
    Column("witness", String(255), primary_key=True),
    # The witness's verifier key (name+id+key), so each row can be checked on its own.
    Column("vkey", Text, nullable=False),
    # The signature line exactly as it is appended to the checkpoint note.
    Column("line", Text, nullable=False),
    # When Brady received it (ledger time form); the signed time is in the line itself.
    Column("received_at", String(32), nullable=False),
    Index("ix_ledger_cosignature_witness", "witness", "size"),
)


@dataclass(frozen=True)
class StoredCosignature:
    size: int
    witness: str
    vkey: str
    line: str
    received_at: str


def _row(row: object) -> StoredCosignature:
    return StoredCosignature(
        int(row.size),  # type: ignore[attr-defined]
        str(row.witness),  # type: ignore[attr-defined]
        str(row.vkey),  # type: ignore[attr-defined]
        str(row.line),  # type: ignore[attr-defined]
        str(row.received_at),  # type: ignore[attr-defined]
    )


def keep(
    engine: Engine, size: int, cosigner: Cosigner, cosignature: Cosignature, received_at: str
) -> bool:
    """Store a witness's cosignature on the checkpoint of `size`, in a write transaction of
    its own (never an append's); False if it holds one there already (the first is kept:
    rows are never changed)."""
    with writing(engine) as conn:
        exists = conn.execute(
            select(ledger_cosignature.c.size).where(
                (ledger_cosignature.c.size == size)
                & (ledger_cosignature.c.witness == cosigner.name)
            )
        ).first()
        if exists is not None:
            return False
        try:
            with conn.begin_nested():
                conn.execute(
                    ledger_cosignature.insert().values(
                        size=size,
                        witness=cosigner.name,
                        vkey=cosigner.vkey(),
                        line=cosignature.line(),
                        received_at=received_at,
                    )
                )
        except IntegrityError:  # another server process stored it first
            return False
    return True


def on_checkpoint(conn: Connection, size: int) -> list[StoredCosignature]:
    """The cosignatures kept for the checkpoint of `size`, by witness name."""
    rows = conn.execute(
        select(ledger_cosignature)
        .where(ledger_cosignature.c.size == size)
        .order_by(ledger_cosignature.c.witness)
    )
    return [_row(r) for r in rows]


def last_cosigned(conn: Connection, witness: str) -> int | None:
    """The largest checkpoint the witness has cosigned for this ledger, if any."""
    size = conn.execute(
        select(func.max(ledger_cosignature.c.size)).where(ledger_cosignature.c.witness == witness)
    ).scalar()
    return None if size is None else int(size)


def checkpoints_after(conn: Connection, size: int) -> tuple[int, int | None, int | None]:
    """How many checkpoints were signed after `size`, and the first and last of their sizes."""
    row = conn.execute(
        select(
            func.count(), func.min(ledger_checkpoint.c.size), func.max(ledger_checkpoint.c.size)
        ).where(ledger_checkpoint.c.size > size)
    ).one()
    count, first, last = row
    return int(count), None if first is None else int(first), None if last is None else int(last)


def newest_cosigned(conn: Connection, vkeys: Sequence[str], quorum: int) -> int | None:
    """The largest checkpoint holding at least `quorum` kept cosignatures by these keys."""
    query = (
        select(ledger_cosignature.c.size)
        .where(ledger_cosignature.c.vkey.in_(list(vkeys)))
        .group_by(ledger_cosignature.c.size)
        .having(func.count() >= quorum)
        .order_by(ledger_cosignature.c.size.desc())
        .limit(1)
    )
    size = conn.execute(query).scalar()
    return None if size is None else int(size)


def every(conn: Connection) -> Iterable[StoredCosignature]:
    for row in conn.execute(
        select(ledger_cosignature).order_by(ledger_cosignature.c.size, ledger_cosignature.c.witness)
    ):
        yield _row(row)


def with_cosignatures(note: str, kept: Sequence[StoredCosignature]) -> str:
    """The checkpoint note with the kept cosignature lines appended after its own."""
    return note + "".join(k.line for k in kept if k.line not in note)


def problems(conn: Connection, witnesses: Sequence[Cosigner]) -> list[str]:
    """What is wrong with the kept cosignatures: a line that is not its witness's valid
    signature on the checkpoint of its size, or one from a key brady.toml does not list."""
    known = {w.vkey() for w in witnesses}
    notes: dict[int, str | None] = {}
    found: list[str] = []
    for kept in every(conn):
        where = f"the cosignature by {kept.witness} on the checkpoint of {kept.size} entries"
        if kept.size not in notes:
            notes[kept.size] = conn.execute(
                select(ledger_checkpoint.c.note).where(ledger_checkpoint.c.size == kept.size)
            ).scalar()
        note = notes[kept.size]
        if note is None:
            found.append(f"{where} is for a checkpoint the ledger does not hold")
            continue
        if kept.vkey not in known:
            found.append(
                f"{where} is by a key brady.toml does not list as a witness ({kept.vkey}); "
                "list it (retired = true if it no longer cosigns) or find out who added it"
            )
            continue
        try:
            cosigner = Cosigner.from_vkey(kept.vkey)
            if cosigner.name != kept.witness:
                raise LedgerError(f"its row names {kept.witness}, its key is {cosigner.name}'s")
            text, _ = split_note(note)
            (sig,) = split_note(text + "\n" + kept.line)[1]
            verify_cosignature(text, Cosignature.from_note_signature(sig), cosigner)
        except (LedgerError, ValueError) as exc:
            found.append(f"{where} does not verify ({exc}): it was changed outside Brady")
    return found
