"""Kept productions, shared by every server of a ledger through its evidence-file store.

The server keeps each production it builds for counsel to download later. Servers on
several hosts share no folder, so the files of the bag also go into the evidence-file
store, each under its SHA-256 like an evidence file. The ledger names the bag by the hash
of its tag manifest, which lists the hash of every tag file, the payload manifest among
them, which lists the hash of every payload file: each stored file is thus fixed by a hash
on the ledger, and the evidence files the bag copies are stored once. A server asked for a
bag it did not build makes the zip again from the store (each file re-hashed as it is
read) and keeps it beside its own bags. The zip's bytes may differ between servers; the
bag in it, and so the hash counsel acknowledges, does not.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from .base import Blobs
from .store import BlobError

TAG_MANIFEST = "tagmanifest-sha256.txt"
PAYLOAD_MANIFEST = "manifest-sha256.txt"


def share(blobs: Blobs, bag: Path) -> None:
    """Keep every file of a built (and recorded) bag in the store. The tag manifest goes
    last: a bag whose tag manifest is in the store is whole there."""
    for sha256, name in [*_listed(bag / TAG_MANIFEST), *_listed(bag / PAYLOAD_MANIFEST)]:
        _keep(blobs, bag / name, sha256)
    tags = bag / TAG_MANIFEST
    _keep(blobs, tags, hashlib.sha256(tags.read_bytes()).hexdigest())


def restore(blobs: Blobs, bag_sha256: str, folder: str, target: Path) -> bool:
    """Make the zip of the bag named `bag_sha256` (its files under `folder/`) at `target`
    from the store; False if the store does not hold that bag (one made before bags were
    shared, or recorded by an import)."""
    if not blobs.has(bag_sha256):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".restoring-") as tmp:
        bag = Path(tmp) / folder
        bag.mkdir()
        blobs.copy_out(bag_sha256, bag / TAG_MANIFEST)
        for manifest in (TAG_MANIFEST, PAYLOAD_MANIFEST):
            for sha256, name in _listed(bag / manifest):
                path = _inside(bag, name)
                path.parent.mkdir(parents=True, exist_ok=True)
                blobs.copy_out(sha256, path)
        made = shutil.make_archive(str(bag), "zip", root_dir=tmp, base_dir=folder)
        os.replace(made, target)  # whole or not at all, for a request reading it meanwhile
    return True


def bag_files(blobs: Blobs, bag_sha256: str) -> list[str]:
    """The hashes of every file of a kept bag, its tag manifest first; [] if the store does
    not hold the bag. Fixity and a migration take these beside the evidence files: each is
    fixed by the hash on the ledger through the manifests, which are read re-hashed."""
    if not blobs.has(bag_sha256):
        return []
    tags = _parse(b"".join(blobs.read(bag_sha256)).decode("utf-8"))
    found = [bag_sha256, *(sha256 for sha256, _ in tags)]
    for sha256, name in tags:
        if name == PAYLOAD_MANIFEST:
            payload = _parse(b"".join(blobs.read(sha256)).decode("utf-8"))
            found += [h for h, _ in payload]
    return list(dict.fromkeys(found))


def _keep(blobs: Blobs, path: Path, sha256: str) -> None:
    if blobs.has(sha256):
        return
    with path.open("rb") as fh:
        staged = blobs.stage(fh)
    if staged.sha256 != sha256:
        blobs.discard(staged)
        raise BlobError(f"{path.name} of the bag no longer matches its manifest")
    blobs.keep(staged)


def _listed(manifest: Path) -> list[tuple[str, str]]:
    """(sha256, path in the bag) of each line of a BagIt manifest (RFC 8493 section 2.1.3:
    a path's CR, LF and % are percent-encoded)."""
    return _parse(manifest.read_text(encoding="utf-8"))


def _parse(text: str) -> list[tuple[str, str]]:
    out = []
    for line in text.splitlines():
        if line.strip():
            sha256, name = line.split(maxsplit=1)
            name = name.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
            out.append((sha256.lower(), name))
    return out


def _inside(bag: Path, name: str) -> Path:
    """The manifest's path within the bag; a manifest naming a place outside is refused."""
    path = (bag / name).resolve()
    if not path.is_relative_to(bag.resolve()) or path == bag.resolve():
        raise BlobError(f"the bag's manifest names {name!r}, which is not a file of the bag")
    return path
