"""The seed's scale: one release of N headshots (400 x 500 JPEG) to one recipient, from the
release call until the recipient's bundle is downloaded, against Pillow decoding and re-encoding
the same photos in one process (measured in the same run).

Run from the repository root:

    python -m bench.bulk --photos 300 --photos 2000      # a few minutes on 2 shared cores
    python -m bench.bulk --photos 9000                   # about a quarter of an hour

Setup, not timed: a scratch instance (SQLite, local files), the photos uploaded as one ZIP
through POST /api/v1/requests/ID/records with unpack=true (its time is printed too). Timed, in
one process: POST /api/v1/requests/ID/releases with every record id (grants, screening);
GET /api/v1/releases/ID/download (202, the bundle asked for); the worker's job (copies made in a
pool of one process per core); GET again, the ZIP streamed and read to the end. The peak RSS of
the process while the ZIP streams (VmHWM reset just before) is reported over its RSS before.
Target: at most 3x the baseline. Exits 1 if missed.
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from bench.common import close_database, portal_app, reset_peak_rss, status_kb

TARGET = 3.0


def headshots(n: int) -> list[bytes]:
    """400 x 500 JPEGs that look roughly like portraits: a lit background, a face-like oval, noise."""
    rng = np.random.default_rng(25)
    yy, xx = np.mgrid[0:500, 0:400].astype(np.float32)
    oval = (((xx - 200) / 110) ** 2 + ((yy - 220) / 150) ** 2) < 1
    out = []
    for i in range(n):
        base = np.stack([120 + 60 * yy / 500 + (i % 17)] * 3, axis=-1)
        base[oval] = rng.integers(150, 210, 3)
        img = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
        data = io.BytesIO()
        Image.fromarray(img).save(data, "JPEG", quality=85)
        out.append(data.getvalue())
    return out


def pillow_baseline(photos: list[bytes]) -> float:
    started = time.perf_counter()
    for data in photos:
        im = Image.open(io.BytesIO(data))
        im.load()
        im.save(io.BytesIO(), "JPEG", quality=90)
    return time.perf_counter() - started


def run(n: int, scratch: Path) -> dict:
    from portal.extensions import db
    from portal.worker import run_once
    from tests import factories as f

    photos = headshots(n)
    app = portal_app(scratch / "instance")
    client = app.test_client()
    with app.app_context():
        _, staff, requester, req = f.scenario()
        f.commit()
        staff_h, req_h, req_id = f.token_for(staff), f.token_for(requester), req.id
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for i, data in enumerate(photos):
            zf.writestr(f"officers/{i:05}.jpg", data)
    started = time.perf_counter()
    r = client.post(f"/api/v1/requests/{req_id}/records", headers=staff_h,
                    data={"file": (io.BytesIO(archive.getvalue()), "officers.zip"), "unpack": "true"})
    upload = time.perf_counter() - started
    assert r.status_code == 201 and len(r.get_json()["records"]) == n, r.get_data()[:300]
    ids = [x["id"] for x in r.get_json()["records"]]

    baseline = pillow_baseline(photos)
    phases = {}
    started = time.perf_counter()
    r = client.post(f"/api/v1/requests/{req_id}/releases", headers=staff_h, json={"record_ids": ids})
    assert r.status_code == 201, r.get_data()[:300]
    release_id = r.get_json()["id"]
    phases["release call"] = time.perf_counter() - started
    mark = time.perf_counter()
    r = client.get(f"/api/v1/releases/{release_id}/download", headers=req_h)
    assert r.status_code == 202, r.get_data()[:300]
    phases["bundle asked"] = time.perf_counter() - mark
    mark = time.perf_counter()
    with app.app_context():
        run_once()
    phases["worker: copies"] = time.perf_counter() - mark
    mark = time.perf_counter()
    rss_before = status_kb("VmRSS")
    reset_peak_rss()
    r = client.get(f"/api/v1/releases/{release_id}/download", headers=req_h, buffered=False)
    assert r.status_code == 200, r.get_data()[:300]
    size = sum(len(chunk) for chunk in r.response)
    r.close()
    rss_peak = status_kb("VmHWM")
    phases["bundle streamed"] = time.perf_counter() - mark
    total = time.perf_counter() - started
    close_database(app)
    return {"n": n, "upload": upload, "baseline": baseline, "total": total, "phases": phases, "zip_mb": size / 1e6,
            "rss_growth_mb": (rss_peak - rss_before) / 1024, "photo_kb": sum(map(len, photos)) / n / 1000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, action="append")
    args = parser.parse_args()
    print("| photos | release call -> bundle downloaded | Pillow decode+encode (same run) | ratio | target | met "
          "| phases | ZIP | RSS growth while streaming | upload of the ZIP (not timed) | load average |")
    print("| ---: | ---: | ---: | ---: | ---: | :---: | --- | ---: | ---: | ---: | ---: |", flush=True)
    ok = True
    for n in args.photos or [300, 2000]:
        with tempfile.TemporaryDirectory(prefix="bench-bulk-") as scratch:
            row = run(n, Path(scratch))
        ratio = row["total"] / row["baseline"]
        ok &= ratio <= TARGET
        phases = ", ".join(f"{k} {v:.2f} s" for k, v in row["phases"].items())
        print(f"| {row['n']:,} ({row['photo_kb']:.0f} KB each) | {row['total']:.2f} s | {row['baseline']:.2f} s "
              f"| {ratio:.2f}x | <= {TARGET:.0f}x | {'yes' if ratio <= TARGET else '**NO**'} | {phases} "
              f"| {row['zip_mb']:.1f} MB | {row['rss_growth_mb']:.1f} MiB | {row['upload']:.1f} s "
              f"| {os.getloadavg()[0]:.1f} |", flush=True)
    print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} cores")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
