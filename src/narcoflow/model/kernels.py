"""Compiled hot loops (numba), drawing from the members' own numpy streams.

The month's hot steps run here as numba kernels over all members in one call: the firms' decisions
(5,000 firms per member), procurement, route choice, dispatch from the labs, shipping with binomial
seizures (one draw per organization, edge and commodity), seizure probabilities, risk learning, the
contest term and the scatter-adds. Each repeats the numpy path's arithmetic operation by operation —
NumPy's summation orders included (``_pairwise``, ``_segment_sum``) — and leaves exp and log to numpy,
so both paths give bit-identical runs. The kernels draw from each member's
``numpy.random.PCG64`` itself: they read the generator's 128-bit state and increment through its C state
address (``bit_generator.ctypes.state_address``), advance it with PCG64's own arithmetic (128-bit
multiply-add, XSL-RR output) inlined into the loop, and write it back — so member k still draws from its
own stream, exactly the variates numpy's ``Generator.random`` and ``Generator.binomial`` would give,
and a member's numbers do not depend on the batch around it. ``available()`` checks once per process
that the state is laid out as read here (numpy's ``pcg64_state`` since 1.17), by drawing with both;
if it is not, the engine runs the numpy path.

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

import math
import os
import warnings
from collections.abc import Sequence

import numpy as np

try:  # numba is optional: the engine falls back to pure numpy without it
    import numba
except ImportError:  # pragma: no cover - exercised only where numba is missing
    numba = None

ENABLED = numba is not None and os.environ.get("NARCOFLOW_NUMBA", "1") != "0"

#: PCG64's multiplier (numpy/random/src/pcg64/pcg64.h: PCG_DEFAULT_MULTIPLIER_HIGH, _LOW)
_MULT_HI = 2549297995355413924
_MULT_LO = 4865540595714422341
NUMPY_BTPE_FIXED = tuple(int(x) for x in np.__version__.split(".")[:2]) >= (2, 5)


def state_addresses(gens: Sequence[np.random.Generator]) -> np.ndarray:
    """The C state address of each member's PCG64 (valid while the generators live)."""
    for g in gens:
        if not isinstance(g.bit_generator, np.random.PCG64):
            raise TypeError("kernels need PCG64 generators")
    return np.array([g.bit_generator.ctypes.state_address for g in gens], dtype=np.uint64)


_layout_ok: bool | None = None


def available() -> bool:
    """Whether the drawing kernels can run here: numba enabled, and numpy's PCG64 state laid out as
    they read it — checked once per process by drawing float32 uniforms and binomials with both."""
    global _layout_ok
    if not ENABLED:
        return False
    if _layout_ok is None and int(np.__version__.split(".")[0]) >= 3:
        # the layout read here is numpy 1.17–2.x's; a later one is not probed (a wrong pointer would crash)
        _layout_ok = False
        warnings.warn(
            f"narcoflow's compiled kernels know numpy's PCG64 layout up to 2.x, not {np.__version__}; "
            "running the (slower) numpy path",
            RuntimeWarning,
            stacklevel=2,
        )
    if _layout_ok is None:
        ours, ref = np.random.default_rng(20191), np.random.default_rng(20191)
        ours.random(3, dtype=np.float32)  # leave half a 64-bit output buffered, as runs do
        ref.random(3, dtype=np.float32)
        got = np.empty(41, dtype=np.float32)
        fill_float32(state_addresses([ours])[0], got)
        n = np.array([[7, 300, 90_000]], dtype=np.int64)
        p = np.array([[0.3, 0.02, 0.6]])
        draws = np.zeros_like(n)
        binomial_rows(state_addresses([ours]), n, p, draws)
        _layout_ok = (
            np.array_equal(got, ref.random(41, dtype=np.float32))
            and np.array_equal(draws[0], ref.binomial(n[0], p[0]))
            and ours.bit_generator.state == ref.bit_generator.state
        )
        if not _layout_ok:
            warnings.warn(
                "numpy's PCG64 state is not laid out as narcoflow's compiled kernels expect; "
                "running the (slower) numpy path",
                RuntimeWarning,
                stacklevel=2,
            )
    return _layout_ok


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn) if ENABLED else fn


if ENABLED:
    from llvmlite import ir
    from numba.core import types
    from numba.extending import intrinsic

    _I64, _I128 = ir.IntType(64), ir.IntType(128)

    def _memory_access(width: int, nbtype):
        """Intrinsics reading and writing an unsigned integer of ``width`` bits at a raw address."""
        irtype = ir.IntType(width)

        @intrinsic
        def load(typingctx, addr):
            def codegen(context, builder, signature, args):
                return builder.load(builder.inttoptr(args[0], irtype.as_pointer()), align=4)

            return nbtype(types.uint64), codegen

        @intrinsic
        def store(typingctx, addr, value):
            def codegen(context, builder, signature, args):
                builder.store(args[1], builder.inttoptr(args[0], irtype.as_pointer()), align=4)
                return context.get_dummy_value()

            return types.void(types.uint64, nbtype), codegen

        return load, store

    _load_u64, _store_u64 = _memory_access(64, types.uint64)
    _load_u32, _store_u32 = _memory_access(32, types.uint32)

    @intrinsic
    def _mul_add128(typingctx, a_lo, a_hi, b_lo, b_hi, c_lo, c_hi):
        """a·b + c mod 2^128 on (low, high) uint64 halves, returned as (low, high)."""

        def codegen(context, builder, signature, args):
            def join(lo, hi):
                wide = builder.shl(builder.zext(hi, _I128), ir.Constant(_I128, 64))
                return builder.or_(builder.zext(lo, _I128), wide)

            a, b, c = join(args[0], args[1]), join(args[2], args[3]), join(args[4], args[5])
            r = builder.add(builder.mul(a, b), c)
            hi = builder.trunc(builder.lshr(r, ir.Constant(_I128, 64)), _I64)
            return context.make_tuple(builder, signature.return_type, [builder.trunc(r, _I64), hi])

        u = types.uint64
        return types.UniTuple(u, 2)(u, u, u, u, u, u), codegen

    @numba.njit(inline="always")
    def _output(lo, hi):
        """PCG64's XSL-RR output of the 128-bit state (pcg_output_xsl_rr_128_64)."""
        x = hi ^ lo
        r = hi >> np.uint64(58)
        return (x >> r) | (x << ((np.uint64(64) - r) & np.uint64(63)))

    @numba.njit(inline="always")
    def _open(addr, s):
        """Copy the 128-bit state and increment of the PCG64 at ``addr`` into ``s`` (uint64[4])."""
        p = _load_u64(addr)  # pcg64_state.pcg_state: pointer to {uint128 state, uint128 inc}
        s[0] = _load_u64(p)
        s[1] = _load_u64(p + np.uint64(8))
        s[2] = _load_u64(p + np.uint64(16))
        s[3] = _load_u64(p + np.uint64(24))

    @numba.njit(inline="always")
    def _close(addr, s):
        """Write the advanced state in ``s`` back to the PCG64 at ``addr``."""
        p = _load_u64(addr)
        _store_u64(p, s[0])
        _store_u64(p + np.uint64(8), s[1])

    @numba.njit(inline="always")
    def next_double(s):
        """A uniform double from the opened stream ``s`` (``Generator.random()``: next64 >> 11 · 2^−53)."""
        lo, hi = _mul_add128(s[0], s[1], np.uint64(_MULT_LO), np.uint64(_MULT_HI), s[2], s[3])
        s[0] = lo
        s[1] = hi
        return np.float64(_output(lo, hi) >> np.uint64(11)) * (1.0 / 9007199254740992.0)

    @numba.njit(inline="always")
    def _f32(x):
        """numpy's float32 from 32 random bits: (x >> 8) · 2^−24."""
        return np.float32((np.uint32(x) >> np.uint32(8)) * np.float32(1.0 / 16777216.0))


@_jit
def fill_float32(addr, out):
    """Fill ``out`` as ``Generator.random(out=out, dtype=float32)`` does, from the PCG64 at ``addr``.

    Each 64-bit output gives two float32 (low half first; numpy keeps the high half in the generator's
    ``has_uint32``/``uinteger`` buffer, which is honoured and left as numpy leaves it). Four states are
    advanced in step (each by PCG64's multiplier and increment raised to the 4th power), so the 128-bit
    multiplications of consecutive outputs overlap instead of waiting on one another.
    """
    n = out.size
    s = np.empty(4, dtype=np.uint64)
    _open(addr, s)
    lo, hi, ilo, ihi = s[0], s[1], s[2], s[3]
    has = _load_u32(addr + np.uint64(8))  # pcg64_state.has_uint32
    buf = _load_u32(addr + np.uint64(12))  # pcg64_state.uinteger
    j = 0
    if has != 0 and n > 0:
        out[0] = _f32(buf)
        has = np.uint32(0)
        j = 1
    zero = np.uint64(0)
    mlo, mhi = np.uint64(_MULT_LO), np.uint64(_MULT_HI)
    steps = (n - j) // 2
    k = 0
    if steps >= 8:
        m2l, m2h = _mul_add128(mlo, mhi, mlo, mhi, zero, zero)  # M^2
        m4l, m4h = _mul_add128(m2l, m2h, m2l, m2h, zero, zero)  # M^4
        c2l, c2h = _mul_add128(ilo, ihi, mlo, mhi, ilo, ihi)  # inc·(1 + M)
        c4l, c4h = _mul_add128(c2l, c2h, m2l, m2h, c2l, c2h)  # inc·(1 + M + M^2 + M^3)
        s1l, s1h = _mul_add128(lo, hi, mlo, mhi, ilo, ihi)
        s2l, s2h = _mul_add128(s1l, s1h, mlo, mhi, ilo, ihi)
        s3l, s3h = _mul_add128(s2l, s2h, mlo, mhi, ilo, ihi)
        s4l, s4h = _mul_add128(s3l, s3h, mlo, mhi, ilo, ihi)
        while k + 4 <= steps:
            v1, v2 = _output(s1l, s1h), _output(s2l, s2h)
            v3, v4 = _output(s3l, s3h), _output(s4l, s4h)
            out[j] = _f32(v1)
            out[j + 1] = _f32(v1 >> np.uint64(32))
            out[j + 2] = _f32(v2)
            out[j + 3] = _f32(v2 >> np.uint64(32))
            out[j + 4] = _f32(v3)
            out[j + 5] = _f32(v3 >> np.uint64(32))
            out[j + 6] = _f32(v4)
            out[j + 7] = _f32(v4 >> np.uint64(32))
            j += 8
            k += 4
            lo, hi = s4l, s4h
            buf = np.uint32(v4 >> np.uint64(32))
            s1l, s1h = _mul_add128(s1l, s1h, m4l, m4h, c4l, c4h)
            s2l, s2h = _mul_add128(s2l, s2h, m4l, m4h, c4l, c4h)
            s3l, s3h = _mul_add128(s3l, s3h, m4l, m4h, c4l, c4h)
            s4l, s4h = _mul_add128(s4l, s4h, m4l, m4h, c4l, c4h)
    while j + 1 < n:
        lo, hi = _mul_add128(lo, hi, mlo, mhi, ilo, ihi)
        v = _output(lo, hi)
        out[j] = _f32(v)
        out[j + 1] = _f32(v >> np.uint64(32))
        buf = np.uint32(v >> np.uint64(32))
        j += 2
    if j < n:
        lo, hi = _mul_add128(lo, hi, mlo, mhi, ilo, ihi)
        v = _output(lo, hi)
        out[j] = _f32(v)
        has = np.uint32(1)
        buf = np.uint32(v >> np.uint64(32))
    s[0] = lo
    s[1] = hi
    _close(addr, s)
    _store_u32(addr + np.uint64(8), has)
    _store_u32(addr + np.uint64(12), buf)


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
def _binomial_btpe(rs, n, r):
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
            u = next_double(rs) * p4
            v = next_double(rs)
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
def _binomial_inversion(rs, n, p):
    q = 1.0 - p
    qn = math.exp(n * math.log(q))
    np_ = n * p
    bound = min(n, np_ + 10.0 * math.sqrt(np_ * q + 1))
    X = 0
    px = qn
    U = next_double(rs)
    while px < U:
        X = X + 1
        if bound < X:
            X = 0
            px = qn
            U = next_double(rs)
        else:
            U -= px
            px = ((n - X + 1) * p * px) / (X * q)
    return X


@_jit
def binomial(rs, n, p):
    """One Binomial(n, p) draw from the opened stream ``rs`` — NumPy's ``Generator.binomial``."""
    if n == 0 or p == 0.0:
        return 0
    if p <= 0.5:
        if p * n <= 30.0:
            return _binomial_inversion(rs, n, p)
        return _binomial_btpe(rs, n, p)
    q = 1.0 - p
    if q * n <= 30.0:
        return n - _binomial_inversion(rs, n, q)
    return n - _binomial_btpe(rs, n, q)


@_jit
def binomial_rows(states, n, p, out):
    """``out[i, j] = Binomial(n[i, j], p[i, j])`` drawn from member i's stream, row by row."""
    s = np.empty(4, dtype=np.uint64)
    for i in range(n.shape[0]):
        _open(states[i], s)
        for j in range(n.shape[1]):
            out[i, j] = binomial(s, n[i, j], p[i, j]) if n[i, j] > 0 else 0
        _close(states[i], s)


@_jit
def uniform_rows_float32(states, out):
    """``out[i]`` ← member i's float32 uniforms, as ``Generator.random(out=out[i], dtype=float32)``."""
    for i in range(out.shape[0]):
        fill_float32(states[i], out[i])


@_jit
def uniform_rows_float64(states, out):
    """``out[i]`` ← member i's float64 uniforms, as ``Generator.random(out=out[i])``."""
    s = np.empty(4, dtype=np.uint64)
    for i in range(out.shape[0]):
        _open(states[i], s)
        row = out[i]
        for j in range(row.size):
            row[j] = next_double(s)
        _close(states[i], s)


@_jit
def partition_firms(
    bounds, finished, willingness, capacity, scale, will_out, cap_out, fin_out, units, fstart
):
    """Within each region ``bounds[r]:bounds[r + 1]``, order each member's firms with those that cannot
    make the final product first, stably — ``argsort(region·2 + finished, kind="stable")`` — and record
    where the finished ones start (``fstart`` [M, R]) and each capacity in integer units,
    ``rint(capacity · scale)`` (``units``)."""
    for i in range(finished.shape[0]):
        fi, wi, ci = finished[i], willingness[i], capacity[i]
        wo, co, fo, uo = will_out[i], cap_out[i], fin_out[i], units[i]
        for r in range(bounds.size - 1):
            k = bounds[r]
            for flag in range(2):
                if flag == 1:
                    fstart[i, r] = k
                for f in range(bounds[r], bounds[r + 1]):
                    if fi[f] == flag:
                        wo[k] = wi[f]
                        co[k] = ci[f]
                        fo[k] = flag
                        uo[k] = np.int64(np.rint(ci[f] * scale))
                        k += 1


# ------------------------------------------------------------------------------------------- firm step
def _jit_inline(fn):
    return numba.njit(inline="always")(fn) if ENABLED else fn


# The two loops below take slices starting at 0 (not a range from an array's bound): numba can then
# prove the index non-negative, drop its wraparound check, and LLVM vectorizes the loop (≈ 2.4×).
@_jit_inline
def _firms_input_only(u_, od, cp, ac, sc, b0, db, catch, res):
    acc = 0
    n_sell = 0
    n_shut = 0
    for k in range(u_.size):
        u = np.float64(u_[k])
        act = np.int64(ac[k])
        scr = np.int64(sc[k])
        ud_in = u * (1.0 + np.float64(od[k]) * (b0 + scr * db))
        s_in = act & np.int64(ud_in < 1.0)
        caught = s_in & scr & np.int64(ud_in < catch)
        acc += cp[k] * s_in
        n_sell += s_in
        n_shut += caught
        ac[k] = np.uint8((act & (1 - caught)) | ((1 - act) & np.int64(u < res)))
    return acc, n_sell, n_shut


@_jit_inline
def _firms_both(u_, od, cp, ac, sc, bi0, dbi, bf0, dbf, catch, dc, res):
    acc_in = 0
    acc_fin = 0
    n_sell = 0
    n_shut = 0
    for k in range(u_.size):
        u = np.float64(u_[k])
        act = np.int64(ac[k])
        scr = np.int64(sc[k])
        a = np.float64(od[k])
        ud_in = u * (1.0 + a * (bi0 + scr * dbi))
        ud_fin = u * (1.0 + a * (bf0 + scr * dbf))
        s_in = act & np.int64(ud_in < 1.0)
        s_fin = act & np.int64(ud_fin < 1.0)
        s_any = s_in | s_fin
        ud = min(ud_fin, ud_in)
        caught = s_any & scr & np.int64(ud < catch + np.float64(s_fin) * dc)
        acc_in += cp[k] * s_in
        acc_fin += cp[k] * s_fin
        n_sell += s_any
        n_shut += caught
        ac[k] = np.uint8((act & (1 - caught)) | ((1 - act) & np.int64(u < res)))
    return acc_in, acc_fin, n_sell, n_shut


@_jit
def firm_step(
    states, odds, units, finished_start, active, scrutinized, bounds, odds_in, odds_fin,
    resilience, catch_in, catch_fin, cap_in, cap_fin, selling, shut, ubuf,
):  # fmt: skip
    """One month of every member's firms (see ``narcoflow.model.suppliers.step_firms``).

    Per member: draw one float32 uniform per firm from the member's stream (as
    ``Generator.random(dtype=float32)``), then decide region by region: region r holds firms
    ``bounds[r]:bounds[r + 1]``, those from ``finished_start[i, r]`` on can also sell the final product.
    ``active`` and ``scrutinized`` are uint8 views of boolean arrays; ``active`` is updated in place.
    The decisions are 0/1 integers combined with ``&``/``|`` (no branches on the random outcome), and the
    capacities offered are summed as integer ``units`` (``Firms.capacity_units``) into ``cap_in`` /
    ``cap_fin`` [M, R] int64 — exact in any order, so the loops vectorize.
    """
    for i in range(odds.shape[0]):
        fill_float32(states[i], ubuf)
        od, cp, ac, sc = odds[i], units[i], active[i], scrutinized[i]
        bi0 = odds_in[i, 0]
        bf0 = odds_fin[i, 0]
        ci = catch_in[i]
        n_sell = 0
        n_shut = 0
        for r in range(bounds.size - 1):
            lo, mid, hi = bounds[r], finished_start[i, r], bounds[r + 1]
            a_in, s1, c1 = _firms_input_only(
                ubuf[lo:mid], od[lo:mid], cp[lo:mid], ac[lo:mid], sc[lo:mid],
                bi0, odds_in[i, 1] - bi0, ci, resilience[i],
            )  # fmt: skip
            b_in, b_fin, s2, c2 = _firms_both(
                ubuf[mid:hi], od[mid:hi], cp[mid:hi], ac[mid:hi], sc[mid:hi],
                bi0, odds_in[i, 1] - bi0, bf0, odds_fin[i, 1] - bf0, ci, catch_fin[i] - ci, resilience[i],
            )  # fmt: skip
            cap_in[i, r] += a_in + b_in
            cap_fin[i, r] += b_fin
            n_sell += s1 + s2
            n_shut += c1 + c2
        selling[i] = n_sell
        shut[i] = n_shut


# ------------------------------------------------------------------------------ numpy's reduce order
@_jit
def _pairwise_block(a, lo, n):
    """NumPy's pairwise sum of ``a[lo:lo + n]`` for n ≤ 128 (8 accumulators, then the tail)."""
    if n < 8:
        res = 0.0
        for k in range(lo, lo + n):
            res += a[k]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    end = lo + n - n % 8
    for k in range(lo + 8, end, 8):
        r0 += a[k]
        r1 += a[k + 1]
        r2 += a[k + 2]
        r3 += a[k + 3]
        r4 += a[k + 4]
        r5 += a[k + 5]
        r6 += a[k + 6]
        r7 += a[k + 7]
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for k in range(end, lo + n):
        res += a[k]
    return res


@_jit
def _pairwise(a, lo, n):
    """NumPy's pairwise sum of ``a[lo:lo + n]`` (``pairwise_sum`` in numpy/_core/src/umath/loops_utils.h):
    blocks of ≤ 128 as above; a longer run splits at n/2 rounded down to a multiple of 8 and adds the two
    halves' sums. The recursion is unrolled onto a small stack (numba's cache cannot hold recursive
    functions safely)."""
    if n <= 128:
        return _pairwise_block(a, lo, n)
    s_lo = np.empty(128, dtype=np.int64)
    s_n = np.empty(128, dtype=np.int64)
    s_phase = np.empty(128, dtype=np.int64)
    vals = np.empty(128)
    top = 0
    nv = 0
    s_lo[0], s_n[0], s_phase[0] = lo, n, 0
    while top >= 0:
        ln, nn = s_lo[top], s_n[top]
        if nn <= 128:
            vals[nv] = _pairwise_block(a, ln, nn)
            nv += 1
            top -= 1
            continue
        n2 = nn // 2
        n2 -= n2 % 8
        if s_phase[top] == 0:  # sum the left half first
            s_phase[top] = 1
            top += 1
            s_lo[top], s_n[top], s_phase[top] = ln, n2, 0
        elif s_phase[top] == 1:  # then the right half
            s_phase[top] = 2
            top += 1
            s_lo[top], s_n[top], s_phase[top] = ln + n2, nn - n2, 0
        else:  # left + right
            nv -= 1
            vals[nv - 1] = vals[nv - 1] + vals[nv]
            top -= 1
    return vals[0]


@_jit_inline
def _segment_sum(a, lo, hi):
    """``np.add.reduceat``'s sum of the segment ``a[lo:hi]`` of a row: the first element, plus the
    pairwise sum of the rest (what NumPy's reduce loop does; checked against NumPy by the tests). Inlined,
    with the short case (fewer than 8 after the first: a plain loop) written out, as most segments are."""
    n = hi - lo - 1
    if n < 8:
        res = 0.0
        for k in range(lo + 1, hi):
            res += a[k]
        return a[lo] + res
    return a[lo] + _pairwise(a, lo + 1, n)


# ------------------------------------------------------------------------------------------------ ship
@_jit
def ship_kernel(
    states, y, tracer, use_tracer, g_lo, g_hi, perm, g_edge, g_col, g_risk, g_node, g_comm, g_org,
    seize_prob, size, exposure, seized_exp, seized, events, arriving, seized_org, flow_org_node,
    draw_n, draw_p,
):  # fmt: skip
    """Ship every member's flows ``y`` [M, P] along the paths, position by position.

    Groups (organization, edge, commodity) are given in position order; group g covers the path columns
    ``perm[g_lo[g]:g_hi[g]]`` (index arrays other than ``g_lo``/``g_hi`` unsigned). Its flow X moves as
    n = ceil(X / shipment size) shipments, S ~ Binomial(n, q) of them seized (member i's stream); every
    path in the group keeps 1 − S/n of its flow. Exposure, seized kg, events and arriving kg accumulate
    (by commodity and node; seized kg also by organization and commodity, arriving kg by organization and
    node); ``draw_n``/``draw_p`` [M, G] record each draw
    (for the draw log; [0, 0] arrays record nothing).
    """
    M = y.shape[0]
    G = g_lo.size
    record = draw_n.shape[0] > 0
    s = np.empty(4, dtype=np.uint64)
    tmp = np.empty(perm.size + 1)
    for i in range(M):
        _open(states[i], s)
        yi, tri, szi, qi = y[i], tracer[i], size[i], seize_prob[i]
        exi, sei, sdi, evi, ari, soi, foi = (
            exposure[i],
            seized_exp[i],
            seized[i],
            events[i],
            arriving[i],
            seized_org[i],
            flow_org_node[i],
        )
        for g in range(G):
            lo, hi = g_lo[g], g_hi[g]
            if hi - lo <= 8:  # np.add.reduceat's sum of a short segment: first + (0 + the rest in turn)
                rest = 0.0
                for j in range(lo + 1, hi):
                    rest += yi[perm[j]]
                X = yi[perm[lo]] + rest
            else:
                for j in range(lo, hi):
                    tmp[j - lo] = yi[perm[j]]
                X = _segment_sum(tmp, 0, hi - lo)
            if X <= 0.0:  # nothing moves: no draw, nothing to add
                continue
            n = np.int64(math.ceil(X / szi[g_edge[g]]))
            q = qi[g_col[g]]
            if record:
                draw_n[i, g] = n
                draw_p[i, g] = q
            S = binomial(s, n, q)
            frac = S / n if n > 0 else 0.0
            if frac > 0.0:
                keep = 1.0 - frac
                for j in range(lo, hi):
                    yi[perm[j]] *= keep
                    if use_tracer:
                        tri[perm[j]] *= keep
            sg = X * frac
            exi[g_risk[g]] += X
            sei[g_risk[g]] += sg
            c, nd, o = g_comm[g], g_node[g], g_org[g]
            sdi[c, nd] += sg
            evi[c, nd] += S
            ari[c, nd] += X
            soi[o, c] += sg
            foi[o, nd] += X
        _close(states[i], s)


@_jit
def learn_risk(risk, risk0, exposure, seized, w, rho):
    """Traffickers' perceived risk per (organization, edge, commodity), in place.

    Where kg were shipped this month: risk ← (1 − w)·risk + w·seized/shipped; elsewhere it drifts back
    to the prior: risk ← risk + ρ·(risk0 − risk). ``exposure`` and ``seized`` are then reset to 0 for
    the next month.
    """
    for i in range(risk.shape[0]):
        wi = w[i]
        ri = rho[i]
        rr, r0, ex, se = risk[i], risk0[i], exposure[i], seized[i]
        for j in range(rr.size):
            x = ex[j]
            if x > 0.0:
                rr[j] = (1.0 - wi) * rr[j] + wi * (se[j] / x)
            else:
                rr[j] = rr[j] + ri * (r0[j] - rr[j])
            ex[j] = 0.0
            se[j] = 0.0


# ------------------------------------------------------------------------------------------ route choice
@_jit
def route_utility(risk, cols_t, cost, value, comm, theta, lam, att_a, ia, att_b, ib, starts, surv, z):
    """Route choice, first half: per path its perceived survival Π(1 − risk) (``surv``) and its logit
    utility −θ·(cost + λ·value·(1 − survival))/value + attract, less the maximum of its choice group
    (``z``; the caller takes exp), where attract = ``att_a[i, ia[p]] + att_b[i, ib[p]]``. ``cols_t``
    [K, P] holds each path's risk columns edge by edge; ``starts`` [G + 1] bound the groups; the index
    arrays are unsigned (no negative-index check). Loops run over whole rows, so they vectorize. The
    arithmetic is the numpy path's, operation by operation (``narcoflow.model.routes.route_choice``)."""
    P = cols_t.shape[1]
    for i in range(risk.shape[0]):
        th = -theta[i]
        la = lam[i]
        rr, vv, aa, ab, sv, zz = risk[i], value[i], att_a[i], att_b[i], surv[i], z[i]
        c0 = cols_t[0]
        for p in range(P):
            sv[p] = 1.0 * (1.0 - rr[c0[p]])  # (as np.prod: 1 · (1 − r_0) · (1 − r_1) …)
        for k in range(1, cols_t.shape[0]):
            ck = cols_t[k]
            for p in range(P):
                sv[p] *= 1.0 - rr[ck[p]]
        for p in range(P):
            v = vv[comm[p]]
            zz[p] = th * (cost[p] + la * v * (1.0 - sv[p])) / v + (aa[ia[p]] + ab[ib[p]])
        for g in range(starts.size - 1):
            zg = zz[starts[g] : starts[g + 1]]  # a 0-based slice: the loops vectorize
            mx = zg[0]
            for k in range(1, zg.size):
                mx = max(mx, zg[k])
            for k in range(zg.size):
                zg[k] = zg[k] - mx


@_jit
def route_shares(ex, starts, cost, surv, shares, e_cost, e_surv, expect, tmp):
    """Route choice, second half: shares = ex / (group sum of ex); with ``expect``, the share-weighted
    cost and survival of each group (``e_cost``, ``e_surv`` [M, G]). Sums in ``np.add.reduceat``'s order.
    The loops run over 0-based slices of each group, so they vectorize."""
    for i in range(ex.shape[0]):
        for g in range(starts.size - 1):
            lo, hi = starts[g], starts[g + 1]
            e_, sh = ex[i, lo:hi], shares[i, lo:hi]
            den = _segment_sum(e_, 0, hi - lo)
            for k in range(sh.size):
                sh[k] = e_[k] / den
            if expect:
                t, c_, s_ = tmp[: hi - lo], cost[lo:hi], surv[i, lo:hi]
                for k in range(t.size):
                    t[k] = sh[k] * c_[k]
                e_cost[i, g] = _segment_sum(t, 0, hi - lo)
                for k in range(t.size):
                    t[k] = sh[k] * s_[k]
                e_surv[i, g] = _segment_sum(t, 0, hi - lo)


@_jit
def procure(order, oc, s_in, src, avail, x, demand):
    """Inbound flows: ``x[i, p] = order[i, oc[p]] · s_in[i, p]``, then, where the kg demanded from a source
    column (``demand``, summed in path order) exceed what it has (``avail``), scaled by avail/demand —
    the numpy path's ``order[:, o, c] * s_in``, ``scatter_sum`` and ``ratio`` steps."""
    for i in range(x.shape[0]):
        oi, si, xi, di, ai = order[i], s_in[i], x[i], demand[i], avail[i]
        for r in range(di.size):
            di[r] = 0.0
        for p in range(xi.size):
            v = oi[oc[p]] * si[p]
            xi[p] = v
            di[src[p]] += v
        for p in range(xi.size):
            d = di[src[p]]
            a = ai[src[p]]
            if d > a:
                xi[p] *= a / d


@_jit
def dispatch(stock_final, stock_made, lab, shares, starts, group_lab, x, made, shipped):
    """Outbound flows from the labs' stocks: ``x = stock_final[:, lab] · shares`` (and ``made`` from the
    tracer stock), the kg leaving each lab (``shipped`` [M, G], ``np.add.reduceat``'s order) taken off
    its stocks, and stocks floored at 0 — the numpy path's steps, operation by operation."""
    for i in range(x.shape[0]):
        sf, sm, sh, xi, mi = stock_final[i], stock_made[i], shares[i], x[i], made[i]
        for p in range(xi.size):
            xi[p] = sf[lab[p]] * sh[p]
            mi[p] = sm[lab[p]] * sh[p]
        for g in range(starts.size - 1):
            out_kg = _segment_sum(xi, starts[g], starts[g + 1])
            out_made = _segment_sum(mi, starts[g], starts[g + 1])
            shipped[i, g] = out_kg
            sf[group_lab[g]] = sf[group_lab[g]] - out_kg
            sm[group_lab[g]] = sm[group_lab[g]] - out_made
        for j in range(sf.size):
            v = sf[j]
            sf[j] = v if v >= 0.0 else 0.0  # np.maximum(v, 0.0)


@_jit
def seizure_probability(cover, eff, agency_of, has, ctrl_applies, control, base, dst, out):
    """Seizure probability per shipment, ``out`` [M, (E+1)·C] (see ``enforcement.seizure_probability``):
    1 − (1 − base_e)·(1 − clip(cover·detection·control scale at the edge's head, 0, 1)); null edge 0."""
    N = cover.shape[1]
    C = control.shape[1]
    E = dst.size
    node_eff = np.empty(N)
    for i in range(cover.shape[0]):
        ci, ei, ki, oi = cover[i], eff[i], control[i], out[i]
        for n in range(N):
            node_eff[n] = ci[n] * ei[agency_of[n]] if has[n] else 0.0
        for e in range(E):
            d = dst[e]
            for c in range(C):
                pa = node_eff[d] * (ki[c] if ctrl_applies[d] else 1.0)
                pa = pa if pa > 0.0 else 0.0  # np.clip(pa, 0, 1)
                pa = pa if pa < 1.0 else 1.0
                oi[e * C + c] = 1.0 - (1.0 - base[e]) * (1.0 - pa)
        for c in range(C):
            oi[E * C + c] = 0.0


@_jit
def scatter_add(values, rows, index, out):
    """``out[i] += Σ_j values[i, rows[j]]`` into column ``index[j]``: the per-row sums start from 0 and
    add in j order, then go into ``out`` — the arithmetic of ``out += scatter_sum(values[:, rows], …)``."""
    W = out.shape[1]
    tmp = np.empty(W)
    for i in range(values.shape[0]):
        vi, oi = values[i], out[i]
        for k in range(W):
            tmp[k] = 0.0
        for j in range(rows.size):
            tmp[index[j]] += vi[rows[j]]
        for k in range(W):
            oi[k] += tmp[k]


@_jit
def contest(flow, territorial, out):
    """Contested share of territorial flow per member (``organizations.contest``), ``flow`` [M, O, N]:
    Σ_n f_n·(1 − HHI_n) with numpy's summation order (over organizations in turn; over nodes pairwise)."""
    M, O, _ = flow.shape
    K = territorial.size
    tot = np.empty(K)
    hhi = np.empty(K)
    term = np.empty(K)
    for i in range(M):
        fi = flow[i]
        for k in range(K):
            n = territorial[k]
            t = fi[0, n]
            for o in range(1, O):
                t = t + fi[o, n]
            tot[k] = t
        for k in range(K):
            n = territorial[k]
            t = tot[k]
            sh = fi[0, n] / t if t > 0.0 else 0.0
            h = sh * sh
            for o in range(1, O):
                sh = fi[o, n] / t if t > 0.0 else 0.0
                h = h + sh * sh
            hhi[k] = h
        grand = _pairwise(tot, 0, K)
        for k in range(K):
            f = tot[k] / grand if grand > 0.0 else 0.0
            term[k] = f * ((1.0 - hhi[k]) if tot[k] > 0.0 else 0.0)
        out[i] = _pairwise(term, 0, K)


@_jit
def scatter_sum(values, index, out):
    """``out[i, index[j]] += values[i, j]`` for every i, j (in j order)."""
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            out[i, index[j]] += values[i, j]
