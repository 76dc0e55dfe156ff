"""Digital-evidence benchmarks: fixity rate against `openssl dgst -sha256`, and the peak
memory of storing a very large file.

    python bench/files_bench.py [--gib 4] [--stream-gib 10]
    python bench/files_bench.py --s3 [--size 10] [--endpoint URL]

With --s3, a file of --size GiB is streamed from disk over HTTP into an S3 bucket with
Object Lock, as `brady item attach` stores it (multipart upload to a staging key, SHA-256
computed while streaming, then a server-side copy under the hash), and read back the way
`brady fixity` checks it. The server is moto's stand-alone S3 emulator started here, or the
one at --endpoint (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). The upload
runs in a child process that reports its peak resident memory. Beside it: `openssl dgst
-sha256` on the same file, and the same file hashed in the upload's own loop (parts read
and hashed, nothing sent), so the hashing rate is compared on equal terms. moto assembles
a multipart upload in memory (about twice the file), so keep --size within the machine's
memory with it; 10 GiB needs a real server.

Fixity re-hashes a stored file the way `brady fixity` does; the baseline is
OpenSSL hashing the same file in the same run (not sha256sum, which this
machine's coreutils runs without the CPU's SHA instructions). The file is read
once before timing so both read from the page cache. Streaming runs in a
child process that stores `--stream-gib` GiB from a generated stream and
reports its peak resident memory.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from brady.blobs.settings import BlobSettings, S3Location
from brady.blobs.store import BlobStore

MIB = 1 << 20
GIB = 1 << 30
REGION = "us-east-1"


class Zeros(io.RawIOBase):
    """A stream of n pseudo-random-looking bytes without holding them."""

    def __init__(self, n: int) -> None:
        self.left = n
        self.block = os.urandom(MIB)

    def readable(self) -> bool:
        return True

    def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
        n = min(len(buf), self.left, MIB)
        buf[:n] = self.block[:n]
        self.left -= n
        return n


def stream_child(root: str, gib: float) -> None:
    store = BlobStore(Path(root))
    size = int(gib * (1 << 30))
    start = time.perf_counter()
    staged = store.stage(io.BufferedReader(Zeros(size), buffer_size=MIB))
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store.discard(staged)
    print(f"{size / elapsed / MIB:.0f} {peak:.1f}")


def _s3_settings(endpoint: str, bucket: str, folder: str) -> BlobSettings:
    return BlobSettings(
        folder=Path(folder),
        s3=S3Location(bucket, "bench/"),
        endpoint=endpoint,
        region=REGION,
        retention_mode="GOVERNANCE",
        retention=(("default", 1),),
    )


def s3_child(endpoint: str, bucket: str, path: str) -> None:
    """Store the file in the bucket and read it back; print rates (MiB/s) and peak RSS."""
    from brady.blobs.s3 import S3Store

    store = S3Store(_s3_settings(endpoint, bucket, str(Path(path).parent)))
    size = Path(path).stat().st_size
    start = time.perf_counter()
    with open(path, "rb") as fh:
        staged = store.stage(fh)
    upload = time.perf_counter() - start
    start = time.perf_counter()
    store.keep(staged)
    keep = time.perf_counter() - start
    start = time.perf_counter()
    store.check(staged.sha256)
    check = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{size / upload / MIB:.1f} {keep:.2f} {size / check / MIB:.1f} {peak:.1f}")


def hash_like_upload(path: Path) -> float:
    """MiB/s of the upload's own hashing loop (parts read and hashed), with nothing sent."""
    from brady.blobs.s3 import PART, _read_up_to, part_size

    digest = hashlib.sha256()
    size, number = path.stat().st_size, 1
    start = time.perf_counter()
    with path.open("rb") as fh:
        while chunk := _read_up_to(fh, part_size(number, PART)):
            digest.update(chunk)
            number += 1
    return size / (time.perf_counter() - start) / MIB


def _moto() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("moto's S3 server did not start")


def s3_bench(gib: float, endpoint: str | None) -> None:
    import boto3

    server = None
    if endpoint is None:
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
        server, endpoint = _moto()
    try:
        bucket = f"brady-bench-{secrets.token_hex(4)}"
        client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
        client.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
        with tempfile.TemporaryDirectory(dir=Path.home()) as tmp:
            path = Path(tmp) / "evidence.bin"
            size = int(gib * GIB)
            with path.open("wb") as out:
                source = Zeros(size)
                buf = bytearray(MIB)
                while n := source.readinto(memoryview(buf)):
                    out.write(buf[:n])
            subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)
            start = time.perf_counter()
            subprocess.run(
                ["openssl", "dgst", "-sha256", str(path)], check=True, stdout=subprocess.DEVNULL
            )
            openssl = size / (time.perf_counter() - start) / MIB
            ours = hash_like_upload(path)
            out = subprocess.run(
                [sys.executable, __file__, "--s3-child", endpoint, bucket, str(path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
        upload, keep, check, peak = (float(x) for x in out)
        print(f"S3 at {endpoint} ({'moto' if server else 'given'}), a {gib:g} GiB file:")
        print(
            f"  hashing in the upload's loop {ours:8,.0f} MiB/s | openssl dgst -sha256 "
            f"{openssl:8,.0f} MiB/s | ratio {ours / openssl:.2f}"
        )
        print(
            f"  streamed into S3 (staging)   {upload:8,.1f} MiB/s | peak resident memory "
            f"{peak:.1f} MiB"
        )
        print(f"  kept under its hash (server-side copy) in {keep:.1f} s")
        print(f"  read back and re-hashed      {check:8,.1f} MiB/s")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gib", type=float, default=4.0)
    ap.add_argument("--stream-gib", type=float, default=10.0)
    ap.add_argument("--s3", action="store_true", help="stream a file into an S3 bucket")
    ap.add_argument("--size", type=float, default=10.0, help="with --s3: the file, in GiB")
    ap.add_argument("--endpoint", help="with --s3: an S3 server's URL (default: start moto)")
    ap.add_argument("--child", nargs=2)
    ap.add_argument("--s3-child", nargs=3)
    args = ap.parse_args()
    if args.child:
        stream_child(args.child[0], float(args.child[1]))
        return
    if args.s3_child:
        s3_child(*args.s3_child)
        return
    if args.s3:
        s3_bench(args.size, args.endpoint)
        return
    with tempfile.TemporaryDirectory(dir=Path.home()) as tmp:
        store = BlobStore(Path(tmp) / "blobs")
        size = int(args.gib * (1 << 30))
        staged = store.stage(io.BufferedReader(Zeros(size), buffer_size=MIB))
        path = store.keep(staged)
        subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)  # warm cache
        start = time.perf_counter()
        subprocess.run(
            ["openssl", "dgst", "-sha256", str(path)], check=True, stdout=subprocess.DEVNULL
        )
        openssl = size / (time.perf_counter() - start) / MIB
        start = time.perf_counter()
        store.check(staged.sha256)
        ours = size / (time.perf_counter() - start) / MIB
        print(
            f"fixity of a {args.gib:g} GiB file    {ours:8,.0f} MiB/s | openssl dgst -sha256 "
            f"{openssl:8,.0f} MiB/s | ratio {ours / openssl:.2f}"
        )
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(Path(tmp) / "s"), str(args.stream_gib)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        print(
            f"storing a {args.stream_gib:g} GiB stream  {float(out[0]):8,.0f} MiB/s | "
            f"peak resident memory {float(out[1]):.1f} MiB"
        )


if __name__ == "__main__":
    main()
