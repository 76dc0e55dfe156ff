"""Moving every recorded file from one store to another, each hash checked on both sides.

Each file is read from the source with a checking read, staged into the target while
hashed, kept under its hash, then read back from the target and re-hashed. A file the
target already holds intact is skipped, so a migration cut off at any point is resumed by
running it again: nothing is trusted that was not read back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .base import Blobs, stream_of
from .store import BlobError

AfterEach = Callable[[str, int], None]
"""Called with (sha256, bytes) after each file is copied and checked, or found in place."""


@dataclass
class Migration:
    copied: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    bytes: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.copied) + len(self.already)


def migrate(
    source: Blobs,
    target: Blobs,
    recorded: Mapping[str, int],
    after_each: AfterEach | None = None,
) -> Migration:
    """Copy each recorded file (sha256 -> size) from `source` to `target`.

    A file missing or damaged in the source is a problem to report, not a reason to stop
    the others; what the target already holds intact is not copied again.
    """
    done = Migration()
    for sha256 in sorted(recorded):
        if _intact(target, sha256):
            done.already.append(sha256)
        else:
            try:
                _copy(source, target, sha256)
            except BlobError as exc:
                done.problems.append(str(exc))
                continue
            done.copied.append(sha256)
            done.bytes += recorded[sha256]
        if after_each is not None:
            after_each(sha256, recorded[sha256])
    return done


def _intact(store: Blobs, sha256: str) -> bool:
    if not store.has(sha256):
        return False
    try:
        store.check(sha256)
    except BlobError:
        return False  # a partial or damaged copy: copied again, as a newer version
    return True


def _copy(source: Blobs, target: Blobs, sha256: str) -> None:
    staged = target.stage(stream_of(source.read(sha256)))
    if staged.sha256 != sha256:  # the source's own check would have raised first
        target.discard(staged)
        raise BlobError(f"file {sha256} arrived as {staged.sha256}; it was not kept")
    target.keep(staged)
    target.check(sha256)
