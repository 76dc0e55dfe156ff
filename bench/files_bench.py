"""Digital-evidence benchmarks: fixity rate against `openssl dgst -sha256`, and the peak
memory of storing a very large file.

    python bench/files_bench.py [--gib 4] [--stream-gib 10]

Fixity re-hashes a stored file the way `brady fixity` does; the baseline is
OpenSSL hashing the same file in the same run (not sha256sum, which this
machine's coreutils runs without the CPU's SHA instructions). The file is read
once before timing so both read from the page cache. Streaming runs in a
child process that stores `--stream-gib` GiB from a generated stream and
reports its peak resident memory.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from brady.blobs.store import BlobStore

MIB = 1 << 20


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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gib", type=float, default=4.0)
    ap.add_argument("--stream-gib", type=float, default=10.0)
    ap.add_argument("--child", nargs=2)
    args = ap.parse_args()
    if args.child:
        stream_child(args.child[0], float(args.child[1]))
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
