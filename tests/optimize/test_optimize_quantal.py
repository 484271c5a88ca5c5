"""Quantal-response allocation: lambda = 0, lambda -> infinity, exact vs local search, several types."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from narcoflow.errors import NarcoFlowError
from narcoflow.optimize.allocation import origami, quantal_response, quantal_response_local
from narcoflow.optimize.games import SecurityGame
from narcoflow.optimize.stackelberg import solve_allocation


def random_game(rng: np.random.Generator, n: int, n_types: int = 1) -> SecurityGame:
    shape = (n_types, n)
    du, ac = rng.uniform(-10, 0, shape), rng.uniform(-10, 0, shape)
    dc, au = du + rng.uniform(0, 10, shape), ac + rng.uniform(0.1, 10, shape)
    weights = rng.uniform(0.2, 1, n_types) if n_types > 1 else None
    return SecurityGame.from_arrays([f"t{i}" for i in range(n)], dc, du, ac, au, weights=weights)


@st.composite
def cases(draw: st.DrawFn) -> tuple[SecurityGame, float, float]:
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(1, 6))
    resources = draw(st.floats(0, n + 0.5, allow_nan=False))
    lam = draw(st.one_of(st.floats(0.01, 2), st.floats(2, 50), st.floats(50, 2000)))
    return random_game(np.random.default_rng(seed), n), resources, lam


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_exact_method_is_at_least_as_good_as_local_search(case: tuple[SecurityGame, float, float]) -> None:
    game, resources, lam = case
    exact = quantal_response(game, resources, lam)
    local_value, _ = quantal_response_local(game, lam, resources, starts=6, solver="slsqp")
    assert exact.defender_utility >= local_value - 1e-7
    c = exact.coverage.to_numpy()
    assert np.all((c >= 0) & (c <= 1)) and c.sum() <= resources + 1e-9
    assert exact.attack_probabilities is not None
    assert exact.attack_probabilities.sum() == pytest.approx(1.0)
    assert exact.status == "optimal" and exact.method == "quantal-response"


def test_lambda_zero_is_the_uniform_attack_optimum() -> None:
    rng = np.random.default_rng(1)
    for n, resources in ((1, 0.5), (5, 2.3), (8, 8), (12, 0)):
        game = random_game(rng, n)
        r = quantal_response(game, resources, 0.0)
        # a uniformly random attacker: maximise the mean defender utility, an LP
        gain = game.defender_covered[0] - game.defender_uncovered[0]
        lp = linprog(-gain / n, A_ub=np.ones((1, n)), b_ub=[resources], bounds=(0, 1), method="highs")
        best = game.defender_uncovered[0].mean() - lp.fun
        assert r.defender_utility == pytest.approx(best, abs=1e-9)
        assert r.attack_probabilities is not None and np.allclose(r.attack_probabilities, 1 / n)


def test_large_lambda_approaches_the_stackelberg_value() -> None:
    rng = np.random.default_rng(2)
    for _ in range(20):
        n = int(rng.integers(2, 9))
        game, resources = random_game(rng, n), float(rng.uniform(0.2, n - 0.2))
        sse = origami(game, resources).defender_utility
        gaps = [abs(quantal_response(game, resources, lam).defender_utility - sse) for lam in (10, 100, 1e4)]
        assert gaps[-1] < 0.01  # payoffs are of order 10
        assert gaps[-1] <= gaps[0] + 1e-9


def test_several_types_local_search() -> None:
    rng = np.random.default_rng(3)
    game = random_game(rng, 6, n_types=2)
    r = quantal_response(game, 2.0, 1.5)
    assert r.status == "local" and r.coverage.sum() <= 2.0 + 1e-9
    # two identical types are one type: the local search reaches the exact single-type optimum
    one = random_game(rng, 5)
    twin = SecurityGame.from_arrays(
        one.targets,
        np.vstack([one.defender_covered] * 2),
        np.vstack([one.defender_uncovered] * 2),
        np.vstack([one.attacker_covered] * 2),
        np.vstack([one.attacker_uncovered] * 2),
        weights=[1, 3],
    )
    assert quantal_response(twin, 1.7, 3.0).defender_utility == pytest.approx(
        quantal_response(one, 1.7, 3.0).defender_utility, abs=1e-6
    )


def test_gradient_and_slsqp_local_solvers_agree() -> None:
    game = random_game(np.random.default_rng(4), 12)
    a, _ = quantal_response_local(game, 0.7, 3.0, solver="slsqp")
    b, _ = quantal_response_local(game, 0.7, 3.0, solver="gradient")
    assert a == pytest.approx(b, abs=1e-5)


def test_many_targets_is_fast_enough() -> None:
    game = random_game(np.random.default_rng(5), 5000)
    r = quantal_response(game, 500, 5.0)
    assert r.seconds < 20 and r.coverage.sum() <= 500 + 1e-6


def test_dispatch_and_errors() -> None:
    game = random_game(np.random.default_rng(6), 3)
    assert solve_allocation(game, 1, qr_lambda=2.0).method == "quantal-response"
    for lam in (-1.0, float("nan"), float("inf")):
        with pytest.raises(NarcoFlowError) as exc:
            quantal_response(game, 1, lam)
        assert exc.value.field == "qr_lambda"
    with pytest.raises(NarcoFlowError):
        quantal_response(game, -1, 1.0)
