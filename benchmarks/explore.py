"""Experiment throughput: serial vs Dask at 1 and 2 workers, the packing gain, the store's overhead.

Usage::

    python benchmarks/explore.py [--experiments 256] [--members 4] [--repeats 3] [--json PATH]

One experiment spec (the baseline, its 23 levers varied by a Latin hypercube, ``--members`` members per
experiment, four outcomes, the shipped posterior for the rest) is run into a fresh DuckDB store per
measurement, with configurations interleaved in each repeat:

- ``serial``, ``dask ×1``, ``dask ×2`` (a LocalCluster on 127.0.0.1, one thread per worker): experiments
  per minute over the run's window (from the first submission to the last batch stored), after every
  worker has loaded the compiled kernels — cluster start-up is reported separately;
- ``one per call``: the serial executor with one experiment per ``simulate`` call, on the first quarter
  of the experiments, against ``serial`` (about 64 members per call): the gain of packing experiments as
  members of one vectorized simulation;
- the store: writing the runs' batch results again into a fresh store, per experiment, against the
  simulation time per experiment.

Medians of ``--repeats``; the machine's load average is printed at start and end (the 2-worker ratio is
only meaningful on an otherwise idle machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from narcoflow.execute import Store, run_experiment
from narcoflow.execute.cluster import DaskExecutor
from narcoflow.execute.serial import SerialExecutor
from narcoflow.explore import resolve


def experiment(n: int, members: int) -> Any:
    """The benchmark's experiment."""
    return resolve(
        {
            "vary": ["levers"],
            "design": {"method": "lhs", "n": n, "seed": 1},
            "members": members,
            "outcomes": [
                "deaths_t404_2025_2030",
                "delivered_kg_2026_2030",
                "seizures_lbs_fy2027",
                "violence_2026",
            ],
        }
    )


def _warm(_: Any = None) -> int:
    """Load the compiled kernels in this process (a 2-member run)."""
    import narcoflow

    narcoflow.simulate(narcoflow.load_scenario("baseline"), members=2, seed=0)
    return os.getpid()


def timed_run(exp: Any, executor: Any, folder: Path, batch_size: int | None = None) -> dict[str, float]:
    """Run into a fresh store; experiments per minute over the window first submission → last stored."""
    marks: list[float] = []
    store = folder / f"{executor.name}-{executor.workers}-{time.monotonic_ns()}.duckdb"
    summary = run_experiment(
        exp, store, executor, batch_size=batch_size, progress=lambda d, t: marks.append(time.perf_counter())
    )
    window = marks[-1] - marks[0]
    return {
        "experiments": summary.ran,
        "seconds": window,
        "per_minute": 60 * summary.ran / window,
        "batches": summary.batches,
    }


def dask_run(exp: Any, workers: int, folder: Path) -> dict[str, float]:
    """A fresh LocalCluster, warmed, then a timed run; its start-up time is reported apart."""
    t0 = time.perf_counter()
    ex = DaskExecutor(workers)
    client = ex.connect()
    startup = time.perf_counter() - t0
    client.run(_warm)
    return timed_run(exp, ex, folder) | {"startup_s": startup}


def store_overhead(exp: Any, folder: Path) -> dict[str, float]:
    """Seconds per experiment to write a run's batch results into a fresh store, and to compute them."""
    batches = exp.batches(max(1, 64 // exp.members))
    t0 = time.perf_counter()
    results = [exp.model.run(b) for b in batches]
    compute = time.perf_counter() - t0
    store = Store.create(folder / f"overhead-{time.monotonic_ns()}.duckdb", exp)
    t0 = time.perf_counter()
    for r in results:
        store.write(r, exp.outcome_names)
    write = time.perf_counter() - t0
    store.close()
    n = exp.n_experiments
    return {"write_ms_per_experiment": 1000 * write / n, "compute_ms_per_experiment": 1000 * compute / n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experiments", type=int, default=256)
    ap.add_argument("--members", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    exp = experiment(args.experiments, args.members)
    small = experiment(args.experiments // 4, args.members)
    load0 = os.getloadavg()[0]
    now = dt.datetime.now(dt.UTC)
    py = platform.python_version()
    print(f"NarcoFlow explore benchmark — {now:%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores; python {py}")
    print(f"load average at start: {load0:.2f}")
    print(f"{exp.n_experiments} experiments × {exp.members} members (baseline, 23 levers, lhs), "
          f"{len(exp.outcome_names)} outcomes; medians of {args.repeats}")  # fmt: skip
    _warm()
    runs: dict[str, list[dict[str, float]]] = {
        k: [] for k in ("serial", "dask1", "dask2", "one", "packed", "store")
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for r in range(args.repeats):
            runs["serial"].append(timed_run(exp, SerialExecutor(), folder))
            runs["dask1"].append(dask_run(exp, 1, folder))
            runs["dask2"].append(dask_run(exp, 2, folder))
            runs["one"].append(timed_run(small, SerialExecutor(), folder, batch_size=1))
            runs["packed"].append(timed_run(small, SerialExecutor(), folder, batch_size=64 // args.members))
            runs["store"].append(store_overhead(small, folder))
            print(
                f"  repeat {r + 1}: "
                + ", ".join(
                    f"{k} {v[-1].get('per_minute', 0):,.0f}/min" for k, v in runs.items() if k != "store"
                )
            )
    med = {k: {m: statistics.median(x[m] for x in v) for m in v[0]} for k, v in runs.items()}
    load1 = os.getloadavg()[0]
    ratio = med["dask2"]["per_minute"] / med["dask1"]["per_minute"]
    st = med["store"]
    rows = [
        ("serial, experiments/min", f"{med['serial']['per_minute']:,.0f}"),
        ("dask 1 worker, experiments/min", f"{med['dask1']['per_minute']:,.0f}"),
        ("dask 2 workers, experiments/min", f"{med['dask2']['per_minute']:,.0f}"),
        ("dask 2 workers / 1 worker", f"{ratio:.2f}×"),
        ("dask cluster start-up (2 workers), s", f"{med['dask2']['startup_s']:.1f}"),
        ("one experiment per call, experiments/min", f"{med['one']['per_minute']:,.0f}"),
        ("packed (~64 members per call), experiments/min", f"{med['packed']['per_minute']:,.0f}"),
        ("packing gain", f"{med['packed']['per_minute'] / med['one']['per_minute']:.2f}×"),
        ("store write per experiment, ms", f"{med['store']['write_ms_per_experiment']:.2f}"),
        ("simulation per experiment (packed), ms", f"{med['store']['compute_ms_per_experiment']:.1f}"),
        ("store overhead", f"{100 * st['write_ms_per_experiment'] / st['compute_ms_per_experiment']:.1f}%"),
    ]  # fmt: skip
    print(f"load average at end: {load1:.2f}\n")
    for k, v in rows:
        print(f"{k:<52}{v:>12}")
    if args.json:
        args.json.write_text(
            json.dumps({"medians": med, "runs": runs, "load": [load0, load1], "ratio_2_1": ratio}, indent=1)
        )


if __name__ == "__main__":
    main()
