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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..domain.errors import IntegrityError, Kind

CHUNK = 1 << 20
Progress = Callable[[int], None]


class BlobError(IntegrityError):
    """A stored file is missing or its bytes no longer match their recorded hash."""


class NotAHashError(BlobError):
    """A name given for a stored file that is not a SHA-256 hash at all."""

    kind = Kind.INVALID


@dataclass(frozen=True)
class Staged:
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


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.staging = root / "staging"

    def path(self, sha256: str) -> Path:
        if not _HEX.fullmatch(sha256):
            raise NotAHashError(f"{sha256!r} is not a SHA-256 hash (64 lowercase hex digits)")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def stage(self, source: BinaryIO, progress: Progress | None = None) -> Staged:
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
        return Staged(digest.hexdigest(), size, Path(name), lock)

    def keep(self, staged: Staged) -> Path:
        """Move a staged file under its hash (call after the hash is on the ledger).

        An existing copy is kept only if it still matches; a damaged one is replaced
        by the new, good bytes.
        """
        try:
            if not staged.path.is_file():
                raise BlobError(
                    f"the staged copy of {staged.sha256} is gone; its hash is recorded, "
                    "so attach the same file again to store it"
                )
            target = self.path(staged.sha256)
            if target.exists():
                try:
                    self.check(staged.sha256)
                    staged.path.unlink()  # the same content is already kept, intact
                    return target
                except BlobError:
                    target.chmod(0o644)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged.path, target)
            os.chmod(target, 0o444)
            return target
        finally:
            staged.release()

    def discard(self, staged: Staged) -> None:
        staged.path.unlink(missing_ok=True)
        staged.release()

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
            raise BlobError(
                f"file {sha256} no longer matches its recorded hash (it now hashes to "
                f"{digest.hexdigest()}): it was changed or damaged on disk"
            )

    def copy_out(self, sha256: str, target: Path) -> None:
        """Write a kept file elsewhere, verified; nothing is left behind if it fails."""
        tmp = target.with_name(target.name + ".partial")
        try:
            with tmp.open("wb") as out:
                for chunk in self.read(sha256):
                    out.write(chunk)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

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


def _temp(folder: Path) -> tuple[int, str]:
    return tempfile.mkstemp(dir=folder, prefix="stage-")
