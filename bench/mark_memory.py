"""Peak memory of marking one file, each in a fresh process (ru_maxrss after minus before).

    python -m bench.mark_memory            # the sizes docs/security.md quotes

The baseline in the same run is a plain text file of the same size (the text marker streams
lines). Marking an image needs about 28 bytes a pixel, a CSV about 660 bytes a cell, which is
why UPLOAD_MAX_PIXELS and MARK_MAX_CELLS are what they are.
"""
from __future__ import annotations

import datetime
import io
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = [("txt", 4_000_000), ("png", 2000), ("png", 4000), ("csv_wide", 6_600_000), ("csv_line", 1_200_000)]


def _sample(kind: str, n: int) -> tuple[bytes, str]:
    if kind == "png":
        import numpy as np
        from PIL import Image
        noise = (np.random.default_rng(0).random((n // 100, n // 100, 3)) * 255).astype("uint8")
        out = io.BytesIO()
        Image.fromarray(noise).resize((n, n)).save(out, "PNG")
        return out.getvalue(), "image/png"
    if kind == "csv_wide":  # ten 10-character cells a row
        return (b"abcdefghij," * 10 + b"\n") * (n // 111), "text/csv"
    if kind == "csv_line":  # one line of one-character cells
        return b"a," * (n // 2) + b"\n", "text/csv"
    return b"word " * (n // 5) + b"\n", "text/plain"


def one(kind: str, n: int) -> None:
    from portal.watermark import Stamp, derive, mark
    data, content_type = _sample(kind, n)
    stamp = Stamp(codeword=derive(b"bench", "1"), recipient="R", tracking_number="T-1",
                  issued=datetime.date(2026, 1, 1), portal_url="http://portal.test")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mark(data, content_type, stamp)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{kind:9} {n:>10,} ({len(data):>10,} bytes): {(after - before) // 1024:>5} MiB")


def main() -> None:
    for kind, n in CASES:
        subprocess.run([sys.executable, "-m", "bench.mark_memory", kind, str(n)], check=True, cwd=ROOT)


if __name__ == "__main__":
    one(sys.argv[1], int(sys.argv[2])) if len(sys.argv) == 3 else main()
