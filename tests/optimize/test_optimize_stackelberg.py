"""Stackelberg allocation: ORIGAMI == multiple LPs, DOBSS == ORIGAMI / brute force, games and their CSV."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narcoflow.errors import NarcoFlowError
from narcoflow.optimize.allocation import origami
from narcoflow.optimize.games import SecurityGame, load_game_csv
from narcoflow.optimize.stackelberg import (
    bayesian_brute_force,
    bayesian_milp,
    multiple_lps,
    solve_allocation,
)

TOL = 1e-6


@st.composite
def games(draw: st.DrawFn, n_types: int = 1, max_targets: int = 6) -> tuple[SecurityGame, float]:
    """Small random games; integer payoffs most of the time, so that ties (the hard cases) are common.

    Float payoffs are rounded to 0.001: two payoffs closer than HiGHS's feasibility tolerance
    (~1e-7) but farther apart than ORIGAMI's tie tolerance (1e-9 x scale) are a tie to one solver
    and not to the other, so the strong-Stackelberg tie-break, and the defender's utility, would
    differ by more than TOL for a reason that is not an error (e.g. an attacker payoff of -6e-8).
    """
    n = draw(st.integers(1, max_targets))
    integers = draw(st.booleans())

    def floats(low: float, high: float) -> st.SearchStrategy[float]:
        return st.floats(low, high, allow_nan=False).map(lambda x: round(x, 3))

    value = st.integers(-10, 10).map(float) if integers else floats(-10, 10)
    spread = st.integers(0, 10).map(float) if integers else floats(0, 10)
    positive = st.integers(1, 10).map(float) if integers else floats(0.01, 10)
    shape = (n_types, n)

    def arr(s: st.SearchStrategy[float]) -> np.ndarray:
        return np.array(draw(st.lists(s, min_size=n * n_types, max_size=n * n_types))).reshape(shape)

    du, ac = arr(value), arr(value)
    dc, au = du + arr(spread), ac + arr(positive)
    weights = draw(st.lists(st.integers(1, 5), min_size=n_types, max_size=n_types)) if n_types > 1 else None
    resources = draw(st.one_of(st.integers(0, n + 1).map(float), st.floats(0, n + 1, allow_nan=False)))
    game = SecurityGame.from_arrays([f"t{i}" for i in range(n)], dc, du, ac, au, weights=weights)
    return game, resources


def check_plan(game: SecurityGame, resources: float, result: object) -> None:
    """Coverage within bounds and budget, and the reported attacked target is a best response."""
    c = result.coverage.to_numpy()  # type: ignore[attr-defined]
    assert np.all(c >= -1e-9) and np.all(c <= 1 + 1e-9) and c.sum() <= resources + 1e-7
    ua = game.attacker_utility(c)
    attacked = result.attacked  # type: ignore[attr-defined]
    targets = list(attacked.values()) if isinstance(attacked, dict) else [attacked]
    for l, t in enumerate(targets):
        k = game.targets.get_loc(t)
        assert ua[l, k] >= ua[l].max() - 1e-6
    ud = game.defender_utility(c)
    value = sum(game.weights[l] * ud[l, game.targets.get_loc(t)] for l, t in enumerate(targets))
    assert value == pytest.approx(result.defender_utility, abs=1e-6)  # type: ignore[attr-defined]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(games())
def test_origami_equals_multiple_lps(case: tuple[SecurityGame, float]) -> None:
    game, resources = case
    fast, reference = origami(game, resources), multiple_lps(game, resources)
    assert fast.defender_utility == pytest.approx(reference.defender_utility, abs=TOL)
    check_plan(game, resources, fast)
    check_plan(game, resources, reference)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(games())
def test_dobss_with_one_type_equals_origami(case: tuple[SecurityGame, float]) -> None:
    game, resources = case
    milp = bayesian_milp(game, resources)
    assert milp.defender_utility == pytest.approx(origami(game, resources).defender_utility, abs=TOL)
    assert milp.status == "optimal"
    check_plan(game, resources, milp)


def test_dobss_solves_a_game_highs_fails_on() -> None:
    """A game (found by hypothesis) on which HiGHS ends every retry with "Solve error": DOBSS falls
    back to enumerating the responses and still returns the equilibrium."""
    game = SecurityGame.from_arrays(
        ["t0", "t1", "t2"], [[10.0, 20.0, 8.0]], [[5.0, 10.0, 4.0]], [[5.0, 10.0, 4.0]], [[14.0, 18.0, 7.0]]
    )
    milp = bayesian_milp(game, 4.0)
    assert milp.status == "optimal"
    assert milp.defender_utility == pytest.approx(origami(game, 4.0).defender_utility, abs=TOL)
    check_plan(game, 4.0, milp)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(games(n_types=2, max_targets=4))
def test_dobss_equals_brute_force_on_two_types(case: tuple[SecurityGame, float]) -> None:
    game, resources = case
    milp, brute = bayesian_milp(game, resources), bayesian_brute_force(game, resources)
    assert milp.defender_utility == pytest.approx(brute.defender_utility, abs=TOL)
    assert set(milp.attacked) == set(game.types)  # type: ignore[arg-type]
    check_plan(game, resources, milp)
    check_plan(game, resources, brute)


def test_three_types_small() -> None:
    rng = np.random.default_rng(7)
    shape = (3, 4)
    du, ac = rng.uniform(-10, 0, shape), rng.uniform(-10, 0, shape)
    game = SecurityGame.from_arrays(
        list("abcd"),
        du + rng.uniform(0, 10, shape),
        du,
        ac,
        ac + rng.uniform(0.1, 10, shape),
        weights=[1, 2, 3],
    )
    assert game.weights.sum() == pytest.approx(1.0)
    milp, brute = bayesian_milp(game, 1.5), bayesian_brute_force(game, 1.5)
    assert milp.defender_utility == pytest.approx(brute.defender_utility, abs=TOL)


# -------------------------------------------------------------------------------------------- examples
def two_targets() -> SecurityGame:
    return SecurityGame.from_arrays(["a", "b"], [0, 0], [-10, -1], [0, 0], [10, 2])


def test_origami_hand_example() -> None:
    # attacker values 10 and 2; one unit: cover a until its value is 2 (c=0.8), then equalise both:
    # (10-x)/10 + (2-x)/2 = 1 -> x = 10/6; c_a = 5/6, c_b = 1/6; defender prefers b: -5/6 > -10/6
    r = origami(two_targets(), 1)
    assert r.coverage["a"] == pytest.approx(5 / 6) and r.coverage["b"] == pytest.approx(1 / 6)
    assert r.attacked == "b" and r.defender_utility == pytest.approx(-5 / 6)
    assert r.attacker_utility == pytest.approx(10 / 6)
    assert r.method == "origami" and r.seconds >= 0


def test_zero_resources() -> None:
    r = origami(two_targets(), 0)
    assert r.coverage.sum() == 0 and r.attacked == "a" and r.defender_utility == -10


def test_ties_are_broken_for_the_defender() -> None:
    # both targets worth 5 to the attacker uncovered; the defender loses less at b
    game = SecurityGame.from_arrays(["a", "b"], [0, 0], [-9, -2], [0, 0], [5, 5])
    for solver in (origami, multiple_lps, bayesian_milp):
        r = solver(game, 0)
        assert r.attacked == "b" and r.defender_utility == -2


def test_resources_at_least_targets_cover_everything() -> None:
    # the target best for the defender when covered is the one the attacker still prefers under full
    # coverage: full coverage is the strong SSE
    game = SecurityGame.from_arrays(list("abc"), [5, 1, 0], [-5, -1, -3], [2, -4, -6], [6, 3, 1])
    for resources in (3, 3.5, 10):
        for solver in (origami, bayesian_milp, solve_allocation):
            r = solver(game, resources)
            assert np.allclose(r.coverage.to_numpy(), 1.0), (solver, r.coverage)
            assert r.attacked == "a" and r.defender_utility == pytest.approx(5.0)


def test_strong_sse_may_keep_the_attacked_target_partly_covered() -> None:
    # with full coverage the attacker hits a (covered value 5 > 0) and the defender gets 0; leaving b at
    # coverage 1/6 makes the attacker indifferent (6 - 6/6 = 5) and the tie goes to b, worth 4 + 1/6
    game = SecurityGame.from_arrays(["a", "b"], [0, 5], [-10, 4], [5, 0], [10, 6])
    r = origami(game, 2)
    assert r.coverage["a"] == 1.0 and r.coverage["b"] == pytest.approx(1 / 6)
    assert r.attacked == "b" and r.defender_utility == pytest.approx(4 + 1 / 6)
    assert multiple_lps(game, 2).defender_utility == pytest.approx(r.defender_utility)


def test_leftover_resources_go_to_other_targets() -> None:
    # a is capped at full coverage (attacker value 4 when covered), b needs little: the rest goes to c
    game = SecurityGame.from_arrays(list("abc"), [1, 1, 1], [-1, -1, -1], [4, 0, -5], [9, 6, 3])
    r = origami(game, 2.5)
    assert r.attacker_utility == pytest.approx(4.0)
    assert r.coverage.sum() == pytest.approx(2.5)
    assert r.coverage["c"] > 0


def test_origami_is_fast_on_5000_targets() -> None:
    rng = np.random.default_rng(0)
    n = 5000
    du, ac = rng.uniform(-10, 0, n), rng.uniform(-10, 0, n)
    game = SecurityGame.from_arrays(
        range(n), du + rng.uniform(0, 10, n), du, ac, ac + rng.uniform(0.1, 10, n)
    )
    origami(game, 500)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        r = origami(game, 500)
        times.append(time.perf_counter() - t0)
    assert float(np.median(times)) < 1.0
    assert r.coverage.sum() <= 500 + 1e-6


# ------------------------------------------------------------------------------------------ user errors
@pytest.mark.parametrize("resources", [-1, -1e-9, float("nan"), float("inf")])
def test_bad_resources(resources: float) -> None:
    for solver in (origami, multiple_lps, bayesian_milp, bayesian_brute_force):
        with pytest.raises(NarcoFlowError) as exc:
            solver(two_targets(), resources)
        assert exc.value.field == "resources"


def test_payoff_validation() -> None:
    with pytest.raises(NarcoFlowError, match=r"defender_covered .* below") as exc:
        SecurityGame.from_arrays(["a", "b"], [0, -3], [-1, -1], [0, 0], [1, 1])
    assert exc.value.field == "target[b].defender_covered"
    with pytest.raises(NarcoFlowError, match="must exceed attacker_covered") as exc:
        SecurityGame.from_arrays(["a", "b"], [0, 0], [-1, -1], [1, 0], [1, 1])
    assert exc.value.field == "target[a].attacker_uncovered"
    with pytest.raises(NarcoFlowError, match="more than once"):
        SecurityGame.from_arrays(["a", "a"], [0, 0], [-1, -1], [0, 0], [1, 1])
    with pytest.raises(NarcoFlowError, match="finite"):
        SecurityGame.from_arrays(["a"], [np.nan], [-1], [0], [1])
    with pytest.raises(NarcoFlowError, match="weights"):
        SecurityGame.from_arrays(["a"], [[0], [0]], [[-1], [-1]], [[0], [0]], [[1], [1]], weights=[1, -1])


def test_single_type_methods_refuse_several_types() -> None:
    game = SecurityGame.from_arrays(["a"], [[0], [0]], [[-1], [-1]], [[0], [0]], [[1], [1]])
    with pytest.raises(NarcoFlowError, match="one attacker type"):
        origami(game, 1)


# ------------------------------------------------------------------------------------------------- CSV
HEADER = "target,defender_covered,defender_uncovered,attacker_covered,attacker_uncovered"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "targets.csv"
    p.write_text(text)
    return p


def test_csv_single_and_multiple_types(tmp_path: Path) -> None:
    g = load_game_csv(write(tmp_path, f"{HEADER}\na,0,-10,0,10\n\nb,0,-1,0,2\n"))
    assert list(g.targets) == ["a", "b"] and g.n_types == 1
    assert origami(g, 1).defender_utility == pytest.approx(-5 / 6)
    text = f"{HEADER},type,type_weight\na,0,-10,0,10,x,3\nb,0,-1,0,2,x,3\nb,0,-1,0,9,y,1\na,0,-10,0,1,y,1\n"
    g2 = load_game_csv(write(tmp_path, text))
    assert g2.types == ("x", "y") and np.allclose(g2.weights, [0.75, 0.25])
    assert g2.attacker_uncovered[1].tolist() == [1, 9]  # aligned on targets
    r = solve_allocation(g2, 1)
    assert r.method == "dobss-milp" and set(r.attacked) == {"x", "y"}  # type: ignore[arg-type]
    assert r.defender_utility == pytest.approx(bayesian_brute_force(g2, 1).defender_utility, abs=TOL)


@pytest.mark.parametrize(
    ("text", "line", "field", "fragment"),
    [
        ("", 1, None, "empty file"),
        ("target,defender_covered\na,1\n", 1, None, "missing column"),
        (f"{HEADER},colour\na,0,-1,0,1,red\n", 1, None, "unknown or repeated column"),
        (f"{HEADER}\n", 1, None, "no target rows"),
        (f"{HEADER}\na,0,-1,0\n", 2, None, "expected 5 values"),
        (f"{HEADER}\na,0,-1,0,1\nb,0,x,0,1\n", 3, "defender_uncovered", "expected a number"),
        (f"{HEADER}\na,0,-1,0,inf\n", 2, "attacker_uncovered", "finite"),
        (f"{HEADER}\na,0,-1,0,1\na,0,-1,0,1\n", 3, "target", "already given on line 2"),
        (f"{HEADER}\n,0,-1,0,1\n", 2, "target", "empty target"),
        (f"{HEADER}\na,-2,-1,0,1\n", 2, "defender_covered", "worse off"),
        (f"{HEADER}\na,0,-1,1,1\n", 2, "attacker_uncovered", "does not deter"),
        (f"{HEADER},type\na,0,-1,0,1,x\na,0,-1,0,1,y\n", 1, None, "no type_weight column"),
        (f"{HEADER},type,type_weight\na,0,-1,0,1,x,1\na,0,-1,0,1,y,0\n", 3, "type_weight", "> 0"),
        (
            f"{HEADER},type,type_weight\na,0,-1,0,1,x,1\nb,0,-1,0,1,x,2\n",
            3,
            "type_weight",
            "weight 1 on line 2",
        ),
        (f"{HEADER},type,type_weight\na,0,-1,0,1,x,1\nb,0,-1,0,1,y,1\n", None, "target", "every type needs"),
        (f"{HEADER},type_weight\na,0,-1,0,1,1\n", 1, None, "needs a column type"),
    ],
)
def test_csv_errors(tmp_path: Path, text: str, line: int | None, field: str | None, fragment: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(NarcoFlowError) as exc:
        load_game_csv(path)
    e = exc.value
    assert (e.file, e.line, e.field) == (str(path), line, field) and fragment in e.message, e.format()


def test_csv_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NarcoFlowError, match="not found"):
        load_game_csv(tmp_path / "none.csv")
