"""Analyses through the whole pipeline (design → executor → DuckDB store → analysis) on functions whose
answers are known: Ishigami for Sobol, a linear function for Morris, a planted box for PRIM, two
crossing policies for the comparison."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narcoflow.execute import Store, run_experiment
from narcoflow.explore import function_experiment
from narcoflow.explore.analyses import compare_policies, discover, morris_indices, sobol_indices
from narcoflow.explore.figures import compare_figure, prim_figure, sobol_figure, write_html
from narcoflow.explore.prim import prim

A, B = 7.0, 0.1


def ishigami(p: pd.DataFrame, members: np.ndarray, seed: int, policy: str) -> dict[str, np.ndarray]:
    """Ishigami-Homma of the design's parameters (SALib.test_functions.Ishigami, A=7, B=0.1)."""
    from SALib.test_functions import Ishigami

    return {"y": Ishigami.evaluate(p[["x1", "x2", "x3"]].to_numpy(), A, B)}


def ishigami_indices() -> tuple[np.ndarray, np.ndarray]:
    """Analytic first-order and total indices (Saltelli et al. 2008, the values SALib documents)."""
    pi = math.pi
    v1 = 0.5 * (1 + B * pi**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_sobol_on_ishigami_matches_the_analytic_indices(tmp_path: Path) -> None:
    s1, st_ = ishigami_indices()
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=5e-5)  # SALib's documented values
    bounds = {f"x{i}": (-math.pi, math.pi) for i in (1, 2, 3)}
    exp = function_experiment(ishigami, bounds, ["y"], {"method": "sobol", "n": 1024, "seed": 3})
    assert exp.n_experiments == 1024 * 5
    run_experiment(exp, tmp_path / "s.duckdb", "serial", batch_size=512)
    with Store.read(tmp_path / "s.duckdb") as store:
        df = sobol_indices(store, "y")
    assert (np.abs(df["S1"] - s1) <= df["S1_conf"]).all(), df
    assert (np.abs(df["ST"] - st_) <= df["ST_conf"]).all(), df
    assert (df["S1_conf"] < 0.1).all()
    assert write_html(sobol_figure(df, "y"), tmp_path / "sobol.html").stat().st_size > 100_000


def linear(p: pd.DataFrame, members: np.ndarray, seed: int, policy: str) -> dict[str, np.ndarray]:
    """3a + b, c inert."""
    return {"y": 3 * p["a"].to_numpy() + p["b"].to_numpy()}


def test_morris_ranks_a_linear_function(tmp_path: Path) -> None:
    exp = function_experiment(
        linear, {"a": (0, 1), "b": (0, 2), "c": (0, 1)}, ["y"], {"method": "morris", "n": 20}
    )
    run_experiment(exp, tmp_path / "m.duckdb")
    with Store.read(tmp_path / "m.duckdb") as store:
        df = morris_indices(store, "y").set_index("parameter")
    np.testing.assert_allclose(df.loc[["a", "b", "c"], "mu_star"], [3.0, 2.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(df["sigma"], 0.0, atol=1e-9)


BOX = {"a": (0.2, 0.5), "b": (0.6, 0.9)}


def planted(p: pd.DataFrame, members: np.ndarray, seed: int, policy: str) -> dict[str, np.ndarray]:
    """1 inside the planted box (on a and b; c is irrelevant), else 0."""
    inside = np.ones(len(p), dtype=bool)
    for k, (lo, hi) in BOX.items():
        inside &= (p[k].to_numpy() >= lo) & (p[k].to_numpy() <= hi)
    return {"y": inside.astype(float)}


def test_prim_recovers_a_planted_box(tmp_path: Path) -> None:
    exp = function_experiment(
        planted, dict.fromkeys("abc", (0.0, 1.0)), ["y"], {"method": "lhs", "n": 2000, "seed": 2}
    )
    run_experiment(exp, tmp_path / "p.duckdb", batch_size=500)
    with Store.read(tmp_path / "p.duckdb") as store:
        result, share = discover(store, "y", 0.5, "above", mass_min=0.02)
    assert share == pytest.approx(0.09, abs=0.01)
    last = result.trajectory.iloc[-1]
    assert last["density"] == 1.0 and last["coverage"] > 0.9
    box = result.box().set_index("parameter")
    assert set(box.index) == {"a", "b"}
    for k, (lo, hi) in BOX.items():
        assert box.loc[k, "low"] == pytest.approx(lo, abs=0.02) and box.loc[k, "high"] == pytest.approx(
            hi, abs=0.02
        )
    assert write_html(prim_figure(result, "y", "above 0.5"), tmp_path / "prim.html").is_file()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(30, 400),
    d=st.integers(1, 4),
    digits=st.integers(1, 3),
    mass_min=st.sampled_from([0.02, 0.05, 0.1]),
    peel_alpha=st.sampled_from([0.05, 0.1]),
)
def test_prim_follows_ema_workbench_step_by_step(
    seed: int, n: int, d: int, digits: int, mass_min: float, peel_alpha: float
) -> None:
    import warnings

    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(0, 1, (n, d)).round(digits), columns=list("abcd"[:d]))
    y = (x["a"] > 0.6).to_numpy() | (rng.uniform(size=n) < 0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA Workbench's own deprecation warnings (pandas 3)
        from ema_workbench.analysis import prim as ema_prim

        theirs = ema_prim.Prim(x, y, threshold=0.5, mass_min=mass_min, peel_alpha=peel_alpha).find_box()
    ours = prim(x, y, mass_min=mass_min, peel_alpha=peel_alpha)
    cols = ["coverage", "density", "mass", "res_dim"]
    if len(theirs.peeling_trajectory) > 1:  # EMA returns its initial box when the box misses its threshold
        np.testing.assert_allclose(ours.trajectory[cols], theirs.peeling_trajectory[cols].astype(float))
        np.testing.assert_allclose(ours.limits[-1], theirs.box_lims[-1].to_numpy(np.float64))


def crossing(p: pd.DataFrame, members: np.ndarray, seed: int, policy: str) -> dict[str, np.ndarray]:
    """Policy 'a' scores x, policy 'b' x + 0.2 below x = 0.5 and x - 0.2 above; two members add ±0.1."""
    x = p["x"].to_numpy()
    noise = np.where(members % 2 == 0, 0.1, -0.1)
    shift = np.where(x < 0.5, 0.2, -0.2) if policy == "b" else 0.0
    return {"cost": x + shift + noise}


def test_compare_gives_regret_and_satisficing(tmp_path: Path) -> None:
    exp = function_experiment(
        crossing,
        {"x": (0.0, 1.0)},
        ["cost"],
        {"method": "lhs", "n": 101, "seed": 4},
        members=2,
        policies=["a", "b"],
    )
    run_experiment(exp, tmp_path / "c.duckdb", "serial")
    with Store.read(tmp_path / "c.duckdb") as store:
        table, thr = compare_policies(store, "cost", "min", threshold=0.5)
    x = exp.design["x"].to_numpy()
    a, b = x, x + np.where(x < 0.5, 0.2, -0.2)  # member means: the ±0.1 cancel
    best = np.minimum(a, b)
    t = table.set_index("policy")
    assert thr == 0.5 and t["points"].tolist() == [101, 101]
    np.testing.assert_allclose(t.loc["a", "regret_max"], (a - best).max())
    np.testing.assert_allclose(t.loc["b", "regret_median"], np.median(b - best))
    np.testing.assert_allclose(t.loc["a", "satisficing_share"], (a <= 0.5).mean())
    np.testing.assert_allclose(t.loc["b", "satisficing_share"], (b <= 0.5).mean())
    np.testing.assert_allclose(t.loc["b", "median"], np.median(b))
    np.testing.assert_allclose(t["best_share"].sum(), 1.0)
    wide = pd.DataFrame({"a": a, "b": b})
    assert write_html(compare_figure(wide, table, "cost", thr), tmp_path / "cmp.html").is_file()
