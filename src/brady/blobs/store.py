"""Content-addressed storage of digital evidence in a local folder.

A file is streamed into a staging folder while SHA-256 is computed (constant
memory, any size), and only moved under its hash after the ledger has
recorded that hash: a file whose hash is not on the ledger is never kept.
Identical content is stored once. Reading re-hashes what it streams.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import tempfile
from collections.abc import Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..domain.errors import IntegrityError, Kind
from .base import Progress, Settled, Staged

__all__ = ["CHUNK", "BlobError", "BlobStore", "FolderStaged", "NotAHashError", "Progress", "Staged"]

CHUNK = 1 << 20


class BlobError(IntegrityError):
    """A stored file is missing or its bytes no longer match their recorded hash."""


class NotAHashError(BlobError):
    """A name given for a stored file that is not a SHA-256 hash at all."""

    kind = Kind.INVALID


@dataclass(frozen=True)
class FolderStaged:
    """A file hashed into the staging folder, waiting for its hash to be recorded.

    Its `lock` descriptor holds an exclusive flock until kept or discarded, so a
    fixity run in another process never mistakes it for a crash's leftover.
    """

    sha256: str
    size: int
    path: Path
    lock: int = -1

    def release(self) -> None:
        if self.lock >= 0:
            os.close(self.lock)


_HEX = re.compile(r"[0-9a-f]{64}")


def check_name(sha256: str) -> str:
    """The name itself, if it is a SHA-256 hash: only hashes name stored files, so no name
    can reach outside the store."""
    if not _HEX.fullmatch(sha256):
        raise NotAHashError(f"{sha256!r} is not a SHA-256 hash (64 lowercase hex digits)")
    return sha256


def mismatch(sha256: str, found: str, where: str) -> BlobError:
    return BlobError(
        f"file {sha256} no longer matches its recorded hash (it now hashes to {found}): "
        f"it was changed or damaged {where}"
    )


class BlobStore:
    """The embedded default: files in a folder, read-only on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.staging = root / "staging"

    @property
    def location(self) -> str:
        return str(self.root)

    def protection(self) -> str:
        return (
            f"Evidence files are in the folder {self.root}: they are read-only on disk, but "
            "anyone who can write to that folder could change them (fixity would catch it)."
        )

    def path(self, sha256: str) -> Path:
        check_name(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def size_of(self, sha256: str) -> int | None:
        try:
            return self.path(sha256).stat().st_size
        except FileNotFoundError:
            return None

    def stage(self, source: BinaryIO, progress: Progress | None = None) -> FolderStaged:
        """Copy a stream into staging, hashing as it goes."""
        self.staging.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, name = _temp(self.staging)
        lock = os.open(name, os.O_RDONLY)
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                    if progress is not None:
                        progress(size)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            Path(name).unlink(missing_ok=True)
            os.close(lock)
            raise
        return FolderStaged(digest.hexdigest(), size, Path(name), lock)

    def keep(self, staged: Staged, category: str | None = None) -> Path:
        """Move a staged file under its hash (call after the hash is on the ledger).

        An existing copy is kept only if it still matches; a damaged one is replaced
        by the new, good bytes. A folder enforces no retention, so `category` is unused.
        """
        mine = _ours(staged)
        try:
            if not mine.path.is_file():
                raise BlobError(
                    f"the staged copy of {mine.sha256} is gone; its hash is recorded, "
                    "so attach the same file again to store it"
                )
            target = self.path(mine.sha256)
            if target.exists():
                try:
                    self.check(mine.sha256)
                    mine.path.unlink()  # the same content is already kept, intact
                    return target
                except BlobError:
                    target.chmod(0o644)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(mine.path, target)
            os.chmod(target, 0o444)
            return target
        finally:
            mine.release()

    def discard(self, staged: Staged) -> None:
        mine = _ours(staged)
        mine.path.unlink(missing_ok=True)
        mine.release()

    def check(self, sha256: str, progress: Progress | None = None) -> None:
        """Re-hash a kept file; BlobError if it is missing or its bytes changed."""
        for _ in self.read(sha256, progress):
            pass

    def read(self, sha256: str, progress: Progress | None = None) -> Iterator[bytes]:
        """Stream a kept file, re-hashing it; the last step raises if the bytes changed."""
        path = self.path(sha256)
        if not path.is_file():
            raise BlobError(f"file {sha256} is missing from {self.root}")
        digest = hashlib.sha256()
        done = 0
        with path.open("rb", buffering=0) as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done)
                yield chunk
        if digest.hexdigest() != sha256:
            raise mismatch(sha256, digest.hexdigest(), "on disk")

    def copy_out(self, sha256: str, target: Path) -> None:
        """Write a kept file elsewhere, verified; nothing is left behind if it fails."""
        write_verified(self.read(sha256), target)

    @contextmanager
    def local_copy(self, sha256: str) -> Iterator[Path]:
        yield self.path(sha256)

    def release_hold(self, sha256: str) -> bool:
        check_name(sha256)
        return False  # a folder has no legal hold to lift

    def settle(self, recorded: Container[str]) -> Settled:
        done = Settled()
        for path in self.leftovers():
            with path.open("rb") as fh:
                staged = self.stage(fh)
            path.unlink()
            if staged.sha256 in recorded:
                self.keep(staged)
                done.recovered.append(staged.sha256)
            else:
                self.discard(staged)
                done.removed.append(path.name)
        return done

    def leftovers(self) -> list[Path]:
        """Staged files whose recording never finished (a crash between stage and keep).

        Files another process is still staging hold a lock and are not listed.
        """
        if not self.staging.is_dir():
            return []
        out = []
        for path in sorted(self.staging.glob("*")):
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                out.append(path)
            except BlockingIOError:
                pass  # in use by an upload in progress
            finally:
                os.close(fd)
        return out


def write_verified(chunks: Iterator[bytes], target: Path) -> None:
    """Write a checking read to `target`; if the check fails at the end, nothing is left."""
    tmp = target.with_name(target.name + ".partial")
    try:
        with tmp.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _ours(staged: Staged) -> FolderStaged:
    if not isinstance(staged, FolderStaged):
        raise TypeError(f"{staged!r} was not staged in a folder store")
    return staged


def _temp(folder: Path) -> tuple[int, str]:
    return tempfile.mkstemp(dir=folder, prefix="stage-")
