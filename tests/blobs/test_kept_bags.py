"""The files of a kept production are evidence files too: fixity re-hashes them, a changed
one is caught, and `brady blobs migrate` takes them to the bucket with the rest, so a
server on the bucket still makes the zip counsel downloads. On both stores."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from brady.blobs import kept_bags
from brady.blobs.s3 import S3Store
from brady.cli.admin import bootstrap_admin
from brady.cli.blobs import migrate_home
from brady.cli.demo import load_rust
from brady.custody.file_migration import checked_digest
from brady.custody.files import blob_store, fixity, kept_hashes, recorded_hashes
from brady.custody.service import Custody
from brady.disclosure.production import produce_for_download
from brady.ledger_home import init_home, open_blobs

from .conftest import S3Server
from .test_ledger_files import use_bucket
from .test_stores import overwrite


@dataclass
class Produced:
    custody: Custody
    bag_sha256: str
    folder: str
    out: Path


def _produced(custody: Custody, out: Path) -> Produced:
    bootstrap_admin(custody)
    load_rust(custody, lambda e: e["do"] not in {"disclosure.produce", "disclosure.receipt"})
    built = produce_for_download(
        custody.led, "morrissey", "state-v-baldwin", "Alex Spiro", out, ["item:RUST-CASING"]
    )
    tags = (built.path / kept_bags.TAG_MANIFEST).read_bytes()
    return Produced(custody, hashlib.sha256(tags).hexdigest(), built.path.name, out)


@pytest.fixture(params=["folder", "s3"])
def produced(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Produced]:
    led = init_home(tmp_path / "home")
    if request.param == "s3":
        server: S3Server = request.getfixturevalue("s3_server")
        use_bucket(led.config.path, server.settings(server.bucket(), tmp_path / "blobs"))
    yield _produced(Custody(led), tmp_path / "productions")
    led.close()


def test_fixity_rehashes_a_kept_bag_and_catches_a_changed_file(produced: Produced) -> None:
    custody = produced.custody
    store = blob_store(custody)
    files = kept_bags.bag_files(store, produced.bag_sha256)
    evidence = recorded_hashes(custody)
    tag_files = [h for h in files if h not in evidence]
    assert files[0] == produced.bag_sha256 and len(tag_files) >= 4  # manifests, bag-info ...
    kept = kept_hashes(custody, store)
    assert set(files) <= set(kept) and all(kept[h] > 0 for h in files)
    report = fixity(custody)
    assert report.problems == [] and report.files == len(kept) > len(evidence)

    changed = tag_files[-1]
    overwrite(store, changed, b"a production file changed after it was handed over")
    problems = fixity(custody).problems
    assert len(problems) == 1 and changed in problems[0], problems


def test_migrate_takes_the_bags_and_the_bucket_makes_the_zip_again(
    s3_server: S3Server, tmp_path: Path
) -> None:
    led = init_home(tmp_path / "home")
    produced = _produced(Custody(led), tmp_path / "productions")
    folder = open_blobs(led.config)
    files = kept_bags.bag_files(folder, produced.bag_sha256)
    target = s3_server.settings(s3_server.bucket(), led.config.blobs)
    done, entry = migrate_home(led, target, "admin")
    assert done.problems == [] and set(files) <= set(done.copied)
    assert entry.payload["checked"] == checked_digest(kept_hashes(Custody(led), folder))

    use_bucket(led.config.path, target)
    bucket = open_blobs(led.config)
    assert isinstance(bucket, S3Store)
    zipped = tmp_path / "elsewhere" / "again.zip"  # a server that never built the bag
    assert kept_bags.restore(bucket, produced.bag_sha256, produced.folder, zipped)
    with zipfile.ZipFile(zipped) as z:
        tags = z.read(f"{produced.folder}/{kept_bags.TAG_MANIFEST}")
    assert hashlib.sha256(tags).hexdigest() == produced.bag_sha256
    assert fixity(Custody(led)).problems == []
    led.close()


def test_a_bag_the_store_does_not_hold_lists_nothing(produced: Produced) -> None:
    store = blob_store(produced.custody)
    assert kept_bags.bag_files(store, "0" * 64) == [] and store.size_of("0" * 64) is None
    assert store.size_of(produced.bag_sha256) == len(b"".join(store.read(produced.bag_sha256)))
