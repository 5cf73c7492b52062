"""Memory and speed of a 200 MB upload and download through each storage backend.

Run from the repository root:

    python -m bench.storage            # 200 MB; --size-mb N for another size

Each operation runs REPEAT times timed, with the resident set watched (peak
growth over the RSS just before, via VmHWM after resetting it through
/proc/self/clear_refs), then once more under tracemalloc (peak of Python
allocations), because tracemalloc slows allocation and would skew the timing.
The best time and the worst memory are reported: the page cache and writeback
make single timings noisy. A plain shutil.copyfileobj of the same file is the
yardstick for time. Exits 1 if any operation grows memory by 50 MB or more.
"""
from __future__ import annotations

import argparse
import gc
import hashlib
import os
import platform
import shutil
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bench.common import reset_peak_rss, status_kb
from portal.storage import Storage, get_storage
from tests.support.seaweed import start_seaweed
from tests.support.streams import GeneratedStream

MB = 1_000_000
LIMIT = 50 * MB
REPEAT = 3


@dataclass
class Result:
    name: str
    seconds: float
    rss_growth: int
    traced_peak: int


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    size = parser.parse_args().size_mb * MB
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as scratch:
        results = run(Path(scratch), size)
    print(report(results, size))
    return 0 if all(max(r.rss_growth, r.traced_peak) < LIMIT for r in results) else 1


def run(scratch: Path, size: int) -> list[Result]:
    source = scratch / "source.bin"
    with source.open("wb") as out:
        shutil.copyfileobj(GeneratedStream(size), out, 1024 * 1024)
    expected = _sha256(source)
    copy = scratch / "copy.bin"

    def file_copy() -> None:
        with source.open("rb") as src, copy.open("wb") as dst:
            shutil.copyfileobj(src, dst)

    def durable_file_copy() -> None:
        # What the local backend's put pays on top of a copy: the data reaches the disk.
        with source.open("rb") as src, copy.open("wb") as dst:
            shutil.copyfileobj(src, dst)
            dst.flush()
            os.fsync(dst.fileno())

    results = [measure("baseline: shutil.copyfileobj file copy", file_copy, copy.unlink),
               measure("baseline: the same copy + fsync", durable_file_copy, copy.unlink)]
    results += round_trip(get_storage({"STORAGE": "local", "STORAGE_DIR": str(scratch / "local")}),
                          source, expected, scratch)
    server = start_seaweed(scratch / "seaweed")
    try:
        os.environ.update(server.env())
        s3 = get_storage(server.storage_config("bench-storage"))
        s3.ensure_bucket()  # also makes the boto3 client, a one-off cost outside the measures
        results += round_trip(s3, source, expected, scratch)
    finally:
        server.stop()
    return results


def round_trip(storage: Storage, source: Path, expected: str, scratch: Path) -> list[Result]:
    keys: list[str] = []

    def upload() -> None:
        with source.open("rb") as src:
            stored = storage.put(src)
        if stored.sha256 != expected:
            raise RuntimeError(f"{storage.name}: digest mismatch after upload")
        keys.append(stored.key)

    target = scratch / "download.bin"

    def download() -> None:
        with storage.open(keys[-1]) as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        if target.stat().st_size != source.stat().st_size:
            raise RuntimeError(f"{storage.name}: size mismatch after download")

    results = [measure(f"{storage.name}: put (upload)", upload, lambda: storage.delete(keys.pop()))]
    upload()
    results.append(measure(f"{storage.name}: open + copyfileobj (download)", download, target.unlink))
    storage.delete(keys.pop())
    return results


def measure(name: str, operation: Callable[[], None], cleanup: Callable[[], None]) -> Result:
    """Run `operation` and, untimed, `cleanup`, so every run writes a new file as put does."""
    seconds, rss_growth = float("inf"), 0
    for _ in range(REPEAT):
        gc.collect()
        reset_peak_rss()
        before = status_kb("VmRSS")
        started = time.perf_counter()
        operation()
        seconds = min(seconds, time.perf_counter() - started)
        rss_growth = max(rss_growth, (status_kb("VmHWM") - before) * 1024)
        cleanup()

    gc.collect()
    tracemalloc.start()
    operation()
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    cleanup()
    return Result(name, seconds, rss_growth, traced_peak)


def report(results: list[Result], size: int) -> str:
    baseline = results[0].seconds
    lines = [
        f"{size / MB:.0f} MB, Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}; best of {REPEAT} for time, worst for memory",
        "",
        "| operation | time (s) | MB/s | time vs copy | peak RSS growth (MB) | tracemalloc peak (MB) | < 50 MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    for r in results:
        ok = "yes" if max(r.rss_growth, r.traced_peak) < LIMIT else "**NO**"
        lines.append(f"| {r.name} | {r.seconds:.2f} | {size / MB / r.seconds:.0f} | "
                     f"{r.seconds / baseline:.1f}x | {r.rss_growth / MB:.1f} | "
                     f"{r.traced_peak / MB:.1f} | {ok} |")
    return "\n".join(lines)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


if __name__ == "__main__":
    sys.exit(main())
