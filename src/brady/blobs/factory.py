"""Opening the configured store: the folder by default, an S3 bucket when one is named.

An S3 store is opened once per process and setting: opening asks the server whether the
bucket is protected (and refuses one that is not), and a client keeps its connections.
"""

from __future__ import annotations

from functools import cache

from .base import Blobs
from .settings import BlobSettings
from .store import BlobStore


def open_store(settings: BlobSettings) -> Blobs:
    if settings.s3 is None:
        return BlobStore(settings.folder)
    return _s3(settings)


@cache
def _s3(settings: BlobSettings) -> Blobs:
    from .s3 import S3Store  # boto3 is loaded only by a ledger that keeps files on S3

    return S3Store(settings)
