"""Compiled hot loops (numba), drawing from the members' own numpy streams.

Two steps dominate the engine's time: the firms' monthly decisions (5,000 firms per member) and the
shipping of flows with binomial seizures (one draw per organization, edge and commodity). Here they
run as numba kernels over all members in one call. The kernels draw from each member's
``numpy.random.PCG64`` through the bit generator's C interface (``ctypes.next_double`` /
``next_uint32`` with the generator's state address), so member k still draws from its own stream —
exactly the variates numpy's ``Generator.random`` and ``Generator.binomial`` would give — and a member's
numbers do not depend on the batch around it.

The binomial sampler below is NumPy's (``random_binomial`` in ``numpy/random/src/distributions``:
inversion when n·min(p, 1−p) ≤ 30, else BTPE), as ported to Python by numba
(``numba/np/random/distributions.py`` and ``numba/cpython/_binomial.py``, BSD-2-Clause), vendored so
that it does not depend on numba's private modules. ``tests/model/test_kernels.py`` checks that it
returns what ``Generator.binomial`` returns, draw for draw.

Without numba (or with ``NARCOFLOW_NUMBA=0``) the engine runs the pure-numpy versions of these steps
(``narcoflow.model.suppliers`` / ``narcoflow.model.routes``); they draw the same variates from the same
streams. ``benchmarks/README.md`` gives what the kernels gained.
"""

from __future__ import annotations

import ctypes
import math
import os
from collections.abc import Sequence

import numpy as np

try:  # numba is optional: the engine falls back to pure numpy without it
    import numba
except ImportError:  # pragma: no cover - exercised only where numba is missing
    numba = None

ENABLED = numba is not None and os.environ.get("NARCOFLOW_NUMBA", "1") != "0"

_probe = np.random.PCG64(0)
_next_double_addr = ctypes.cast(_probe.ctypes.next_double, ctypes.c_void_p).value
_next_uint32_addr = ctypes.cast(_probe.ctypes.next_uint32, ctypes.c_void_p).value
#: addresses of PCG64's C ``next_double`` and ``next_uint32``, passed to the kernels as arguments (not
#: baked into them) so that numba can cache the compiled kernels across processes
FUNCTIONS = np.array([_next_double_addr, _next_uint32_addr], dtype=np.uint64)
NUMPY_BTPE_FIXED = tuple(int(x) for x in np.__version__.split(".")[:2]) >= (2, 5)


def state_addresses(gens: Sequence[np.random.Generator]) -> np.ndarray:
    """The C state address of each member's PCG64 (valid while the generators live)."""
    for g in gens:
        if not isinstance(g.bit_generator, np.random.PCG64):
            raise TypeError("kernels need PCG64 generators")
    return np.array([g.bit_generator.ctypes.state_address for g in gens], dtype=np.uint64)


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn) if ENABLED else fn


if ENABLED:
    from llvmlite import ir
    from numba.core import types
    from numba.extending import intrinsic

    @intrinsic
    def _call_double(typingctx, fn, state):
        """Call the C function at address ``fn`` (double (*)(void *)) with ``state``."""

        def codegen(context, builder, signature, args):
            fnty = ir.FunctionType(ir.DoubleType(), [ir.IntType(64)])
            return builder.call(builder.inttoptr(args[0], fnty.as_pointer()), [args[1]])

        return types.float64(types.uint64, types.uint64), codegen

    @intrinsic
    def _call_uint32(typingctx, fn, state):
        """Call the C function at address ``fn`` (uint32_t (*)(void *)) with ``state``."""

        def codegen(context, builder, signature, args):
            fnty = ir.FunctionType(ir.IntType(32), [ir.IntType(64)])
            return builder.call(builder.inttoptr(args[0], fnty.as_pointer()), [args[1]])

        return types.uint32(types.uint64, types.uint64), codegen

    @numba.njit(inline="always")
    def next_double(fns, state):
        """A uniform double from the stream at ``state`` (``Generator.random()``)."""
        return _call_double(fns[0], state)

    @numba.njit(inline="always")
    def next_float32(fns, state):
        """A float32 uniform from the stream at ``state`` (``Generator.random(dtype=float32)``)."""
        return np.float32((_call_uint32(fns[1], state) >> np.uint32(8)) * np.float32(1.0 / 16777216.0))


# ----------------------------------------------------------------------------------- binomial (NumPy's)
@_jit
def _squeeze_reject(lna, xm, m, n, y, r, q):
    x1 = y + 1
    f1 = m + 1
    z = n + 1 - m
    w = n - y + 1
    x2 = x1 * x1
    f2 = f1 * f1
    z2 = z * z
    w2 = w * w
    if NUMPY_BTPE_FIXED:  # NumPy >= 2.5 (numpy/numpy#31238)
        return (
            xm * math.log(f1 / x1)
            + (n - m + 0.5) * math.log(z / w)
            + (y - m) * math.log(w * r / (x1 * q))
            + (13860.0 - (462.0 - (132.0 - (99.0 - 140.0 / f2) / f2) / f2) / f2) / f1 / 166320.0
            + (13860.0 - (462.0 - (132.0 - (99.0 - 140.0 / z2) / z2) / z2) / z2) / z / 166320.0
            - (13860.0 - (462.0 - (132.0 - (99.0 - 140.0 / x2) / x2) / x2) / x2) / x1 / 166320.0
            - (13860.0 - (462.0 - (132.0 - (99.0 - 140.0 / w2) / w2) / w2) / w2) / w / 166320.0
        ) < lna
    return (
        xm * math.log(f1 / x1)
        + (n - m + 0.5) * math.log(z / w)
        + (y - m) * math.log(w * r / (x1 * q))
        + (13680.0 - (462.0 - (132.0 - (99.0 - 140.0 / f2) / f2) / f2) / f2) / f1 / 166320.0
        + (13680.0 - (462.0 - (132.0 - (99.0 - 140.0 / z2) / z2) / z2) / z2) / z / 166320.0
        + (13680.0 - (462.0 - (132.0 - (99.0 - 140.0 / x2) / x2) / x2) / x2) / x1 / 166320.0
        + (13680.0 - (462.0 - (132.0 - (99.0 - 140.0 / w2) / w2) / w2) / w2) / w / 166320.0
    ) < lna


@_jit
def _binomial_btpe(fns, state, n, r):
    q = 1.0 - r
    fm = n * r + r
    m = math.floor(fm)
    p1 = math.floor(2.195 * math.sqrt(n * r * q) - 4.6 * q) + 0.5
    xm = m + 0.5
    xl = xm - p1
    xr = xm + p1
    c = 0.134 + 20.5 / (15.3 + m)
    a = (fm - xl) / (fm - xl * r)
    laml = a * (1.0 + a / 2.0)
    a = (xr - fm) / (xr * q)
    lamr = a * (1.0 + a / 2.0)
    p2 = p1 * (1.0 + 2.0 * c)
    p3 = p2 + c / laml
    p4 = p3 + c / lamr
    case = 10
    y = 0
    k = 0
    u = 0.0
    v = 0.0
    nrq = n * r * q
    while True:
        if case == 10:
            nrq = n * r * q
            u = next_double(fns, state) * p4
            v = next_double(fns, state)
            if u > p1:
                case = 20
                continue
            y = math.floor(xm - p1 * v + u)
            case = 60
            continue
        elif case == 20:
            if u > p2:
                case = 30
                continue
            x = xl + (u - p1) / c
            v = v * c + 1.0 - math.fabs(m - x + 0.5) / p1
            if v > 1.0:
                case = 10
                continue
            y = math.floor(x)
            case = 50
            continue
        elif case == 30:
            if u > p3:
                case = 40
                continue
            y = math.floor(xl + math.log(v) / laml)
            if (y < 0) or (v == 0.0):
                case = 10
                continue
            v = v * (u - p2) * laml
            case = 50
            continue
        elif case == 40:
            y = math.floor(xr - math.log(v) / lamr)
            if (y > n) or (v == 0.0):
                case = 10
                continue
            v = v * (u - p3) * lamr
            case = 50
            continue
        elif case == 50:
            k = abs(y - m)
            if (k > 20) and (k < (nrq / 2.0 - 1)):
                case = 52
                continue
            s = r / q
            a = s * (n + 1)
            F = 1.0
            if m < y:
                for i in range(m + 1, y + 1):
                    F = F * (a / i - s)
            elif m > y:
                for i in range(y + 1, m + 1):
                    F = F / (a / i - s)
            if v > F:
                case = 10
                continue
            case = 60
            continue
        elif case == 52:
            rho = (k / nrq) * ((k * (k / 3.0 + 0.625) + 0.16666666666666666) / nrq + 0.5)
            t = -k * k / (2 * nrq)
            lna = math.log(v)
            if lna < t - rho:
                case = 60
                continue
            if lna > t + rho:
                case = 10
                continue
            if _squeeze_reject(lna, xm, m, n, y, r, q):
                case = 10
                continue
            case = 60
            continue
        else:
            return y


@_jit
def _binomial_inversion(fns, state, n, p):
    q = 1.0 - p
    qn = math.exp(n * math.log(q))
    np_ = n * p
    bound = min(n, np_ + 10.0 * math.sqrt(np_ * q + 1))
    X = 0
    px = qn
    U = next_double(fns, state)
    while px < U:
        X = X + 1
        if bound < X:
            X = 0
            px = qn
            U = next_double(fns, state)
        else:
            U -= px
            px = ((n - X + 1) * p * px) / (X * q)
    return X


@_jit
def binomial(fns, state, n, p):
    """One Binomial(n, p) draw from the stream at ``state`` — NumPy's ``Generator.binomial``."""
    if n == 0 or p == 0.0:
        return 0
    if p <= 0.5:
        if p * n <= 30.0:
            return _binomial_inversion(fns, state, n, p)
        return _binomial_btpe(fns, state, n, p)
    q = 1.0 - p
    if q * n <= 30.0:
        return n - _binomial_inversion(fns, state, n, q)
    return n - _binomial_btpe(fns, state, n, q)


@_jit
def binomial_rows(fns, states, n, p, out):
    """``out[i, j] = Binomial(n[i, j], p[i, j])`` drawn from member i's stream, row by row."""
    for i in range(n.shape[0]):
        s = states[i]
        for j in range(n.shape[1]):
            out[i, j] = binomial(fns, s, n[i, j], p[i, j]) if n[i, j] > 0 else 0


# ------------------------------------------------------------------------------------------- firm step
@_jit
def firm_step(
    fns, states, odds, capacity, finished_start, active, scrutinized, bounds, odds_in, odds_fin,
    resilience, catch_in, catch_fin, cap_in, cap_fin, selling, shut, ubuf,
):  # fmt: skip
    """One month of every member's firms (see ``narcoflow.model.suppliers.step_firms``).

    Per member: draw one float32 uniform per firm from the member's stream (as
    ``Generator.random(dtype=float32)``), then decide branch-free, region by region: region r holds
    firms ``bounds[r]:bounds[r + 1]``, those from ``finished_start[i, r]`` on can also sell the final
    product. ``active`` and ``scrutinized`` are uint8 views of boolean arrays; ``active`` is updated in
    place.
    """
    M, F = odds.shape
    for i in range(M):
        st = states[i]
        for f in range(F):
            ubuf[f] = next_float32(fns, st)
        res = resilience[i]
        n_sell = 0
        n_shut = 0
        bi0 = odds_in[i, 0]
        dbi = odds_in[i, 1] - bi0
        bf0 = odds_fin[i, 0]
        dbf = odds_fin[i, 1] - bf0
        ci = catch_in[i]
        dc = catch_fin[i] - ci
        for r in range(bounds.size - 1):
            acc_in = 0.0
            acc_fin = 0.0
            mid = finished_start[i, r]
            for f in range(bounds[r], mid):  # firms that sell only the input
                u = np.float64(ubuf[f])
                act = active[i, f] != 0
                scr = scrutinized[i, f]
                ud_in = u * (1.0 + np.float64(odds[i, f]) * (bi0 + scr * dbi))
                s_in = act & (ud_in < 1.0)
                caught = s_in & (scr != 0) & (ud_in < ci)
                acc_in += np.float64(capacity[i, f]) * np.float64(s_in)
                n_sell += np.int64(s_in)
                n_shut += np.int64(caught)
                stay = act & (caught == False)  # noqa: E712 - numba: `~` on a bool gives an int
                back = (act == False) & (u < res)  # noqa: E712
                active[i, f] = np.uint8(stay | back)
            for f in range(mid, bounds[r + 1]):  # firms that can sell both
                u = np.float64(ubuf[f])
                act = active[i, f] != 0
                scr = scrutinized[i, f]
                a = np.float64(odds[i, f])
                ud_in = u * (1.0 + a * (bi0 + scr * dbi))
                ud_fin = u * (1.0 + a * (bf0 + scr * dbf))
                s_in = act & (ud_in < 1.0)
                s_fin = act & (ud_fin < 1.0)
                s_any = s_in | s_fin
                ud = ud_fin if ud_fin < ud_in else ud_in
                caught = s_any & (scr != 0) & (ud < ci + np.float64(s_fin) * dc)
                c = np.float64(capacity[i, f])
                acc_in += c * np.float64(s_in)
                acc_fin += c * np.float64(s_fin)
                n_sell += np.int64(s_any)
                n_shut += np.int64(caught)
                stay = act & (caught == False)  # noqa: E712
                back = (act == False) & (u < res)  # noqa: E712
                active[i, f] = np.uint8(stay | back)
            cap_in[i, r] += acc_in
            cap_fin[i, r] += acc_fin
        selling[i] = n_sell
        shut[i] = n_shut


# ------------------------------------------------------------------------------------------------ ship
@_jit
def ship_kernel(
    fns, states, y, tracer, use_tracer, g_lo, g_hi, perm, g_edge, g_col, g_risk, g_node, g_comm, g_org,
    seize_prob, size, exposure, seized_exp, seized, events, arriving, seized_org, flow_org_node,
    draw_n, draw_p,
):  # fmt: skip
    """Ship every member's flows ``y`` [M, P] along the paths, position by position.

    Groups (organization, edge, commodity) are given in position order; group g covers the path columns
    ``perm[g_lo[g]:g_hi[g]]``. Its flow X moves as n = ceil(X / shipment size) shipments, S ~ Binomial(n,
    q) of them seized (member i's stream); every path in the group keeps 1 − S/n of its flow. Exposure,
    seized kg, events and arriving kg accumulate (by commodity and node; seized kg also by organization
    and commodity, arriving kg by organization and node); ``draw_n``/``draw_p`` [M, G] record each draw.
    """
    M = y.shape[0]
    G = g_lo.size
    for i in range(M):
        st = states[i]
        for g in range(G):
            X = 0.0
            for j in range(g_lo[g], g_hi[g]):
                X += y[i, perm[j]]
            if X <= 0.0:  # nothing moves: no draw, nothing to add
                continue
            n = np.int64(math.ceil(X / size[i, g_edge[g]]))
            q = seize_prob[i, g_col[g]]
            draw_n[i, g] = n
            draw_p[i, g] = q
            S = binomial(fns, st, n, q)
            frac = S / n if n > 0 else 0.0
            if frac > 0.0:
                keep = 1.0 - frac
                for j in range(g_lo[g], g_hi[g]):
                    y[i, perm[j]] *= keep
                    if use_tracer:
                        tracer[i, perm[j]] *= keep
            sg = X * frac
            exposure[i, g_risk[g]] += X
            seized_exp[i, g_risk[g]] += sg
            c = g_comm[g]
            nd = g_node[g]
            seized[i, c, nd] += sg
            events[i, c, nd] += S
            arriving[i, c, nd] += X
            seized_org[i, g_org[g], c] += sg
            flow_org_node[i, g_org[g], nd] += X


@_jit
def learn_risk(risk, risk0, exposure, seized, w, rho):
    """Traffickers' perceived risk per (organization, edge, commodity), in place.

    Where kg were shipped this month: risk ← (1 − w)·risk + w·seized/shipped; elsewhere it drifts back
    to the prior: risk ← risk + ρ·(risk0 − risk).
    """
    for i in range(risk.shape[0]):
        wi = w[i]
        ri = rho[i]
        for j in range(risk.shape[1]):
            x = exposure[i, j]
            if x > 0.0:
                risk[i, j] = (1.0 - wi) * risk[i, j] + wi * (seized[i, j] / x)
            else:
                risk[i, j] = risk[i, j] + ri * (risk0[i, j] - risk[i, j])


@_jit
def path_survival(risk, cols, out):
    """``out[i, p] = Π_k (1 − risk[i, cols[p, k]])``."""
    for i in range(risk.shape[0]):
        for p in range(cols.shape[0]):
            s = 1.0
            for k in range(cols.shape[1]):
                s *= 1.0 - risk[i, cols[p, k]]
            out[i, p] = s


@_jit
def scatter_sum(values, index, out):
    """``out[i, index[j]] += values[i, j]`` for every i, j (in j order)."""
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            out[i, index[j]] += values[i, j]
