"""C2SP tlog-tiles: the static layout an export is written in.

A tile holds up to 256 consecutive hashes of one tree level: tile level L
holds tree level 8L. Entry bundles hold up to 256 entries, each prefixed by
its length as a big-endian uint16. The rightmost tile of a level may be
partial, named with a `.p/<width>` suffix. Pure path and byte functions.
"""

from __future__ import annotations

from collections.abc import Iterator

from .errors import ProofError
from .hashing import HASH_SIZE

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT


def index_path(n: int) -> str:
    """1234067 -> 'x001/x234/067': three-digit groups, all but the last prefixed 'x'."""
    digits = str(n)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*("x" + g for g in groups[:-1]), groups[-1]])


def tile_path(level: int | str, n: int, width: int) -> str:
    suffix = "" if width == TILE_WIDTH else f".p/{width}"
    return f"tile/{level}/{index_path(n)}{suffix}"


def tiles_for(size: int) -> Iterator[tuple[int, int, int]]:
    """(tile level, tile index, width) of every tile of a tree of `size` leaves."""
    level = 0
    while True:
        hashes = size >> (TILE_HEIGHT * level)
        if hashes == 0:
            return
        full, rest = divmod(hashes, TILE_WIDTH)
        for n in range(full):
            yield level, n, TILE_WIDTH
        if rest:
            yield level, full, rest
        level += 1


def bundle(entries: list[bytes]) -> bytes:
    out = bytearray()
    for e in entries:
        if len(e) > 0xFFFF:
            raise ValueError(f"entry of {len(e)} bytes does not fit an entry bundle")
        out += len(e).to_bytes(2, "big") + e
    return bytes(out)


def unbundle(data: bytes, width: int, where: str) -> list[bytes]:
    out: list[bytes] = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise ProofError(f"{where}: truncated length prefix")
        n = int.from_bytes(data[pos : pos + 2], "big")
        pos += 2
        if pos + n > len(data):
            raise ProofError(f"{where}: truncated entry")
        out.append(data[pos : pos + n])
        pos += n
    if len(out) != width:
        raise ProofError(f"{where}: holds {len(out)} entries, expected {width}")
    return out


def split_hashes(data: bytes, width: int, where: str) -> list[bytes]:
    if len(data) != width * HASH_SIZE:
        raise ProofError(f"{where}: {len(data)} bytes, expected {width * HASH_SIZE}")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
