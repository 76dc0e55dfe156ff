"""S3 Object Lock: what the bucket offers, and putting kept files under it.

A kept file gets a retention period (by its item's category) and a legal hold. Retention
is only ever extended, never shortened (COMPLIANCE mode would refuse anyway); the legal
hold is lifted only by `release_hold`, which Brady calls for a recorded disposition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from .base import BlobSetupError
from .s3_client import code_of, plainly
from .settings import BlobSettings

NO_LOCK = frozenset(
    {"ObjectLockConfigurationNotFoundError", "ObjectLockConfigurationNotFound", "NotImplemented"}
)


@dataclass(frozen=True)
class BucketProtection:
    versioning: bool
    object_lock: bool

    @property
    def locked(self) -> bool:
        return self.versioning and self.object_lock


def inspect_bucket(client: Any, bucket: str, url: str) -> BucketProtection:
    with plainly("read the bucket's settings", url):
        versioning = client.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled"
        try:
            got = client.get_object_lock_configuration(Bucket=bucket)
            config = got.get("ObjectLockConfiguration", {})
            lock = config.get("ObjectLockEnabled") == "Enabled"
        except ClientError as exc:
            if code_of(exc) not in NO_LOCK:
                raise
            lock = False
    return BucketProtection(versioning, lock)


def refuse_unprotected(found: BucketProtection, url: str) -> BlobSetupError:
    missing = " and ".join(
        name
        for name, on in (("versioning", found.versioning), ("Object Lock", found.object_lock))
        if not on
    )
    return BlobSetupError(
        f"Brady will not keep evidence in {url}: the bucket does not have {missing} turned on, "
        "so anyone holding the bucket's keys could overwrite or delete evidence files without "
        "a trace. Create a bucket with Object Lock enabled (it turns versioning on too; see "
        "docs/deploy.md, 'Evidence files on S3') and point [blobs] url at it. If your agency "
        "accepts the risk, set require_object_lock = false under [blobs] in brady.toml."
    )


def describe(settings: BlobSettings, found: BucketProtection, url: str) -> str:
    if not found.locked:
        return (
            f"Evidence files are in the S3 bucket {url} WITHOUT Object Lock "
            "(require_object_lock = false): anyone with the bucket's keys could overwrite or "
            "delete them; fixity would notice a change but could not undo it."
        )
    days = settings.retention_days(None)
    others = [f"{c} {d}" for c, d in settings.retention if c != "default"]
    longer = f" ({', '.join(others)} days by category)" if others else ""
    return (
        f"Evidence files are in the S3 bucket {url} with versioning and Object Lock: each is "
        f"kept under a legal hold until its disposition is recorded, and under "
        f"{settings.retention_mode} retention for {days} days{longer}, so it cannot be "
        "overwritten or deleted, even by the bucket's owner."
    )


def protect(
    client: Any,
    settings: BlobSettings,
    bucket: str,
    key: str,
    head: dict[str, Any],
    category: str | None,
) -> None:
    """Put one version of a kept file under retention and a legal hold (idempotent)."""
    version = head.get("VersionId")
    days = settings.retention_days(category)
    if days > 0:
        until = datetime.now(UTC) + timedelta(days=days)
        current = head.get("ObjectLockRetainUntilDate")
        if current is None or current < until - timedelta(days=1):
            client.put_object_retention(
                Bucket=bucket,
                Key=key,
                VersionId=version,
                Retention={"Mode": settings.retention_mode, "RetainUntilDate": until},
            )
    if head.get("ObjectLockLegalHoldStatus") != "ON":
        client.put_object_legal_hold(
            Bucket=bucket, Key=key, VersionId=version, LegalHold={"Status": "ON"}
        )


def release(client: Any, bucket: str, key: str) -> bool:
    """Lift the legal hold from every version of the key; whether any had one."""
    released = False
    pages = client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key)
    for page in pages:
        for version in page.get("Versions", []):
            if version["Key"] != key:
                continue
            vid = version["VersionId"]
            head = client.head_object(Bucket=bucket, Key=key, VersionId=vid)
            if head.get("ObjectLockLegalHoldStatus") == "ON":
                client.put_object_legal_hold(
                    Bucket=bucket, Key=key, VersionId=vid, LegalHold={"Status": "OFF"}
                )
                released = True
    return released
