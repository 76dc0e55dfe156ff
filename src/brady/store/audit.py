"""`brady verify`: the full audit of a stored ledger.

Everything is recomputed from the entries themselves: canonical form,
signatures under the key valid at each position, the Merkle tree and every
stored subtree hash, and every stored checkpoint (signature and root;
checkpoints that all sign roots of one recomputed sequence are consistent
with each other by construction). Chunks are audited in parallel worker
processes, each with its own database connection.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from ..ledger.audit import (
    CHUNK,
    CHUNK_LEVEL,
    ChunkResult,
    audit_chunk,
    check_times,
    replay_keys,
    upper_nodes,
)
from ..ledger.checkpoint import Checkpoint, open_checkpoint
from ..ledger.entry import actor_key_id, parse_entry
from ..ledger.errors import LedgerError, TamperError
from ..ledger.hashing import EMPTY_ROOT, fold_right
from ..ledger.keyring import Keyring
from ..ledger.note import Verifier
from ..ledger.tree import NodeId, node_count, range_nodes
from .engine import open_engine
from .ledger_store import LedgerStore, StoredCheckpoint, key_rows, read_entries
from .projection_check import compare, snapshot
from .raw_sql import fetch_all
from .sealed_rows import broken_seals
from .sealing import MasterKey
from .tables import ledger_node

Progress = Callable[[int, int], None]
"""Called with (entries audited so far, total)."""


@dataclass
class AuditReport:
    size: int = 0
    checkpoints: int = 0
    keys: int = 0
    latest: Checkpoint | None = None
    against: Checkpoint | None = None
    projections_checked: bool = False
    seals_checked: bool = False  # with the master key: rows that grant access, checkpoint chain
    nodes: int = 0  # every stored subtree hash, read with the size
    problems: list[TamperError | LedgerError] = field(default_factory=list)
    # Set by `audit_since` only (the nightly audit, audit_since.py):
    since: Checkpoint | None = None
    """The checkpoint the audit started from; entries before it were not read again."""
    first_checked: int = 0
    """The first entry read and checked: the start of the block of entries holding `since`."""
    subjects_checked: bool = False
    """The new entries' rows of the subject index match them (the one state table that
    `--since` checks; the others only the full audit rebuilds)."""
    chain_checked: bool = False
    """With the master key: the chain of the checkpoints stored since `since`."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def first_problem(self) -> LedgerError | None:
        def where(e: LedgerError) -> int:
            seq = getattr(e, "seq", None)
            return seq if isinstance(seq, int) else 1 << 62

        return min(self.problems, key=where) if self.problems else None


# Read straight from the driver's cursor (see raw_sql.py): the audit reads every row once.
_ROWS = "SELECT seq, kind, entry FROM ledger_entry WHERE seq >= ? AND seq < ? ORDER BY seq"
_LEVEL = "SELECT idx, hash FROM ledger_node WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx"


def _chunk_rows(conn: Connection, start: int, end: int) -> list[tuple[int, str, bytes]]:
    return [(seq, kind, bytes(raw)) for seq, kind, raw in fetch_all(conn, _ROWS, (start, end))]


def _chunk_nodes(conn: Connection, start: int, end: int) -> dict[int, list[bytes]]:
    """Stored hashes per level, in index order from the chunk's first node at that level.

    A level with a gap or an extra row comes back with an index list that does
    not line up, which the comparison reports as a missing or mismatched hash.
    """
    out: dict[int, list[bytes]] = {}
    for level in range(CHUNK_LEVEL + 1):
        first, stop = start >> level, end >> level
        if first == stop:
            break
        rows = fetch_all(conn, _LEVEL, (level, first, stop))
        hashes = [bytes(h) for _, h in rows]
        if not rows or rows[0][0] != first or rows[-1][0] != first + len(rows) - 1:
            hashes = [b""] * len(rows)  # a hole: make every position fail the comparison
        out[level] = hashes
    return out


def _audit_chunk_in(
    conn: Connection, origin: str, keyring: Keyring, key_seqs: frozenset[int], start: int, end: int
) -> ChunkResult:
    rows = _chunk_rows(conn, start, end)
    return audit_chunk(origin, keyring, key_seqs, start, end, rows, _chunk_nodes(conn, start, end))


_worker_engine: Engine | None = None


def _worker_init(url: str) -> None:
    global _worker_engine  # noqa: PLW0603 - one engine per worker process
    _worker_engine = open_engine(url)


def _worker_chunk(
    origin: str, keyring: Keyring, key_seqs: frozenset[int], start: int, end: int
) -> ChunkResult:
    assert _worker_engine is not None
    with _worker_engine.connect() as conn:
        return _audit_chunk_in(conn, origin, keyring, key_seqs, start, end)


def audit(
    store: LedgerStore,
    url: str,
    log_vkey: str,
    *,
    against: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    projections: bool = True,
    master: MasterKey | None = None,
) -> AuditReport:
    """Audit the whole ledger; problems are collected, the first is reported by position."""
    report = AuditReport()
    verifier = Verifier.from_vkey(log_vkey)
    # Size and checkpoints are read at one moment; anything appended while the
    # audit runs is simply not part of this audit (entries below `size` never change).
    with snapshot(store) as conn:
        report.size = store.size(conn)
        report.nodes = int(fetch_all(conn, "SELECT count(*) FROM ledger_node")[0][0])
        checkpoints = list(store.checkpoints(conn))
        try:
            keyring, key_seqs = _replay_keys(conn, store.origin, log_vkey)
        except LedgerError as exc:
            report.problems.append(exc)
            return report
        report.keys = len(keyring.keys)
        try:
            _check_sealed_keys(conn, keyring, store.origin, log_vkey)
        except LedgerError as exc:
            report.problems.append(exc)
            return report
        if master is not None:
            report.problems.extend(TamperError(what) for what in broken_seals(conn, master))
            report.seals_checked = True
            if report.problems:
                return report
    results = _audit_chunks(store, url, keyring, key_seqs, report, workers, progress)
    if report.problems:
        return report
    try:
        check_times(results)
        with store.engine.connect() as conn:
            _check_tail(checkpoints, report.size)
            _check_upper_nodes(conn, results, report.size, report.nodes)
            _check_checkpoints(checkpoints, conn, verifier, report)
            if against is not None:
                report.against = _check_against(conn, verifier, against, report.size)
    except LedgerError as exc:
        report.problems.append(exc)
        return report
    if projections:
        step = None if progress is None else (lambda done: progress(done, report.size))
        report.problems.extend(compare(store, step))
        report.projections_checked = True
    return report


def _replay_keys(conn: Connection, origin: str, log_vkey: str) -> tuple[Keyring, frozenset[int]]:
    keyring, seqs = replay_keys(origin, key_rows(conn))
    if keyring.log_vkey != log_vkey:
        raise TamperError(
            f"the genesis entry names log key {keyring.log_vkey!r}, but this ledger's "
            f"configuration says {log_vkey!r}",
            0,
        )
    return keyring, seqs


def _check_sealed_keys(conn: Connection, keyring: Keyring, origin: str, log_vkey: str) -> None:
    """Every stored private key is the one its row and the ledger say: named by its own public
    key, the log key that brady.toml names, or an actor key the ledger registered to that
    holder; and each holder's newest key (the one Brady signs with) is still valid. Whether
    a sealed seed opens to that public key takes the master key, which verify does not hold:
    Brady checks it each time it opens a key to sign."""
    newest: dict[str, tuple[str, str]] = {}
    rows = fetch_all(conn, "SELECT key_id, role, holder, public_key, created_at FROM sealed_key")
    for key_id, role, holder, stored, created in rows:
        public = bytes(stored)
        if actor_key_id(public) != key_id:
            raise TamperError(f"the stored key {key_id} holds the public key of another key")
        if role == "log":
            if Verifier(origin, public).vkey() != log_vkey:
                raise TamperError(f"the stored log key {key_id} is not this ledger's log key")
            continue
        known = keyring.keys.get(key_id)
        if role != "actor" or known is None or known.public_key != public:
            raise TamperError(
                f"the stored key {key_id} ({role}) was never registered on the ledger"
            )
        if known.holder != holder:
            raise TamperError(
                f"the stored key {key_id} says it is {holder}'s, the ledger registered it to "
                f"{known.holder}"
            )
        if holder not in newest or created > newest[holder][0]:
            newest[holder] = (created, key_id)
    stored_ids = {str(row[0]) for row in rows}
    for key in keyring.keys.values():
        # Brady makes and keeps the key of each of its users and of the first administrator
        # (entry 0), and never deletes a key row: one missing was deleted.
        if (key.registered_at == -1 or key.holder.startswith("user:")) and (
            key.key_id not in stored_ids
        ):
            raise TamperError(
                f"the private key {key.key_id} of {key.holder}, registered on the ledger, is "
                "missing from the database"
            )
    if not any(role == "log" for _, role, *_ in rows):
        raise TamperError("the log's private key is missing from the database")
    for holder, (_, key_id) in newest.items():
        if keyring.keys[key_id].ended_at is not None:
            raise TamperError(
                f"{holder}'s newest stored key {key_id} was {keyring.keys[key_id].end_reason}: "
                "the key rows' dates were changed"
            )


def _audit_chunks(
    store: LedgerStore,
    url: str,
    keyring: Keyring,
    key_seqs: frozenset[int],
    report: AuditReport,
    workers: int | None,
    progress: Progress | None,
    first: int = 0,
) -> list[ChunkResult]:
    """Audit entries [first, size) in chunks; `first` is a multiple of CHUNK (0: all)."""
    size = report.size
    spans = [(s, min(s + CHUNK, size)) for s in range(first, size, CHUNK)]
    workers = min(workers or os.cpu_count() or 1, len(spans))
    results: dict[int, ChunkResult] = {}
    done = 0

    def record(start: int, outcome: Callable[[], ChunkResult]) -> None:
        nonlocal done
        try:
            result = outcome()
            results[start] = result
            done += result.end - result.start
        except LedgerError as exc:
            report.problems.append(exc)
        if progress is not None:
            progress(done, size - first)

    if workers <= 1 or url.startswith("sqlite://:memory:") or url == "sqlite://":
        with store.engine.connect() as conn:
            for start, end in spans:
                record(
                    start,
                    partial(_audit_chunk_in, conn, store.origin, keyring, key_seqs, start, end),
                )
    else:
        with ProcessPoolExecutor(workers, initializer=_worker_init, initargs=(url,)) as pool:
            futures: list[tuple[int, Future[ChunkResult]]] = [
                (s, pool.submit(_worker_chunk, store.origin, keyring, key_seqs, s, e))
                for s, e in spans
            ]
            for start, fut in futures:
                record(start, fut.result)
    return [results[s] for s, _ in spans if s in results]


def _check_tail(checkpoints: list[StoredCheckpoint], size: int) -> None:
    """The newest checkpoint covers exactly the stored entries: every write commits with
    a checkpoint of its new size, so one short means the newest was deleted."""
    signed = max((cp.size for cp in checkpoints), default=0)
    if signed > size:
        raise TamperError(
            f"a checkpoint covers {signed} entries but the ledger holds only {size}: "
            f"entries {size} to {signed - 1} were removed",
            size,
        )
    if signed < size:
        raise TamperError(
            f"entries {signed} to {size - 1} are covered by no stored checkpoint: the "
            "checkpoint signed when they were written was deleted",
            signed,
        )


def _check_upper_nodes(conn: Connection, results: list[ChunkResult], size: int, nodes: int) -> None:
    for (level, idx), h in sorted(upper_nodes(results).items()):
        stored = conn.execute(
            select(ledger_node.c.hash).where(ledger_node.c.level == level, ledger_node.c.idx == idx)
        ).scalar()
        if stored is None or bytes(stored) != h:
            a, b = idx << level, ((idx + 1) << level) - 1
            what = "is missing" if stored is None else "does not match the entries"
            raise TamperError(f"the stored hash of entries {a}-{b} (level {level}) {what}", a)
    # Counted in the snapshot that read the size, so every row counts, wherever it claims to
    # sit: a node planted beyond the tree would otherwise pass, then block a later append.
    if nodes != node_count(size):
        raise TamperError(
            f"the ledger stores {nodes} subtree hashes; {size} entries make {node_count(size)}",
            size,
        )


def _check_checkpoints(
    stored_checkpoints: list[StoredCheckpoint],
    conn: Connection,
    verifier: Verifier,
    report: AuditReport,
) -> None:
    """Every stored checkpoint is signed by the log and signs the recomputed root.

    Run after the chunks and upper levels were checked, so the stored subtree
    hashes used here equal the recomputed ones. Checkpoints whose roots are
    all roots of prefixes of one verified sequence of entries are consistent
    with each other by construction; a consistency proof between any two can
    be produced (`brady ledger consistency`) and checked with any verifier.
    """
    checkpoints: list[Checkpoint] = []
    for stored in stored_checkpoints:
        try:
            cp = open_checkpoint(stored.note, verifier)
        except LedgerError as exc:
            raise TamperError(f"the checkpoint stored at size {stored.size}: {exc}") from exc
        if cp.size != stored.size:
            raise TamperError(f"the checkpoint stored at size {stored.size} is for size {cp.size}")
        checkpoints.append(cp)
    if not checkpoints:
        raise TamperError("the ledger holds no checkpoint")
    roots = _roots(conn, [cp.size for cp in checkpoints if cp.size <= report.size])
    for cp in checkpoints:
        _check_root(cp, report.size, roots.get(cp.size), f"checkpoint {cp.size}")
    latest = checkpoints[-1]
    if latest.size != report.size:
        raise TamperError(
            f"entries {latest.size} to {report.size - 1} are covered by no checkpoint: "
            "they were added outside Brady",
            latest.size,
        )
    _check_checkpoint_times(conn, stored_checkpoints, report.size)
    report.checkpoints = len(checkpoints)
    report.latest = latest


CLOCK_SKEW = timedelta(minutes=10)
"""How far a later entry's time may fall before the checkpoint it follows: two servers'
clocks may differ by this much. The checkpoint's time is not signed, so it is held to the
signed times of the entries on either side of it."""


def _check_checkpoint_times(conn: Connection, stored: list[StoredCheckpoint], size: int) -> None:
    """A stored checkpoint's time lies between the signed times of the entry it ends with and
    the entry after it, so it cannot be moved to another day unnoticed."""
    seqs = sorted({n for cp in stored for n in (cp.size - 1, cp.size) if 0 <= n < size})
    times = {
        seq: parse_entry(raw, seq).recorded_at for seq, raw in read_entries(conn, seqs).items()
    }
    for cp in stored:
        after, before = times.get(cp.size - 1), times.get(cp.size)
        late = before is not None and _moment(cp.created_at) > _moment(before) + CLOCK_SKEW
        if (after is not None and cp.created_at < after) or late:
            raise TamperError(
                f"the checkpoint stored at size {cp.size} says it was made at {cp.created_at}, "
                f"but the entries around it were recorded at {after} and {before or 'none yet'}",
                cp.size,
            )


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _roots(conn: Connection, sizes: list[int]) -> dict[int, bytes]:
    """Roots of many tree sizes from stored subtree hashes, fetched a level at a time."""
    wanted: dict[int, set[int]] = {}
    for n in sizes:
        for level, idx in range_nodes(0, n):
            wanted.setdefault(level, set()).add(idx)
    nodes: dict[NodeId, bytes] = {}
    for level, idxs in wanted.items():
        ordered = sorted(idxs)
        for i in range(0, len(ordered), 500):
            rows = conn.execute(
                select(ledger_node.c.idx, ledger_node.c.hash).where(
                    ledger_node.c.level == level, ledger_node.c.idx.in_(ordered[i : i + 500])
                )
            )
            nodes.update(((level, int(idx)), bytes(h)) for idx, h in rows)
    out: dict[int, bytes] = {}
    for n in sizes:
        parts = [nodes.get(node) for node in range_nodes(0, n)]
        if n and all(p is not None for p in parts):
            out[n] = fold_right([p for p in parts if p is not None])
    return out


def _check_root(cp: Checkpoint, size: int, root: bytes | None, what: str) -> None:
    if cp.size > size:
        raise TamperError(
            f"{what} covers {cp.size} entries but the ledger holds only {size}: "
            f"entries {size} to {cp.size - 1} were removed",
            size,
        )
    if (EMPTY_ROOT if cp.size == 0 else root) != cp.root:
        raise TamperError(
            f"{what} does not match the ledger: the first {cp.size} entries were changed "
            "after it was signed",
            cp.size - 1,
        )


def _check_against(conn: Connection, verifier: Verifier, note: str, size: int) -> Checkpoint:
    """A checkpoint published earlier must be a prefix of this ledger (no rollback, no rewrite)."""
    cp = open_checkpoint(note, verifier)
    sizes = [cp.size] if 0 < cp.size <= size else []
    _check_root(
        cp, size, _roots(conn, sizes).get(cp.size), f"the published checkpoint of size {cp.size}"
    )
    return cp


def audit_since(
    store: LedgerStore,
    url: str,
    log_vkey: str,
    since: str | int,
    *,
    against: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    projections: bool = True,
    master: MasterKey | None = None,
) -> AuditReport:
    """The nightly audit: only what was added after `since`, a checkpoint the auditor kept
    (a signed note, or the size of a stored checkpoint). See audit_since.py for what it
    checks and what it leaves to the full audit."""
    from .audit_since import audit_since as run  # it builds on this module's checks

    return run(
        store,
        url,
        log_vkey,
        since,
        against=against,
        workers=workers,
        progress=progress,
        projections=projections,
        master=master,
    )


def checkpoint_to_keep(store: LedgerStore, report: AuditReport, log_vkey: str) -> str:
    """The signed note of the newest checkpoint a clean audit verified, to start the next
    `--since` from; read again and held to what the audit saw."""
    if not report.ok or report.latest is None:
        raise TamperError("only a ledger that verified has a checkpoint worth keeping")
    note = store.checkpoint(report.latest.size).note
    if open_checkpoint(note, Verifier.from_vkey(log_vkey)) != report.latest:
        raise TamperError(
            f"the checkpoint stored at size {report.latest.size} changed while it was verified",
            report.latest.size,
        )
    return note
