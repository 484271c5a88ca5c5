"""Max-flow interdiction: published optima, MILP == brute force, degenerate networks, the array API."""

from __future__ import annotations

import csv
import itertools
import math
import time
import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narcoflow.errors import NarcoFlowError
from narcoflow.optimize import (
    InterdictionProblem,
    InterdictionWarning,
    brute_force_interdiction,
    interdict,
    load_instance,
    max_flow,
    solve_interdiction,
)

INTERDICTION = Path(__file__).resolve().parents[3] / "shared" / "data" / "interdiction"
KNOWN = INTERDICTION / "known_optima.csv"


def _known_rows() -> list[dict[str, str]]:
    if not KNOWN.exists():
        return []
    with KNOWN.open(newline="") as fh:
        return list(csv.DictReader(fh))


def instance_path(kind: str, net: int | str) -> Path:
    """File of a Lopes da Silva et al. modified network (the networks the optima refer to)."""
    name = f"Modified_Network{net}.csv" if kind == "HT" else f"Modified_Net{net}.csv"
    return INTERDICTION / "data" / kind / name


needs_data = pytest.mark.skipif(not KNOWN.exists(), reason=f"{KNOWN} not present")
ROWS = _known_rows()
_TIMES: dict[str, float] = {}


# ------------------------------------------------------------------------------------- published optima
@needs_data
@pytest.mark.parametrize("row", ROWS, ids=[f"{r['set']}-{r['net']}-B{r['budget']}" for r in ROWS])
def test_known_optimum_is_reproduced(row: dict[str, str]) -> None:
    problem = load_instance(instance_path(row["set"], row["net"]))
    assert problem.n_arcs == int(row["n_arcs_excl_return"])
    result = solve_interdiction(problem, float(row["budget"]))
    _TIMES[f"{row['set']}-{row['net']}-{row['budget']}"] = result.seconds
    assert result.status == "optimal"
    assert result.objective == float(row["opt_value_reported"])
    assert result.milp_objective == pytest.approx(result.objective, abs=1e-6)
    assert result.budget_used <= float(row["budget"])
    assert result.gap == pytest.approx(0.0, abs=1e-6)
    # the plan really leaves that flow: independent recomputation on a fresh graph
    g = nx.DiGraph()
    removed = set(result.interdicted_arcs.tolist())
    for k in range(problem.n_arcs):
        if k in removed:
            continue
        i, j = problem.tails[k], problem.heads[k]
        cap = problem.capacity[k]
        old = g.get_edge_data(i, j, {}).get("capacity", 0.0)
        g.add_edge(i, j, capacity=old + (1e9 if math.isinf(cap) else cap))
    assert nx.maximum_flow_value(g, problem.source, problem.sink) == result.objective


@needs_data
def test_all_known_optima_solve_quickly() -> None:
    """The 120 published (instance, budget) pairs solve in a few seconds in total (timings in OPTIMIZE.md)."""
    t0 = time.perf_counter()
    for row in ROWS:
        solve_interdiction(load_instance(instance_path(row["set"], row["net"])), float(row["budget"]))
    assert time.perf_counter() - t0 < 60


@needs_data
def test_formats_are_detected_and_return_arc_dropped() -> None:
    ht = load_instance(instance_path("HT", 1))
    assert ht.metadata["format"] == "HT"
    assert set(ht.attributes) == {"special", "trafficker", "bottom", "victim"}
    assert (ht.nodes[ht.source], ht.nodes[ht.sink]) == (0, 42)
    assert not np.any((ht.tails == ht.sink) & (ht.heads == ht.source))
    assert np.isinf(ht.capacity).sum() == 64 and (ht.capacity == 1).sum() == 36
    layered = load_instance(instance_path("Type2", 3))
    assert layered.metadata == {"format": "layered", "special_level": 2.0}
    assert set(layered.attributes) == {"special", "level"}
    # the original (unmodified) networks load too: finite capacities kept
    original = load_instance(INTERDICTION / "data" / "HT" / "Network1.csv")
    assert original.n_arcs == ht.n_arcs and np.isfinite(original.capacity).sum() > 36
    assert solve_interdiction(original, 0).objective == max_flow(original)


@needs_data
@pytest.mark.parametrize("net", [1, 5, 10])
def test_type2_instances_monotone_in_budget(net: int) -> None:
    problem = load_instance(instance_path("Type2", net))
    values = [solve_interdiction(problem, b).objective for b in (0, 3, 6, 9, 12)]
    assert values[0] == max_flow(problem)
    assert all(a >= b for a, b in itertools.pairwise(values))


# --------------------------------------------------------------------------------- MILP == brute force
@st.composite
def small_networks(draw: st.DrawFn) -> tuple[InterdictionProblem, int]:
    n = draw(st.integers(2, 7))
    m = draw(st.integers(1, 12))
    node = st.integers(0, n - 1)
    tails = draw(st.lists(node, min_size=m, max_size=m))
    heads = draw(st.lists(node, min_size=m, max_size=m))
    # make sure source and sink are arc ends (otherwise it is an "unknown node" error, tested apart)
    tails[0], heads[-1] = 0, n - 1
    cap = draw(st.lists(st.one_of(st.integers(0, 9).map(float), st.just(math.inf)), min_size=m, max_size=m))
    cost = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    inter = draw(st.lists(st.booleans(), min_size=m, max_size=m))
    budget = draw(st.integers(0, 4))
    problem = InterdictionProblem.from_arrays(tails, heads, cap, cost, 0, n - 1, inter)
    return problem, budget


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_networks())
def test_milp_equals_brute_force(case: tuple[InterdictionProblem, int]) -> None:
    problem, budget = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InterdictionWarning)
        milp = solve_interdiction(problem, budget)
        brute = brute_force_interdiction(problem, budget)
    assert milp.objective == brute.objective
    assert milp.budget_used <= budget
    assert problem.interdictable[milp.interdicted_arcs].all()
    if math.isfinite(milp.objective):
        assert milp.status == "optimal"
        assert max_flow(problem, milp.interdicted_arcs) == milp.objective
    else:
        assert milp.status == "unbounded"


# ----------------------------------------------------------------------------------- degenerate cases
def diamond(**kw: object) -> InterdictionProblem:
    """s -> a -> t, s -> b -> t: capacities 3, 2, 2, 4 (max flow 4)."""
    return InterdictionProblem.from_arrays(
        ["s", "s", "a", "b"], ["a", "b", "t", "t"], [3, 2, 2, 4], [1, 1, 1, 1], "s", "t", **kw
    )


def test_budget_zero_is_plain_max_flow() -> None:
    r = solve_interdiction(diamond(), 0)
    assert r.objective == 4.0 and r.interdicted == [] and r.status == "optimal"


def test_small_budgets() -> None:
    assert solve_interdiction(diamond(), 1).objective == 2.0
    r = solve_interdiction(diamond(), 2)
    assert r.objective == 0.0 and len(r.interdicted) == 2


def test_non_interdictable_arcs_are_respected() -> None:
    p = diamond(interdictable=[False, False, True, True])
    r = solve_interdiction(p, 1)
    assert r.objective == 2.0 and r.interdicted in ([("a", "t")], [("b", "t")])


def test_infinite_arcs_never_pay_capacity() -> None:
    # s -inf-> a -5-> t and s -inf-> t (interdictable at cost 2): with budget 2 the flow is 5
    p = InterdictionProblem.from_arrays(
        ["s", "a", "s"], ["a", "t", "t"], [math.inf, 5, math.inf], [1, 1, 2], "s", "t"
    )
    assert solve_interdiction(p, 2).objective == 5.0
    assert solve_interdiction(p, 3).objective == 0.0


def test_unbounded_flow_is_reported() -> None:
    p = InterdictionProblem.from_arrays(["s", "a"], ["a", "t"], [math.inf, math.inf], [5, 5], "s", "t")
    with pytest.warns(InterdictionWarning, match="unbounded"):
        r = solve_interdiction(p, 4)
    assert r.objective == math.inf and r.status == "unbounded"
    assert r.to_dict()["objective"] is None
    assert solve_interdiction(p, 5).objective == 0.0


def test_unreachable_sink_gives_zero_and_a_warning() -> None:
    p = InterdictionProblem.from_arrays(["s", "t"], ["a", "b"], [3, 3], [1, 1], "s", "t")
    with pytest.warns(InterdictionWarning, match="cannot be reached"):
        r = solve_interdiction(p, 2)
    assert r.objective == 0.0 and r.interdicted == [] and r.warning
    assert r.to_dict()["warning"] == r.warning
    with pytest.warns(InterdictionWarning):
        assert brute_force_interdiction(p, 2).objective == 0.0


def test_parallel_arcs_and_self_loops() -> None:
    p = InterdictionProblem.from_arrays([0, 0, 1, 1], [1, 1, 1, 2], [2, 3, 7, 4], [1, 1, 1, 5], 0, 2)
    assert max_flow(p) == 4.0
    assert solve_interdiction(p, 1).objective == 2.0  # cut the capacity-3 parallel arc
    assert solve_interdiction(p, 2).objective == 0.0


def test_zero_cost_arcs_are_free() -> None:
    p = InterdictionProblem.from_arrays(["s", "a"], ["a", "t"], [3, 4], [0, 1], "s", "t")
    assert solve_interdiction(p, 0).objective == 0.0


def test_fractional_capacities() -> None:
    r = interdict(["s", "s", "a"], ["a", "t", "t"], [0.25, 1.5, 0.75], [1.5, 1, 1], "s", "t", 1.0)
    assert r.objective == pytest.approx(0.25)


def test_array_api_accepts_simulator_style_arrays() -> None:
    tails = np.array([0, 0, 1, 2, 3])
    heads = np.array([1, 2, 3, 3, 4])
    cap = np.array([np.inf, np.inf, 5.0, 7.0, np.inf])
    r = interdict(tails, heads, cap, np.ones(5), 0, 4, 1, interdictable=np.array([1, 1, 1, 1, 0], bool))
    assert r.objective == 5.0 and r.interdicted == [(2, 3)]
    assert isinstance(r.interdicted[0][0], int)


def test_docstring_example() -> None:
    r = interdict(["s", "s", "a", "b"], ["a", "b", "t", "t"], [3, 2, 3, 4], [1, 1, 2, 1], "s", "t", 1)
    assert (r.objective, r.interdicted) == (2.0, [("s", "a")])


def test_time_limit_option_is_accepted() -> None:
    r = solve_interdiction(diamond(), 1, time_limit=10)
    assert r.status == "optimal" and r.objective == 2.0


# ------------------------------------------------------------------------------------------ user errors
@pytest.mark.parametrize("budget", [-1, -0.5, float("nan")])
def test_negative_budget(budget: float) -> None:
    with pytest.raises(NarcoFlowError) as exc:
        solve_interdiction(diamond(), budget)
    assert exc.value.field == "budget"
    with pytest.raises(NarcoFlowError):
        brute_force_interdiction(diamond(), budget)


def test_array_errors() -> None:
    with pytest.raises(NarcoFlowError, match="same node") as exc:
        InterdictionProblem.from_arrays([0], [1], [1], [1], 1, 1)
    assert exc.value.field == "sink"
    with pytest.raises(NarcoFlowError, match="unknown node") as exc:
        InterdictionProblem.from_arrays([0], [1], [1], [1], 0, 5)
    assert exc.value.field == "sink"
    with pytest.raises(NarcoFlowError, match="capacity") as exc:
        InterdictionProblem.from_arrays([0, 0], [1, 1], [1, -1], [1, 1], 0, 1)
    assert exc.value.field == "arcs[1].capacity"
    with pytest.raises(NarcoFlowError, match="cost") as exc:
        InterdictionProblem.from_arrays([0], [1], [1], [-2], 0, 1)
    assert exc.value.field == "arcs[0].cost"
    with pytest.raises(NarcoFlowError, match="entries"):
        InterdictionProblem.from_arrays([0, 1], [1], [1, 1], [1, 1], 0, 1)
    with pytest.raises(NarcoFlowError, match="unknown node"):
        InterdictionProblem.from_arrays([0], [1], [1], [1], 0, 1, nodes=[0, 2])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    arcs=st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 6), st.one_of(st.integers(0, 20), st.just(math.inf))),
        min_size=1,
        max_size=25,
    ),
    halves=st.booleans(),
)
def test_max_flow_paths_agree_with_networkx(arcs: list[tuple[int, int, float]], halves: bool) -> None:
    """Whole-number capacities take scipy's compiled max flow, others networkx: the same values."""
    caps = [c / 2 if halves else c for _, _, c in arcs]
    tails = [a for a, _, _ in arcs] + [0, 5]  # nodes 0 (source) and 6 (sink) exist in every draw
    heads = [b for _, b, _ in arcs] + [1, 6]
    p = InterdictionProblem.from_arrays(tails, heads, [*caps, 0.0, 0.0], [1.0] * len(tails), 0, 6)
    g = nx.DiGraph()
    g.add_nodes_from(range(p.n_nodes))
    for a, b, c in zip(p.tails, p.heads, p.capacity, strict=True):
        if a == b or c <= 0:
            continue
        if g.has_edge(a, b):
            g[a][b]["capacity"] = g[a][b].get("capacity", math.inf) + c
        else:
            g.add_edge(a, b, **({"capacity": c} if math.isfinite(c) else {}))
    for _, _, d in g.edges(data=True):
        if d.get("capacity") == math.inf:
            del d["capacity"]
    try:
        expected = float(nx.maximum_flow_value(g, p.source, p.sink))
    except nx.NetworkXUnbounded:
        expected = math.inf
    assert max_flow(p) == expected
