"""Analyses on a results store (never on a live run): Sobol and Morris indices (SALib), scenario
discovery (PRIM) and policy comparison (median, 90% range, regret, satisficing).

Each analysis reduces an experiment's members to one value per experiment (their mean) and returns a
DataFrame; :mod:`narcoflow.explore.figures` draws them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from narcoflow.errors import NarcoFlowError
from narcoflow.execute.store import Store
from narcoflow.explore.designs import salib_problem
from narcoflow.explore.prim import PrimResult, prim


@dataclass
class StoreView:
    """An outcome per experiment, with the experiments' parameters and what the store was made for."""

    names: list[str]
    bounds: list[tuple[float, float]]
    policies: list[str]
    spec: dict
    table: pd.DataFrame  # experiments + column "y" (member mean of the outcome), stored and not failed
    n_points: int  # design points of the experiment (stored or not)
    failed: int  # experiments stored as failed (their outcome is NULL), left out of ``table``


def outcome_per_experiment(store: Store, outcome: str) -> StoreView:
    """The member mean of ``outcome`` per stored experiment, joined with the experiments table."""
    meta = store.meta()
    outcomes = json.loads(meta["outcomes"])
    if outcome not in outcomes:
        raise NarcoFlowError(
            f"the store has no outcome '{outcome}' (it has: {', '.join(outcomes)})", field="--outcome"
        )
    y = store.con.execute(
        "SELECT experiment_id, avg(value) AS y FROM outcomes WHERE outcome = ? GROUP BY 1", [outcome]
    ).df()
    experiments = store.experiments()
    table = experiments.merge(y, on="experiment_id", how="inner").sort_values("experiment_id")
    failed = int(table["y"].isna().sum())
    table = table.dropna(subset=["y"])
    bounds = [tuple(b) for b in json.loads(meta["bounds"])]
    n_points = int(experiments["design_point"].max()) + 1
    names, policies = json.loads(meta["names"]), json.loads(meta["policies"])
    return StoreView(names, bounds, policies, store.spec(), table, n_points, failed)


def _one_policy(view: StoreView, policy: str | None) -> tuple[str, pd.DataFrame]:
    name = policy or view.policies[0]
    if name not in view.policies:
        raise NarcoFlowError(
            f"no policy '{name}' in the store (have: {', '.join(view.policies)})", field="--policy"
        )
    return name, view.table[view.table["policy"] == name].sort_values("design_point")


def _complete(view: StoreView, rows: pd.DataFrame, method: str) -> np.ndarray:
    design = view.spec.get("design", {})
    if design.get("method") != method:
        raise NarcoFlowError(
            f"{method} indices need a {method} design; this store's design is '{design.get('method')}'",
            field="--outcome",
        )
    if len(rows) != view.n_points:
        why = f" ({view.failed} failed the simulation's checks: table failures)" if view.failed else ""
        raise NarcoFlowError(
            f"the store holds {len(rows)} of the design's {view.n_points} points for this policy{why}; the "
            "indices need them all (narcoflow explore SPEC --resume finishes an interrupted run)"
        )
    return rows["y"].to_numpy(np.float64)


def sobol_indices(store: Store, outcome: str, policy: str | None = None, seed: int = 0) -> pd.DataFrame:
    """First-order and total Sobol indices with 95% confidence intervals (SALib, Saltelli design)."""
    from SALib.analyze import sobol

    view = outcome_per_experiment(store, outcome)
    _, rows = _one_policy(view, policy)
    y = _complete(view, rows, "sobol")
    problem = salib_problem(view.names, view.bounds)
    second = bool(view.spec["design"].get("second_order", False))
    res = sobol.analyze(problem, y, calc_second_order=second, seed=seed)
    return pd.DataFrame(
        {
            "parameter": view.names,
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )


def morris_indices(store: Store, outcome: str, policy: str | None = None, seed: int = 0) -> pd.DataFrame:
    """Morris elementary effects: μ, μ*, σ and μ*'s 95% confidence interval (SALib)."""
    from SALib.analyze import morris

    view = outcome_per_experiment(store, outcome)
    _, rows = _one_policy(view, policy)
    y = _complete(view, rows, "morris")
    x = rows[view.names].to_numpy(np.float64)
    levels = int(view.spec["design"].get("levels", 4))
    res = morris.analyze(salib_problem(view.names, view.bounds), x, y, num_levels=levels, seed=seed)
    return pd.DataFrame(
        {
            "parameter": view.names,
            "mu": res["mu"],
            "mu_star": res["mu_star"],
            "sigma": res["sigma"],
            "mu_star_conf": res["mu_star_conf"],
        }
    ).sort_values("mu_star", ascending=False, ignore_index=True)


def discover(
    store: Store,
    outcome: str,
    threshold: float,
    direction: Literal["above", "below"] = "above",
    policy: str | None = None,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
) -> tuple[PrimResult, float]:
    """PRIM boxes for the experiments whose outcome is above (or below) ``threshold``; also the share
    of experiments of interest."""
    view = outcome_per_experiment(store, outcome)
    _, rows = _one_policy(view, policy)
    if rows.empty:
        raise NarcoFlowError("no stored experiments for this policy")
    y = rows["y"].to_numpy()
    hit = y > threshold if direction == "above" else y < threshold
    if not hit.any():
        raise NarcoFlowError(
            f"no experiment has {outcome} {direction} {threshold:g} (range {y.min():.4g}..{y.max():.4g})",
            field="--threshold",
        )
    return prim(rows[view.names], hit, mass_min=mass_min, peel_alpha=peel_alpha), float(hit.mean())


def compare_policies(
    store: Store,
    outcome: str,
    sense: Literal["min", "max"] = "min",
    threshold: float | None = None,
) -> tuple[pd.DataFrame, float]:
    """Policies side by side over the design points all of them have: median and 90% range of the
    outcome, regret against the best policy on each design point (median and max), and the share of
    design points where the policy meets the satisficing ``threshold`` (default: the first policy's
    median). Returns the table and the threshold used."""
    view = outcome_per_experiment(store, outcome)
    wide = view.table.pivot(index="design_point", columns="policy", values="y").dropna()
    wide = wide[[p for p in view.policies if p in wide.columns]]
    if wide.empty:
        raise NarcoFlowError("no design point has all policies stored yet")
    best = wide.min(axis=1) if sense == "min" else wide.max(axis=1)
    regret = (wide.sub(best, axis=0)) if sense == "min" else (-wide).add(best, axis=0)
    thr = float(np.median(wide.iloc[:, 0])) if threshold is None else float(threshold)
    meets = wide <= thr if sense == "min" else wide >= thr
    out = pd.DataFrame(
        {
            "policy": wide.columns,
            "median": wide.median().to_numpy(),
            "p05": wide.quantile(0.05).to_numpy(),
            "p95": wide.quantile(0.95).to_numpy(),
            "regret_median": regret.median().to_numpy(),
            "regret_max": regret.max().to_numpy(),
            "best_share": (regret == 0).mean().to_numpy(),
            "satisficing_share": meets.mean().to_numpy(),
            "points": len(wide),
        }
    )
    return out, thr
