"""Can one simulation meet every in-sample goal at once? And does a tighter or rescaled ABC help?

Run from the project root (about 2 minutes here)::

    python docs/scripts/joint_fit.py [--replicates 10] [--seed 0]

It runs every particle of the built-in baseline's shipped posterior ``--replicates`` times (1,000
particles, so 10,000 simulations by default) and prints:

- the share of simulations that meet each in-sample goal of issue 3 on their own (deaths MAPE 2015-2023
  ≤ 10%; Southwest-border FY totals within ±15% each year; ports-of-entry share within ±5 points each
  year), and all of them together;
- the posterior-predictive medians after one more ABC step on these simulations: keep the best half or
  quarter by the calibration's own distance, or by the same distance with each series' discrepancy
  divided by its median absolute deviation over the simulations (the adaptive scaling of Prangle 2017,
  "Adapting the ABC distance function", Bayesian Analysis 12:289-309), each simulation weighted by its
  particle's weight.

docs/calibration.md ("Known limits") quotes its output.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from _shipped import shipped  # docs/scripts/_shipped.py (the script's folder is on sys.path)

from narcoflow.calibrate.targets import simulated
from narcoflow.engine import simulate


def weighted_median(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted median of each column of ``x`` [n, k]."""
    out = []
    for col in x.T:
        o = np.argsort(col)
        c = np.cumsum(w[o])
        out.append(col[o][np.searchsorted(c, c[-1] / 2.0)])
    return np.array(out)


def main() -> None:
    """Print what share of posterior simulations meets the goals, and the medians after a tighter step."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    sc, post, targets = shipped()
    reps = args.replicates
    sims: dict[str, list[np.ndarray]] = {}
    for start in range(0, len(post.particles), 100):  # 100 particles (x replicates) per call
        rows = np.repeat(post.particles[start : start + 100], reps, axis=0)
        table = pd.DataFrame(rows, columns=post.names)
        table.index = np.arange(start * reps, start * reps + len(rows))
        res = simulate(sc, members=table.index.to_numpy(), seed=args.seed, parameters=table)
        for name, x in simulated(res, targets).items():
            sims.setdefault(name, []).append(x.astype(np.float64))
    sim = {k: np.concatenate(v) for k, v in sims.items()}
    w = np.repeat(post.weights, reps)
    obs = {t.name: t.observed for t in targets}
    tot_obs = obs["ofo_lbs"] + obs["usbp_lbs"]
    share_obs = obs["ofo_lbs"] / tot_obs
    tot = sim["ofo_lbs"] + sim["usbp_lbs"]
    share = sim["ofo_lbs"] / np.maximum(tot, 1e-12)
    years = np.array([int(y) for y in targets[0].labels]) >= 2015
    deaths_ok = np.abs(sim["deaths"][:, years] / obs["deaths"][years] - 1).mean(axis=1) <= 0.10
    totals_ok = (np.abs(tot / tot_obs - 1) <= 0.15).all(axis=1)
    share_ok = (np.abs(share - share_obs) <= 0.05).all(axis=1)
    print(f"{len(w):,} simulations ({len(post.particles):,} particles x {reps} replicates)")
    print(
        f"meeting on their own: deaths MAPE {deaths_ok.mean():.3f}; SW totals {totals_ok.mean():.3f}; "
        f"shares {share_ok.mean():.3f}; shares and totals {(share_ok & totals_ok).mean():.4f}; "
        f"all three {(share_ok & totals_ok & deaths_ok).mean():.4f}"
    )
    errs = {
        t.name: (np.log1p(np.maximum(sim[t.name], 0.0)) - np.log1p(t.observed))
        if t.log
        else 2.0 * (sim[t.name] - t.observed)
        for t in targets
    }
    rms = {k: np.sqrt(np.mean(e**2, axis=1)) for k, e in errs.items()}
    mad = {k: float(np.median(np.abs(e - np.median(e, axis=0)))) for k, e in errs.items()}
    wsum = sum(t.weight for t in targets)
    plain = sum(t.weight * rms[t.name] for t in targets) / wsum
    scaled = sum(t.weight * rms[t.name] / mad[t.name] for t in targets) / wsum
    for label, dist in (("calibration distance", plain), ("MAD-scaled distance", scaled)):
        for keep in (1.0, 0.5, 0.25):
            sel = dist <= np.quantile(dist, keep)
            ws = w[sel]
            d50 = weighted_median(sim["deaths"][sel], ws)
            t50 = weighted_median(tot[sel], ws)
            s50 = weighted_median(share[sel], ws)
            mape = 100 * np.abs(d50[years] / obs["deaths"][years] - 1).mean()
            print(
                f"{label}, best {keep:.0%}: deaths MAPE {mape:.1f}%; SW totals "
                + " ".join(f"{x:+.1f}" for x in 100 * (t50 / tot_obs - 1))
                + "%; shares "
                + " ".join(f"{x:+.1f}" for x in 100 * (s50 - share_obs))
                + " points"
            )


if __name__ == "__main__":
    main()
