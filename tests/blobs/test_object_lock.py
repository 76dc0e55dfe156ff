"""Where the server offers S3 Object Lock, a kept file cannot be deleted while held or
retained; Brady refuses a bucket without it unless told to accept that."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from brady.blobs.base import Blobs, BlobSetupError
from brady.blobs.s3 import S3Store
from brady.blobs.store import BlobStore

from .conftest import S3Server


def _supports_object_lock(server: S3Server) -> bool:
    try:
        server.bucket(locked=True)
    except ClientError:
        return False
    return True


def _delete_version(store: S3Store, sha256: str) -> None:
    head = store.client.head_object(Bucket=store.bucket, Key=store.key(sha256))
    store.client.delete_object(
        Bucket=store.bucket, Key=store.key(sha256), VersionId=head["VersionId"]
    )


def test_hold_and_retention_refuse_deletion(
    store: Blobs, s3_server: S3Server, tmp_path: Path
) -> None:
    if isinstance(store, BlobStore):
        # A folder offers no lock: Brady says so rather than claim a protection it lacks.
        assert "anyone who can write to that folder could change them" in store.protection()
        staged = store.stage(io.BytesIO(b"folder"))
        store.keep(staged)
        assert store.release_hold(staged.sha256) is False
        return
    if not _supports_object_lock(s3_server):
        print("this S3 server does not support Object Lock: checking Brady's refusal instead")
        test_an_unprotected_bucket_is_refused(s3_server, tmp_path)
        return
    assert isinstance(store, S3Store)
    assert "legal hold" in store.protection() and "GOVERNANCE retention" in store.protection()
    held = store.stage(io.BytesIO(b"held only: its category has no retention period"))
    store.keep(held, "on_hold_only")
    head = store.client.head_object(Bucket=store.bucket, Key=store.key(held.sha256))
    assert head["ObjectLockLegalHoldStatus"] == "ON" and "ObjectLockMode" not in head
    with pytest.raises(ClientError, match="AccessDenied"):
        _delete_version(store, held.sha256)
    assert store.release_hold(held.sha256) is True  # what a recorded disposition calls
    _delete_version(store, held.sha256)
    assert not store.has(held.sha256)

    retained = store.stage(io.BytesIO(b"held and retained for the default period"))
    store.keep(retained)
    head = store.client.head_object(Bucket=store.bucket, Key=store.key(retained.sha256))
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert store.release_hold(retained.sha256) is True
    with pytest.raises(ClientError, match="AccessDenied"):
        _delete_version(store, retained.sha256)  # the retention period still runs
    store.check(retained.sha256)


def test_an_unprotected_bucket_is_refused(s3_server: S3Server, tmp_path: Path) -> None:
    plain = s3_server.settings(s3_server.bucket(locked=False), tmp_path)
    with pytest.raises(BlobSetupError, match="require_object_lock = false") as refused:
        S3Store(plain)
    assert "does not have versioning and Object Lock turned on" in str(refused.value)
    accepted = S3Store(plain.__class__(**{**plain.__dict__, "require_object_lock": False}))
    assert "WITHOUT Object Lock" in accepted.protection()
    staged = accepted.stage(io.BytesIO(b"kept, but unprotected"))
    accepted.keep(staged)
    accepted.check(staged.sha256)
    assert accepted.release_hold(staged.sha256) is False


def test_a_missing_bucket_says_so(s3_server: S3Server, tmp_path: Path) -> None:
    settings = s3_server.settings("brady-no-such-bucket", tmp_path)
    with pytest.raises(BlobSetupError, match="there is no bucket"):
        S3Store(settings)
