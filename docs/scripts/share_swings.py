"""How far the ports-of-entry share swings from year to year, in the record and in the model.

Run from the project root (about 25 s here)::

    python docs/scripts/share_swings.py [--members 1000] [--seed 0]

It runs the built-in baseline with parameters drawn from its shipped posterior and prints, for the
Southwest-border ports-of-entry share of fentanyl weight FY2019-FY2023 (the calibration's ``poe_share``
target):

- the swing of the record and of each member: the RMS of the five shares about their own straight line;
- the same for stochastic noise alone (20 posterior particles, 50 replicates each);
- the share of members within ±5 points of the posterior-predictive median in all five years.

docs/calibration.md ("Known limits") quotes its output.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from _shipped import shipped  # docs/scripts/_shipped.py (the script's folder is on sys.path)

from narcoflow.calibrate import predictive
from narcoflow.calibrate.targets import simulated
from narcoflow.engine import simulate


def swing(x: np.ndarray) -> np.ndarray:
    """RMS of each row about its own least-squares line (the last axis is time)."""
    t = np.arange(x.shape[-1]) - (x.shape[-1] - 1) / 2.0
    slope = (x * t).sum(-1) / (t**2).sum()
    resid = x - x.mean(-1, keepdims=True) - slope[..., None] * t
    return np.sqrt((resid**2).mean(-1))


def main() -> None:
    """Print the swings of the record and of the posterior predictive."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    sc, post, targets = shipped()
    obs = next(t for t in targets if t.name == "poe_share").observed
    res = predictive(sc, post, args.members, args.seed)
    share = simulated(res, targets)["poe_share"]
    table = post.member_table(np.arange(20), args.seed)  # the particles drawn for members 0-19
    med = np.median(share, axis=0)
    print("record:           ", " ".join(f"{x:.3f}" for x in obs))
    print("model median:     ", " ".join(f"{x:.3f}" for x in med))
    rec = float(swing(obs[None, :])[0])
    ms = swing(share)
    lo, mid, hi = np.quantile(ms, [0.05, 0.5, 0.95])
    print(
        f"swing of the record {100 * rec:.1f} points; members: median {100 * mid:.1f} "
        f"(90% {100 * lo:.1f}-{100 * hi:.1f}); "
        f"members swinging more than the record: {(ms >= rec).mean():.2f}"
    )
    reps = []
    for j in range(20):
        rep = pd.DataFrame([table.iloc[j].to_numpy()] * 50, columns=table.columns)
        rep.index = np.arange(args.members + 50 * j, args.members + 50 * (j + 1))
        r = simulate(sc, members=rep.index.to_numpy(), seed=args.seed, parameters=rep)
        reps.append(swing(simulated(r, targets)["poe_share"]))
    rs = np.concatenate(reps)
    print(
        f"stochastic only (20 particles x 50 replicates): median swing {100 * np.median(rs):.1f} points; "
        f"replicates swinging more than the record: {(rs >= rec).mean():.2f}"
    )
    inside = (np.abs(share - med) <= 0.05).all(axis=1).mean()
    print(f"members within 5 points of the median in all five years: {inside:.2f}")


if __name__ == "__main__":
    main()
