"""`brady verify --since`: the nightly audit, which costs what was added since a checkpoint
the auditor already verified, not the whole ledger.

Trust starts from that checkpoint (N entries, root R), signed by the log's key. The
stored hashes of the perfect subtrees that make up the first N entries must fold to R:
then they are the hashes of the entries the checkpoint signed, and the ledger still
begins with them (a rewritten history or another ledger's checkpoint fails here). The
consistency proof from N to the newest checkpoint, made from the stored hashes, is
checked as any outside verifier would (ledger/proof.py). Then only the entries from N on
are read, with the full audit's own per-entry checks (ledger/audit.py), and every hash
and checkpoint stored since N is recomputed from them and those prefix hashes.

What is left to the full audit: the entries before N one by one (a change to one that
leaves its stored hashes alone is not seen here), the stored hashes inside the first N
entries other than those the checkpoint's root is made of, checkpoints before N, the
seals of the rows that let people sign in, and the state tables, which can only be
rebuilt from the whole ledger; of those, the rows the subject index holds for the new
entries are checked here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from sqlalchemy.engine import Connection

from ..ledger.audit import CHUNK, CHUNK_LEVEL, ChunkResult, check_times
from ..ledger.checkpoint import Checkpoint, open_checkpoint
from ..ledger.entry import parse_entry
from ..ledger.errors import LedgerError, ProofError, TamperError
from ..ledger.hashing import fold_right
from ..ledger.note import Verifier
from ..ledger.proof import verify_consistency
from ..ledger.ranges import consistency_ranges
from ..ledger.tree import NodeId, append_nodes, frontier, hash_ranges, range_nodes
from . import audit as full
from .keys import LOG, load_role
from .ledger_store import LedgerStore, StoredCheckpoint, read_entries, read_nodes
from .projection_check import BATCH, ProjectionMismatchError, snapshot
from .raw_sql import fetch_all
from .row_seals import chain_key, chain_link
from .sealing import MasterKey
from .subject_index import entry_subject


class SinceError(TamperError):
    """The checkpoint an incremental audit starts from is not part of this ledger."""

    advice = (
        "The checkpoint you gave is not part of this ledger's history. If it is the one your "
        "last audit saved, the ledger was rewritten or replaced since then: stop writing to "
        "it, keep a copy of the database and of this output, and contact your Brady "
        "administrator. If you gave the wrong file, run again with the checkpoint your last "
        "audit saved (--save-checkpoint)."
    )


def audit_since(
    store: LedgerStore,
    url: str,
    log_vkey: str,
    since: str | int,
    *,
    against: str | None = None,
    workers: int | None = None,
    progress: full.Progress | None = None,
    projections: bool = True,
    master: MasterKey | None = None,
) -> full.AuditReport:
    """Audit what was added after `since` (a signed checkpoint note, or the size of a
    checkpoint stored in the ledger); problems are collected as by the full audit."""
    report = full.AuditReport()
    verifier = Verifier.from_vkey(log_vkey)
    with snapshot(store) as conn:
        report.size = store.size(conn)
        try:
            given = _given(conn, store, verifier, since, report.size)
            report.since = given
            report.first_checked = given.size - given.size % CHUNK
            stored = _stored_from(conn, given.size)
            full._check_tail(stored, report.size)
            known = _check_prefix(conn, verifier, given, stored[-1])
            keyring, key_seqs = full._replay_keys(conn, store.origin, log_vkey)
            report.keys = len(keyring.keys)
            full._check_sealed_keys(conn, keyring, store.origin, log_vkey)
            _check_nothing_beyond(conn, report.size)
            if master is not None:
                _check_chain(conn, master, stored)
                report.chain_checked = True
        except LedgerError as exc:
            report.problems.append(exc)
            return report
    results = full._audit_chunks(
        store, url, keyring, key_seqs, report, workers, progress, report.first_checked
    )
    if report.problems:
        return report
    try:
        with store.engine.connect() as conn:
            check_times(results)
            _check_block_start(conn, report.first_checked, results)
            _check_upper_nodes(conn, known, results, report.first_checked)
            full._check_checkpoints(stored, conn, verifier, report)
            if against is not None:
                report.against = full._check_against(conn, verifier, against, report.size)
    except LedgerError as exc:
        report.problems.append(exc)
        return report
    if projections and any(entry_subject in p.tables for p in store.projectors):
        report.problems.extend(_check_subjects(store, given.size, report.size))
        report.subjects_checked = True
    return report


def _given(
    conn: Connection, store: LedgerStore, verifier: Verifier, since: str | int, size: int
) -> Checkpoint:
    """The checkpoint to start from, shown to be signed by this log and within its size."""
    if isinstance(since, int):
        if since > size:
            raise SinceError(
                f"you gave size {since}, but the ledger holds only {size} entries: entries "
                f"{size} to {since - 1} were removed since, or the number is wrong",
                size,
            )
        rows = fetch_all(conn, "SELECT note FROM ledger_checkpoint WHERE size = ?", (since,))
        if not rows:
            raise SinceError(
                f"no checkpoint was signed at size {since}: give the size of one "
                "(`brady ledger checkpoint --size N`) or the checkpoint file you kept"
            )
        since = str(rows[0][0])
    try:
        given = open_checkpoint(since, verifier)
    except LedgerError as exc:
        raise SinceError(
            f"the checkpoint you gave is not signed by this ledger's key: {exc}"
        ) from exc
    if given.size == 0:
        raise SinceError("the checkpoint you gave is of an empty ledger: it proves nothing")
    if given.size > size:
        raise SinceError(
            f"the checkpoint you gave covers {given.size} entries, but the ledger holds only "
            f"{size}: entries {size} to {given.size - 1} were removed since",
            size,
        )
    return given


def _stored_from(conn: Connection, size: int) -> list[StoredCheckpoint]:
    """The stored checkpoints from `size` on, in size order; the first must be at `size`:
    every write commits with a checkpoint of its new size, so one missing was deleted."""
    rows = fetch_all(
        conn,
        "SELECT size, note, created_at, chain FROM ledger_checkpoint WHERE size >= ? ORDER BY size",
        (size,),
    )
    found = [StoredCheckpoint(int(n), str(note), str(at), chain) for n, note, at, chain in rows]
    if not found or found[0].size != size:
        raise TamperError(
            f"the checkpoint signed at {size} entries is missing from the database: it was deleted",
            size,
        )
    return found


def _check_prefix(
    conn: Connection, verifier: Verifier, given: Checkpoint, newest: StoredCheckpoint
) -> dict[NodeId, bytes]:
    """The ledger still begins with the entries `given` signed, and its newest checkpoint
    extends it: the stored hashes that make up the first N entries fold to the signed
    root, and the consistency proof from them to the newest checkpoint holds. Returns
    those prefix hashes, now known to be right."""
    n = given.size
    ids = frontier(n)
    known = read_nodes(conn, ids)
    if len(known) != len(ids) or fold_right([known[i] for i in ids]) != given.root:
        raise SinceError(
            f"this ledger's first {n} entries are not those the checkpoint you gave signed: "
            "the history was rewritten since, or the checkpoint is of another ledger",
            n - 1,
        )
    try:
        latest = open_checkpoint(newest.note, verifier)
    except LedgerError as exc:
        raise TamperError(f"the checkpoint stored at size {newest.size}: {exc}") from exc
    nodes = {**known, **read_nodes(conn, _proof_ids(n, latest.size))}
    try:
        proof = hash_ranges(consistency_ranges(n, latest.size), nodes.__getitem__)
        verify_consistency(n, latest.size, proof, given.root, latest.root)
    except (KeyError, ProofError) as exc:
        raise TamperError(
            f"the ledger's newest checkpoint ({latest.size} entries) is not consistent with "
            f"the checkpoint you gave ({n}): the consistency proof made from the stored "
            f"hashes fails ({exc}); hashes stored since were changed",
            n,
        ) from exc
    return known


def _proof_ids(old: int, new: int) -> list[NodeId]:
    return [node for b, e in consistency_ranges(old, new) for node in range_nodes(b, e)]


def _check_nothing_beyond(conn: Connection, size: int) -> None:
    """No subtree hash is stored beyond the tree of `size` leaves (one planted there would
    pass unseen, then block a later append). The full audit counts every row instead."""
    top = max(size.bit_length(), 1)
    for level in range(top + 1):
        rows = fetch_all(
            conn,
            "SELECT idx FROM ledger_node WHERE level = ? AND idx >= ? LIMIT 1",
            (level, size >> level),
        )
        if rows:
            idx = int(rows[0][0])
            raise TamperError(
                f"a subtree hash is stored for entries {idx << level}-"
                f"{((idx + 1) << level) - 1} (level {level}); the ledger holds {size}",
                size,
            )
    if fetch_all(conn, "SELECT idx FROM ledger_node WHERE level > ? LIMIT 1", (top,)):
        raise TamperError(f"a subtree hash is stored above the tree of {size} entries", size)


def _check_block_start(conn: Connection, first: int, results: list[ChunkResult]) -> None:
    """The first entry read is not recorded before the entry just before it."""
    if first == 0 or not results:
        return
    before = parse_entry(read_entries(conn, [first - 1])[first - 1], first - 1).recorded_at
    # The entry before, as a one-entry chunk: the full audit's own check across chunks.
    check_times([ChunkResult(first - 1, first, before, before, ()), results[0]])


def _check_upper_nodes(
    conn: Connection, known: dict[NodeId, bytes], results: list[ChunkResult], first: int
) -> None:
    """Every stored hash above the chunk level made since `first`, recomputed from the new
    chunks' roots and the prefix hashes (those of the first N entries at that level or
    above are the prefix of `first`, as N lies in the chunk that starts there)."""
    whole = [r.tops[0][1] for r in results if r.end - r.start == CHUNK]
    below = {(lv - CHUNK_LEVEL, ix): h for (lv, ix), h in known.items() if lv >= CHUNK_LEVEL}
    made = {
        (lv + CHUNK_LEVEL, ix): h
        for lv, ix, h in append_nodes(first >> CHUNK_LEVEL, below, whole)
        if lv > 0
    }
    stored = read_nodes(conn, list(made))
    for (level, idx), h in sorted(made.items()):
        if stored.get((level, idx)) != h:
            a, b = idx << level, ((idx + 1) << level) - 1
            what = "is missing" if (level, idx) not in stored else "does not match the entries"
            raise TamperError(f"the stored hash of entries {a}-{b} (level {level}) {what}", a)


def _check_chain(conn: Connection, master: MasterKey, stored: list[StoredCheckpoint]) -> None:
    """Each checkpoint stored since the first follows the one before it (the chain's MAC,
    under a key only the log key's holder has): none between them was deleted or changed."""
    key = chain_key(load_role(conn, master, LOG).seed)
    for before, cp in itertools.pairwise(stored):
        if cp.chain != chain_link(key, before.chain, cp.size, cp.note, cp.created_at):
            raise TamperError(
                f"the stored checkpoint of {cp.size} entries does not follow the one before "
                "it (a checkpoint between them was deleted, or this one was changed)",
                before.size,
            )


def _new_entries(conn: Connection, start: int, end: int) -> Iterator[tuple[int, tuple[str, ...]]]:
    for b in range(start, end, BATCH):
        rows = fetch_all(
            conn,
            "SELECT seq, entry FROM ledger_entry WHERE seq >= ? AND seq < ? ORDER BY seq",
            (b, min(b + BATCH, end)),
        )
        for seq, raw in rows:
            yield int(seq), parse_entry(bytes(raw), int(seq)).subjects


def _check_subjects(store: LedgerStore, start: int, end: int) -> list[ProjectionMismatchError]:
    """The subject index's rows for entries [start, end) are exactly the subjects those
    entries name: the index as-of views and this audit's successors rely on."""
    with snapshot(store) as conn:
        want = {(s, seq) for seq, subjects in _new_entries(conn, start, end) for s in subjects}
        have = {
            (str(s), int(seq))
            for s, seq in fetch_all(
                conn,
                "SELECT subject, seq FROM entry_subject WHERE seq >= ? AND seq < ?",
                (start, end),
            )
        }
    out = [
        ProjectionMismatchError(f"table entry_subject: row {s}/{seq} is missing from the database")
        for s, seq in sorted(want - have, key=lambda r: r[1])
    ]
    out += [
        ProjectionMismatchError(
            f"table entry_subject: row {s}/{seq} is in the database but no entry made it"
        )
        for s, seq in sorted(have - want, key=lambda r: r[1])
    ]
    return out[:1]
