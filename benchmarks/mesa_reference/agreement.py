"""Does the Mesa reference agree with NarcoFlow? Distributional checks on the baseline, and speed.

Usage::

    python benchmarks/mesa_reference/agreement.py [--members 200] [--seed 0] [--mesa-seed 1]
        [--workers 2] [--budget-minutes 30] [--max-minutes 40] [--json PATH]

Both sides run the built-in ``baseline`` scenario at its point values. NarcoFlow runs
``narcoflow.simulate(sc, members=N, seed=SEED)`` in one call; the Mesa reference runs one
``SupplyModel`` per member (member k seeded with ``SeedSequence(MESA_SEED, spawn_key=(k,))``, a different
base seed from NarcoFlow's so that the two samples are independent), in ``--workers`` processes.

One Mesa member is timed first. If N Mesa members would take longer than ``--max-minutes`` with the
workers given, only as many as fit in ``--budget-minutes`` are run (the number is printed).

Checks (all years of the horizon that are complete):

- yearly T40.4 deaths (calendar years) and CBP southwest-border seizures (lb, fiscal years, group
  ``sw_total``): each side's median lies inside the other side's 90% band (5th-95th percentile);
- a two-sample Kolmogorov-Smirnov test on 2022 deaths does not reject at 1%.

The exit status is 0 if every check passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import source_fingerprint  # benchmarks/engine.py
from mesa_reference.model import check_paths, run_member, world_for
from narcoflow.results import KG_TO_LB

KS_YEAR = 2022
KS_ALPHA = 0.01


def yearly(monthly: np.ndarray, y0: int, m0: int, fiscal_start: int | None = None) -> dict[int, np.ndarray]:
    """Sum [member, month] into complete (calendar or fiscal) years: {year: [member]}."""
    T = monthly.shape[1]
    k = np.arange(T) + m0 - 1
    year, month = y0 + k // 12, k % 12 + 1
    if fiscal_start is not None:
        year = year + (month >= fiscal_start)
    out = {}
    for y in np.unique(year):
        sel = year == y
        if sel.sum() == 12:
            out[int(y)] = monthly[:, sel].sum(axis=1)
    return out


def band(a: np.ndarray) -> dict[str, float]:
    p05, p50, p95 = np.percentile(a, [5, 50, 95])
    return {"p05": float(p05), "median": float(p50), "p95": float(p95)}


def compare(nf: dict[int, np.ndarray], ms: dict[int, np.ndarray]) -> list[dict[str, Any]]:
    rows = []
    for y in sorted(set(nf) & set(ms)):
        a, b = band(nf[y]), band(ms[y])
        rows.append(
            {
                "year": y,
                "narcoflow": a,
                "mesa": b,
                "mesa_median_in_narcoflow_band": a["p05"] <= b["median"] <= a["p95"],
                "narcoflow_median_in_mesa_band": b["p05"] <= a["median"] <= b["p95"],
                "ks_pvalue": float(stats.ks_2samp(nf[y], ms[y]).pvalue),
            }
        )
    return rows


def print_table(title: str, rows: list[dict[str, Any]], unit: str) -> None:
    print(f"\n{title} ({unit}): median [5%, 95%]")
    print(f"{'year':>6} {'NarcoFlow':>30} {'Mesa':>30}  M in NF  NF in M   KS p")
    for r in rows:
        a, b = r["narcoflow"], r["mesa"]
        fa = f"{a['median']:,.0f} [{a['p05']:,.0f}, {a['p95']:,.0f}]"
        fb = f"{b['median']:,.0f} [{b['p05']:,.0f}, {b['p95']:,.0f}]"
        ok1 = "yes" if r["mesa_median_in_narcoflow_band"] else "NO"
        ok2 = "yes" if r["narcoflow_median_in_mesa_band"] else "NO"
        print(f"{r['year']:>6} {fa:>30} {fb:>30}  {ok1:>7}  {ok2:>7}  {r['ks_pvalue']:.3f}")


_SC: Any = None


def _worker_init() -> None:
    global _SC
    import narcoflow

    _SC = narcoflow.load_scenario("baseline")
    world_for(_SC)


def _worker(args: tuple[int, int]) -> dict[str, Any]:
    seed, k = args
    r = run_member(_SC, seed, k)
    keep = ("deaths_final", "sw_seized_kg", "delivered_kg", "lab_capacity_kg", "phi")
    r["series"] = {name: r["series"][name] for name in keep}
    return r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--members", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0, help="NarcoFlow's seed")
    ap.add_argument("--mesa-seed", type=int, default=None, help="Mesa's base seed (default: seed + 1)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--budget-minutes", type=float, default=30.0)
    ap.add_argument("--max-minutes", type=float, default=40.0)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    mesa_seed = args.seed + 1 if args.mesa_seed is None else args.mesa_seed

    import mesa

    import narcoflow

    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    fp = source_fingerprint(Path(narcoflow.__file__).parent)
    print(
        f"date {started.isoformat()} | {os.cpu_count()} cores | load {os.getloadavg()[0]:.1f} | "
        f"Python {platform.python_version()} | numpy {np.__version__} | mesa {mesa.__version__}"
    )
    print(f"narcoflow from {Path(narcoflow.__file__).parent} (source fingerprint {fp})")
    sc = narcoflow.load_scenario("baseline")
    w = world_for(sc)
    paths = check_paths(sc)
    print(
        f"paths: Mesa (networkx) {paths['mesa_paths']}, NarcoFlow {paths['narcoflow_paths']}, "
        f"only in Mesa {paths['only_mesa']}, only in NarcoFlow {paths['only_narcoflow']}"
    )
    T = sc.calendar.months
    N = args.members

    # NarcoFlow
    t0 = time.perf_counter()
    res = narcoflow.simulate(sc, members=N, seed=args.seed)
    nf_s = time.perf_counter() - t0
    nf_deaths = {int(y): res.deaths_by_year().sel(year=y).values for y in res.deaths_by_year()["year"].values}
    sw = res.seizures_by_fiscal_year("sw_total")
    nf_seized = {int(y): sw.sel(year=y).values for y in sw["year"].values}
    nf_ms = nf_s / (N * T) * 1000
    print(
        f"NarcoFlow: {N} members x {T} months in {nf_s:.1f} s = {nf_ms:.3f} ms per member-month (1 process)"
    )

    # Mesa: time one member, then decide how many fit
    _worker_init()
    probe = _worker((mesa_seed, 0))
    member_s = probe["seconds"]
    est_min = N * member_s / args.workers / 60
    n_mesa = N
    if est_min > args.max_minutes:
        n_mesa = max(2, int(args.budget_minutes * 60 * args.workers / member_s))
        n_mesa = min(n_mesa, N)
    print(
        f"Mesa: one member took {member_s:.2f} s = {member_s / T * 1000:.1f} ms per member-month; "
        f"{N} members with {args.workers} workers: about {est_min:.1f} min -> running {n_mesa}"
    )
    runs = [probe]
    t0 = time.perf_counter()
    todo = [(mesa_seed, k) for k in range(1, n_mesa)]
    if todo:
        with mp.get_context("fork").Pool(args.workers, initializer=_worker_init) as pool:
            for i, r in enumerate(pool.imap(_worker, todo, chunksize=1), start=2):
                runs.append(r)
                if i % max(1, n_mesa // 10) == 0 or i == n_mesa:
                    print(f"  {i}/{n_mesa} members, {time.perf_counter() - t0:.0f} s", flush=True)
    wall = time.perf_counter() - t0 + member_s
    cpu_s = sum(r["seconds"] for r in runs)
    mesa_ms = cpu_s / (len(runs) * T) * 1000
    mesa_mmps = len(runs) * T / wall
    print(
        f"Mesa: {len(runs)} members in {wall:.0f} s wall = {mesa_mmps:,.0f} member-months/s "
        f"({args.workers} workers; {mesa_ms:.1f} ms per member-month per worker, mean over members)"
    )
    print(
        f"speed, one process each: NarcoFlow {nf_ms:.3f} ms, Mesa {member_s / T * 1000:.1f} ms per "
        f"member-month (Mesa {member_s / T * 1000 / nf_ms:.0f}x slower); NarcoFlow {N * T / nf_s:,.0f} "
        f"member-months/s in one process vs Mesa {mesa_mmps:,.0f} with {args.workers} workers"
    )
    mb = max(r["mass_balance_max"] for r in runs)
    print(f"Mesa mass-balance max relative error {mb:.2e}")

    deaths = np.array([r["series"]["deaths_final"] for r in runs])
    seized = np.array([r["series"]["sw_seized_kg"] for r in runs]) * KG_TO_LB
    ms_deaths = yearly(deaths, w.y0, w.m0)
    ms_seized = yearly(seized, w.y0, w.m0, fiscal_start=sc.observables.fiscal_year_start_month)
    d_rows = compare(nf_deaths, ms_deaths)
    s_rows = compare(nf_seized, ms_seized)
    print_table("T40.4 deaths by calendar year", d_rows, "deaths")
    print_table("CBP southwest-border fentanyl seizures by fiscal year", s_rows, "lb")
    ks = stats.ks_2samp(nf_deaths[KS_YEAR], ms_deaths[KS_YEAR])
    bands_ok = all(
        r["mesa_median_in_narcoflow_band"] and r["narcoflow_median_in_mesa_band"] for r in d_rows + s_rows
    )
    ks_ok = ks.pvalue >= KS_ALPHA
    print(
        f"\nKS two-sample test on {KS_YEAR} deaths: D = {ks.statistic:.3f}, p = {ks.pvalue:.3f} "
        f"({'not rejected' if ks_ok else 'REJECTED'} at {KS_ALPHA:.0%}; n = {N} and {len(runs)})"
    )
    n_years = len(d_rows) + len(s_rows)
    n_in = sum(
        r["mesa_median_in_narcoflow_band"] + r["narcoflow_median_in_mesa_band"] for r in d_rows + s_rows
    )
    print(f"medians inside the other's 90% band: {n_in} of {2 * n_years} checks")
    print("AGREE" if bands_ok and ks_ok else "DISAGREE")

    if args.json is not None:
        out = {
            "date": started.isoformat(),
            "machine": {
                "cores": os.cpu_count(),
                "python": platform.python_version(),
                "numpy": np.__version__,
                "mesa": mesa.__version__,
            },
            "narcoflow_source_fingerprint": fp,
            "scenario": "baseline",
            "seed": args.seed,
            "mesa_seed": mesa_seed,
            "paths": paths,
            "narcoflow": {
                "members": N,
                "seconds": nf_s,
                "ms_per_member_month": nf_ms,
                "member_months_per_second": N * T / nf_s,
            },
            "mesa": {
                "members": len(runs),
                "workers": args.workers,
                "wall_seconds": wall,
                "member_months_per_second": mesa_mmps,
                "ms_per_member_month_single_process": member_s / T * 1000,
                "ms_per_member_month_per_worker": mesa_ms,
                "member_seconds": [r["seconds"] for r in runs],
                "mass_balance_max": mb,
            },
            "deaths_t404_by_year": d_rows,
            "sw_seizures_lb_by_fy": s_rows,
            "ks_deaths": {"year": KS_YEAR, "statistic": float(ks.statistic), "pvalue": float(ks.pvalue)},
            "bands_ok": bands_ok,
            "ks_ok": bool(ks_ok),
            "agree": bool(bands_ok and ks_ok),
        }
        args.json.write_text(json.dumps(out, indent=1))
        print(f"wrote {args.json}")
    return 0 if bands_ok and ks_ok else 1


if __name__ == "__main__":
    sys.exit(main())
