"""An S3-compatible server for the blob tests: the one named by BRADY_TEST_S3 (with
BRADY_TEST_S3_ACCESS_KEY and BRADY_TEST_S3_SECRET_KEY), else moto's stand-alone server, an
S3 emulator over real HTTP, started once per session on a free port and stopped after.

Every test of a store runs on both stores: the `store` fixture is the folder and S3.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from brady.blobs.base import Blobs
from brady.blobs.s3 import S3Store
from brady.blobs.settings import BlobSettings, S3Location
from brady.blobs.store import BlobStore

from ..conftest import free_port

REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    emulator: bool

    def client(self) -> Any:
        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION)

    def bucket(self, *, locked: bool = True) -> str:
        """A new bucket: with Object Lock (and so versioning) unless `locked` is False."""
        name = f"brady-test-{secrets.token_hex(6)}"
        self.client().create_bucket(Bucket=name, ObjectLockEnabledForBucket=locked)
        return name

    def settings(self, bucket: str, folder: Path, **extra: Any) -> BlobSettings:
        defaults: dict[str, Any] = {
            "retention_mode": "GOVERNANCE",  # a real server's test bucket can be emptied
            "retention": (("default", 1), ("on_hold_only", 0)),
        }
        return BlobSettings(
            folder=folder,
            s3=S3Location(bucket, f"run-{secrets.token_hex(4)}/"),
            endpoint=self.endpoint,
            region=REGION,
            **(defaults | extra),
        )


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    for _ in range(300):  # up to about 30 s on a busy machine
        if server.poll() is not None:
            pytest.fail("moto's S3 server exited as it started (is moto[server] installed?)")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"moto's S3 server did not answer on port {port}")


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    keys = {
        "AWS_ACCESS_KEY_ID": os.environ.get("BRADY_TEST_S3_ACCESS_KEY", "brady-test"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("BRADY_TEST_S3_SECRET_KEY", "brady-test"),
    }
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update(keys)
    try:
        if os.environ.get("BRADY_TEST_S3"):
            yield S3Server(os.environ["BRADY_TEST_S3"], emulator=False)
            return
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(port, server)
            yield S3Server(f"http://127.0.0.1:{port}", emulator=True)
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


MIB = 1 << 20


@pytest.fixture(scope="module", params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Blobs:
    """One store of each kind per module. S3 parts and the single-copy limit are shrunk so
    a file of a few MiB takes the multipart paths a large one would."""
    folder = tmp_path_factory.mktemp("blobs")
    if request.param == "folder":
        return BlobStore(folder)
    server: S3Server = request.getfixturevalue("s3_server")
    settings = server.settings(server.bucket(), folder)
    return S3Store(settings, part=5 * MIB, copy_limit=6 * MIB, copy_part=5 * MIB)
