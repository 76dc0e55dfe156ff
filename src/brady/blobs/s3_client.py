"""Talking to an S3-compatible server: the client, and its failures in plain words.

boto3 ships no type hints, so the client is `Any` here and nowhere else needs to know.
Credentials come from boto3's standard chain (environment, profile, instance role);
Brady never reads or stores them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from .base import BlobSetupError
from .settings import BlobSettings

MISSING = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchVersion"})


def make_client(settings: BlobSettings) -> Any:
    """A client for the configured endpoint. Path-style addressing off AWS: Ceph, Swift's
    s3api, MinIO and emulators serve buckets under the endpoint's own host name."""
    config = Config(
        s3={"addressing_style": "path"} if settings.endpoint else {},
        retries={"max_attempts": 4, "mode": "standard"},
        max_pool_connections=8,
    )
    return boto3.client(
        "s3", endpoint_url=settings.endpoint, region_name=settings.region, config=config
    )


def code_of(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_missing(exc: BaseException) -> bool:
    return isinstance(exc, ClientError) and code_of(exc) in MISSING


@contextmanager
def plainly(what: str, where: str) -> Iterator[None]:
    """Turn a failure to talk to the server into one sentence saying what to check."""
    try:
        yield
    except ClientError as exc:
        code = code_of(exc)
        if code in {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}:
            raise BlobSetupError(
                f"the S3 server refused to let Brady {what} at {where} ({code}): check the "
                "access key in the environment and the bucket's permissions"
            ) from exc
        if code == "NoSuchBucket":
            raise BlobSetupError(
                f"there is no bucket {where} on the S3 server: create it (see docs/deploy.md, "
                "'Evidence files on S3') or correct [blobs] url in brady.toml"
            ) from exc
        raise BlobSetupError(f"could not {what} at {where}: the S3 server said {exc}") from exc
    except BotoCoreError as exc:
        raise BlobSetupError(
            f"could not {what} at {where}: {exc}. Check that the S3 server is running and that "
            "[blobs] endpoint and region in brady.toml, and the credentials, are right"
        ) from exc
