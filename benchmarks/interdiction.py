"""Max-flow interdiction benchmark: every (instance, budget) of the archive's ``known_optima.csv``.

Usage::

    python benchmarks/interdiction.py [--data DIR] [--repeats 3] [--quiet] [--json PATH]

For each row, the instance (the "Modified" network of Lopes da Silva, Sharkey & Song) is loaded once and
``narcoflow.optimize.solve_interdiction`` is timed ``--repeats`` times (median kept).  ``ours_s`` covers
the whole call (reachability check, building the MILP, HiGHS, re-checking the answer with a networkx
max-flow); ``highs_s`` is the ``scipy.optimize.milp`` call alone.  Our value is checked against the
published optimum, and our time is printed next to the times the table reports for Gurobi (the
paper), SciPy/HiGHS, PuLP/CBC and CP-SAT.  The summary gives medians per instance set.  No network
access is needed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from narcoflow.optimize import load_instance, solve_interdiction

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "interdiction"
REPORTED = ("gurobi_time_reported_s", "scipy_highs_s", "pulp_cbc_s", "cpsat_s")
LABELS = ("gurobi", "scipy_highs", "pulp_cbc", "cpsat")


def instance_file(data: Path, kind: str, net: str) -> Path:
    """Path of the modified network a row of ``known_optima.csv`` refers to."""
    name = f"Modified_Network{net}.csv" if kind == "HT" else f"Modified_Net{net}.csv"
    return data / "data" / kind / name


def run(data: Path, repeats: int, quiet: bool) -> dict[str, Any]:
    """Solve every row, print a line per row and the summary; return everything as a dict."""
    with (data / "known_optima.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    cache: dict[Path, Any] = {}
    results = []
    if not quiet:
        print(
            f"{'set':6} {'net':>3} {'B':>3} {'opt':>4} {'ours':>5} {'ok':>3} {'ours_s':>8} {'highs_s':>8} "
            + " ".join(f"{x:>11}" for x in LABELS)
        )
    for row in rows:
        path = instance_file(data, row["set"], row["net"])
        if path not in cache:
            t0 = time.perf_counter()
            cache[path] = load_instance(path)
            load_s = time.perf_counter() - t0
        else:
            load_s = 0.0
        problem = cache[path]
        budget = float(row["budget"])
        times, solver_times, value = [], [], None
        for _ in range(repeats):
            res = solve_interdiction(problem, budget)
            times.append(res.seconds)
            solver_times.append(res.solver_seconds)
            value = res.objective
        ok = value == float(row["opt_value_reported"])
        rec = {
            "set": row["set"],
            "net": int(row["net"]),
            "budget": budget,
            "optimum": float(row["opt_value_reported"]),
            "ours": value,
            "ok": ok,
            "ours_s": statistics.median(times),
            "highs_s": statistics.median(solver_times),
            "load_s": load_s,
            **{lab: float(row[col]) for lab, col in zip(LABELS, REPORTED, strict=True)},
        }
        results.append(rec)
        if not quiet:
            print(
                f"{rec['set']:6} {rec['net']:>3} {budget:>3g} {rec['optimum']:>4g} {value:>5g} "
                f"{'yes' if ok else 'NO':>3} {rec['ours_s']:>8.4f} {rec['highs_s']:>8.4f} "
                + " ".join(f"{rec[lab]:>11.3f}" for lab in LABELS)
            )
    summary = {}
    print()
    print(
        f"{'set':6} {'rows':>4} {'correct':>7} {'median_ours_s':>13} {'med_highs_s':>11} "
        + " ".join(f"{'med_' + x:>15}" for x in LABELS)
    )
    for kind in [*sorted({r["set"] for r in results}), "all"]:
        sel = [r for r in results if kind in ("all", r["set"])]
        med = {lab: statistics.median(r[lab] for r in sel) for lab in ("ours_s", "highs_s", *LABELS)}
        summary[kind] = {"rows": len(sel), "correct": sum(r["ok"] for r in sel), **med}
        print(
            f"{kind:6} {len(sel):>4} {summary[kind]['correct']:>7} "
            f"{med['ours_s']:>13.4f} {med['highs_s']:>11.4f} "
            + " ".join(f"{med[lab]:>15.3f}" for lab in LABELS)
        )
    total = sum(r["ours_s"] for r in results)
    slowest = max(results, key=lambda r: r["ours_s"])
    print(
        f"\ntotal (sum of medians) {total:.2f} s; slowest {slowest['set']}-{slowest['net']} "
        f"B={slowest['budget']:g}: {slowest['ours_s']:.3f} s; loading all instances "
        f"{sum(r['load_s'] for r in results):.3f} s"
    )
    print(f"all values correct: {all(r['ok'] for r in results)}")
    return {
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "repeats": repeats,
        "summary": summary,
        "rows": results,
    }


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="interdiction archive folder")
    ap.add_argument("--repeats", type=int, default=3, help="solves per row (median kept)")
    ap.add_argument("--quiet", action="store_true", help="summary only")
    ap.add_argument("--json", type=Path, help="also write the results to this file")
    args = ap.parse_args()
    if not (args.data / "known_optima.csv").exists():
        sys.exit(f"no known_optima.csv in {args.data} (use --data)")
    out = run(args.data, args.repeats, args.quiet)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    if not all(r["ok"] for r in out["rows"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
