"""Moving the evidence files from the folder to an S3 bucket, recorded on the ledger.

The copying itself is `blobs.migrate`; what the core adds is who may do it (an
administrator, refused before a byte is copied) and the `blobs.migrate` event once a run
ends, so that when the files moved, and that each arrived with the hash the ledger holds
for it, is part of the record a court verifies, not only of the access log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from ..blobs.base import Blobs
from ..blobs.migrate import AfterEach, Migration, migrate
from ..blobs.store import BlobStore
from ..domain.errors import RefusedError
from ..ledger.entry import Entry
from ..ledger_home import open_blobs
from .service import Custody

MIGRATE = "blobs.migrate"
_MOST_PROBLEMS = 1000
_PROBLEM_LENGTH = 2000


def checked_digest(hashes: Iterable[str]) -> str:
    """The SHA-256 of the hashes, sorted, one per line: what `checked` in the event holds,
    and what anyone can recompute from the ledger's file.attach entries and the bags of
    its productions (each bag's manifests list its files)."""
    return hashlib.sha256("".join(f"{h}\n" for h in sorted(hashes)).encode()).hexdigest()


def folder_to_migrate(custody: Custody, by: str) -> BlobStore:
    """The folder the files are in, once `by` is known to be allowed to move them."""
    with custody.session() as s:
        s.require_admin(by)
    source = open_blobs(custody.led.config)
    if not isinstance(source, BlobStore):
        raise RefusedError(
            f"the evidence files are already in {source.location}, not in a folder: "
            "there is nothing to migrate"
        )
    return source


def migrate_files(
    custody: Custody,
    source: BlobStore,
    target: Blobs,
    by: str,
    recorded: Mapping[str, int],
    after_each: AfterEach | None = None,
) -> tuple[Migration, Entry]:
    """Copy every file of `recorded` (sha256 -> size: `files.kept_hashes`, the evidence
    files and those of kept productions) from `source` to `target`, each read back and its
    hash checked, then record the run on the ledger (also when some files had problems: the
    event lists them). A run cut off midway records nothing; the next run resumes it."""
    done = migrate(source, target, recorded, after_each)
    intact = [*done.copied, *done.already]
    data = {
        "source": source.location,
        "target": target.location,
        "files": len(intact),
        "copied": len(done.copied),
        "bytes": done.bytes,
        "checked": checked_digest(intact),
        "problems": [p[:_PROBLEM_LENGTH] for p in done.problems[:_MOST_PROBLEMS]],
    }
    with custody.session() as s:
        entry = s.record(by, MIGRATE, data, ["blobs:store"])
    return done, entry
