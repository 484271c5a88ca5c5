"""NarcoFlow's benchmark suite: speed against Mesa, against the RNG floor, memory, calibration time.

Usage::

    python benchmarks/run.py                 # the full suite (~25 min; --no-calibrate ~10 min)
    python benchmarks/run.py --quick         # a small version (~2 min), for smoke tests
    python benchmarks/run.py --json out.json
    python benchmarks/run.py --compare ../other-checkout/src   # another version, side by side

Measured side by side in one run, on the built-in ``baseline`` scenario (216 months), seed 0:

- member-months per second of ``narcoflow.simulate`` at 1, 100 and 1,000 members, each in a fresh child
  process (so each peak RSS belongs to that run alone); the child first runs a 2-member warm-up so that
  loading the compiled kernels (numba's on-disk cache, or compiling them on a fresh install) is not
  counted — the warm-up's time is reported as ``warmup_s``;
- the Mesa reference (``benchmarks/mesa_reference``) for a few members, and the speed-up at 1,000 members;
- the RNG floor: a recording run of 1,000 members counts every variate the engine draws
  (``narcoflow.model.rng.recording``) and keeps the (n, p) of every binomial draw; then the same variates
  are drawn from a fresh ``numpy.random.default_rng`` — the binomials batch by batch as the engine drew
  them, the uniforms and normals in blocks of 10 million — three times, and the median time is the
  floor; ratio = NarcoFlow's median time for the 1,000-member run / floor;
- peak resident memory of the 1,000-member run;
- the wall time of ``narcoflow calibrate`` at its default budget (skip with ``--no-calibrate``).

``--compare SRC`` also measures the package whose source folder is SRC (e.g. a checkout of an earlier
commit: ``git worktree add /tmp/old COMMIT``, then ``--compare /tmp/old/src``): its children run with SRC
first on ``PYTHONPATH``, alternating with this checkout's run by run, so that both meet the same load;
the table then has a column for each and their ratio.

``--json PATH`` writes ``{"speedup_vs_mesa", "rng_floor_ratio", "peak_rss_gib_1000",
"member_months_per_s_1000"}`` plus the details under ``"details"``. Children inherit the environment, so
``NARCOFLOW_NUMBA=0 python benchmarks/run.py`` measures the pure-numpy engine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHILD = "--_child"
SEED = 0


# ------------------------------------------------------------------------------------------------ children
def _scenario(months: int | None):
    import narcoflow

    sc = narcoflow.load_scenario("baseline")
    if months is not None:
        sc = sc.model_copy(update={"calendar": sc.calendar.model_copy(update={"months": months})})
    return sc


def child_simulate(members: int, months: int | None) -> dict[str, Any]:
    """Warm up, then time one ``simulate`` call; peak RSS of this process."""
    import narcoflow
    from narcoflow.model import kernels

    sc = _scenario(months)
    t0 = time.perf_counter()
    narcoflow.simulate(sc, members=2, seed=SEED + 1)
    warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    narcoflow.simulate(sc, members=members, seed=SEED)
    sim = time.perf_counter() - t0
    return {
        "members": members,
        "months": sc.calendar.months,
        "sim_s": sim,
        "warmup_s": warm,
        "mm_per_s": members * sc.calendar.months / sim,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "numba": kernels.ENABLED,
    }


def child_floor(members: int, months: int | None, repeats: int = 3) -> dict[str, Any]:
    """Count the variates of one run and time drawing them with numpy's default generator.

    The recording run keeps every batch of binomial (n, p) with n > 0; afterwards all variates are
    drawn ``repeats`` times from ``default_rng`` (binomials batch by batch as the engine drew them,
    uniforms and normals in blocks of 10 million) and the median time is the floor.
    """
    import numpy as np

    import narcoflow
    from narcoflow.model import rng

    sc = _scenario(months)
    narcoflow.simulate(sc, members=2, seed=SEED + 1)  # warm-up, as in child_simulate
    batches: list[tuple[np.ndarray, np.ndarray]] = []

    def keep(n: np.ndarray, p: np.ndarray) -> None:
        m = n > 0
        batches.append((n[m].astype(np.int64), p[m].astype(np.float64)))

    with rng.recording() as log:
        log.on_binomial = keep
        narcoflow.simulate(sc, members=members, seed=SEED)
    gen = np.random.default_rng(2024)
    block = 10_000_000
    binom, other = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        for n, p in batches:
            gen.binomial(n, p)
        binom.append(time.perf_counter() - t)
        elapsed = 0.0
        for kind, count in sorted(log.counts.items()):
            if kind == "binomial":
                continue
            family, dtype = kind.split("_", 1)
            buf = np.empty(min(count, block), dtype=dtype)
            draw = gen.random if family == "uniform" else gen.standard_normal
            left = count
            t = time.perf_counter()
            while left > 0:
                k = min(left, block)
                draw(out=buf[:k], dtype=buf.dtype)
                left -= k
            elapsed += time.perf_counter() - t
        other.append(elapsed)
    b, o = statistics.median(binom), statistics.median(other)
    return {
        "members": members,
        "months": sc.calendar.months,
        "counts": log.counts,
        "binomial_s": b,
        "uniform_normal_s": o,
        "floor_s": b + o,
        "floor_s_all": [x + y for x, y in zip(binom, other, strict=True)],
    }


def child_mesa(members: int, months: int | None) -> dict[str, Any]:
    """Member-months per second of the Mesa reference (members run one after another)."""
    sys.path.insert(0, str(HERE))
    from mesa_reference import member_months_per_second

    sc = _scenario(months)
    return {
        "members": members,
        "months": sc.calendar.months,
        "mm_per_s": member_months_per_second(members, sc.calendar.months, seed=SEED + 1, scenario=sc),
    }


def run_child(kind: str, members: int, months: int | None, src: Path | None = None) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter (importing narcoflow from ``src`` if given)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), CHILD, kind, str(members), str(months or 0)]
    env = None
    if src is not None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child {kind} {members} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def time_calibrate(quick: bool) -> dict[str, Any]:
    """Wall time of ``narcoflow calibrate`` (default budget, or --quick)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "posterior.json"
        cmd = [sys.executable, "-m", "narcoflow", "calibrate", "--out", str(out)]
        if quick:
            cmd.append("--quick")
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"narcoflow calibrate failed:\n{proc.stderr[-3000:]}")
        meta = json.loads(out.read_text())
    return {"command": " ".join(cmd[1:]).replace(str(out), "FILE"), "seconds": wall,
            "simulations": meta.get("meta", {}).get("simulations")}  # fmt: skip


# ------------------------------------------------------------------------------------------------- parent
def machine() -> dict[str, Any]:
    """Date, cores, memory, CPU, versions (``benchmarks/engine.py``'s, plus numba and the load)."""
    sys.path.insert(0, str(HERE))
    from engine import machine_info
    from narcoflow.model import kernels

    info = machine_info()
    try:
        import numba

        nb = numba.__version__ if kernels.ENABLED else f"{numba.__version__} (disabled)"
    except ImportError:
        nb = "not installed"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cores": info["nproc"],
        "memory_gib": info["mem_total_gib"],
        "cpu": info["cpu"],
        "python": info["python"],
        "numpy": info["numpy"],
        "numba": nb,
        "load_average": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


Rows = dict[int, list[dict[str, Any]]]  # members -> one dict per run


def measure(
    sizes: list[int], months: int | None, repeats: int, mesa_members: int, trees: dict[str, Path | None]
):
    """NarcoFlow at each size (interleaved, alternating the trees run by run), Mesa once, the RNG floor
    per tree: ({tree: {members: [runs]}}, mesa, {tree: floor})."""
    rows: dict[str, Rows] = {t: {} for t in trees}
    mesa: dict[str, Any] = {}
    for rep in range(repeats):  # interleave sizes and trees so that load changes hit them alike
        for m in sizes:
            for name, src in trees.items():
                r = run_child("simulate", m, months, src)
                rows[name].setdefault(m, []).append(r)
                print(f"  {name:<10} {m:>5} members: {r['mm_per_s']:>10,.0f} member-months/s "
                      f"({r['sim_s']:.2f} s, peak RSS {r['peak_rss_mib']:.0f} MiB)", flush=True)  # fmt: skip
        if rep == 0:
            mesa = run_child("mesa", mesa_members, months)
            print(f"  mesa       {mesa_members:>5} members: {mesa['mm_per_s']:>10,.1f} member-months/s")
    floors = {}
    for name, src in trees.items():
        floors[name] = fl = run_child("floor", sizes[-1], months, src)
        print(f"  RNG floor of {name} ({sizes[-1]} members): {fl['floor_s']:.2f} s (binomials "
              f"{fl['binomial_s']:.2f} s, uniforms/normals {fl['uniform_normal_s']:.2f} s)")  # fmt: skip
    return rows, mesa, floors


def headline(
    rows: dict[int, list[dict[str, Any]]], mesa: dict[str, Any], floor: dict[str, Any]
) -> dict[str, float]:
    """The headline figures of one tree."""
    big = max(rows)
    sim_big = statistics.median(r["sim_s"] for r in rows[big])
    mm = {m: statistics.median(r["mm_per_s"] for r in rs) for m, rs in rows.items()}
    return {
        **{f"mm_per_s_{m}": v for m, v in mm.items()},
        "speedup_vs_mesa": mm[big] / mesa["mm_per_s"],
        "sim_s": sim_big,
        "floor_s": floor["floor_s"],
        "rng_floor_ratio": sim_big / floor["floor_s"],
        "peak_rss_gib": statistics.median(r["peak_rss_mib"] for r in rows[big]) / 1024,
    }


def print_table(
    heads: dict[str, dict[str, float]], sizes: list[int], mesa: dict[str, Any], cal, q: bool
) -> None:
    """The table of headline figures, a column per tree (and their ratio when there are two)."""
    names = list(heads)
    big = sizes[-1]
    cols = "".join(f"{n:>14}" for n in names) + (f"{'ratio':>9}" if len(names) == 2 else "")
    print(f"\n{'measure':<44}{cols}  target")
    print("-" * (60 + 14 * len(names)))
    lines = [(f"NarcoFlow member-months/s, {m} members", f"mm_per_s_{m}", "{:,.0f}", "") for m in sizes]
    lines += [
        (f"speed-up vs Mesa at {big} members", "speedup_vs_mesa", "{:,.0f}×", "≥ 100×"),
        (f"NarcoFlow time, {big} members (median)", "sim_s", "{:.2f}s", ""),
        ("RNG floor for the same run", "floor_s", "{:.2f}s", ""),
        ("NarcoFlow / RNG floor", "rng_floor_ratio", "{:.2f}×", "≤ 3×"),
        (f"peak RSS, {big} members", "peak_rss_gib", "{:.2f} GiB", "≤ 1 GiB"),
    ]
    for label, key, fmt, target in lines:
        vals = "".join(f"{fmt.format(heads[n][key]):>14}" for n in names)
        ratio = f"{heads[names[0]][key] / heads[names[1]][key]:>9.3f}" if len(names) == 2 else ""
        print(f"{label:<44}{vals}{ratio}  {target}")
    label = f"Mesa reference member-months/s ({mesa['members']} members)"
    print(f"{label:<44}{mesa['mm_per_s']:>14,.1f}")
    if cal:
        label = "narcoflow calibrate" + (" --quick" if q else " (default budget)")
        print(f"{label:<44}{cal['seconds'] / 60:>11.1f} min  ≤ 30 min")


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [CHILD]:
        kind, members, months = argv[1], int(argv[2]), int(argv[3]) or None
        fn = {"simulate": child_simulate, "floor": child_floor, "mesa": child_mesa}[kind]
        print(json.dumps(fn(members, months)))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes and horizon (~2 minutes)")
    ap.add_argument("--json", type=Path, default=None, help="write the headline figures (and details)")
    ap.add_argument("--repeats", type=int, default=None, help="runs per NarcoFlow size (default 3; 1 quick)")
    ap.add_argument("--mesa-members", type=int, default=None, help="Mesa members (default 3; 1 quick)")
    ap.add_argument("--no-calibrate", action="store_true", help="skip timing `narcoflow calibrate`")
    ap.add_argument("--compare", type=Path, default=None, help="also measure the package in this src folder")
    args = ap.parse_args(argv)

    q = args.quick
    months = 36 if q else None
    sizes = [1, 20, 200] if q else [1, 100, 1000]
    repeats = args.repeats or (1 if q else 3)
    info = machine()
    print(f"NarcoFlow benchmarks — {info['date']}; {info['cores']} cores, {info['memory_gib']} GiB")
    print(f"{info['cpu']}; python {info['python']}, numpy {info['numpy']}, numba {info['numba']}")
    print(f"load average at start: {info['load_average']}")
    horizon = f"{months} months" if months else "216 months (baseline)"
    print(f"baseline scenario, {horizon}; medians of {repeats} fresh-process runs per size\n")
    trees: dict[str, Path | None] = {"narcoflow": None}
    if args.compare is not None:
        trees["compared"] = args.compare.resolve()
    rows, mesa, floors = measure(sizes, months, repeats, args.mesa_members or (1 if q else 3), trees)
    mesa["members"] = args.mesa_members or (1 if q else 3)
    cal = None
    if not args.no_calibrate:
        try:
            cal = time_calibrate(q)
            print(f"  {cal['command']}: {cal['seconds'] / 60:.1f} min", flush=True)
        except (RuntimeError, OSError, ValueError) as exc:  # report the rest of the figures anyway
            print(f"  narcoflow calibrate could not be timed: {exc}", flush=True)
    heads = {name: headline(rows[name], mesa, floors[name]) for name in trees}
    print_table(heads, sizes, mesa, cal, q)
    counts = ", ".join(f"{k} {v:,}" for k, v in sorted(floors["narcoflow"]["counts"].items()))
    print(f"\nvariates drawn by the {sizes[-1]}-member run: {counts}")
    if args.json:
        h = heads["narcoflow"]
        out = {
            "speedup_vs_mesa": h["speedup_vs_mesa"],
            "rng_floor_ratio": h["rng_floor_ratio"],
            "peak_rss_gib_1000": h["peak_rss_gib"],
            "member_months_per_s_1000": h[f"mm_per_s_{sizes[-1]}"],
            "compared": heads.get("compared"),
            "details": {
                "machine": info,
                "quick": q,
                "narcoflow": rows["narcoflow"],
                "mesa": mesa,
                "floor": floors["narcoflow"],
                "calibrate": cal,
                "compared": {
                    "src": str(trees.get("compared")),
                    "narcoflow": rows.get("compared"),
                    "floor": floors.get("compared"),
                },
            },
        }
        args.json.write_text(json.dumps(out, indent=2))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
