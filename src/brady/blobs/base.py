"""What every evidence-file store promises, whatever holds the bytes.

Callers (custody, disclosure, the API, the command line) see only this: a file is staged
while hashed, kept under its hash once the ledger holds that hash, and re-hashed whenever
it is read. The folder store and the S3 store differ only in where the bytes live and in
what protection the place itself offers against overwriting them.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Container, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from ..domain.errors import IntegrityError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

Progress = Callable[[int], None]


class BlobSetupError(IntegrityError):
    """The configured store cannot be used as it is (unreachable, missing, or unprotected).

    Not a `BlobError`: nothing says any file is damaged, so callers that report damage
    must not catch it as such.
    """


class Staged(Protocol):
    """A file hashed into a store's staging area, waiting for its hash to be recorded."""

    @property
    def sha256(self) -> str: ...

    @property
    def size(self) -> int: ...

    def release(self) -> None:
        """Let go of what marks the upload as in progress (the process is done with it)."""


@dataclass
class Settled:
    """What settling a crash's leftovers did: kept those whose hash the ledger holds,
    removed the others (by their staging names)."""

    recovered: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


class Blobs(Protocol):
    """A content-addressed store of evidence files (see the module docstring)."""

    @property
    def location(self) -> str:
        """Where the files are, for people: a folder path or an s3:// URL."""

    def protection(self) -> str:
        """One sentence on what, besides Brady's hashes, keeps the files from being changed."""

    def has(self, sha256: str) -> bool: ...

    def size_of(self, sha256: str) -> int | None:
        """The kept file's size in bytes, or None if the store does not hold it."""

    def stage(self, source: BinaryIO, progress: Progress | None = None) -> Staged:
        """Copy a stream into staging, hashing it as it goes (constant memory)."""

    def keep(self, staged: Staged, category: str | None = None) -> object:
        """Keep a staged file under its hash; call only once the hash is on the ledger.

        `category` (the item's) picks the retention period where the store enforces one.
        """

    def discard(self, staged: Staged) -> None: ...

    def check(self, sha256: str, progress: Progress | None = None) -> None:
        """Re-hash a kept file; `BlobError` if it is missing or its bytes changed."""

    def read(self, sha256: str, progress: Progress | None = None) -> Iterator[bytes]:
        """Stream a kept file, re-hashing it; the last step raises if the bytes changed."""

    def copy_out(self, sha256: str, target: Path) -> None:
        """Write a kept file elsewhere, verified; nothing is left behind if it fails."""

    def local_copy(self, sha256: str) -> AbstractContextManager[Path]:
        """A path to read the kept file from (a verified temporary copy where the store is
        remote), for tools that need a file rather than a stream."""

    def settle(self, recorded: Container[str]) -> Settled:
        """Finish or undo uploads a crash interrupted: keep a staged file whose hash the
        ledger holds, remove one whose hash it does not."""

    def release_hold(self, sha256: str) -> bool:
        """Lift the legal hold on a kept file (only after a recorded disposition); whether
        there was one to lift."""


def read_all(chunks: Iterator[bytes]) -> None:
    """Drain a checking read: its last step raises if the bytes changed."""
    for _ in chunks:
        pass


class _ChunksRaw(io.RawIOBase):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        while not self._left:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._left = chunk
        n = min(len(view), len(self._left))
        view[:n] = self._left[:n]
        self._left = self._left[n:]
        return n


def stream_of(chunks: Iterator[bytes]) -> BinaryIO:
    """A read-only binary stream over an iterator of chunks, so a checking read of one store
    can be staged into another without holding the whole file."""
    return io.BufferedReader(_ChunksRaw(chunks), buffer_size=1 << 20)
