"""Throughput and peak-memory benchmark for ``narcoflow.simulate`` on the baseline scenario.

Usage::

    python benchmarks/engine.py [--members 100 1000] [--repeats 3] [--json PATH]

Every run happens in a fresh child interpreter, so each peak RSS (``ru_maxrss`` of the child) belongs to
that run alone.  Only the ``narcoflow.simulate(...)`` call is timed; import and scenario-loading times are
reported separately.  A "bare" child that only imports narcoflow and loads the scenario gives the baseline
RSS, so the increment due to the simulation itself is visible.  No network access is needed.

Children inherit the environment, so ``PYTHONPATH=/some/copy/src python benchmarks/engine.py`` measures that
copy of narcoflow instead of the installed one.  Each child records a fingerprint of the package source it
imported; the script warns if the runs saw different sources (i.e. the code was edited mid-benchmark).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SCENARIO = "baseline"
SEED = 0
CHILD_FLAG = "--_child"


# --------------------------------------------------------------------------------------------- child side
def source_fingerprint(package_dir: Path) -> str:
    """Short hash of the package's ``.py`` and ``.yaml`` files, to catch code changing between runs."""
    h = hashlib.sha256()
    for f in sorted(package_dir.rglob("*")):
        if f.suffix in {".py", ".yaml"} and "__pycache__" not in f.parts:
            h.update(f.relative_to(package_dir).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def child_main(members: int) -> None:
    """Import, load, optionally simulate, then print one JSON line of timings and peak RSS (KiB).

    ``members == 0`` is the bare child: import and scenario load only.
    """
    t0 = time.perf_counter()
    import narcoflow

    t1 = time.perf_counter()
    fingerprint = source_fingerprint(Path(narcoflow.__file__).parent)
    t1b = time.perf_counter()
    scenario = narcoflow.load_scenario(SCENARIO)
    t2 = time.perf_counter()
    sim_s = 0.0
    if members > 0:
        narcoflow.simulate(scenario, members=members, seed=SEED)
        sim_s = time.perf_counter() - t2
    out = {
        "import_s": t1 - t0,
        "load_s": t2 - t1b,
        "sim_s": sim_s,
        "months": int(scenario.calendar.months),
        "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,  # KiB on Linux
        "source": fingerprint,
    }
    print(json.dumps(out))


# -------------------------------------------------------------------------------------------- parent side
@dataclass
class Run:
    """One child run."""

    import_s: float
    load_s: float
    sim_s: float
    months: int
    maxrss_kib: int
    source: str


@dataclass
class Row:
    """Aggregated figures for one member count (medians over repeats unless stated)."""

    members: int
    repeats: int
    months: int
    sim_s_median: float
    mm_per_s_median: float
    mm_per_s_min: float
    mm_per_s_max: float
    peak_rss_mib_median: float
    rss_increment_mib: float
    import_s_median: float
    load_s_median: float
    runs: list[Run] = field(default_factory=list)


def run_child(members: int) -> Run:
    """Run one measurement in a fresh interpreter and parse its JSON line."""
    cmd = [sys.executable, str(Path(__file__).resolve()), CHILD_FLAG, str(members)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"child for members={members} failed:\n{proc.stderr}")
    return Run(**json.loads(proc.stdout.strip().splitlines()[-1]))


def mib(kib: float) -> float:
    """KiB to MiB."""
    return kib / 1024.0


def aggregate(members: int, runs: list[Run], bare_rss_mib: float) -> Row:
    """Summarise the repeats of one member count."""
    months = runs[0].months
    rates = [members * months / r.sim_s for r in runs]
    peak = statistics.median(mib(r.maxrss_kib) for r in runs)
    return Row(
        members=members,
        repeats=len(runs),
        months=months,
        sim_s_median=statistics.median(r.sim_s for r in runs),
        mm_per_s_median=statistics.median(rates),
        mm_per_s_min=min(rates),
        mm_per_s_max=max(rates),
        peak_rss_mib_median=peak,
        rss_increment_mib=peak - bare_rss_mib,
        import_s_median=statistics.median(r.import_s for r in runs),
        load_s_median=statistics.median(r.load_s for r in runs),
        runs=runs,
    )


def machine_info() -> dict[str, Any]:
    """Cores, memory, CPU model, Python and numpy versions, and the date."""
    import numpy as np

    mem_kib = 0
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
                break
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "mem_total_gib": round(mem_kib / 1024**2, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
    }


def format_table(bare_rss_mib: float, bare_import_s: float, bare_load_s: float, rows: list[Row]) -> str:
    """Plain-text table of the results."""
    head = (
        f"{'members':>8} {'reps':>4} {'sim s (med)':>11} {'member-months/s med':>19} "
        f"{'min':>8} {'max':>8} {'peak RSS MiB':>12} {'+ over bare':>11}"
    )
    lines = [head, "-" * len(head)]
    lines.append(f"{'bare':>8} {'':>4} {'-':>11} {'-':>19} {'-':>8} {'-':>8} {bare_rss_mib:>12.0f} {'-':>11}")
    for r in rows:
        lines.append(
            f"{r.members:>8} {r.repeats:>4} {r.sim_s_median:>11.2f} {r.mm_per_s_median:>19,.0f} "
            f"{r.mm_per_s_min:>8,.0f} {r.mm_per_s_max:>8,.0f} {r.peak_rss_mib_median:>12.0f} "
            f"{r.rss_increment_mib:>11.0f}"
        )
    lines.append(
        f"(bare child = import + load_scenario only: import {bare_import_s:.2f} s, "
        f"load_scenario {bare_load_s:.2f} s; neither is included in 'sim s')"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [CHILD_FLAG]:
        child_main(int(argv[1]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--members", type=int, nargs="+", default=[100, 1000], help="member counts")
    ap.add_argument("--repeats", type=int, default=3, help="fresh-process runs per member count")
    ap.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write figures as JSON")
    args = ap.parse_args(argv)
    if args.repeats < 1 or any(m < 1 for m in args.members):
        ap.error("--repeats and --members must be positive")

    info = machine_info()
    print(
        f"date {info['date']} | {info['nproc']} cores | {info['mem_total_gib']} GiB | {info['cpu']} | "
        f"Python {info['python']} | numpy {info['numpy']}"
    )
    spec = importlib.util.find_spec("narcoflow")
    info["narcoflow_path"] = str(Path(spec.origin).parent) if spec and spec.origin else "not found"
    print(f"narcoflow from {info['narcoflow_path']}")
    print(f"scenario {SCENARIO!r}, seed {SEED}, repeats {args.repeats}, each run in a fresh subprocess")

    bare_runs = [run_child(0) for _ in range(args.repeats)]
    bare_rss = statistics.median(mib(r.maxrss_kib) for r in bare_runs)
    bare_import = statistics.median(r.import_s for r in bare_runs)
    bare_load = statistics.median(r.load_s for r in bare_runs)

    rows: list[Row] = []
    for m in args.members:
        runs = []
        for i in range(args.repeats):
            runs.append(run_child(m))
            print(f"  members={m} run {i + 1}/{args.repeats}: {runs[-1].sim_s:.2f} s", file=sys.stderr)
        rows.append(aggregate(m, runs, bare_rss))

    print(format_table(bare_rss, bare_import, bare_load, rows))
    sources = sorted({r.source for r in bare_runs} | {r.source for row in rows for r in row.runs})
    print(f"narcoflow source fingerprint: {', '.join(sources)}")
    if len(sources) > 1:
        print("WARNING: narcoflow's source changed during the benchmark; figures mix code versions.")
    if args.json is not None:
        payload = {
            "machine": info,
            "scenario": SCENARIO,
            "seed": SEED,
            "repeats": args.repeats,
            "source_fingerprints": sources,
            "bare": {
                "peak_rss_mib_median": bare_rss,
                "import_s_median": bare_import,
                "load_s_median": bare_load,
                "runs": [asdict(r) for r in bare_runs],
            },
            "results": [asdict(r) for r in rows],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
