"""ABC-SMC on problems with a known answer, and reproducibility."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from narcoflow.calibrate.abc import Prior, abc_smc


def _normal_mean_problem(seed: int):
    """y_1..y_n ~ N(mu, 1), flat prior on [-5, 5]: the posterior of mu is about N(ybar, 1/n)."""
    n = 25
    y = np.random.default_rng(seed).normal(1.3, 1.0, n)

    def distances(members: np.ndarray, table: pd.DataFrame) -> np.ndarray:
        out = np.empty(len(members))
        for i, (k, mu) in enumerate(zip(members, table["mu"], strict=True)):
            sim = np.random.default_rng([seed, int(k)]).normal(mu, 1.0, n)
            out[i] = abs(sim.mean() - y.mean())
        return out

    return y, distances


@pytest.mark.parametrize("kernel", ["olcm", "global"])
def test_abc_recovers_a_normal_mean(kernel: str) -> None:
    y, distances = _normal_mean_problem(3)
    prior = Prior(["mu"], np.array([-5.0]), np.array([5.0]), np.array([False]))
    res = abc_smc(prior, distances, population=400, budget=8000, seed=1, kernel=kernel)
    mu = res.particles[:, 0]
    mean = np.average(mu, weights=res.weights)
    sd = np.sqrt(np.average((mu - mean) ** 2, weights=res.weights))
    assert abs(mean - y.mean()) < 0.08
    assert 0.5 / np.sqrt(len(y)) < sd < 1.6 / np.sqrt(len(y))
    eps = [g.epsilon for g in res.generations[1:]]
    assert all(b <= a for a, b in itertools.pairwise(eps))  # tolerances shrink
    assert res.simulations <= 8000


def test_log_uniform_prior_and_bounds() -> None:
    prior = Prior(["a", "b"], np.array([1.0, 0.0]), np.array([1000.0, 1.0]), np.array([True, False]))
    x = prior.sample(np.random.default_rng(0), 20000)
    assert (x[:, 0] >= 1).all() and (x[:, 0] <= 1000).all()
    assert 0.45 < np.mean(np.log10(x[:, 0]) < 1.5) < 0.55  # log-uniform: half the draws below 10^1.5
    np.testing.assert_allclose(prior.from_unit(prior.to_unit(x)), x)


def test_abc_is_reproducible() -> None:
    _, distances = _normal_mean_problem(5)
    prior = Prior(["mu"], np.array([-5.0]), np.array([5.0]), np.array([False]))
    a = abc_smc(prior, distances, population=50, budget=400, seed=9)
    b = abc_smc(prior, distances, population=50, budget=400, seed=9)
    np.testing.assert_array_equal(a.particles, b.particles)
    np.testing.assert_array_equal(a.weights, b.weights)


def test_olcm_keeps_the_weights_usable_in_many_dimensions() -> None:
    """17 parameters, as the baseline calibrates: the (scaled) local kernels keep the effective sample
    size up while the tolerance falls at least as fast as with the global kernel."""
    p = 17
    rng = np.random.default_rng(1)
    scale, centre = np.exp(rng.uniform(-3, 0, p)), rng.uniform(0.3, 0.7, p)

    def distances(members: np.ndarray, table: pd.DataFrame) -> np.ndarray:
        x = table.to_numpy()
        noise = np.array([np.random.default_rng([7, int(k)]).normal(0, 0.01) for k in members])
        return 0.1 * np.sqrt(np.mean(((x - centre) / scale) ** 2, axis=1)) + np.abs(noise)

    prior = Prior([f"a{i}" for i in range(p)], np.zeros(p), np.ones(p), np.zeros(p, dtype=bool))
    local = abc_smc(prior, distances, population=200, budget=3000, seed=0, kernel="olcm")
    wide = abc_smc(prior, distances, population=200, budget=3000, seed=0, kernel="global")
    assert local.generations[-1].epsilon <= wide.generations[-1].epsilon
    assert min(g.ess for g in local.generations) >= 40


def test_unknown_kernel() -> None:
    prior = Prior(["mu"], np.array([-5.0]), np.array([5.0]), np.array([False]))
    with pytest.raises(ValueError, match="kernel"):
        abc_smc(prior, lambda m, t: np.zeros(len(m)), population=10, budget=20, seed=0, kernel="x")
