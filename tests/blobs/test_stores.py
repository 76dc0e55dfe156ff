"""Every evidence-file store keeps the same promises: hashed while stored, kept under the
hash only when told, identical content once, every read re-hashed, damage caught."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from brady.blobs.base import Blobs
from brady.blobs.s3 import S3Store
from brady.blobs.store import BlobError, BlobStore

from .conftest import S3Server

MIB = 1 << 20


def put(store: Blobs, data: bytes, category: str | None = None) -> str:
    staged = store.stage(io.BytesIO(data))
    assert staged.sha256 == hashlib.sha256(data).hexdigest() and staged.size == len(data)
    store.keep(staged, category)
    return staged.sha256


def overwrite(store: Blobs, sha256: str, data: bytes) -> None:
    """Change a kept file behind Brady's back: on disk, or as a new version of the object."""
    if isinstance(store, BlobStore):
        store.path(sha256).chmod(0o644)
        store.path(sha256).write_bytes(data)
    else:
        assert isinstance(store, S3Store)
        store.client.put_object(Bucket=store.bucket, Key=store.key(sha256), Body=data)


def test_upload_then_download_rehashes(store: Blobs, tmp_path: Path) -> None:
    data = os.urandom(12 * MIB + 3)  # S3: three parts, and a multipart copy under the hash
    sha = put(store, data)
    assert store.has(sha)
    assert b"".join(store.read(sha)) == data
    store.check(sha)
    store.copy_out(sha, tmp_path / "out.bin")
    assert (tmp_path / "out.bin").read_bytes() == data
    with store.local_copy(sha) as path:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha


def test_a_changed_file_is_caught_by_fixity_and_by_download(store: Blobs, tmp_path: Path) -> None:
    data = os.urandom(MIB)
    sha = put(store, data)
    overwrite(store, sha, data[:-1] + b"\0")
    with pytest.raises(BlobError, match="no longer matches its recorded hash"):
        store.check(sha)
    chunks = store.read(sha)
    with pytest.raises(BlobError, match="no longer matches"):
        for _ in chunks:
            pass
    with pytest.raises(BlobError):
        store.copy_out(sha, tmp_path / "out.bin")
    assert not list(tmp_path.iterdir())  # nothing half-written is left
    put(store, data)  # the good bytes, attached again, replace the damaged copy
    store.check(sha)


def test_the_etag_is_not_taken_for_the_hash(store: Blobs) -> None:
    if isinstance(store, BlobStore):
        assert store.protection().startswith("Evidence files are in the folder")
        return
    assert isinstance(store, S3Store)
    data = b"evidence whose object is replaced with the same length and metadata"
    sha = put(store, data)
    head = store.client.head_object(Bucket=store.bucket, Key=store.key(sha))
    store.client.put_object(
        Bucket=store.bucket,
        Key=store.key(sha),
        Body=data.upper(),
        Metadata=head["Metadata"],  # the sha256 label stays; the bytes do not
    )
    with pytest.raises(BlobError, match="no longer matches"):
        store.check(sha)


def test_identical_content_is_stored_once(store: Blobs) -> None:
    data = os.urandom(64 * 1024)
    sha = put(store, data)
    assert put(store, data) == sha
    if isinstance(store, BlobStore):
        copies = [p for p in store.root.rglob(sha)]
        assert len(copies) == 1 and not list(store.staging.iterdir())
    else:
        assert isinstance(store, S3Store)
        got = store.client.list_object_versions(Bucket=store.bucket, Prefix=store.key(sha))
        assert len(got.get("Versions", [])) == 1  # not even a second version


def test_a_staged_file_is_never_visible_as_kept(store: Blobs) -> None:
    data = os.urandom(6 * MIB)  # S3: a multipart upload to the staging key
    staged = store.stage(io.BytesIO(data))
    assert not store.has(staged.sha256)
    with pytest.raises(BlobError, match="missing"):
        store.check(staged.sha256)
    store.discard(staged)
    assert not store.has(staged.sha256)
    if isinstance(store, S3Store):
        listed = store.client.list_object_versions(
            Bucket=store.bucket, Prefix=f"{store.prefix}staging/"
        )
        assert not listed.get("Versions") and not listed.get("DeleteMarkers")


def test_a_crash_between_staging_and_keeping_is_settled(store: Blobs) -> None:
    recorded = store.stage(io.BytesIO(b"recorded, then the process died"))
    recorded.release()
    never = store.stage(io.BytesIO(b"never recorded"))
    never.release()
    if isinstance(store, S3Store):
        # An upload cut off mid-way leaves an unfinished multipart upload, which costs money.
        store.client.create_multipart_upload(Bucket=store.bucket, Key=f"{store.prefix}staging/x")
        young = store.settle({recorded.sha256})
        assert young.recovered == []  # staged a moment ago: maybe still uploading
        settled = store.settle({recorded.sha256}, timedelta(0), unfinished_older_than=timedelta(0))
        # (moto dates every multipart upload in 2010, so it may go in the first pass)
        removed = young.removed + settled.removed
        assert [r for r in removed if r.endswith("(unfinished)")] == ["x (unfinished)"]
        assert not store.client.list_multipart_uploads(Bucket=store.bucket).get("Uploads")
        settled.removed = [r for r in removed if not r.endswith("(unfinished)")]
    else:
        settled = store.settle({recorded.sha256})
    assert settled.recovered == [recorded.sha256] and len(settled.removed) == 1
    assert store.has(recorded.sha256) and not store.has(never.sha256)
    store.check(recorded.sha256)


def test_only_hashes_name_files(store: Blobs) -> None:
    for name in ("../../etc/passwd", "A" * 64, ""):
        with pytest.raises(BlobError, match="not a SHA-256"):
            store.has(name)


def spooled() -> list[str]:
    """Temporary files this process holds open (deleted names, or unnamed ones)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed meanwhile (the listing's own descriptor)
        if target.startswith(tempfile.gettempdir()) and "(deleted)" in target:
            found.append(target)
    return found


def test_parts_larger_than_memory_allows_go_through_disk(
    s3_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past 8 GiB a part is larger than Brady holds in memory; it is spooled to a temporary
    file while hashed (shrunk here: parts of 5 MiB, at most 1 MiB in memory). The file
    arrives whole, its hash is right, and no temporary file is left open."""
    settings = s3_server.settings(s3_server.bucket(), tmp_path)
    store = S3Store(settings, part=5 * MIB, copy_limit=6 * MIB, copy_part=5 * MIB, in_memory=MIB)
    before = spooled()  # pytest's own capture files are among them
    made: list[str] = []
    real = tempfile.TemporaryFile

    def counted(**kwargs: Any) -> Any:  # the real temporary file, counted
        made.append(kwargs["prefix"])
        return real(**kwargs)

    monkeypatch.setattr("brady.blobs.s3.tempfile.TemporaryFile", counted)
    data = os.urandom(16 * MIB + 7)  # four parts: the first in memory, three from disk
    sha = put(store, data)
    assert len(made) == 3
    assert b"".join(store.read(sha)) == data
    assert spooled() == before

    class Broken(io.RawIOBase):
        """A source that fails midway through the third part."""

        def __init__(self) -> None:
            self.sent = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            if self.sent > 11 * MIB:
                raise OSError("the client went away")
            n = min(len(buffer), 256 * 1024)
            buffer[:n] = b"x" * n
            self.sent += n
            return n

    with pytest.raises(OSError, match="went away"):
        store.stage(io.BufferedReader(Broken()))
    assert spooled() == before
    unfinished = store.client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])
    assert unfinished == []  # the failed upload was aborted, not left to be billed
