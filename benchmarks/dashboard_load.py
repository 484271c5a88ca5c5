"""Load benchmark of the dashboard: concurrent page loads on loopback while simulation jobs run.

    python benchmarks/dashboard_load.py [--pages 50] [--jobs 4] [--members 400] [--json PATH]

A real dashboard process (``narcoflow.app.create_app`` served by waitress, as ``narcoflow dashboard``
runs it) serves on a free 127.0.0.1 port with a fresh cache, ``--jobs`` workers and, at
start, ``--jobs`` baseline runs of ``--members`` members handed to its job manager (what pressing Run
does). A page load is what a browser fetches to draw the Scenario page the first time: the index HTML,
every script it names (Dash's JavaScript), ``_dash-layout``, ``_dash-dependencies`` and the page's first
two callbacks (the router, then the levers generated from the scenario), over one keep-alive connection
as a browser would. ``--pages`` loads start at once
(one thread each), first with no job running, then again while all the jobs are running (checked from
their progress files before and after). Medians, p95 and maxima of the page-load times are printed side
by side. Loopback only; bounded: one round of each, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

BASE = "http://127.0.0.1:{port}"


def serve(port: int, cache: str, jobs: int, members: int) -> None:
    """The server process: the dashboard app served as ``narcoflow dashboard`` serves it (waitress),
    with ``jobs`` runs queued when ``members`` > 0."""
    from waitress import serve as waitress_serve

    from narcoflow.app import create_app
    from narcoflow.app.runs import RunRequest

    app, manager = create_app(Path(cache), workers=max(jobs, 1), job_timeout=600)
    for seed in range(jobs if members > 0 else 0):
        manager.submit(RunRequest("baseline", members=members, seed=seed))
    try:
        waitress_serve(app.server, host="127.0.0.1", port=port, threads=8, _quiet=True)
    finally:
        manager.shutdown()


def _get(url: str, data: bytes | None = None) -> bytes:
    headers = {"Content-Type": "application/json"} if data is not None else {}
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=60) as r:
        return r.read()


class _Connection:
    """One persistent HTTP/1.1 connection, as a browser keeps one to the server for a page's requests."""

    def __init__(self, base: str) -> None:
        parts = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

    def get(self, path: str, data: bytes | None = None) -> bytes:
        headers = {"Content-Type": "application/json"} if data is not None else {}
        self.conn.request("POST" if data is not None else "GET", path, body=data, headers=headers)
        response = self.conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        return body

    def close(self) -> None:
        self.conn.close()


def page_load(base: str) -> float:
    """Seconds to fetch everything the Scenario page needs for its first render (one connection)."""
    t0 = time.perf_counter()
    c = _Connection(base)
    index = c.get("/").decode()
    for src in re.findall(r'<script src="([^"]+)"', index):
        c.get(src)
    c.get("/_dash-layout")
    c.get("/_dash-dependencies")
    router = {
        "output": "page.children",
        "outputs": {"id": "page", "property": "children"},
        "inputs": [{"id": "url", "property": "pathname", "value": "/"}],
        "changedPropIds": ["url.pathname"],
        "state": [
            {"id": "scenario-source", "property": "data", "value": {"scenario": "baseline"}},
            {"id": "last-run", "property": "data", "value": None},
        ],
    }
    c.get("/_dash-update-component", json.dumps(router).encode())
    levers = {
        "output": "..levers.children...scenario-info.children..",
        "outputs": [
            {"id": "levers", "property": "children"},
            {"id": "scenario-info", "property": "children"},
        ],
        "inputs": [{"id": "scenario-source", "property": "data", "value": {"scenario": "baseline"}}],
        "changedPropIds": ["scenario-source.data"],
        "state": [],
    }
    c.get("/_dash-update-component", json.dumps(levers).encode())
    c.close()
    return time.perf_counter() - t0


def round_of_loads(base: str, pages: int) -> list[float]:
    """``pages`` page loads started together (a barrier), one thread each; their times."""
    times: list[float] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(pages)

    def one() -> None:
        barrier.wait()
        try:
            times.append(page_load(base))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(pages)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} page loads failed: {errors[0]!r}")
    return times


def _progress(cache: Path) -> list[dict[str, Any]]:
    out = []
    for folder in sorted((cache / "runs").glob("*")):
        try:
            out.append(json.loads((folder / "progress.json").read_text()))
        except (OSError, ValueError):
            out.append({"done": 0, "total": 0})
    return out


def _start(port: int, cache: Path, jobs: int, members: int) -> subprocess.Popen[bytes]:
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import dashboard_load as d; "
    code += f"d.serve({port}, {str(cache)!r}, {jobs}, {members})"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            _get(BASE.format(port=port) + "/")
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the dashboard did not start")


def _stats(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {"median": statistics.median(ordered), "p95": p95, "max": ordered[-1], "n": len(ordered)}


def main() -> None:
    """Parse the options, run both rounds, print and optionally save the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--members", type=int, default=400)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        proc = _start(port, cache, args.jobs, args.members)
        base = BASE.format(port=port)
        try:
            page_load(base)  # one warm-up load (first import of the page's callbacks)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # every job past its first months
                prog = _progress(cache)
                if len(prog) == args.jobs and all(0 < p["done"] < p["total"] for p in prog):
                    break
                time.sleep(0.1)
            before = _progress(cache)
            busy = round_of_loads(base, args.pages)
            after = _progress(cache)
            while len(list(cache.glob("runs/*/summary.json"))) < args.jobs:  # let the jobs finish
                time.sleep(0.5)
            time.sleep(2.0)  # and their processes exit
            idle = round_of_loads(base, args.pages)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    running = all(b["done"] > 0 and a["done"] < a["total"] for b, a in zip(before, after, strict=True))
    figures = {"idle": _stats(idle), "busy": _stats(busy), "jobs_running_throughout": running}
    figures["jobs_progress"] = {"before": before, "after": after}
    print(
        f"dashboard load: {args.pages} concurrent page loads, loopback; "
        f"{args.jobs} jobs of {args.members} members"
    )
    for name in ("idle", "busy"):
        f = figures[name]
        label = "no job running" if name == "idle" else f"{args.jobs} jobs running"
        print(f"  {label:>16}: median {f['median']:.3f} s, p95 {f['p95']:.3f} s, max {f['max']:.3f} s")
    print(f"  p95 busy / idle: {figures['busy']['p95'] / figures['idle']['p95']:.2f}×")
    print(f"  jobs running during the busy round: {running} (months done before/after: "
          f"{[p['done'] for p in before]} / {[p['done'] for p in after]})")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
