"""Allocation solvers without an LP, and the plan every allocation solver returns.

The defender commits to coverage ``c`` (``0 <= c_t <= 1``, ``sum c_t <= R``) and the attacker observes
it (games and payoffs: :mod:`narcoflow.optimize.games`).  This module holds :class:`AllocationResult`,
what every solver does to a plan (:func:`require_one_type`, :func:`spread_unused_resources`), and the
two solvers that need no LP; the LP and MILP solvers, and :func:`~narcoflow.optimize.stackelberg.
solve_allocation` which picks one, are in :mod:`narcoflow.optimize.stackelberg`.

ORIGAMI (:func:`origami`) -- one best-responding attacker type; exact, vectorised, ``O(n log n)``
(Kiekintveld et al., AAMAS 2009).  It finds the coverage that minimises the attacker's best utility
``x*``; every strong Stackelberg equilibrium (SSE) makes the attacked target ``t`` worth exactly ``x*``
to the attacker (a lower level is infeasible, a higher one lowers ``c_t``), so the SSE value is ``max``
over targets with ``U_a(t) = x*`` of the defender's utility there -- the same as the multiple-LPs
method, which the tests check.

Quantal response (:func:`quantal_response`) -- a logit attacker.  The attacker of type ``l`` attacks
target ``t`` with probability ``q_lt`` proportional to ``exp(lam * U_a(l, t, c))`` (rationality
``lam >= 0``: 0 is a uniformly random attacker, large values approach the best-responding attacker of
the Stackelberg model).  The defender maximises its expected utility
``F(c) = sum_l w_l sum_t q_lt(c) U_d(l, t, c)`` over ``0 <= c <= 1, sum c <= R``.

One attacker type -- solved to global optimality.  ``F = N(c) / D(c)`` with ``N = sum_t e_t U_d(t)``,
``D = sum_t e_t`` and ``e_t = exp(lam * U_a(t))``, so ``F(c) >= v`` iff
``G_v(c) = sum_t e_t (U_d(t) - v) >= 0``: we bisect on ``v`` (a plan found at ``v`` is worth
``F >= v`` and raises the lower bound, as in Dinkelbach's method).  ``G_v`` is not concave in ``c``,
but with ``y_t = exp(-lam * (A_unc - A_cov)_t * c_t)`` each term is ``alpha y - beta y log y`` plus a
linear term in ``y`` (``beta >= 0``), concave in ``y``, and the budget
``sum_t c_t(y_t) = sum_t -log(y_t) / (lam (A_unc - A_cov)_t) <= R`` is a convex set: the inner problem
is convex.  Its KKT conditions give each ``c_t`` in closed form through the Wright omega function for a
budget multiplier ``mu``, found by bisection on ``log mu``.  (PASAQ, Yang, Ordonez & Tambe, AAMAS 2012,
uses the same outer search but linearises the inner problem instead.)

Several types -- a sum of ratios: maximised locally (SLSQP for up to 30 targets, spectral projected
gradient beyond) from several starts; ``status == "local"``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import wrightomega

from narcoflow.errors import NarcoFlowError
from narcoflow.optimize.games import SecurityGame, check_resources

__all__ = [
    "AllocationResult",
    "origami",
    "origami_coverage",
    "quantal_response",
    "quantal_response_local",
    "require_one_type",
    "spread_unused_resources",
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


def require_one_type(game: SecurityGame, method: str) -> None:
    """Raise :class:`~narcoflow.errors.NarcoFlowError` unless ``game`` has one attacker type.

    ``method`` names the solver in the message (e.g. ``"origami"``).
    """
    if game.n_types != 1:
        raise NarcoFlowError(
            f"{method} handles one attacker type; this game has {game.n_types} (use bayesian_milp)",
            file=game.name,
            field="type",
        )


def spread_unused_resources(
    c: np.ndarray, keep: Sequence[int], priority: np.ndarray, resources: float
) -> np.ndarray:
    """Put unused resources on targets not in ``keep``, highest ``priority`` first, up to 1 each.

    The equilibrium solvers pass the attacked targets as ``keep`` and the attacker's utility as
    ``priority``: covering the other targets more only lowers the attacker's utility there, so the
    equilibrium is unchanged and the plan is robust to small deviations.  With ``R >= n`` every target
    is then fully covered, except where the strong SSE deliberately leaves the attacked target partly
    covered: that happens when the defender prefers the attacker indifferent between a fully covered
    target and a partly covered one that is better for the defender (the tie is broken in the
    defender's favour).  Returns ``c`` itself when nothing is left over, else a new array.
    """
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
    require_one_type(game, "origami")
    c = origami_coverage(game.attacker_uncovered[0], game.attacker_covered[0], min(r, game.n_targets))
    return _sse_result(game, c, r, "origami", t0)


def _tolerance(game: SecurityGame) -> float:
    """How close to the attacker's best utility a target counts as a best response (ties)."""
    scale = max(1.0, float(np.abs(game.attacker_uncovered).max()), float(np.abs(game.attacker_covered).max()))
    return 1e-9 * scale


def _sse_result(
    game: SecurityGame, c: np.ndarray, resources: float, method: str, t0: float
) -> AllocationResult:
    """Attacked target under strong tie-breaking, leftover resources spread, result assembled."""
    ua = game.attacker_utility(c)[0]
    ud = game.defender_utility(c)[0]
    in_set = ua >= ua.max() - _tolerance(game)
    best = int(np.argmax(np.where(in_set, ud, -np.inf)))
    c = spread_unused_resources(c, [best], ua, min(resources, game.n_targets))
    return AllocationResult(
        coverage=pd.Series(c, index=game.targets, name="coverage"),
        defender_utility=float(ud[best]),
        attacked=game.targets[best],
        attacker_utility=float(ua[best]),
        seconds=time.perf_counter() - t0,
        method=method,
    )


# -------------------------------------------------------------------------------------- quantal response
def _qr_value_grad(game: SecurityGame, lam: float, c: np.ndarray) -> tuple[float, np.ndarray]:
    """Expected defender utility against a logit attacker, and its gradient in ``c``."""
    ud = game.defender_utility(c)  # [L, n]
    ua = game.attacker_utility(c)
    z = lam * ua
    z -= z.max(axis=1, keepdims=True)
    q = np.exp(z)
    q /= q.sum(axis=1, keepdims=True)
    f_l = (q * ud).sum(axis=1)  # [L]
    gain = game.defender_covered - game.defender_uncovered
    da = game.attacker_uncovered - game.attacker_covered
    g = q * gain - lam * da * q * (ud - f_l[:, None])
    return float(game.weights @ f_l), game.weights @ g


def _project(y: np.ndarray, resources: float) -> np.ndarray:
    """Euclidean projection onto ``{0 <= c <= 1, sum c <= R}`` (bisection on the shift)."""
    c = np.clip(y, 0.0, 1.0)
    if c.sum() <= resources:
        return c
    lo, hi = 0.0, float(y.max())
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if np.clip(y - mid, 0.0, 1.0).sum() > resources:
            lo = mid
        else:
            hi = mid
    return np.clip(y - hi, 0.0, 1.0)


def _qr_local(
    game: SecurityGame, lam: float, r: float, start: np.ndarray, solver: str
) -> tuple[float, np.ndarray]:
    if solver == "slsqp":
        res = minimize(
            lambda x: tuple(-v for v in _qr_value_grad(game, lam, x)),
            start,
            jac=True,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * start.size,
            constraints=[{"type": "ineq", "fun": lambda x: r - x.sum(), "jac": lambda x: -np.ones_like(x)}],
            options={"maxiter": 500, "ftol": 1e-12},
        )
        c = _project(res.x, r)
        return _qr_value_grad(game, lam, c)[0], c
    return _spg_maximize(game, lam, r, start)


def _spg_maximize(
    game: SecurityGame, lam: float, r: float, start: np.ndarray, *, max_iter: int = 3000, tol: float = 1e-9
) -> tuple[float, np.ndarray]:
    """Spectral projected gradient ascent (Birgin, Martinez & Raydan 2000) with a non-monotone line search.

    Stops when the projected gradient step ``P(c + g) - c`` is below ``tol`` (max norm).
    """
    c = _project(start, r)
    f, g = _qr_value_grad(game, lam, c)
    recent = [f] * 10
    alpha = 1.0 / max(float(np.abs(_project(c + g, r) - c).max()), 1e-12)
    for _ in range(max_iter):
        if float(np.abs(_project(c + g, r) - c).max()) < tol:
            break
        d = _project(c + alpha * g, r) - c
        slope = float(g @ d)
        ref = min(recent)
        step = 1.0
        while True:
            cand = c + step * d
            f_new, g_new = _qr_value_grad(game, lam, cand)
            if f_new >= ref + 1e-4 * step * slope or step < 1e-12:
                break
            step *= 0.5
        s_vec, y_vec = cand - c, g_new - g
        sy = -float(s_vec @ y_vec)  # curvature of -f
        alpha = min(1e10, max(1e-10, float(s_vec @ s_vec) / sy)) if sy > 0 else 1e10
        c, f, g = cand, f_new, g_new
        recent = [*recent[1:], f]
    return f, c


# ------------------------------------------------------------------------------- one type: Dinkelbach
def _inner_argmax(a: np.ndarray, b: np.ndarray, p: np.ndarray, g: np.ndarray, r: float) -> np.ndarray:
    """argmax over ``0 <= c <= 1, sum c <= r`` of ``sum_t exp(a_t - b_t c_t) (p_t + g_t c_t)`` (convex in y).

    ``b > 0``, ``g >= 0``.  For a multiplier ``mu = exp(m)`` the maximiser of each term minus
    ``mu c_t`` solves ``a + log(K - g c) - b c + log b = m`` with ``K = g / b - p`` (decreasing in c):
    ``c = (K - z) / g`` with ``z = (g / b) * omega(m - a - log g + b K / g)`` for ``g > 0``, and
    ``c = (a + log(-p) + log b - m) / b`` for ``g = 0`` (``c = 0`` if ``p >= 0``); then clipped to [0, 1].
    """
    pos = g > 0
    safe_g = np.where(pos, g, 1.0)
    k = g / b - p
    log_b = np.log(b)
    log_g = np.log(safe_g)
    log_neg_p = np.log(np.where(p < 0, -p, 1.0))

    def coverage(m: float) -> np.ndarray:
        if m == -math.inf:
            c_pos = k / safe_g
            c_zero = np.where(p < 0, 1.0, 0.0)
        else:
            z = (safe_g / b) * wrightomega(m - a - log_g + b * k / safe_g)
            c_pos = (k - z) / safe_g
            c_zero = np.where(p < 0, (a + log_neg_p + log_b - m) / b, 0.0)
        return np.clip(np.where(pos, c_pos, c_zero), 0.0, 1.0)

    c = coverage(-math.inf)
    if c.sum() <= r:
        return c
    # every c_t is 0 once m exceeds its value at c = 0
    tops = np.where(pos, a + np.log(np.where(k > 0, k, 1.0)) + log_b, a + log_neg_p + log_b)
    active = np.where(pos, k > 0, p < 0)
    hi = float(tops[active].max()) + 1.0
    lo, width = hi - 1.0, 1.0
    while coverage(lo).sum() <= r and width < 1e300:  # terminates: the sum tends to > r as m -> -inf
        lo -= width
        width *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if coverage(mid).sum() > r:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13 * max(1.0, abs(hi)):
            break
    return coverage(hi)


def _exactrequire_one_type(
    game: SecurityGame, lam: float, r: float, start: np.ndarray
) -> tuple[float, np.ndarray]:
    """Global optimum for one attacker type: bisection on the value ``v`` with the convex inner problem.

    ``max_c G_v(c) >= 0`` iff the optimum is at least ``v``; a feasible ``c`` found at ``v`` is worth
    ``F(c) >= v``, which raises the lower bound further (a Dinkelbach step).  The sign of ``G_v`` is
    evaluated with the exponents shifted by their maximum, so large ``lam`` does not underflow.
    """
    u = game.attacker_uncovered[0]
    a = lam * (u - u.max())
    b = lam * (u - game.attacker_covered[0])
    g = game.defender_covered[0] - game.defender_uncovered[0]
    du = game.defender_uncovered[0]
    best_c = _project(start, r)
    lo = _qr_value_grad(game, lam, best_c)[0]
    hi = float(game.defender_covered[0].max())
    tol = 1e-12 * max(1.0, float(np.abs(game.defender_covered).max()), float(np.abs(du).max()))
    for _ in range(200):
        if hi - lo <= tol:
            break
        v = 0.5 * (lo + hi)
        c = _inner_argmax(a, b, du - v, g, r)
        e = a - b * c
        if float(np.sum(np.exp(e - e.max()) * (du - v + g * c))) >= 0:
            f = _qr_value_grad(game, lam, c)[0]
            if f >= _qr_value_grad(game, lam, best_c)[0]:
                best_c = c
            lo = max(v, f)
        else:
            hi = v
    return _qr_value_grad(game, lam, best_c)[0], best_c


def quantal_response(
    game: SecurityGame,
    resources: float,
    lam: float,
    *,
    starts: int = 6,
    seed: int = 0,
    solver: str = "auto",
    time_limit: float | None = None,
) -> AllocationResult:
    """Coverage maximising the defender's expected utility against a logit attacker (rationality ``lam``).

    One attacker type: global optimum (bisection / Dinkelbach, module docstring), ``status == "optimal"``.
    Several types: best local optimum from ``starts`` starting points (``solver``: ``"slsqp"``,
    ``"gradient"`` or ``"auto"``), ``status == "local"``.  ``lam = 0`` (uniformly random attacker) is
    solved exactly for any number of types.  With ``time_limit`` (seconds) no new start is tried once it
    has passed (the first always runs).  ``attacked`` is the most likely target and
    ``attacker_utility`` the attacker's expected utility; ``attack_probabilities`` is filled in.

    Example:
        >>> from narcoflow.optimize.games import SecurityGame
        >>> g = SecurityGame.from_arrays(["a", "b"], [0, 0], [-10, -1], [0, 0], [10, 2])
        >>> round(quantal_response(g, 1, 0.0).defender_utility, 3)
        -0.5
    """
    t0 = time.perf_counter()
    r = min(check_resources(resources), game.n_targets)
    if (
        isinstance(lam, bool)
        or not isinstance(lam, int | float | np.number)
        or not math.isfinite(lam)
        or lam < 0
    ):
        raise NarcoFlowError(f"must be a finite number >= 0, got {lam!r}", field="qr_lambda")
    lam = float(lam)
    n = game.n_targets
    gain = game.weights @ (game.defender_covered - game.defender_uncovered)
    greedy = spread_unused_resources(np.zeros(n), [], gain, r)  # lam = 0: most valuable targets first
    status = "optimal"
    if lam == 0:
        f, c = _qr_value_grad(game, 0.0, greedy)[0], greedy
    elif game.n_types == 1:
        f, c = _exactrequire_one_type(game, lam, r, origami(game, r).coverage.to_numpy())
    else:
        deadline = None if time_limit is None else t0 + float(time_limit)
        f, c = quantal_response_local(
            game, lam, r, starts=starts, seed=seed, solver=solver, deadline=deadline
        )
        status = "local"
    ua = game.attacker_utility(c)
    z = lam * ua
    q = np.exp(z - z.max(axis=1, keepdims=True))
    q /= q.sum(axis=1, keepdims=True)
    prob = game.weights @ q
    return AllocationResult(
        coverage=pd.Series(c, index=game.targets, name="coverage"),
        defender_utility=float(f),
        attacked=game.targets[int(np.argmax(prob))],
        attacker_utility=float(game.weights @ (q * ua).sum(axis=1)),
        seconds=time.perf_counter() - t0,
        method="quantal-response",
        status=status,
        attack_probabilities=pd.Series(prob, index=game.targets, name="attack_probability"),
    )


def quantal_response_local(
    game: SecurityGame,
    lam: float,
    resources: float,
    *,
    starts: int = 6,
    seed: int = 0,
    solver: str = "auto",
    deadline: float | None = None,
) -> tuple[float, np.ndarray]:
    """Best local maximum of the defender's expected utility from several starts: ``(value, coverage)``.

    Starts: ORIGAMI coverage (one type), uniform coverage, the ``lam = 0`` optimum, then random points.
    ``solver``: ``"slsqp"``, ``"gradient"`` (spectral projected gradient) or ``"auto"`` (SLSQP up to 30
    targets).  Used for several attacker types, and in tests as a cross-check of the exact method.
    No start after the first begins once ``time.perf_counter()`` has passed ``deadline``.
    """
    r = min(check_resources(resources), game.n_targets)
    n = game.n_targets
    solver = ("slsqp" if n <= 30 else "gradient") if solver == "auto" else solver
    if solver not in {"slsqp", "gradient"}:
        raise ValueError(f"unknown solver {solver!r}")
    gain = game.weights @ (game.defender_covered - game.defender_uncovered)
    rng = np.random.default_rng(seed)
    points = [np.full(n, r / n), spread_unused_resources(np.zeros(n), [], gain, r)]
    if game.n_types == 1:
        points.insert(0, origami(game, r).coverage.to_numpy())
    while len(points) < starts:
        points.append(_project(rng.dirichlet(np.ones(n)) * r, r))
    cands: list[tuple[float, np.ndarray]] = []
    for p in points[: max(starts, 1)]:
        if cands and deadline is not None and time.perf_counter() > deadline:
            break
        cands.append(_qr_local(game, lam, r, p, solver))
    return max(cands, key=lambda fc: fc[0])
