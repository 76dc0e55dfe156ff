"""Evidence files through the ledger on both stores: attached, checked by fixity, damage
found; and `brady blobs migrate` from the folder to a bucket, cut off and resumed."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from brady.blobs.base import BlobSetupError
from brady.blobs.s3 import S3Store
from brady.blobs.settings import BlobSettings
from brady.blobs.store import BlobStore
from brady.cli.app import app
from brady.cli.blobs import migrate_home
from brady.custody.file_migration import checked_digest
from brady.custody.files import attach, blob_store, check_file, fixity
from brady.custody.service import Custody
from brady.domain.errors import NotAllowedError
from brady.ledger.entry import Entry, parse_entry
from brady.ledger_home import OpenLedger, init_home, open_blobs
from brady.reports import chain_of_custody
from brady.store import access_log

from ..custody.conftest import staff
from ..custody.test_service import intake
from .conftest import S3Server

runner = CliRunner()


def migrations(led: OpenLedger) -> list[Entry]:
    every = (parse_entry(led.store.entry(seq)) for seq in range(led.store.size()))
    return [e for e in every if e.kind == "blobs.migrate"]


def use_bucket(home: Path, settings: BlobSettings) -> None:
    """Point brady.toml's [blobs] at the bucket, as docs/deploy.md tells an administrator."""
    assert settings.s3 is not None
    toml = home / "brady.toml"
    lines = [ln for ln in toml.read_text().splitlines() if not ln.startswith("blobs = ")]
    lines += [
        "[blobs]",
        f'url = "{settings.s3.url}"',
        f'endpoint = "{settings.endpoint}"',
        f'region = "{settings.region}"',
        f'retention_mode = "{settings.retention_mode}"',
        "[blobs.retention]",
        "default_days = 1",
    ]
    toml.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module", params=["folder", "s3"])
def custody(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Custody]:
    home = tmp_path_factory.mktemp("ledger") / "home"
    led = init_home(home)
    if request.param == "s3":
        server: S3Server = request.getfixturevalue("s3_server")
        use_bucket(home, server.settings(server.bucket(), home / "blobs"))
    yield staff(Custody(led))
    led.close()


def test_attach_fixity_and_download_through_the_ledger(custody: Custody, tmp_path: Path) -> None:
    data = os.urandom(2 * (1 << 20) + 5)
    sha = hashlib.sha256(data).hexdigest()
    item = intake(custody)
    entry = attach(custody, "clerk", item, io.BytesIO(data), "bodycam.mp4", "video/mp4")
    assert entry.payload["sha256"] == sha
    attach(custody, "clerk", intake(custody), io.BytesIO(data), "copy.mp4")
    store = blob_store(custody)
    assert isinstance(store, S3Store if "s3:" in store.location else BlobStore)
    report = fixity(custody)
    assert report.problems == [] and report.files >= 1
    assert check_file(custody, item, sha)
    store.copy_out(sha, tmp_path / "out.mp4")
    assert (tmp_path / "out.mp4").read_bytes() == data

    if isinstance(store, BlobStore):
        store.path(sha).chmod(0o644)
        store.path(sha).write_bytes(b"x" * len(data))
    else:
        assert isinstance(store, S3Store)
        store.client.put_object(Bucket=store.bucket, Key=store.key(sha), Body=b"x" * len(data))
    assert any("no longer matches its recorded hash" in p for p in fixity(custody).problems)
    assert not check_file(custody, item, sha)
    attach(custody, "clerk", intake(custody), io.BytesIO(data), "good-again.mp4")
    assert check_file(custody, item, sha)


def test_blobs_status_says_what_protects_the_files(custody: Custody) -> None:
    home = custody.led.config.path
    said = runner.invoke(app, ["--home", str(home), "blobs", "status"])
    assert said.exit_code == 0, said.output
    audit = runner.invoke(app, ["--home", str(home), "verify"])  # the audit says it too
    assert audit.exit_code == 0, audit.output
    if "s3:" in blob_store(custody).location:
        assert "versioning and Object Lock" in said.stdout and "legal hold" in said.stdout
        assert "versioning and Object Lock" in audit.stdout
    else:
        assert "Evidence files are in the folder" in said.stdout
        assert "Evidence files are in the folder" in audit.stdout


class CutOffError(Exception):
    pass


def test_migrate_cut_off_then_resumed_checks_every_hash(
    s3_server: S3Server, tmp_path: Path
) -> None:
    led = init_home(tmp_path / "home")
    custody = staff(Custody(led))
    files = {f"f{i}.bin": os.urandom(300_000 + i) for i in range(4)}
    for name, data in files.items():
        attach(custody, "clerk", intake(custody), io.BytesIO(data), name)
    target = s3_server.settings(s3_server.bucket(), led.config.blobs)
    assert target.s3 is not None

    def cut_off_after_two(sha256: str, size: int) -> None:
        copied.append(sha256)
        if len(copied) == 2:
            raise CutOffError

    copied: list[str] = []
    with pytest.raises(CutOffError):
        migrate_home(led, target, "admin", cut_off_after_two)
    with led.engine.connect() as conn:
        logged = access_log.search(conn, access_log.Query(action="blobs.migrate"))
    assert [r["outcome"] for r in logged] == ["interrupted"] and logged[0]["bytes"] > 0

    args = ["--home", str(led.config.path), "blobs", "migrate", "--to", target.s3.url]
    args += ["--endpoint", str(target.endpoint), "--region", str(target.region)]
    resumed = runner.invoke(app, args)
    assert resumed.exit_code == 0, resumed.output
    assert "Copied 2 files" in resumed.stdout and "2 files were already there" in resumed.stdout
    assert f'url = "{target.s3.url}"' in resumed.stdout
    moves = migrations(led)
    assert len(moves) == 1  # the cut-off run recorded nothing on the ledger
    hashes = [hashlib.sha256(d).hexdigest() for d in files.values()]
    assert moves[0].payload == {
        "source": str(led.config.blobs),
        "target": target.s3.url,
        "files": 4,
        "copied": 2,
        "bytes": moves[0].payload["bytes"],
        "checked": checked_digest(hashes),
        "problems": [],
    }
    assert f"recorded on the ledger as entry {moves[0].seq}" in resumed.stdout
    audit = runner.invoke(app, ["--home", str(led.config.path), "verify"])
    assert audit.exit_code == 0, audit.output
    bucket = S3Store(target)
    for data in files.values():
        bucket.check(hashlib.sha256(data).hexdigest())  # read back and re-hashed, each one
    with led.engine.connect() as conn:
        logged = access_log.search(conn, access_log.Query(action="blobs.migrate"))
    assert [r["outcome"] for r in logged] == ["ok", "interrupted"]

    use_bucket(led.config.path, target)
    store = open_blobs(led.config)
    assert store.location == target.s3.url
    report = fixity(custody)
    assert report.files == 4 and report.problems == []
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "already in s3://" in again.output  # nothing to migrate
    led.close()


def test_migrate_reports_a_damaged_folder_file_and_copies_the_rest(
    s3_server: S3Server, tmp_path: Path
) -> None:
    led = init_home(tmp_path / "home")
    custody = staff(Custody(led))
    good, bad = b"a good file", b"a file damaged on disk"
    attach(custody, "clerk", intake(custody), io.BytesIO(good), "good.txt")
    attach(custody, "clerk", intake(custody), io.BytesIO(bad), "bad.txt")
    folder = BlobStore(led.config.blobs)
    bad_sha = hashlib.sha256(bad).hexdigest()
    folder.path(bad_sha).chmod(0o644)
    folder.path(bad_sha).write_bytes(b"a file DAMAGED on disk")
    target = s3_server.settings(s3_server.bucket(), led.config.blobs)
    done, entry = migrate_home(led, target, "admin")
    assert done.copied == [hashlib.sha256(good).hexdigest()]
    assert len(done.problems) == 1 and bad_sha in done.problems[0]
    assert not S3Store(target).has(bad_sha)
    assert entry.payload["files"] == 1 and entry.payload["problems"] == done.problems
    said = chain_of_custody.describe(entry.kind, entry.payload, {})
    assert "1 files read back" in said and "1 problem(s) found" in said
    led.close()


def test_only_an_administrator_moves_the_files_and_is_refused_before_any_copy(
    s3_server: S3Server, tmp_path: Path
) -> None:
    led = init_home(tmp_path / "home")
    custody = staff(Custody(led))
    attach(custody, "clerk", intake(custody), io.BytesIO(b"evidence"), "e.txt")
    target = s3_server.settings(s3_server.bucket(), led.config.blobs)
    with pytest.raises(NotAllowedError, match="clerk is not an administrator"):
        migrate_home(led, target, "clerk")
    assert not S3Store(target).has(hashlib.sha256(b"evidence").hexdigest())
    assert not migrations(led)
    led.close()


def test_a_ledger_on_an_unprotected_bucket_will_not_store_files(
    s3_server: S3Server, tmp_path: Path
) -> None:
    led = init_home(tmp_path / "home")
    custody = staff(Custody(led))
    use_bucket(led.config.path, s3_server.settings(s3_server.bucket(locked=False), tmp_path))
    with pytest.raises(BlobSetupError, match="will not keep evidence"):
        attach(custody, "clerk", intake(custody), io.BytesIO(b"x"), "x.txt")
    said = runner.invoke(app, ["--home", str(led.config.path), "blobs", "status"])
    assert said.exit_code == 5 and "require_object_lock = false" in said.output
    led.close()


def test_a_recorded_disposition_lifts_the_legal_hold_and_nothing_else_does(
    custody: Custody,
) -> None:
    """A kept file is under legal hold while the item is in custody; the hold is lifted once
    the item's disposition is on the ledger, and only when no other item in custody holds
    the same file. A refused disposition lifts nothing."""
    data = os.urandom(1 << 16)
    sha = hashlib.sha256(data).hexdigest()
    with custody.session() as s:
        s.open_case("pros", "case-hold", "State v. Held")
    gone, kept = intake(custody, case_ids=["case-hold"]), intake(custody, case_ids=["case-1"])
    attach(custody, "clerk", gone, io.BytesIO(data), "photo.jpg")
    store = blob_store(custody)
    held = _held(store, sha)
    with custody.session() as s:
        s.request_disposition("super", gone, "destroyed", "Case adjudicated")
        s.approve_disposition("super2", gone)
    with pytest.raises(Exception, match="open case"), custody.session() as s:
        s.dispose("clerk", gone, "destroyed")
    assert _held(store, sha) == held  # refused: nothing lifted
    attach(custody, "clerk", kept, io.BytesIO(data), "same-photo.jpg")
    with custody.session() as s:
        s.close_case("pros", "case-hold", "Dismissed")
        s.dispose("clerk", gone, "destroyed")
    assert _held(store, sha) == held  # the other item, still in custody, holds it
    if isinstance(store, S3Store):
        assert held is True
        with custody.session() as s:  # the second item goes too: now nothing holds the file
            s.close_case("pros", "case-1", "Adjudicated")
            s.request_disposition("super", kept, "destroyed", "Case adjudicated")
            s.approve_disposition("super2", kept)
            s.dispose("clerk", kept, "destroyed")
        assert _held(store, sha) is False
    else:
        assert held is None  # a folder has no legal hold


def _held(store: object, sha256: str) -> bool | None:
    """Whether the S3 object carries a legal hold (None for the folder store)."""
    if not isinstance(store, S3Store):
        return None
    head = store.client.head_object(Bucket=store.bucket, Key=store.key(sha256))
    return bool(head.get("ObjectLockLegalHoldStatus") == "ON")
