"""Max-flow network interdiction (Wood 1993), solved exactly as one MILP with HiGHS.

The interdictor removes arcs, each at a cost, within a budget B, to minimise the maximum s-t flow
that remains.  Dualising the inner max-flow problem gives Wood's single-level MILP over s-t cuts::

    min  sum_k u_k beta_k
    s.t. alpha_i - alpha_j + beta_k + gamma_k >= 0     for each arc k = (i, j)
         alpha_s = 0,  alpha_t = 1
         sum_k r_k gamma_k <= B
         alpha, gamma in {0, 1};  0 <= beta <= 1

``alpha = 0`` marks the source side of the cut; an arc crossing from the source side to the sink side
is either interdicted (``gamma = 1``) or pays its capacity (``beta = 1``).  ``beta`` may be continuous:
for binary ``alpha, gamma`` its optimum is binary.  Arcs that cannot be interdicted have ``gamma``
fixed at 0.  Arcs of infinite capacity have ``beta`` fixed at 0, so they can cross the cut only if
interdicted -- exact, with no big-M.  If no finite cut is affordable the MILP is infeasible and the max
flow is reported as infinite (``status == "unbounded"``).

Every answer is checked: the max flow of the network without the interdicted arcs is recomputed with
networkx, reported as ``objective``, and must equal the MILP objective.

Example:
    >>> from narcoflow.optimize import interdict
    >>> r = interdict(["s", "s", "a", "b"], ["a", "b", "t", "t"], [3, 2, 3, 4], [1, 1, 2, 1], "s", "t", 1)
    >>> r.objective, r.interdicted
    (2.0, [('s', 'a')])
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from scipy.optimize import Bounds, LinearConstraint
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from narcoflow.errors import NarcoFlowError
from narcoflow.optimize.highs import milp_within, quiet_milp
from narcoflow.optimize.instances import InterdictionProblem

__all__ = [
    "InterdictionResult",
    "InterdictionWarning",
    "brute_force_interdiction",
    "interdict",
    "max_flow",
    "solve_interdiction",
]

#: Relative tolerance when checking the MILP objective against the recomputed max flow.
CHECK_RTOL = 1e-6


class InterdictionWarning(UserWarning):
    """The instance is degenerate (e.g. the sink cannot be reached from the source)."""


@dataclass
class InterdictionResult:
    """The outcome of an interdiction solve.

    Attributes:
        objective: max s-t flow after removing the interdicted arcs (recomputed by a max-flow
            algorithm; ``inf`` if the flow is unbounded).
        interdicted: ``(tail id, head id)`` of the interdicted arcs.
        interdicted_arcs: their positions in the problem's arc arrays.
        status: ``"optimal"``, ``"time_limit"`` (best plan found, ``gap`` > 0 possibly) or
            ``"unbounded"`` (an uninterdictable path of infinite capacity).
        gap: relative MIP gap reported by HiGHS (0 when optimal).
        seconds: wall time of the whole call (model build, solve and check).
        budget: the budget given.
        budget_used: total cost of the interdicted arcs.
        milp_objective: the solver's objective value (``None`` if no MILP was solved).
        method: ``"milp"`` or ``"brute_force"``.
        warning: a message when the instance is degenerate (also issued with ``warnings.warn``).
        solver_seconds: wall time of the HiGHS call alone (part of ``seconds``).
    """

    objective: float
    interdicted: list[tuple[Hashable, Hashable]]
    interdicted_arcs: np.ndarray
    status: str
    gap: float | None
    seconds: float
    budget: float
    budget_used: float
    milp_objective: float | None = None
    method: str = "milp"
    warning: str | None = None
    solver_seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: objective (``None`` if infinite), interdicted, status, gap, seconds, warning."""
        out: dict[str, Any] = {
            "objective": _jsonable(self.objective) if math.isfinite(self.objective) else None,
            "interdicted": [[_jsonable(i), _jsonable(j)] for i, j in self.interdicted],
            "status": self.status,
            "gap": self.gap,
            "seconds": self.seconds,
        }
        if self.warning:
            out["warning"] = self.warning
        return out


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


# -------------------------------------------------------------------------------------------- max flow
def max_flow(problem: InterdictionProblem, removed: np.ndarray | Sequence[int] | None = None) -> float:
    """Maximum s-t flow of ``problem`` without the arcs at positions ``removed`` (scipy or networkx).

    Parallel arcs are merged (capacities add), self-loops and zero-capacity arcs are ignored.
    Returns ``inf`` if an s-t path of infinite-capacity arcs remains.
    """
    keep = np.ones(problem.n_arcs, dtype=bool)
    if removed is not None and len(removed):
        keep[np.asarray(removed, dtype=np.int64)] = False
    keep &= (problem.tails != problem.heads) & (problem.capacity > 0)
    n = problem.n_nodes
    key, inverse = np.unique(problem.tails[keep] * n + problem.heads[keep], return_inverse=True)
    cap = np.bincount(inverse, weights=problem.capacity[keep], minlength=key.size)
    fast = _whole_number_max_flow(n, key, cap, problem.source, problem.sink)
    if fast is not None:
        return fast
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(
        (int(k // n), int(k % n), {"capacity": float(c)} if math.isfinite(c) else {})
        for k, c in zip(key, cap, strict=True)
    )
    try:
        return float(nx.maximum_flow_value(g, problem.source, problem.sink))
    except nx.NetworkXUnbounded:
        return math.inf


def _whole_number_max_flow(n: int, key: np.ndarray, cap: np.ndarray, source: int, sink: int) -> float | None:
    """scipy's max flow (compiled) when every finite capacity is a whole number and all fit in int32.

    Infinite arcs get one more than the finite capacities together: a flow that large means an s-t path
    of infinite arcs (``inf``). ``None`` when the capacities do not qualify (networkx is used then).
    """
    finite = np.isfinite(cap)
    total = float(cap[finite].sum())
    big = int(total) + 1
    if not np.array_equal(cap[finite], np.round(cap[finite])) or big * (1 + int((~finite).sum())) >= 2**31:
        return None
    data = np.where(finite, cap, big).astype(np.int32)
    graph = csr_matrix((data, (key // n, key % n)), shape=(n, n))
    value = int(maximum_flow(graph, int(source), int(sink)).flow_value)
    return math.inf if value >= big else float(value)


def _sink_reachable(problem: InterdictionProblem) -> bool:
    n = problem.n_nodes
    adj = csr_matrix((np.ones(problem.n_arcs), (problem.tails, problem.heads)), shape=(n, n))
    order = breadth_first_order(adj, problem.source, directed=True, return_predecessors=False)
    return bool(np.isin(problem.sink, order))


def _check_budget(budget: float) -> float:
    if isinstance(budget, bool) or not isinstance(budget, int | float | np.number):
        raise NarcoFlowError(f"expected a number, got {budget!r}", field="budget")
    b = float(budget)
    if math.isnan(b) or b < 0:
        raise NarcoFlowError(f"must be >= 0, got {budget}", field="budget")
    return b


def _unreachable(problem: InterdictionProblem, budget: float, t0: float, method: str) -> InterdictionResult:
    s, t = problem.nodes[problem.source], problem.nodes[problem.sink]
    msg = f"sink {t!r} cannot be reached from source {s!r}: the max flow is 0 without interdiction"
    warnings.warn(msg, InterdictionWarning, stacklevel=3)
    return InterdictionResult(
        objective=0.0,
        interdicted=[],
        interdicted_arcs=np.zeros(0, dtype=np.int64),
        status="optimal",
        gap=0.0,
        seconds=time.perf_counter() - t0,
        budget=budget,
        budget_used=0.0,
        method=method,
        warning=msg,
    )


# ------------------------------------------------------------------------------------------------ MILP
def _solver_seconds(problem: InterdictionProblem, time_limit: float, t0: float) -> tuple[float, float]:
    """Seconds left for the MILP so that the whole solve ends within ``time_limit`` of ``t0`` (after the
    max-flow check that follows it and the output), and the plain max flow (computed here, which also
    times that check)."""
    t = time.perf_counter()
    plain = max_flow(problem)
    check = time.perf_counter() - t
    # HiGHS overshoots its limit by a few per cent; the plan's max flow is recomputed after it
    return float(time_limit) - (time.perf_counter() - t0) - 1.5 * check - 0.3, plain


def _nothing_interdicted(
    objective: float, status: str, budget: float, t0: float, **extra: Any
) -> InterdictionResult:
    """A result without interdicted arcs (time limit before any plan, or an unbounded max flow)."""
    return InterdictionResult(
        objective=objective,
        interdicted=[],
        interdicted_arcs=np.zeros(0, dtype=np.int64),
        status=status,
        gap=None,
        seconds=time.perf_counter() - t0,
        budget=budget,
        budget_used=0.0,
        **extra,
    )


def _no_plan(
    problem: InterdictionProblem, budget: float, t0: float, plain: float | None
) -> InterdictionResult:
    """The time limit came before any plan: report "no interdiction" and the plain max flow."""
    return _nothing_interdicted(max_flow(problem) if plain is None else plain, "time_limit", budget, t0)


def _milp_model(problem: InterdictionProblem, budget: float) -> dict[str, Any]:
    """The interdiction MILP as keyword arguments of ``scipy.optimize.milp`` (``c``, ``constraints``,
    ``integrality``, ``bounds``)."""
    n, m = problem.n_nodes, problem.n_arcs
    finite = np.isfinite(problem.capacity)
    # variables: alpha[n] | beta[m] | gamma[m]
    c = np.concatenate([np.zeros(n), np.where(finite, problem.capacity, 0.0), np.zeros(m)])
    rows = np.repeat(np.arange(m), 4)
    cols = np.stack([problem.tails, problem.heads, n + np.arange(m), n + m + np.arange(m)], axis=1).ravel()
    vals = np.tile([1.0, -1.0, 1.0, 1.0], m)
    cut = coo_matrix((vals, (rows, cols)), shape=(m, n + 2 * m)).tocsr()
    spend = csr_matrix(np.concatenate([np.zeros(n + m), problem.cost])[None, :])
    lb = np.zeros(n + 2 * m)
    ub = np.concatenate([np.ones(n), finite.astype(float), problem.interdictable.astype(float)])
    ub[problem.source] = 0.0
    lb[problem.sink] = 1.0
    integrality = np.concatenate([np.ones(n), np.zeros(m), np.ones(m)])
    constraints = [LinearConstraint(cut, 0.0, np.inf), LinearConstraint(spend, -np.inf, budget)]
    return {"c": c, "constraints": constraints, "integrality": integrality, "bounds": Bounds(lb, ub)}


def solve_interdiction(
    problem: InterdictionProblem,
    budget: float,
    *,
    time_limit: float | None = None,
    mip_rel_gap: float = 1e-9,
    started: float | None = None,
) -> InterdictionResult:
    """Choose arcs to interdict within ``budget`` so as to minimise the max s-t flow (exact MILP).

    Args:
        problem: the network (see :class:`~narcoflow.optimize.instances.InterdictionProblem`).
        budget: total interdiction cost allowed (>= 0).  With budget 0 only zero-cost arcs can be
            interdicted, so with positive costs the answer is the plain max flow.
        time_limit: seconds for the whole solve (``None``: no limit); HiGHS gets what is left after the
            set-up, without its presolve (which does not look at the clock).  On the limit the best plan
            found is returned with ``status == "time_limit"`` and its gap.
        mip_rel_gap: HiGHS relative gap tolerance.
        started: ``time.perf_counter()`` value the time limit counts from (default: this call's start;
            the CLI passes the process's start, so that loading the instance counts too).

    Returns:
        :class:`InterdictionResult`; ``objective`` is the recomputed max flow, equal to the MILP's.

    Raises:
        NarcoFlowError: negative budget.
        RuntimeError: the MILP objective and the recomputed max flow disagree (a bug, not a user error).
    """
    t0 = time.perf_counter()
    b = _check_budget(budget)
    if not _sink_reachable(problem):
        return _unreachable(problem, b, t0, "milp")
    options: dict[str, Any] = {"mip_rel_gap": mip_rel_gap}
    deadline_from = t0 if started is None else started
    res, solver_seconds, plain = _run_milp(
        problem, _milp_model(problem, b), options, time_limit, deadline_from
    )
    if res is None:
        return _no_plan(problem, b, t0, plain)
    if res.status == 2:  # infeasible: every affordable cut crosses an uninterdicted infinite arc
        msg = (
            "the max flow is unbounded: no affordable interdiction cuts every path of infinite-capacity arcs"
        )
        warnings.warn(msg, InterdictionWarning, stacklevel=2)
        return _nothing_interdicted(math.inf, "unbounded", b, t0, warning=msg)
    if res.x is None:
        if res.status == 1:  # time limit before any feasible plan: report "no interdiction"
            return _no_plan(problem, b, t0, plain)
        raise RuntimeError(f"HiGHS failed on the interdiction MILP: {res.message}")
    return _checked_plan(problem, res, b, t0, solver_seconds)


def _run_milp(
    problem: InterdictionProblem,
    model: dict[str, Any],
    options: dict[str, Any],
    time_limit: float | None,
    started: float,
) -> tuple[Any, float, float | None]:
    """Solve the MILP: ``(HiGHS result, or None if the time limit came before a plan; seconds in HiGHS;
    the plain max flow if it was computed to budget the time)``."""
    plain: float | None = None
    t_solve = time.perf_counter()
    if time_limit is None:
        res = quiet_milp(**model, options=options)
    else:
        hard, plain = _solver_seconds(problem, time_limit, started)
        if hard <= 0:
            return None, 0.0, plain
        # HiGHS's presolve does not look at the clock (121 s under a 10 s limit on a 100k-arc instance) and
        # its search looks at it only now and then: it gets 80% of the time, and is stopped at the rest
        options.update(time_limit=0.8 * hard, presolve=False)
        t_solve = time.perf_counter()
        res = milp_within(hard, **model, options=options)
    return res, time.perf_counter() - t_solve, plain


def _checked_plan(
    problem: InterdictionProblem, res: Any, budget: float, t0: float, solver_seconds: float
) -> InterdictionResult:
    """The interdicted arcs of a MILP solution, with the max flow without them recomputed and, for an
    optimal solution, checked against the MILP objective."""
    n, m = problem.n_nodes, problem.n_arcs
    alpha = np.round(res.x[:n])
    gamma = np.round(res.x[n + m :]) > 0.5
    # keep only interdictions that matter: arcs crossing the cut from the source side to the sink side
    crossing = (alpha[problem.tails] < 0.5) & (alpha[problem.heads] > 0.5)
    chosen = np.flatnonzero(gamma & crossing)
    flow = max_flow(problem, chosen)
    status = "optimal" if res.status == 0 else "time_limit"
    if status == "optimal" and not math.isclose(flow, res.fun, rel_tol=CHECK_RTOL, abs_tol=CHECK_RTOL):
        raise RuntimeError(f"interdiction check failed: MILP objective {res.fun} but max flow {flow}")
    gap = getattr(res, "mip_gap", None)
    gap = float(gap) if gap is not None and math.isfinite(gap) else (0.0 if status == "optimal" else None)
    return InterdictionResult(
        objective=flow,
        interdicted=problem.arc_ids(chosen),
        interdicted_arcs=chosen,
        status=status,
        gap=gap,
        seconds=time.perf_counter() - t0,
        budget=budget,
        budget_used=float(problem.cost[chosen].sum()),
        milp_objective=float(res.fun),
        solver_seconds=solver_seconds,
    )


def interdict(
    tails: Sequence[Hashable] | np.ndarray,
    heads: Sequence[Hashable] | np.ndarray,
    capacity: Sequence[float] | np.ndarray,
    cost: Sequence[float] | np.ndarray,
    source: Hashable,
    sink: Hashable,
    budget: float,
    interdictable: Sequence[bool] | np.ndarray | None = None,
    *,
    nodes: Sequence[Hashable] | None = None,
    time_limit: float | None = None,
) -> InterdictionResult:
    """Interdict a network given as plain arc arrays (e.g. the simulator's compiled network).

    ``capacity`` may hold ``inf``.  See :meth:`InterdictionProblem.from_arrays` and
    :func:`solve_interdiction`.
    """
    problem = InterdictionProblem.from_arrays(
        tails, heads, capacity, cost, source, sink, interdictable, nodes=nodes
    )
    return solve_interdiction(problem, budget, time_limit=time_limit)


# ----------------------------------------------------------------------------------------- brute force
def brute_force_interdiction(
    problem: InterdictionProblem, budget: float, *, max_arcs: int = 20
) -> InterdictionResult:
    """Exact reference by enumeration: the best of all interdiction sets within ``budget``.

    Removing arcs never increases the max flow, so only maximal affordable sets (no further arc fits)
    are evaluated; that is still all candidates for the optimum.  Exponential: for tests on small
    graphs (at most ``max_arcs`` interdictable arcs).
    """
    t0 = time.perf_counter()
    b = _check_budget(budget)
    if not _sink_reachable(problem):
        return _unreachable(problem, b, t0, "brute_force")
    cand = np.flatnonzero(problem.interdictable)
    if cand.size > max_arcs:
        raise ValueError(f"brute force over {cand.size} interdictable arcs (> max_arcs={max_arcs})")
    costs = problem.cost[cand].tolist()
    best_flow, best_set = math.inf, np.zeros(0, dtype=np.int64)
    chosen: list[int] = []

    def visit(k: int, left: float) -> None:
        nonlocal best_flow, best_set
        if k == len(costs):
            taken = set(chosen)
            if any(costs[q] <= left for q in range(len(costs)) if q not in taken):
                return  # not maximal: a superset is at least as good
            arcs = cand[np.array(chosen, dtype=np.int64)]
            flow = max_flow(problem, arcs)
            if flow < best_flow or (flow == best_flow and arcs.size < best_set.size):
                best_flow, best_set = flow, arcs
            return
        if costs[k] <= left:
            chosen.append(k)
            visit(k + 1, left - costs[k])
            chosen.pop()
        visit(k + 1, left)

    visit(0, b)
    return InterdictionResult(
        objective=best_flow,
        interdicted=problem.arc_ids(best_set),
        interdicted_arcs=best_set,
        status="optimal" if math.isfinite(best_flow) else "unbounded",
        gap=0.0,
        seconds=time.perf_counter() - t0,
        budget=b,
        budget_used=float(problem.cost[best_set].sum()),
        method="brute_force",
    )
