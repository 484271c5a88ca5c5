"""Stackelberg security-game allocation: how to spread coverage over targets.

The defender commits to coverage ``c`` (``0 <= c_t <= 1``, ``sum c_t <= R``); the attacker observes it
and attacks a target maximising its expected utility, breaking ties in the defender's favour (strong
Stackelberg equilibrium, SSE).  Solvers (games and payoffs: :mod:`narcoflow.optimize.games`):

* :func:`origami` -- one attacker type, exact, vectorised, ``O(n log n)`` (Kiekintveld et al., AAMAS
  2009).  It finds the coverage that minimises the attacker's best utility ``x*``; every SSE makes the
  attacked target ``t`` worth exactly ``x*`` to the attacker (a lower level is infeasible, a higher one
  lowers ``c_t``), so the SSE value is ``max`` over targets with ``U_a(t) = x*`` of the defender's
  utility there -- the same as the multiple-LPs method, which the tests check;
* :func:`multiple_lps` -- one LP per target (Conitzer & Sandholm, EC 2006); the exact reference;
* :func:`bayesian_milp` -- several attacker types with prior weights: the DOBSS MILP (Paruchuri et al.,
  AAMAS 2008) in its compact security-game form (coverage variables, as in ERASER), HiGHS; the optimum
  is re-solved as an LP for the chosen responses so the coverage is exact to LP precision;
* :func:`bayesian_brute_force` -- the exact reference for small Bayesian games: one LP per joint pure
  response of the types;
* :func:`quantal_response` -- a logit attacker with rationality ``lambda`` (the defender maximises its
  expected utility; non-concave, solved locally from several starts).

Resources that the equilibrium does not need are put on the other targets (most attractive first, up
to full coverage): this only lowers the attacker's utility there, so the equilibrium is unchanged and
the plan is robust to small deviations.  With ``R >= n`` every target is fully covered, except where the
strong SSE deliberately leaves the attacked target partly covered: that happens when the defender
prefers the attacker indifferent between a fully covered target and a partly covered one that is better
for the defender (the tie is broken in the defender's favour).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog
from scipy.sparse import coo_matrix, csr_matrix, vstack

from narcoflow.errors import NarcoFlowError
from narcoflow.optimize.games import SecurityGame, check_resources
from narcoflow.optimize.highs import milp_within, quiet_milp

__all__ = [
    "AllocationResult",
    "bayesian_brute_force",
    "bayesian_milp",
    "multiple_lps",
    "origami",
    "origami_coverage",
    "solve_allocation",
]


@dataclass
class AllocationResult:
    """A coverage plan and what it is worth.

    Attributes:
        coverage: coverage per target (``pandas.Series`` indexed by target, values in [0, 1]).
        defender_utility: the defender's expected utility (over types and, for quantal response, over
            the attacker's random choice).
        attacked: the attacked target; for several types a dict type -> target; for quantal response
            the most likely target.
        attacker_utility: the attacker's utility at the attacked target (dict per type for several
            types; expected utility for quantal response).
        seconds: wall time of the solve.
        method: ``"origami"``, ``"multiple-lps"``, ``"dobss-milp"`` (``"dobss-milp (HiGHS solve error;
            responses enumerated)"`` when HiGHS failed on a small game), ``"bayesian-brute-force"`` or
            ``"quantal-response"``.
        status: ``"optimal"``, ``"time_limit"`` (MILP) or ``"local"`` (quantal response: best local
            optimum of several starts).
        gap: MIP gap for the MILP.
        attack_probabilities: per target, quantal response only.
    """

    coverage: pd.Series
    defender_utility: float
    attacked: Hashable | dict[Hashable, Hashable]
    attacker_utility: float | dict[Hashable, float]
    seconds: float
    method: str
    status: str = "optimal"
    gap: float | None = None
    attack_probabilities: pd.Series | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: coverage, defender_utility, attacked, seconds."""
        attacked = self.attacked
        if isinstance(attacked, dict):
            attacked = {str(_py(k)): _py(v) for k, v in attacked.items()}
        else:
            attacked = _py(attacked)
        return {
            "coverage": {str(_py(k)): float(v) for k, v in self.coverage.items()},
            "defender_utility": float(self.defender_utility),
            "attacked": attacked,
            "seconds": self.seconds,
        }


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _single_type(game: SecurityGame, method: str) -> None:
    if game.n_types != 1:
        raise NarcoFlowError(
            f"{method} handles one attacker type; this game has {game.n_types} (use bayesian_milp)",
            file=game.name,
            field="type",
        )


def _tolerance(game: SecurityGame) -> float:
    scale = max(1.0, float(np.abs(game.attacker_uncovered).max()), float(np.abs(game.attacker_covered).max()))
    return 1e-9 * scale


def _spread_leftover(
    c: np.ndarray, keep: Sequence[int], priority: np.ndarray, resources: float
) -> np.ndarray:
    """Put unused resources on targets not in ``keep``, highest ``priority`` first, up to 1 each."""
    leftover = resources - float(c.sum())
    if leftover <= 1e-12:
        return c
    mask = np.ones(c.size, dtype=bool)
    mask[np.asarray(keep, dtype=np.int64)] = False
    others = np.flatnonzero(mask)
    others = others[np.argsort(-priority[others], kind="stable")]
    room = 1.0 - c[others]
    before = np.cumsum(room) - room
    out = c.copy()
    out[others] += np.clip(leftover - before, 0.0, room)
    return out


# --------------------------------------------------------------------------------------------- ORIGAMI
def origami_coverage(
    attacker_uncovered: np.ndarray, attacker_covered: np.ndarray, resources: float
) -> np.ndarray:
    """Coverage minimising the attacker's best utility (ORIGAMI), for one attacker type.

    Targets are sorted by ``attacker_uncovered``; the attack set grows while the resources can bring all
    its targets down to the next target's value without covering any beyond 1.  All prefixes are
    evaluated at once with cumulative sums.  Returns coverage in the original target order.
    """
    u = np.asarray(attacker_uncovered, dtype=np.float64)
    a = np.asarray(attacker_covered, dtype=np.float64)
    order = np.argsort(-u, kind="stable")
    shift = u[order[0]]
    us, as_ = u[order] - shift, a[order] - shift  # relative to the top value, for precision
    d = us - as_
    s1 = np.cumsum(us / d)
    s2 = np.cumsum(1.0 / d)
    floor = np.maximum.accumulate(as_)  # a target covered fully cannot go below attacker_covered
    nxt = np.append(us[1:], -np.inf)
    level = np.maximum((s1 - resources) / s2, floor)  # lowest level reachable by the first k+1 targets
    k = int(np.argmax(level >= nxt))  # first attack set that cannot reach the next target's value
    x = level[k]
    cs = np.zeros_like(us)
    cs[: k + 1] = np.clip((us[: k + 1] - x) / d[: k + 1], 0.0, 1.0)
    c = np.empty_like(cs)
    c[order] = cs
    return c


def origami(game: SecurityGame, resources: float) -> AllocationResult:
    """Strong Stackelberg equilibrium of a single-type security game by ORIGAMI (exact, vectorised).

    Example:
        >>> from narcoflow.optimize.games import SecurityGame
        >>> g = SecurityGame.from_arrays(["a", "b"], [0, 0], [-10, -1], [0, 0], [10, 2])
        >>> r = origami(g, 1)
        >>> r.attacked, round(r.defender_utility, 3)
        ('b', -0.833)
    """
    t0 = time.perf_counter()
    r = check_resources(resources)
    _single_type(game, "origami")
    c = origami_coverage(game.attacker_uncovered[0], game.attacker_covered[0], min(r, game.n_targets))
    return _sse_result(game, c, r, "origami", t0)


def _sse_result(
    game: SecurityGame, c: np.ndarray, resources: float, method: str, t0: float
) -> AllocationResult:
    """Attacked target under strong tie-breaking, leftover resources spread, result assembled."""
    ua = game.attacker_utility(c)[0]
    ud = game.defender_utility(c)[0]
    in_set = ua >= ua.max() - _tolerance(game)
    best = int(np.argmax(np.where(in_set, ud, -np.inf)))
    c = _spread_leftover(c, [best], ua, min(resources, game.n_targets))
    return AllocationResult(
        coverage=pd.Series(c, index=game.targets, name="coverage"),
        defender_utility=float(ud[best]),
        attacked=game.targets[best],
        attacker_utility=float(ua[best]),
        seconds=time.perf_counter() - t0,
        method=method,
    )


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
    _single_type(game, "multiple_lps")
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
    c = _spread_leftover(c, list(resp), game.weights @ ua, min(resources, game.n_targets))
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
            from narcoflow.optimize.quantal import quantal_response

            return quantal_response(game, resources, qr_lambda, time_limit=time_limit)
        if game.n_types == 1:
            return origami(game, resources)
        return bayesian_milp(game, resources, time_limit=time_limit)
    except TimeoutError as exc:
        raise NarcoFlowError(f"{exc}; give more time", field="--time-limit") from None
