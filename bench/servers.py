"""Throughput of the requester's page with one app server and with two, behind nginx.

    python -m bench.servers [--seconds 20] [--clients 2] [--threads 4]

It starts the deploy/ stack (deploy/stack.py: PostgreSQL, SeaweedFS, nginx, two workers, and two
gunicorn app servers of one process and four threads each) with the demo data, logs the demo
requester in, and lets the same load generator fetch /me/files, alternately through an nginx front
whose upstream is only the first app server and through the usual front over both (the requester's
page, with their released files and download log), for the same time each: `--clients` processes of
`--threads` keep-alive connections each (wrk, from Debian's `wrk` package, when installed: it leaves
more of the two cores to the servers; else a Python generator). Prints requests per second of each
and the ratio.
"""
from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

PAGE = "/me/files"
EMAIL, PASSWORD = "requester@example.org", "demo-password-1"


def _cookies(headers) -> dict[str, str]:
    out = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            out[key.strip()] = val.strip()
    return out


def login(host: str, port: int) -> str:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("GET", "/login")
    r = conn.getresponse()
    page, jar = r.read().decode(), _cookies(r.getheaders())
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    conn.request("POST", "/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    r = conn.getresponse()
    r.read()
    if r.status != 302:
        raise RuntimeError(f"login answered {r.status}")
    jar.update(_cookies(r.getheaders()))
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    conn.request("GET", PAGE, headers={"Cookie": cookie})
    r = conn.getresponse()
    body = r.read()
    if r.status != 200 or b"logout" not in body.lower():
        raise RuntimeError(f"{PAGE} answered {r.status} after login")
    conn.close()
    return cookie


def _client(host: str, port: int, cookie: str, threads: int, start: float, stop: float, out) -> None:
    counts = [[0, 0] for _ in range(threads)]

    def loop(i: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while time.time() < start:
            time.sleep(0.001)
        while time.time() < stop:
            try:
                conn.request("GET", PAGE, headers={"Cookie": cookie})
                r = conn.getresponse()
                r.read()
                counts[i][0 if r.status == 200 else 1] += 1
            except (OSError, http.client.HTTPException):
                counts[i][1] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
        conn.close()

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put((sum(c[0] for c in counts), sum(c[1] for c in counts)))


def measure(url: str, seconds: float, clients: int, threads: int, warmup: float = 3.0) -> dict:
    host, port = url.removeprefix("http://").split(":")
    cookie = login(host, int(port))
    start = time.time() + 1.0 + warmup
    out = mp.Queue()
    procs = [mp.Process(target=_client, args=(host, int(port), cookie, threads, start - warmup,
                                              start + seconds, out)) for _ in range(clients)]
    for p in procs:
        p.start()
    # The counts include the warm-up; the rate is over the whole time the load ran.
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    ok, bad = sum(r[0] for r in results), sum(r[1] for r in results)
    return {"ok": ok, "errors": bad, "rps": ok / (seconds + warmup)}


def measure_wrk(url: str, seconds: float, clients: int, threads: int) -> dict:
    """The same load from wrk (Debian's `wrk`): `clients` threads, clients*threads connections."""
    host, port = url.removeprefix("http://").split(":")
    cookie = login(host, int(port))
    cmd = ["wrk", f"-t{clients}", f"-c{clients * threads}", f"-d{int(seconds)}s", "--latency",
           "-H", f"Cookie: {cookie}", url + PAGE]
    subprocess.run(cmd[:3] + ["-d2s"] + cmd[4:], capture_output=True, check=True)  # warm-up
    text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    p50 = re.search(r"Latency Distribution[\s\S]*?50%\s+(\S+)", text).group(1)
    p99 = re.search(r"Latency Distribution[\s\S]*?99%\s+(\S+)", text).group(1)
    return {"rps": rps, "errors": int(bad.group(1)) if bad else 0, "p50": p50, "p99": p99}


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            pass
    return out


def _machine_busy() -> int:
    cpu = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(cpu) - cpu[3] - cpu[4]  # all but idle and iowait


def with_cpu(how, stack, url, *a) -> dict:
    """Run one measurement and say where the machine's CPU went meanwhile (seconds per second)."""
    import os
    hz = os.sysconf("SC_CLK_TCK")
    apps = [p for name, proc in stack.processes.items() if name.startswith("app") for p in _tree(proc.pid)]
    before = {p: _ticks(p) for p in apps}
    busy, started = _machine_busy(), time.monotonic()
    result = how(url, *a)
    elapsed = time.monotonic() - started
    per_app = {p: (_ticks(p) - t) / hz / elapsed for p, t in before.items()}
    result["cpu_apps"] = round(sum(per_app.values()), 2)
    result["cpu_busiest_app"] = round(max(per_app.values()), 2)
    result["cpu_machine"] = round((_machine_busy() - busy) / hz / elapsed, 2)
    return result


def run(args) -> list[tuple[dict, dict]]:
    """One stack, two fronts on the same nginx: one upstream (the first app server) or both.
    Runs alternate, one server then two, so a busy neighbour on the machine slows both alike."""
    from deploy import stack as deploy
    how = measure_wrk if args.generator == "wrk" else measure
    with tempfile.TemporaryDirectory(prefix="bench-servers-") as tmp:
        stack = deploy.start(Path(tmp), servers=2, workers=2, threads=args.threads_per_server,
                             first_only_port=True)
        try:
            stack.flask("seed-demo")
            pairs = []
            for _ in range(args.repeat):
                one = with_cpu(how, stack, stack.first_only_url, args.seconds, args.clients, args.threads)
                two = with_cpu(how, stack, stack.url, args.seconds, args.clients, args.threads)
                print(f"  1 server {one['rps']:7.1f}/s   2 servers {two['rps']:7.1f}/s   "
                      f"ratio {two['rps'] / one['rps']:.2f}  ({one}, {two})", flush=True)
                pairs.append((one, two))
        finally:
            stack.stop()
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=2, help="load generator processes")
    parser.add_argument("--threads", type=int, default=4, help="connections per load generator process")
    parser.add_argument("--threads-per-server", type=int, default=4, help="gunicorn --threads")
    parser.add_argument("--repeat", type=int, default=3, help="pairs of runs (one server, two)")
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto",
                        help="wrk when installed (apt-get install wrk), else a Python load generator")
    args = parser.parse_args()
    if args.generator == "auto":
        args.generator = "wrk" if shutil.which("wrk") else "python"
    print(f"load generator: {args.generator}, {args.clients} x {args.threads} connections, "
          f"{args.seconds:.0f} s per run", flush=True)
    pairs = run(args)
    one = statistics.median(p[0]["rps"] for p in pairs)
    two = statistics.median(p[1]["rps"] for p in pairs)
    ratios = sorted(p[1]["rps"] / p[0]["rps"] for p in pairs)
    print(f"1 app server : {one:7.1f} requests/s (median of {len(pairs)})")
    print(f"2 app servers: {two:7.1f} requests/s")
    print(f"ratio        : {two / one:.2f}x (target 1.6x); per pair {', '.join(f'{r:.2f}' for r in ratios)}")
    print("CPU (cores busy, of 2): app servers / whole machine (incl. load generator, nginx, PostgreSQL "
          "and anything else running):")
    for i, (a, b) in enumerate(pairs):
        print(f"  pair {i + 1}: one server {a['cpu_apps']:.2f} / {a['cpu_machine']:.2f};  "
              f"two servers {b['cpu_apps']:.2f} / {b['cpu_machine']:.2f}")


if __name__ == "__main__":
    main()
