"""Auditing a run of entries: the checks `brady verify` and the stand-alone verifier share.

The ledger is audited in chunks of a power-of-two size, so chunks can be
checked in parallel and each chunk's subtree hashes recomputed from its own
entries. Key events are replayed first, in order (they are few), giving a
keyring that knows, for every sequence number, which keys were valid then.
Pure: the callers read rows from a database or from exported tiles.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .entry import Entry, check_signature, parse_entry
from .errors import LedgerError, TamperError
from .hashing import leaf_hash, node_hash
from .keyring import GENESIS, KEY_KINDS, Keyring
from .tree import NodeId, range_nodes

CHUNK = 4096
CHUNK_LEVEL = CHUNK.bit_length() - 1

Row = tuple[int, str | None, bytes]
"""(position, indexed kind or None, entry bytes) as the store holds them."""


@dataclass(frozen=True)
class ChunkResult:
    start: int
    end: int
    first_time: str
    last_time: str
    tops: tuple[tuple[NodeId, bytes], ...]
    """The perfect subtrees covering [start, end), largest first."""


def replay_keys(origin: str, rows: Iterable[Row]) -> tuple[Keyring, frozenset[int]]:
    """Verify the genesis and key events in order; returns the keyring and their positions."""
    keyring = Keyring(origin)
    seen: set[int] = set()
    expect_genesis = True
    for seq, kind, raw in rows:
        entry = parse_entry(raw, seq)
        if expect_genesis and (seq != 0 or entry.kind != GENESIS):
            raise TamperError("entry 0 is missing or is not the ledger's genesis", 0)
        expect_genesis = False
        _check_kind_column(entry, kind)
        keyring.check(entry)
        seen.add(seq)
    if expect_genesis:
        raise TamperError("the ledger has no genesis entry", 0)
    return keyring, frozenset(seen)


def _check_kind_column(entry: Entry, kind: str | None) -> None:
    if kind is not None and kind != entry.kind:
        raise TamperError(
            f"entry {entry.seq}: its index says kind {kind!r}, its signed bytes say {entry.kind!r}",
            entry.seq,
        )


def audit_chunk(
    origin: str,
    keyring: Keyring,
    key_seqs: frozenset[int],
    start: int,
    end: int,
    rows: Iterable[Row],
    stored: Mapping[int, Sequence[bytes]] | None,
) -> ChunkResult:
    """Check entries [start, end) and the stored subtree hashes inside that range.

    `start` must be a multiple of CHUNK and end - start <= CHUNK. `stored`
    holds the stored hashes of the range per level, in index order (None: nothing
    stored to compare, as for an export's entry bundles). Raises TamperError naming
    the first bad entry.
    """
    leaves: list[bytes] = []
    first = last = ""
    expected = start
    for seq, kind, raw in rows:
        if seq != expected:
            what = "missing" if seq > expected else "stored twice"
            raise TamperError(
                f"entry {expected} is {what} (next stored position is {seq})", expected
            )
        try:
            entry = parse_entry(raw, seq)
            _check_kind_column(entry, kind)
            if entry.kind in KEY_KINDS or seq == 0:
                if seq not in key_seqs:
                    raise TamperError(
                        f"entry {seq}: a {entry.kind} event that is missing from the key index", seq
                    )
            else:
                check_signature(entry, origin, keyring.key_for(entry).public_key)
        except TamperError:
            raise
        except LedgerError as exc:
            raise TamperError(str(exc), seq) from exc
        if entry.recorded_at < last:
            raise TamperError(
                f"entry {seq} is recorded at {entry.recorded_at}, before entry {seq - 1} "
                f"({last}): entries are out of order",
                seq,
            )
        if not first:
            first = entry.recorded_at
        last = entry.recorded_at
        leaves.append(leaf_hash(raw))
        expected += 1
    if expected != end:
        raise TamperError(f"entry {expected} is missing", expected)
    tops = _subtrees(start, end, leaves, stored)
    return ChunkResult(start, end, first, last, tops)


def _subtrees(
    start: int, end: int, leaves: list[bytes], stored: Mapping[int, Sequence[bytes]] | None
) -> tuple[tuple[NodeId, bytes], ...]:
    """Recompute every perfect subtree inside the chunk, comparing with what is stored."""
    level, base, row = 0, start, leaves
    made: dict[NodeId, bytes] = {}
    while row:
        if stored is not None:
            have = stored.get(level, ())
            if list(have) != row:
                _report_node(level, base, row, have)
        made.update(((level, base + i), h) for i, h in enumerate(row))
        row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
        level, base = level + 1, base >> 1
    return tuple((n, made[n]) for n in range_nodes(start, end))


def _report_node(level: int, base: int, want: list[bytes], have: Sequence[bytes]) -> None:
    for i, h in enumerate(want):
        if i >= len(have) or have[i] != h:
            idx = base + i
            a, b = idx << level, ((idx + 1) << level) - 1
            what = "is missing" if i >= len(have) else "does not match the entries"
            raise TamperError(f"the stored hash of entries {a}-{b} (level {level}) {what}", a)
    raise TamperError(
        f"more hashes are stored at level {level} than the entries make", base << level
    )


def upper_nodes(results: list[ChunkResult]) -> dict[NodeId, bytes]:
    """Perfect subtrees above the chunk level, from the chunks' full roots, in order."""
    out: dict[NodeId, bytes] = {}
    row = [r.tops[0][1] for r in results if r.end - r.start == CHUNK]
    level = CHUNK_LEVEL
    while len(row) > 1:
        row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
        level += 1
        out.update({(level, i): h for i, h in enumerate(row)})
    return out


def check_times(results: list[ChunkResult]) -> None:
    for before, after in itertools.pairwise(results):
        if after.first_time < before.last_time:
            raise TamperError(
                f"entry {after.start} is recorded at {after.first_time}, before entry "
                f"{before.end - 1} ({before.last_time}): entries are out of order",
                after.start,
            )
