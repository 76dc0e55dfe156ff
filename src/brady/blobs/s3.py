"""Evidence files in an S3-compatible bucket, with the folder store's promises.

An upload streams to a staging key as a multipart upload while SHA-256 is computed
(memory bounded by a few parts, whatever the size). Once the ledger holds the hash, the
object is copied server-side to `sha256/<hash>` and the staging object deleted, so a key
named by a hash always names bytes the ledger recorded. Every read re-hashes what it
streams: the ETag is an MD5 of parts at best and is never taken for a hash.
"""

from __future__ import annotations

import hashlib
import secrets
import tempfile
from collections import deque
from collections.abc import Container, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from . import s3_lock
from .base import BlobSetupError, Progress, Settled, Staged, read_all
from .s3_client import is_missing, make_client, plainly
from .settings import BlobSettings
from .store import CHUNK, BlobError, check_name, mismatch, write_verified

MIB = 1 << 20
PART = 8 * MIB
"""The first parts' size; later parts grow (see `part_size`) to stay within 10,000 parts."""
MAX_PARTS = 10_000
IN_FLIGHT = 2
"""Parts uploading while the next is read and hashed. A part of the first size is held in
memory; a larger one (from part 1001, past 8 GiB) is spooled to a temporary file as it is
read, so memory stays about (IN_FLIGHT + 1) first parts' worth whatever the file's size,
and the temporary files take (IN_FLIGHT + 1) parts of disk at most (512 MiB at 5 TiB)."""
COPY_LIMIT = 5 << 30
"""S3's largest single copy; above it the copy is made of ranges (multipart copy)."""
COPY_PART = 1 << 30
LEFTOVER_AGE = timedelta(hours=1)
"""A staging object older than this belongs to an upload that died, not one running."""
UNFINISHED_AGE = timedelta(days=1)
"""A multipart upload begun this long ago and still open has died (a very large file over a
slow link can take hours, so this is longer)."""


def part_size(number: int, first: int = PART) -> int:
    """Parts 1-1000 are `first` bytes, 1001-2000 twice that, 2001-3000 four times, and
    from 3001 on eight times: 10,000 parts of the default hold about 500 GiB."""
    return first << min((number - 1) // 1000, 3)


@dataclass(frozen=True)
class S3Staged:
    sha256: str
    size: int
    key: str
    version_id: str | None

    def release(self) -> None:
        """Nothing to let go of: a running upload is told apart from a dead one by age."""


class S3Store:
    """See the module docstring. `part` and `copy_limit` are for tests of the large-file
    paths with small files."""

    def __init__(
        self,
        settings: BlobSettings,
        client: Any | None = None,
        *,
        part: int = PART,
        copy_limit: int = COPY_LIMIT,
        copy_part: int = COPY_PART,
        in_memory: int | None = None,
    ) -> None:
        if settings.s3 is None:
            raise BlobSetupError("no S3 location is configured ([blobs] url in brady.toml)")
        self.settings = settings
        self.bucket = settings.s3.bucket
        self.prefix = settings.s3.prefix
        self.client = client if client is not None else make_client(settings)
        self.part, self.copy_limit, self.copy_part = part, copy_limit, copy_part
        self.in_memory = part if in_memory is None else in_memory  # larger parts: on disk
        self.found = s3_lock.inspect_bucket(self.client, self.bucket, self.location)
        if not self.found.locked and settings.require_object_lock:
            raise s3_lock.refuse_unprotected(self.found, self.location)

    @property
    def location(self) -> str:
        assert self.settings.s3 is not None
        return self.settings.s3.url

    def protection(self) -> str:
        return s3_lock.describe(self.settings, self.found, self.location)

    def key(self, sha256: str) -> str:
        return f"{self.prefix}sha256/{check_name(sha256)}"

    # -- writing ----------------------------------------------------------------------------

    def stage(self, source: BinaryIO, progress: Progress | None = None) -> S3Staged:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        key = f"{self.prefix}staging/{stamp}-{secrets.token_hex(8)}"
        digest = hashlib.sha256()
        first = _read_up_to(source, self.part)
        digest.update(first)
        if progress is not None:
            progress(len(first))
        with plainly("store a file", self.location):
            if len(first) < self.part:
                put = self.client.put_object(Bucket=self.bucket, Key=key, Body=first)
                return S3Staged(digest.hexdigest(), len(first), key, put.get("VersionId"))
            size, version = self._multipart(key, first, source, digest, progress)
        return S3Staged(digest.hexdigest(), size, key, version)

    def _multipart(
        self,
        key: str,
        first: bytes,
        source: BinaryIO,
        digest: Any,
        progress: Progress | None,
    ) -> tuple[int, str | None]:
        upload = self.client.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"]
        parts: list[dict[str, Any]] = []
        pending: deque[tuple[int, Future[Any]]] = deque()
        size, number = len(first), 1
        chunk: bytes | BinaryIO = first
        try:
            with ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="brady-s3-part") as pool:
                while chunk:
                    while len(pending) >= IN_FLIGHT:
                        _collect(pending, parts)
                    pending.append((number, pool.submit(self._part, key, upload, number, chunk)))
                    number += 1
                    chunk, got = _read_part(
                        source, part_size(number, self.part), digest, self.in_memory
                    )
                    if got and number > MAX_PARTS:
                        _close(chunk)
                        raise BlobError("the file is larger than one S3 upload can hold")
                    size += got
                    if progress is not None and got:
                        progress(size)
                while pending:
                    _collect(pending, parts)
            done = self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": parts}
            )
        except BaseException:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload)
            raise
        return size, done.get("VersionId")

    def _part(self, key: str, upload: str, number: int, body: bytes | BinaryIO) -> str:
        try:
            got = self.client.upload_part(
                Bucket=self.bucket, Key=key, UploadId=upload, PartNumber=number, Body=body
            )
        finally:
            _close(body)
        return str(got["ETag"])

    def keep(self, staged: Staged, category: str | None = None) -> str:
        mine = _ours(staged)
        final = self.key(mine.sha256)
        with plainly("keep a file", self.location):
            head = self._head(final)
            if head is not None:
                try:
                    self.check(mine.sha256)
                except BlobError:
                    head = None  # damaged: the good bytes become its newest version
            if head is None:
                if self._head(mine.key) is None:
                    raise BlobError(
                        f"the staged copy of {mine.sha256} is gone; its hash is recorded, "
                        "so attach the same file again to store it"
                    )
                self._copy(mine, final)
                head = self._head(final)
                if head is None or int(head["ContentLength"]) != mine.size:
                    raise BlobError(
                        f"the copy of {mine.sha256} under its hash did not arrive whole"
                    )
            if self.found.locked:
                s3_lock.protect(self.client, self.settings, self.bucket, final, head, category)
            self._drop(mine.key, mine.version_id)
        return final

    def _copy(self, staged: S3Staged, final: str) -> None:
        source: dict[str, str] = {"Bucket": self.bucket, "Key": staged.key}
        if staged.version_id:
            source["VersionId"] = staged.version_id
        meta = {"sha256": staged.sha256}
        if staged.size <= self.copy_limit:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=final,
                CopySource=source,
                Metadata=meta,
                MetadataDirective="REPLACE",
            )
            return
        upload = self.client.create_multipart_upload(Bucket=self.bucket, Key=final, Metadata=meta)
        parts = []
        try:
            for number, start in enumerate(range(0, staged.size, self.copy_part), 1):
                end = min(start + self.copy_part, staged.size) - 1
                got = self.client.upload_part_copy(
                    Bucket=self.bucket,
                    Key=final,
                    UploadId=upload["UploadId"],
                    PartNumber=number,
                    CopySource=source,
                    CopySourceRange=f"bytes={start}-{end}",
                )
                parts.append({"PartNumber": number, "ETag": got["CopyPartResult"]["ETag"]})
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=final,
                UploadId=upload["UploadId"],
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=final, UploadId=upload["UploadId"]
            )
            raise

    def discard(self, staged: Staged) -> None:
        mine = _ours(staged)
        with plainly("remove a staged file", self.location):
            self._drop(mine.key, mine.version_id)

    def _drop(self, key: str, version: str | None) -> None:
        """Delete a staging object for good (its version too, where the bucket keeps them);
        if a bucket-wide retention rule forbids that, a delete marker hides it."""
        if version:
            try:
                self.client.delete_object(Bucket=self.bucket, Key=key, VersionId=version)
                return
            except ClientError:
                pass
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def release_hold(self, sha256: str) -> bool:
        if not self.found.locked:
            return False
        with plainly("lift a legal hold", self.location):
            return s3_lock.release(self.client, self.bucket, self.key(sha256))

    # -- reading ----------------------------------------------------------------------------

    def _head(self, key: str, version: str | None = None) -> dict[str, Any] | None:
        extra = {"VersionId": version} if version else {}
        try:
            got: dict[str, Any] = self.client.head_object(Bucket=self.bucket, Key=key, **extra)
        except ClientError as exc:
            if is_missing(exc):
                return None
            raise
        return got

    def has(self, sha256: str) -> bool:
        with plainly("look for a file", self.location):
            return self._head(self.key(sha256)) is not None

    def size_of(self, sha256: str) -> int | None:
        with plainly("look for a file", self.location):
            head = self._head(self.key(sha256))
        return None if head is None else int(head["ContentLength"])

    def read(self, sha256: str, progress: Progress | None = None) -> Iterator[bytes]:
        key = self.key(sha256)
        with plainly("read a file", self.location):
            try:
                got = self.client.get_object(Bucket=self.bucket, Key=key)
            except ClientError as exc:
                if is_missing(exc):
                    raise BlobError(f"file {sha256} is missing from {self.location}") from exc
                raise
        digest = hashlib.sha256()
        done = 0
        try:
            with plainly("read a file", self.location):
                for chunk in got["Body"].iter_chunks(CHUNK):
                    digest.update(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(done)
                    yield chunk
        finally:
            got["Body"].close()  # a download cut off by its client frees the connection
        if digest.hexdigest() != sha256:
            where = f"in {self.location}"
            if self.found.versioning:
                where += " (the bucket keeps earlier versions: restore the one that matches)"
            raise mismatch(sha256, digest.hexdigest(), where)

    def check(self, sha256: str, progress: Progress | None = None) -> None:
        read_all(self.read(sha256, progress))

    def copy_out(self, sha256: str, target: Path) -> None:
        write_verified(self.read(sha256), target)

    @contextmanager
    def local_copy(self, sha256: str) -> Iterator[Path]:
        with tempfile.TemporaryDirectory(prefix="brady-blob-") as tmp:
            path = Path(tmp) / sha256
            self.copy_out(sha256, path)
            yield path

    # -- a crash's leftovers ----------------------------------------------------------------

    def leftovers(self, older_than: timedelta = LEFTOVER_AGE) -> list[S3Staged]:
        """Staging objects older than `older_than`: uploads a crash cut off between stage
        and keep (their hash is not known until they are read; `sha256` is empty)."""
        cutoff = datetime.now(UTC) - older_than
        out = []
        with plainly("list staged files", self.location):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=f"{self.prefix}staging/"
            )
            for page in pages:
                for obj in page.get("Contents", []):
                    if obj["LastModified"] <= cutoff:
                        out.append(S3Staged("", int(obj["Size"]), obj["Key"], None))
        return out

    def settle(
        self,
        recorded: Container[str],
        older_than: timedelta = LEFTOVER_AGE,
        unfinished_older_than: timedelta = UNFINISHED_AGE,
    ) -> Settled:
        done = Settled()
        for left in self.leftovers(older_than):
            with plainly("settle a staged file", self.location):
                head = self._head(left.key)
                if head is None:
                    continue  # settled by another process meanwhile
                digest = hashlib.sha256()
                body = self.client.get_object(
                    Bucket=self.bucket, Key=left.key, VersionId=head.get("VersionId")
                )["Body"]
                for chunk in body.iter_chunks(CHUNK):
                    digest.update(chunk)
                staged = S3Staged(
                    digest.hexdigest(), int(head["ContentLength"]), left.key, head.get("VersionId")
                )
            name = left.key.rsplit("/", 1)[-1]
            if staged.sha256 in recorded:
                self.keep(staged)
                done.recovered.append(staged.sha256)
            else:
                self.discard(staged)
                done.removed.append(name)
        self._abort_dead_uploads(unfinished_older_than, done)
        return done

    def _abort_dead_uploads(self, older_than: timedelta, done: Settled) -> None:
        """Multipart uploads a crash left open cost storage until aborted."""
        cutoff = datetime.now(UTC) - older_than
        with plainly("list unfinished uploads", self.location):
            got = self.client.list_multipart_uploads(
                Bucket=self.bucket, Prefix=f"{self.prefix}staging/"
            )
            for upload in got.get("Uploads", []):
                if upload["Initiated"] <= cutoff:
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    done.removed.append(upload["Key"].rsplit("/", 1)[-1] + " (unfinished)")


def _read_up_to(source: BinaryIO, n: int) -> bytes:
    """Exactly `n` bytes unless the stream ends first (a raw stream may return fewer)."""
    chunk = source.read(n)
    if len(chunk) == n or not chunk:
        return chunk
    buf = bytearray(chunk)
    while len(buf) < n and (more := source.read(n - len(buf))):
        buf += more
    return bytes(buf)


def _read_part(
    source: BinaryIO, size: int, digest: Any, in_memory: int
) -> tuple[bytes | BinaryIO, int]:
    """The next part, of `size` bytes unless the stream ends first, hashed as it is read:
    in memory up to `in_memory` bytes, else in a temporary file (deleted once closed), so
    a large part costs disk, not memory. An empty part is b""."""
    if size <= in_memory:
        data = _read_up_to(source, size)
        digest.update(data)
        return data, len(data)
    block = source.read(min(CHUNK, size))
    if not block:
        return b"", 0
    spool: BinaryIO = tempfile.TemporaryFile(prefix="brady-s3-part-")  # noqa: SIM115
    got = 0
    try:
        while block:
            digest.update(block)
            spool.write(block)
            got += len(block)
            block = source.read(min(CHUNK, size - got)) if got < size else b""
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, got


def _close(body: bytes | BinaryIO) -> None:
    if not isinstance(body, bytes):
        body.close()


def _collect(pending: deque[tuple[int, Future[Any]]], parts: list[dict[str, Any]]) -> None:
    number, future = pending.popleft()
    parts.append({"PartNumber": number, "ETag": future.result()})


def _ours(staged: Staged) -> S3Staged:
    if not isinstance(staged, S3Staged):
        raise TypeError(f"{staged!r} was not staged in an S3 store")
    return staged
