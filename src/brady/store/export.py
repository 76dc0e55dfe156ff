"""Writing a static copy of the ledger in the C2SP tlog-tiles layout.

The copy is read in one snapshot at the latest checkpoint, so it is exactly
the tree that checkpoint signs, and anyone holding the log's public key can
check it with the stand-alone verifier or any tlog-tiles client.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from ..ledger.tiles import TILE_HEIGHT, TILE_WIDTH, bundle, tile_path, tiles_for
from . import cosignatures
from .ledger_store import LedgerStore, StoredCheckpoint, StoreError
from .tables import ledger_checkpoint, ledger_entry, ledger_node


def export_tiles(store: LedgerStore, target: Path) -> StoredCheckpoint:
    if target.exists() and any(target.iterdir()):
        raise StoreError(f"{target} is not empty; export into a new folder")
    snapshot = {"isolation_level": "REPEATABLE READ"}
    with store.engine.connect() as plain:
        conn = plain.execution_options(**snapshot) if plain.dialect.name == "postgresql" else plain
        with conn.begin():
            row = conn.execute(
                select(ledger_checkpoint).order_by(ledger_checkpoint.c.size.desc()).limit(1)
            ).first()
            if row is None:
                raise StoreError("the ledger has no checkpoint to export")
            cp = StoredCheckpoint(int(row.size), row.note, row.created_at)
            # The checkpoint with the witnesses' cosignatures kept for it, so the copy can be
            # held to a witness policy (`brady-verify export --witness`); verifiers that know
            # no witness ignore those lines.
            served = cosignatures.with_cosignatures(
                cp.note, cosignatures.on_checkpoint(conn, cp.size)
            )
            for level, n, width in tiles_for(cp.size):
                tree_level = level * TILE_HEIGHT
                first = n * TILE_WIDTH
                hashes = (
                    conn.execute(
                        select(ledger_node.c.hash)
                        .where(
                            ledger_node.c.level == tree_level,
                            ledger_node.c.idx >= first,
                            ledger_node.c.idx < first + width,
                        )
                        .order_by(ledger_node.c.idx)
                    )
                    .scalars()
                    .all()
                )
                if len(hashes) != width:
                    raise StoreError(
                        f"stored hashes for tile {level}/{n} are missing; run brady verify"
                    )
                _write(target, tile_path(level, n, width), b"".join(bytes(h) for h in hashes))
                if level == 0:
                    entries = (
                        conn.execute(
                            select(ledger_entry.c.entry)
                            .where(ledger_entry.c.seq >= first, ledger_entry.c.seq < first + width)
                            .order_by(ledger_entry.c.seq)
                        )
                        .scalars()
                        .all()
                    )
                    if len(entries) != width:
                        raise StoreError(
                            f"entries {first}-{first + width - 1} are missing; run brady verify"
                        )
                    _write(
                        target, tile_path("entries", n, width), bundle([bytes(e) for e in entries])
                    )
    _write(target, "checkpoint", served.encode())
    return cp


def _write(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
