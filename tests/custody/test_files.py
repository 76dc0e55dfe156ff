"""Digital evidence on disk: hashed while stored, recorded before kept, re-hashed on the way out."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from brady.blobs.store import BlobError
from brady.custody.files import attach, blob_store, fixity
from brady.custody.service import Custody
from brady.domain.errors import RefusedError

from .test_service import intake


def test_attach_dedupes_and_fixity_catches_damage(custody: Custody) -> None:
    item = intake(custody)
    data = os.urandom(3 * (1 << 20) + 17)
    sha = hashlib.sha256(data).hexdigest()
    entry = attach(custody, "clerk", item, io.BytesIO(data), "bodycam.mp4", "video/mp4")
    assert entry.payload["sha256"] == sha and entry.payload["size"] == len(data)
    attach(custody, "clerk", intake(custody), io.BytesIO(data), "copy.mp4")
    store = blob_store(custody)
    assert store.path(sha).read_bytes() == data
    assert sum(1 for p in store.root.rglob("*") if p.is_file()) == 1  # stored once
    report = fixity(custody)
    assert (report.files, report.bytes, report.problems) == (1, len(data), [])
    path = store.path(sha)
    path.chmod(0o644)
    with path.open("r+b") as fh:
        fh.seek(1000)
        fh.write(bytes([data[1000] ^ 0xFF]))  # a byte that surely differs
    assert "no longer matches its recorded hash" in fixity(custody).problems[0]
    with pytest.raises(BlobError):
        store.copy_out(sha, custody.led.config.path.parent / "out.mp4")
    assert not (custody.led.config.path.parent / "out.mp4").exists()
    path.unlink()
    assert "is missing" in fixity(custody).problems[0]


def test_refused_attach_keeps_nothing(custody: Custody) -> None:
    with pytest.raises(RefusedError, match="no item"):
        attach(custody, "clerk", "ITM-404", io.BytesIO(b"secret"), "x.txt")
    store = blob_store(custody)
    assert not any(p.is_file() for p in store.root.rglob("*"))


def test_fixity_settles_leftovers_of_a_crash(custody: Custody) -> None:
    item = intake(custody)
    store = blob_store(custody)
    # Crash after recording, before keeping: the staged file is kept by fixity.
    staged = store.stage(io.BytesIO(b"recorded but not kept"))
    with custody.session() as s:
        s.attach_file("clerk", item, staged.sha256, staged.size, "a.txt", staged=staged)
    staged.release()  # the process dies: its lock goes with it
    in_progress = store.stage(io.BytesIO(b"another upload, still running"))
    # Crash before recording: the staged file is removed by fixity.
    store.stage(io.BytesIO(b"never recorded")).release()
    report = fixity(custody)
    assert report.recovered == [staged.sha256] and len(report.removed) == 1
    assert store.has(staged.sha256)
    assert store.leftovers() == []  # the running upload is locked, so not a leftover
    assert in_progress.path.exists()  # and fixity left it alone
    store.discard(in_progress)
    assert report.problems == []


def test_a_damaged_copy_is_replaced_by_a_good_upload(custody: Custody) -> None:
    item = intake(custody)
    attach(custody, "clerk", item, io.BytesIO(b"original bytes"), "a.txt")
    store = blob_store(custody)
    sha = hashlib.sha256(b"original bytes").hexdigest()
    store.path(sha).chmod(0o644)
    store.path(sha).write_bytes(b"damaged bytes!")
    attach(custody, "clerk", intake(custody), io.BytesIO(b"original bytes"), "again.txt")
    assert store.path(sha).read_bytes() == b"original bytes"
    assert fixity(custody).problems == []


def test_only_hashes_name_files(custody: Custody) -> None:
    with pytest.raises(BlobError, match="not a SHA-256"):
        blob_store(custody).path("../../etc/passwd")
