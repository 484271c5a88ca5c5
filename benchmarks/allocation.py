"""Stackelberg allocation benchmark: ORIGAMI vs the DOBSS MILP (and multiple LPs) on one-type games.

Usage::

    python benchmarks/allocation.py [--sizes 100 1000 5000] [--repeats 21] [--time-limit 120]
                                    [--lps-max 1000] [--qr-lambda 5] [--json PATH]

Each game has ``n`` targets with payoffs drawn from a fixed seed (defender uncovered in [-10, 0] and
covered up to 10 above it; attacker covered in [-10, 0] and uncovered 0.1 to 10 above it) and
``n / 10`` units of coverage.  ORIGAMI is timed ``--repeats`` times (median; the whole call, and the
numpy core alone).  The DOBSS MILP (HiGHS, one run, ``--time-limit`` seconds) and, up to ``--lps-max``
targets, the multiple-LPs method are run once, and their defender utility is compared with ORIGAMI's.
The exact quantal-response solver is timed once at ``--qr-lambda`` for reference.  No network access.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from narcoflow.optimize.allocation import origami, origami_coverage, quantal_response
from narcoflow.optimize.games import SecurityGame
from narcoflow.optimize.stackelberg import bayesian_milp, multiple_lps

SEED = 0


def make_game(n: int, seed: int = SEED) -> SecurityGame:
    """The benchmark game with ``n`` targets."""
    rng = np.random.default_rng(seed)
    du, ac = rng.uniform(-10, 0, n), rng.uniform(-10, 0, n)
    dc, au = du + rng.uniform(0, 10, n), ac + rng.uniform(0.1, 10, n)
    return SecurityGame.from_arrays(range(n), dc, du, ac, au)


def median_time(fn: Any, repeats: int) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench(n: int, repeats: int, time_limit: float, lps_max: int, qr_lambda: float) -> dict[str, Any]:
    """All measurements for one game size."""
    game = make_game(n)
    resources = n / 10
    ref = origami(game, resources)
    rec: dict[str, Any] = {"targets": n, "resources": resources, "origami_utility": ref.defender_utility}
    rec["origami_s"] = median_time(lambda: origami(game, resources), repeats)
    u, a = game.attacker_uncovered[0], game.attacker_covered[0]
    rec["origami_core_s"] = median_time(lambda: origami_coverage(u, a, resources), repeats)
    t0 = time.perf_counter()
    try:
        milp = bayesian_milp(game, resources, time_limit=time_limit)
        rec["milp_s"] = time.perf_counter() - t0
        rec["milp_status"] = milp.status
        rec["milp_gap"] = milp.gap
        rec["milp_utility_diff"] = milp.defender_utility - ref.defender_utility
    except TimeoutError:
        rec["milp_s"] = time.perf_counter() - t0
        rec["milp_status"] = "timeout (no plan)"
    if n <= lps_max:
        t0 = time.perf_counter()
        lps = multiple_lps(game, resources)
        rec["lps_s"] = time.perf_counter() - t0
        rec["lps_utility_diff"] = lps.defender_utility - ref.defender_utility
    t0 = time.perf_counter()
    qr = quantal_response(game, resources, qr_lambda)
    rec["qr_s"] = time.perf_counter() - t0
    rec["qr_utility"] = qr.defender_utility
    return rec


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    ap.add_argument("--repeats", type=int, default=21, help="ORIGAMI timings per size (median kept)")
    ap.add_argument("--time-limit", type=float, default=120.0, help="seconds for the DOBSS MILP")
    ap.add_argument("--lps-max", type=int, default=1000, help="run multiple LPs up to this many targets")
    ap.add_argument(
        "--qr-lambda", type=float, default=5.0, help="rationality for the quantal-response timing"
    )
    ap.add_argument("--json", type=Path, help="also write the results to this file")
    args = ap.parse_args()
    rows = []
    print(
        f"{'targets':>7} {'origami_ms':>10} {'core_ms':>8} {'milp_s':>8} {'milp_status':>17} "
        f"{'milp_diff':>10} {'lps_s':>7} {'lps_diff':>9} {'qr_s':>6}"
    )
    for n in args.sizes:
        rec = bench(n, args.repeats, args.time_limit, args.lps_max, args.qr_lambda)
        rows.append(rec)
        diff = rec.get("milp_utility_diff")
        lps_s, lps_diff = rec.get("lps_s"), rec.get("lps_utility_diff")
        diff_txt = "-" if diff is None else f"{diff:.1e}"
        lps_txt = "-" if lps_s is None else f"{lps_s:.2f}"
        lps_diff_txt = "-" if lps_diff is None else f"{lps_diff:.1e}"
        print(
            f"{n:>7} {1e3 * rec['origami_s']:>10.3f} {1e3 * rec['origami_core_s']:>8.3f} "
            f"{rec['milp_s']:>8.2f} {rec['milp_status']:>17} {diff_txt:>10} {lps_txt:>7} {lps_diff_txt:>9} "
            f"{rec['qr_s']:>6.2f}"
        )
    print(
        "\norigami_ms: median of the whole origami() call; core_ms: the numpy core (origami_coverage);"
        "\nmilp/lps diff: their defender utility minus ORIGAMI's; qr_s: exact quantal response, "
        f"lambda={args.qr_lambda:g}"
    )
    if args.json:
        out = {
            "machine": {
                "python": sys.version.split()[0],
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
            },
            "seed": SEED,
            "repeats": args.repeats,
            "time_limit": args.time_limit,
            "rows": rows,
        }
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
