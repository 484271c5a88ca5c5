"""Stackelberg security-game allocation: the LP and MILP solvers, and the default choice of solver.

The defender commits to coverage ``c`` (``0 <= c_t <= 1``, ``sum c_t <= R``); the attacker observes it
and attacks a target maximising its expected utility, breaking ties in the defender's favour (strong
Stackelberg equilibrium, SSE).  Solvers (games and payoffs: :mod:`narcoflow.optimize.games`; the plan
they return, ORIGAMI and quantal response: :mod:`narcoflow.optimize.allocation`):

* :func:`multiple_lps` -- one LP per target (Conitzer & Sandholm, EC 2006); the exact reference for
  ORIGAMI;
* :func:`bayesian_milp` -- several attacker types with prior weights: the DOBSS MILP (Paruchuri et al.,
  AAMAS 2008) in its compact security-game form (coverage variables, as in ERASER), HiGHS; the optimum
  is re-solved as an LP for the chosen responses so the coverage is exact to LP precision;
* :func:`bayesian_brute_force` -- the exact reference for small Bayesian games: one LP per joint pure
  response of the types;
* :func:`solve_allocation` -- quantal response if a rationality is given, else ORIGAMI for one attacker
  type and the DOBSS MILP for several.

Resources that the equilibrium does not need are put on the other targets
(:func:`~narcoflow.optimize.allocation.spread_unused_resources`).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog
from scipy.sparse import coo_matrix, csr_matrix, vstack

from narcoflow.errors import NarcoFlowError
from narcoflow.optimize.allocation import (
    AllocationResult,
    origami,
    quantal_response,
    require_one_type,
    spread_unused_resources,
)
from narcoflow.optimize.games import SecurityGame, check_resources
from narcoflow.optimize.highs import milp_within, quiet_milp

__all__ = [
    "bayesian_brute_force",
    "bayesian_milp",
    "multiple_lps",
    "solve_allocation",
]


# ---------------------------------------------------------------------------------------- LP references
def _lp_for_responses(
    game: SecurityGame, resources: float, responses: Sequence[int]
) -> tuple[float, np.ndarray] | None:
    """Best coverage given that attacker type ``l`` attacks ``responses[l]`` (a best response), or None.

    One LP (HiGHS): maximise ``sum_l w_l U_d(l, t_l)`` subject to ``U_a(l, t) <= U_a(l, t_l)`` for all
    ``t``, ``sum c <= R``, ``0 <= c <= 1``.
    """
    L, n = game.n_types, game.n_targets
    resp = np.asarray(responses, dtype=np.int64)
    types = np.arange(L)
    gain = game.defender_covered - game.defender_uncovered  # [L, n]
    da = game.attacker_uncovered - game.attacker_covered  # [L, n] > 0
    obj = np.zeros(n)
    np.add.at(obj, resp, game.weights * gain[types, resp])
    const = float(np.sum(game.weights * game.defender_uncovered[types, resp]))
    # row (l, t): -da[l, t] c_t + da[l, t_l] c_{t_l} <= u[l, t_l] - u[l, t]    (t != t_l)
    ll, tt = np.nonzero(np.arange(n)[None, :] != resp[:, None])
    rows = np.arange(ll.size)
    a = coo_matrix(
        (
            np.concatenate([-da[ll, tt], da[ll, resp[ll]]]),
            (np.concatenate([rows, rows]), np.concatenate([tt, resp[ll]])),
        ),
        shape=(ll.size, n),
    ).tocsr()
    b = game.attacker_uncovered[ll, resp[ll]] - game.attacker_uncovered[ll, tt]
    a = vstack([a, csr_matrix(np.ones((1, n)))]).tocsr()
    b = np.append(b, resources)
    res = linprog(-obj, A_ub=a, b_ub=b, bounds=(0.0, 1.0), method="highs")
    if res.status != 0:
        return None
    return const - float(res.fun), np.clip(res.x, 0.0, 1.0)


def multiple_lps(game: SecurityGame, resources: float) -> AllocationResult:
    """Strong Stackelberg equilibrium by multiple LPs (Conitzer & Sandholm 2006): one LP per target.

    Exact; ``n`` LPs of ``n`` variables, so a reference for tests rather than a fast method.
    """
    t0 = time.perf_counter()
    r = check_resources(resources)
    require_one_type(game, "multiple_lps")
    best: tuple[float, int, np.ndarray] | None = None
    for t in range(game.n_targets):
        sol = _lp_for_responses(game, r, [t])
        if sol is not None and (best is None or sol[0] > best[0] + 1e-12):
            best = (sol[0], t, sol[1])
    assert best is not None  # the minimal-attacker-utility coverage makes some target a best response
    value, t, c = best
    ua = game.attacker_utility(c)[0]
    return AllocationResult(
        coverage=pd.Series(c, index=game.targets, name="coverage"),
        defender_utility=value,
        attacked=game.targets[t],
        attacker_utility=float(ua[t]),
        seconds=time.perf_counter() - t0,
        method="multiple-lps",
    )


def bayesian_brute_force(
    game: SecurityGame, resources: float, *, max_profiles: int = 100_000
) -> AllocationResult:
    """Exact Bayesian SSE by enumerating the types' joint pure responses (one LP each).

    ``n ** L`` LPs: for small games only (at most ``max_profiles`` response profiles).
    """
    t0 = time.perf_counter()
    r = check_resources(resources)
    n, L = game.n_targets, game.n_types
    if n**L > max_profiles:
        raise ValueError(f"{n}**{L} response profiles exceed max_profiles={max_profiles}")
    best: tuple[float, tuple[int, ...], np.ndarray] | None = None
    for resp in itertools.product(range(n), repeat=L):
        sol = _lp_for_responses(game, r, resp)
        if sol is not None and (best is None or sol[0] > best[0] + 1e-12):
            best = (sol[0], resp, sol[1])
    assert best is not None
    return _bayesian_result(game, r, best[1], best[2], best[0], "bayesian-brute-force", t0)


def _bayesian_result(
    game: SecurityGame,
    resources: float,
    resp: Sequence[int],
    c: np.ndarray,
    value: float,
    method: str,
    t0: float,
    status: str = "optimal",
    gap: float | None = None,
) -> AllocationResult:
    ua = game.attacker_utility(c)
    # unused resources go to targets no type attacks (their attacker utilities only fall)
    c = spread_unused_resources(c, list(resp), game.weights @ ua, min(resources, game.n_targets))
    if game.n_types == 1:
        attacked: Any = game.targets[resp[0]]
        att_u: Any = float(ua[0, resp[0]])
    else:
        attacked = {game.types[l]: game.targets[t] for l, t in enumerate(resp)}
        att_u = {game.types[l]: float(ua[l, t]) for l, t in enumerate(resp)}
    return AllocationResult(
        coverage=pd.Series(c, index=game.targets, name="coverage"),
        defender_utility=float(value),
        attacked=attacked,
        attacker_utility=att_u,
        seconds=time.perf_counter() - t0,
        method=method,
        status=status,
        gap=gap,
    )


# ----------------------------------------------------------------------------------------------- DOBSS
#: response profiles (targets ** types) up to which a DOBSS game HiGHS cannot solve is enumerated instead
_ENUMERATE_ON_SOLVE_ERROR = 20_000


def bayesian_milp(
    game: SecurityGame, resources: float, *, time_limit: float | None = None
) -> AllocationResult:
    """Bayesian strong Stackelberg equilibrium by the DOBSS MILP in compact security-game form.

    Variables: coverage ``c[n]``, binary responses ``q[l, t]`` (one target per type), the defender's
    utility ``d[l]`` and the attacker's best utility ``k[l]`` per type::

        max  sum_l w_l d_l
        s.t. d_l <= U_d(l, t, c) + M_d (1 - q_lt)
             0 <= k_l - U_a(l, t, c) <= M_a (1 - q_lt)
             sum_t q_lt = 1,  sum_t c_t <= R,  0 <= c <= 1

    Ties go to the defender because it chooses ``q`` among the attacker's best responses.  The
    responses found are then re-solved as an LP (exact coverage, no big-M round-off).  With a
    ``time_limit`` the best plan found is returned with ``status == "time_limit"`` (``TimeoutError`` if
    there is none yet).
    """
    t0 = time.perf_counter()
    r = min(check_resources(resources), game.n_targets)
    L, n = game.n_types, game.n_targets
    options: dict[str, Any] = {"mip_rel_gap": 1e-9}
    # HiGHS 1.12 occasionally ends with "Solve error" on this model when the payoffs are small integers:
    # it rejects its own optimal plan for a 1e-6 row infeasibility, or fails a solution repair after
    # presolve.  The other presolve setting, then payoffs rescaled by an arbitrary factor (same optimum),
    # avoid it; the responses found are re-solved exactly as an LP below in every case.
    for presolve, factor in ((True, 1.0), (False, 1.0), (True, 0.7310585786), (False, 0.1192029220)):
        hard = None
        if time_limit is not None:
            # HiGHS's presolve does not look at the clock and its search only now and then: it gets 80%
            # of what is left (less a margin for the LP re-solve below) and is stopped at the rest
            hard = float(time_limit) - (time.perf_counter() - t0) - 0.3
            if hard <= 0:
                raise TimeoutError(f"DOBSS MILP: time limit of {time_limit:g} s reached before any plan")
            options.update(time_limit=0.8 * hard)
            presolve = False
        res = _dobss_solve(game, r, factor, {**options, "presolve": presolve}, hard=hard)
        if res is None:
            raise TimeoutError(f"DOBSS MILP: time limit of {time_limit:g} s reached before any plan")
        if res.x is not None or res.status != 4:  # 4: "Solve error"
            break
    if res.x is None:
        if res.status == 1:
            raise TimeoutError(f"DOBSS MILP: time limit of {time_limit} s reached before any plan was found")
        if res.status == 4 and n**L <= _ENUMERATE_ON_SOLVE_ERROR:
            # every retry hit HiGHS's "Solve error" (seen on tiny games, e.g. with no resources at all):
            # a game this small is solved exactly by enumerating the types' responses instead
            out = bayesian_brute_force(game, r)
            out.method = "dobss-milp (HiGHS solve error; responses enumerated)"
            return out
        raise RuntimeError(f"HiGHS found no plan for the DOBSS MILP: {res.message}")
    resp = tuple(int(t) for t in np.argmax(res.x[n : n + L * n].reshape(L, n), axis=1))
    status = "optimal" if res.status == 0 else "time_limit"
    gap = getattr(res, "mip_gap", None)
    gap = float(gap) if gap is not None and math.isfinite(gap) else None
    sol = _lp_for_responses(game, r, resp)
    if sol is None:  # big-M round-off made the responses infeasible by a hair: keep the MILP coverage
        c = np.clip(res.x[:n], 0.0, 1.0)
        value = float(game.weights @ game.defender_utility(c)[np.arange(L), list(resp)])
    else:
        value, c = sol
    return _bayesian_result(game, r, resp, c, value, "dobss-milp", t0, status, gap)


def _dobss_solve(
    game: SecurityGame, r: float, factor: float, options: dict[str, Any], hard: float | None = None
) -> Any:
    """Build and solve the compact DOBSS MILP with all payoffs multiplied by ``factor``; stopped after
    ``hard`` seconds if given (then ``None``)."""
    L, n = game.n_types, game.n_targets
    dc, du = factor * game.defender_covered, factor * game.defender_uncovered
    ac, au = factor * game.attacker_covered, factor * game.attacker_uncovered
    gain, da = dc - du, au - ac
    m_d = dc.max(axis=1) - du.min(axis=1) + factor  # [L], with a margin
    m_a = au.max(axis=1) - ac.min(axis=1) + factor
    # variable layout: c[n] | q[L*n] | d[L] | k[L]
    nv = n + L * n + 2 * L
    q0, d0, k0 = n, n + L * n, n + L * n + L
    ll, tt = np.divmod(np.arange(L * n), n)
    rows = np.arange(L * n)
    ones = np.ones(L * n)

    def block(cols_vals: list[tuple[np.ndarray, np.ndarray]]) -> csr_matrix:
        cols = np.concatenate([cv[0] for cv in cols_vals])
        vals = np.concatenate([cv[1] for cv in cols_vals])
        rr = np.concatenate([rows] * len(cols_vals))
        return coo_matrix((vals, (rr, cols)), shape=(L * n, nv)).tocsr()

    constraints = [
        # d_l - gain c_t + M_d q_lt <= M_d + du
        LinearConstraint(
            block([(d0 + ll, ones), (tt, -gain[ll, tt]), (q0 + rows, m_d[ll])]), -np.inf, m_d[ll] + du[ll, tt]
        ),
        # k_l + da c_t >= au
        LinearConstraint(block([(k0 + ll, ones), (tt, da[ll, tt])]), au[ll, tt], np.inf),
        # k_l + da c_t + M_a q_lt <= M_a + au
        LinearConstraint(
            block([(k0 + ll, ones), (tt, da[ll, tt]), (q0 + rows, m_a[ll])]), -np.inf, m_a[ll] + au[ll, tt]
        ),
        LinearConstraint(coo_matrix((ones, (ll, q0 + rows)), shape=(L, nv)).tocsr(), 1.0, 1.0),
    ]
    if r < n:  # with r = n the budget row is redundant
        budget = csr_matrix((np.ones(n), (np.zeros(n, dtype=np.int64), np.arange(n))), shape=(1, nv))
        constraints.append(LinearConstraint(budget, -np.inf, r))
    lb = np.concatenate([np.zeros(n + L * n), du.min(axis=1) - factor, ac.min(axis=1) - factor])
    ub = np.concatenate([np.ones(n + L * n), dc.max(axis=1) + factor, au.max(axis=1) + factor])
    cost = np.zeros(nv)
    cost[d0 : d0 + L] = -game.weights
    integrality = np.zeros(nv)
    integrality[q0:d0] = 1
    if hard is not None:
        return milp_within(
            hard,
            cost,
            constraints=constraints,
            integrality=integrality,
            bounds=Bounds(lb, ub),
            options=options,
        )
    return quiet_milp(
        cost, constraints=constraints, integrality=integrality, bounds=Bounds(lb, ub), options=options
    )


def solve_allocation(
    game: SecurityGame, resources: float, *, qr_lambda: float | None = None, time_limit: float | None = None
) -> AllocationResult:
    """The default solver for a game: quantal response if ``qr_lambda`` is given, else ORIGAMI for one
    attacker type and the DOBSS MILP for several.

    ``time_limit`` (seconds) bounds the DOBSS MILP and the quantal-response search (the best plan found
    is returned, ``status == "time_limit"`` for the MILP); ORIGAMI is exact in milliseconds and needs none.
    Raises :class:`~narcoflow.errors.NarcoFlowError` if the limit comes before any plan.
    """
    try:
        if qr_lambda is not None:
            return quantal_response(game, resources, qr_lambda, time_limit=time_limit)
        if game.n_types == 1:
            return origami(game, resources)
        return bayesian_milp(game, resources, time_limit=time_limit)
    except TimeoutError as exc:
        raise NarcoFlowError(f"{exc}; give more time", field="--time-limit") from None
