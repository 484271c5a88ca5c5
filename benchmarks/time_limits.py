"""Do the solver commands honour ``--time-limit``? Wall time of the real commands against their limit.

Generates (seeded) a 100,000-arc interdiction instance and a 6-attacker-type × 200-target security game
(the two cases of issue 19 that overran or had no limit), runs ``narcoflow optimize maxflow`` and
``narcoflow optimize allocate`` on them as fresh processes with each ``--time-limit`` given, and prints
the wall time of the whole process (Python start-up and loading included), its ratio to the limit and
the status the command printed. The limit is honoured within 10% when every ratio is <= 1.10.

    python benchmarks/time_limits.py [--limits 5 10 20] [--repeats 1] [--json PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def interdiction_instance(path: Path, nodes: int = 20_000, arcs: int = 100_000, seed: int = 1) -> Path:
    """A random layered network: arcs go forward by 1-49 nodes; capacities 1-99, costs 1-4."""
    rng = np.random.default_rng(seed)
    tails = rng.integers(0, nodes - 1, arcs)
    heads = np.minimum(tails + rng.integers(1, 50, arcs), nodes - 1)
    caps, costs = rng.integers(1, 100, arcs), rng.integers(1, 5, arcs)
    doc = {
        "source": 0,
        "sink": nodes - 1,
        "arcs": [
            {"tail": int(a), "head": int(b), "capacity": float(c), "cost": float(k)}
            for a, b, c, k in zip(tails, heads, caps, costs, strict=True)
        ],
    }
    path.write_text(json.dumps(doc))
    return path


def security_game(path: Path, types: int = 6, targets: int = 200, seed: int = 0) -> Path:
    """Random payoffs (integers) for ``types`` equally likely attacker types over ``targets`` targets."""
    rng = np.random.default_rng(seed)
    with path.open("w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["target", "defender_covered", "defender_uncovered", "attacker_covered",
                    "attacker_uncovered", "type", "type_weight"])  # fmt: skip
        for t in range(types):
            for i in range(targets):
                w.writerow([f"t{i}", rng.integers(0, 10), -rng.integers(1, 10), -rng.integers(1, 10),
                            rng.integers(0, 10), f"a{t}", 1 / types])  # fmt: skip
    return path


def timed(args: list[str]) -> tuple[float, str]:
    """Wall seconds of ``python -m narcoflow ARGS`` and what it found (from its JSON)."""
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "narcoflow", *args], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        return wall, f"exit {r.returncode}: {r.stderr.strip()[:80]}"
    out = json.loads(r.stdout)
    if "interdicted" in out:
        return (
            wall,
            f"{out['status']}, {len(out['interdicted'])} arcs interdicted, max flow {out['objective']:g}",
        )
    return wall, f"defender utility {out['defender_utility']:.4g}"


def main() -> None:
    """Run the commands and print wall time / limit."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limits", type=float, nargs="+", default=[5.0, 10.0, 20.0])
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--json", type=Path, default=None)
    opts = ap.parse_args()
    print(f"solver time limits — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
          f"{os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.2f}")  # fmt: skip
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        net = interdiction_instance(Path(tmp) / "net100k.json")
        game = security_game(Path(tmp) / "game6x200.csv")
        commands = {
            "maxflow, 100k arcs": ["optimize", "maxflow", "--instance", str(net), "--budget", "20", "--json"],
            "allocate, 6 types x 200": ["optimize", "allocate", "--targets", str(game), "--resources", "20",
                                        "--json"],
        }  # fmt: skip
        for limit in opts.limits:
            for name, args in commands.items():
                for _ in range(opts.repeats):
                    wall, status = timed([*args, "--time-limit", f"{limit:g}"])
                    rows.append({"command": name, "limit": limit, "wall": wall, "status": status})
                    print(f"  {name:<24} --time-limit {limit:>5g}: {wall:6.2f} s wall "
                          f"({wall / limit:.2f} x the limit); {status}")  # fmt: skip
    worst = max(r["wall"] / r["limit"] for r in rows)
    print(f"worst ratio of wall time to limit: {worst:.2f} ({'within' if worst <= 1.1 else 'beyond'} 10%)")
    if opts.json:
        opts.json.write_text(json.dumps({"rows": rows, "worst_ratio": worst}, indent=1))


if __name__ == "__main__":
    main()
