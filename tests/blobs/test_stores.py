"""Every evidence-file store keeps the same promises: hashed while stored, kept under the
hash only when told, identical content once, every read re-hashed, damage caught."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest

from brady.blobs.base import Blobs
from brady.blobs.s3 import S3Store
from brady.blobs.store import BlobError, BlobStore

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
