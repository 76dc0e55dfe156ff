"""Digital evidence: attaching files to items, and checking that kept files still match.

The order matters: stage (hash while copying), record the hash on the ledger,
then keep the file under its hash. A crash before the record leaves only a
staged file, which the next fixity run deletes; a crash after it leaves a
staged file whose hash is recorded, which the next fixity run keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import BinaryIO

from ..access import decide
from ..access.policy import Caller
from ..blobs import kept_bags
from ..blobs.base import Blobs
from ..blobs.store import BlobError, Progress
from ..domain import events as ev
from ..domain.errors import NotAllowedError, NotFoundError
from ..ledger.entry import Entry
from ..ledger_home import open_blobs
from ..linking import documents, index, projection
from ..store import custody_queries, file_queries
from ..store.access_queries import RecordFacts
from ..store.engine import reading
from .service import Custody


def blob_store(custody: Custody) -> Blobs:
    return open_blobs(custody.led.config)


def attach(
    custody: Custody,
    by: str,
    item_id: str,
    source: BinaryIO,
    name: str,
    media_type: str | None = None,
    progress: Progress | None = None,
    *,
    occurred_at: str | None = None,
    caller: Caller | None = None,
) -> Entry:
    """Store a file and record it on the item, held to `caller`'s access rules (see
    `Custody.session`); the bytes are kept only if the event is recorded."""
    store = blob_store(custody)
    staged = store.stage(source, progress)
    try:
        with custody.session(caller) as s:
            entry = s.attach_file(
                by, item_id, staged.sha256, staged.size, name, media_type, occurred_at, staged
            )
    except BaseException:
        store.discard(staged)
        raise
    with reading(custody.led.engine) as conn:
        category = custody_queries.item_category(conn, item_id)
    store.keep(staged, category)  # the category sets the retention where the store keeps one
    read_text(custody, item_id, staged.sha256, name, media_type)
    return entry


def check_file(custody: Custody, item_id: str, sha256: str, caller: Caller | None = None) -> bool:
    """Re-hash one stored file of an item now: whether its bytes still match the hash on the
    ledger. Held to `caller`'s rules for acting on the item, as a command is: a read-only
    role or token checks nothing (the check is written to the access log). What went wrong
    with a damaged copy is not returned: it would name the server's folders."""
    with reading(custody.led.engine) as conn:
        if caller is not None:
            why = decide.before(caller, "item", [item_id], RecordFacts(conn))
            if why is not None:
                raise NotAllowedError(f"{caller.user_id} may not check files of {item_id}: {why}")
        if not custody_queries.has_file(conn, item_id, sha256):
            raise NotFoundError(f"item {item_id} has no file {sha256}", "sha256")
    try:
        blob_store(custody).check(sha256)
    except BlobError:
        return False
    return True


@cache
def _ocr_engine() -> str | None:
    return documents.ocr_engine()


def read_text(
    custody: Custody, item_id: str, sha256: str, name: str, media_type: str | None = None
) -> list[Entry]:
    """Read a kept file's text (PDF text layer, DOCX, plain text; scans through OCR when
    Tesseract is installed) and record what its pages mention, for linking. A file with no
    readable text, or one that cannot be read, records nothing: the attachment stands."""
    engine = _ocr_engine()
    try:
        with blob_store(custody).local_copy(sha256) as path:
            pages = documents.read_pages(path, media_type, ocr=bool(engine))
    except (documents.DocumentError, OSError, BlobError):
        return []
    read = [p for p in pages if p.text.strip()]
    if not read:
        return []
    methods = sorted({p.method for p in read})
    reader = ", ".join(f"ocr ({engine})" if m == documents.OCR else m for m in methods)
    with custody.session() as s:
        found = index.page_mentions(
            [(p.number, p.text) for p in read], name, projection.patterns(s.conn), date.today()
        )
        mentions = [
            ev.PageMention(page=n, kind=m.kind, key=m.key[:200], text=m.text[:2000])
            for n, m in found[:5000]
        ]
        return s.record_file_text(item_id, sha256, reader, len(pages), mentions)


@dataclass
class FixityReport:
    files: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def recorded_hashes(custody: Custody) -> dict[str, int]:
    with reading(custody.led.engine) as conn:
        return file_queries.recorded_hashes(conn)


def kept_hashes(custody: Custody, store: Blobs) -> dict[str, int]:
    """Every file the store should hold, with its size: the attached evidence files and the
    files of each production's bag kept there (a bag's size is the store's; 0 if missing,
    which a check then reports)."""
    kept = recorded_hashes(custody)
    with reading(custody.led.engine) as conn:
        bags = file_queries.production_bags(conn)
    for bag in bags:
        for sha256 in kept_bags.bag_files(store, bag):
            if sha256 not in kept:
                kept[sha256] = store.size_of(sha256) or 0
    return kept


def fixity(custody: Custody, progress: Progress | None = None) -> FixityReport:
    """Re-hash every kept file whose hash is on the ledger, evidence files and the files of
    kept productions alike; settle staged leftovers."""
    store = blob_store(custody)
    recorded = kept_hashes(custody, store)
    report = FixityReport()
    settled = store.settle(recorded)
    report.recovered += settled.recovered
    report.removed += settled.removed
    done = 0
    for sha256, size in sorted(recorded.items()):
        base = done
        try:
            store.check(sha256, _offset(progress, base))
        except BlobError as exc:
            report.problems.append(str(exc))
        done += size
        report.files += 1
        report.bytes += size
    return report


def _offset(progress: Progress | None, base: int) -> Progress | None:
    if progress is None:
        return None
    report = progress

    def step(done: int) -> None:
        report(base + done)

    return step
