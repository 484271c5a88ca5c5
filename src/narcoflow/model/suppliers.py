"""Supplier firms and the origin regulator (MODEL.md §3.2).

Each active firm sells a commodity illicitly with probability σ(a + b·premium − c·P(sanction)),
P(sanction) = control · cooperation factor · (deterrence + scrutinized · detection). One uniform per
firm and month decides re-entry (for shut firms), selling, and — conditionally on selling — detection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from narcoflow.model import kernels, rng
from narcoflow.model.aggregate import segment_sum

#: firms' capacities are summed in integer units of 2^−20 kg (about a milligram): integer sums are exact in
#: any order, so the compiled firm step can vectorize and still match the numpy path bit for bit
CAPACITY_UNIT = 2.0**-20


@dataclass
class Firms:
    """Firm state, arrays [member, firm]."""

    willingness: np.ndarray  # [M, F] float32 intercept a
    odds: np.ndarray  # [M, F] float32 exp(−willingness)
    capacity: np.ndarray  # [M, F] float32 kg/month of input
    capacity_units: np.ndarray  # [M, F] int64 the same in units of CAPACITY_UNIT kg (what sales sum)
    finished: np.ndarray  # [M, F] bool can make the final product
    active: np.ndarray  # [M, F] bool
    scrutinized: np.ndarray  # [M, F] bool
    u: np.ndarray  # [M, F] float32 scratch for this month's uniforms
    bounds: np.ndarray  # [R + 1] region r holds firms bounds[r]:bounds[r + 1]
    finished_start: np.ndarray  # [M, R] within region r, member's firms from here on are `finished`

    def per_region(self, x: np.ndarray) -> np.ndarray:
        """Sums of ``x`` [M, F] over each source region's firms, [M, R] (0 for a region without firms)."""
        counts = np.diff(self.bounds)
        nonempty = np.flatnonzero(counts)
        return segment_sum(x, self.bounds[nonempty], nonempty, counts.size)


def init_firms(
    gens: list[np.random.Generator],
    count: int,
    shares: np.ndarray,
    v: dict,
    states: np.ndarray | None = None,
) -> Firms:
    """Draw each member's firms: region by share, willingness, capacity and the finished flag.

    Within each region a member's firms are ordered with those that cannot make the final product
    first (firm identities carry no meaning), so the compiled monthly step runs two branch-free loops.
    """
    M = len(gens)
    ends = np.rint(np.cumsum(shares) * count).astype(np.int64)
    region = np.searchsorted(ends, np.arange(count), side="right")
    z = rng.normal(gens, np.empty((M, 2 * count), dtype=np.float32))
    u = rng.uniform(gens, np.empty((M, count), dtype=np.float32), states)
    col = lambda name: v[name][:, None].astype(np.float32)  # noqa: E731
    willingness = col("suppliers.willingness_mean") + col("suppliers.willingness_sd") * z[:, :count]
    capacity = col("suppliers.capacity_median") * np.exp(col("suppliers.capacity_sigma") * z[:, count:])
    finished = u < col("suppliers.finished_share")
    bounds = np.searchsorted(region, np.arange(len(shares) + 1))
    scale = np.float32(1.0 / CAPACITY_UNIT)  # a power of 2: capacity × scale is exact in float32
    if kernels.ENABLED:  # the same stable partition, units and region starts, compiled
        w2, c2, f2 = np.empty_like(willingness), np.empty_like(capacity), np.empty_like(finished)
        units = np.empty((M, count), dtype=np.int64)
        fstart = np.empty((M, len(shares)), dtype=np.int64)
        u8 = lambda x: x.view(np.uint8)  # noqa: E731
        kernels.partition_firms(
            bounds, u8(finished), willingness, capacity, scale, w2, c2, u8(f2), units, fstart
        )
        willingness, capacity, finished = w2, c2, f2
    else:
        key = (region[None, :] * 2 + finished).astype(np.int16 if 2 * len(shares) < 2**15 else np.int64)
        order = np.argsort(key, axis=1, kind="stable")  # a radix sort for small integer keys
        willingness = np.take_along_axis(willingness, order, axis=1)
        capacity = np.take_along_axis(capacity, order, axis=1)
        finished = np.take_along_axis(finished, order, axis=1)
        units = np.rint(capacity * scale).astype(np.int64)
        fstart = None
    firms = Firms(
        willingness=willingness,
        odds=np.exp(-willingness),
        capacity=capacity,
        capacity_units=units,
        finished=finished,
        active=np.ones((M, count), dtype=bool),
        scrutinized=np.zeros((M, count), dtype=bool),
        u=u,
        bounds=bounds,
        finished_start=np.zeros((M, len(shares)), dtype=np.int64) if fstart is None else fstart,
    )
    if fstart is None:
        firms.finished_start = bounds[:-1][None, :] + firms.per_region((~finished).astype(np.int64))
    return firms


def draw_scrutiny(
    gens: list[np.random.Generator],
    firms: Firms,
    share: np.ndarray,
    targeting: str,
    accuracy: np.ndarray,
    coop_factor: np.ndarray,
    states: np.ndarray | None = None,
) -> None:
    """The regulator's yearly draw of scrutinized firms (random, or risk-based on willingness)."""
    u = rng.uniform(gens, firms.u, states)
    p = share[:, None].astype(np.float32)
    if targeting == "risk_based":
        w = 1.0 / (1.0 + np.exp(-firms.willingness))
        w = w / w.mean(axis=1, keepdims=True)
        alpha = (accuracy * coop_factor)[:, None].astype(np.float32)
        p = p * ((1.0 - alpha) + alpha * w)
    firms.scrutinized = u < np.minimum(p, 1.0)


@dataclass
class SupplyMonth:
    """What the firms offer this month, per member and source region (kg/month)."""

    available_input: np.ndarray  # [M, R]
    available_final: np.ndarray  # [M, R]
    selling: np.ndarray  # [M] number of firms selling anything
    shut: np.ndarray  # [M] number of firms shut this month


def step_firms(
    gens: list[np.random.Generator],
    firms: Firms,
    *,
    premium_input: np.ndarray,
    premium_final: np.ndarray,
    control_input: np.ndarray,
    control_final: np.ndarray,
    coop_factor: np.ndarray,
    v: dict,
    states: np.ndarray | None = None,
) -> SupplyMonth:
    """One month of firm decisions: re-entry, selling, detection and shutdown.

    A firm sells when u < σ(willingness + b·premium − c·control·sanction), evaluated as
    u·(1 + odds·exp(−(b·premium − c·control·sanction))) < 1 with the firm's fixed odds =
    exp(−willingness): no exp and no division per firm and month. ``states`` (the members' PCG64
    state addresses) selects the compiled kernel
    (``narcoflow.model.kernels.firm_step``); without it the same step runs in numpy, drawing the same
    uniforms.
    """
    M = firms.odds.shape[0]
    b, c = v["suppliers.premium_weight"], v["suppliers.sanction_weight"]
    det = v["regulator.detection"] * coop_factor
    # cooperation scales the credibility of enforcement as a whole: deterrence and detection alike
    base = coop_factor * v["suppliers.deterrence"]
    sanction = np.stack([base, base + det], axis=1)  # [M, 2]: not scrutinized, scrutinized
    odds_in = np.exp(-(b * premium_input)[:, None] + (c * control_input)[:, None] * sanction)
    odds_fin = np.exp(-(b * premium_final)[:, None] + (c * control_final)[:, None] * sanction)
    catch_in, catch_fin = det * control_input, det * control_final
    resilience = np.asarray(v["suppliers.resilience"], dtype=np.float64)
    R = firms.bounds.size - 1
    if states is not None:
        cap_in = np.zeros((M, R), dtype=np.int64)
        cap_fin = np.zeros((M, R), dtype=np.int64)
        selling = np.zeros(M, dtype=np.int64)
        shut = np.zeros(M, dtype=np.int64)
        u8 = lambda x: x.view(np.uint8)  # noqa: E731
        kernels.firm_step(
            states, firms.odds, firms.capacity_units, firms.finished_start, u8(firms.active),
            u8(firms.scrutinized), firms.bounds, odds_in, odds_fin, resilience, catch_in, catch_fin,
            cap_in, cap_fin, selling, shut, np.empty(firms.odds.shape[1], dtype=np.float32),
        )  # fmt: skip
        if (log := rng.active_log()) is not None:
            log.add("uniform_float32", firms.u.size)
    else:  # the same decisions in numpy (same arithmetic, so the same results)
        u = rng.uniform(gens, firms.u).astype(np.float64)
        scr = firms.scrutinized
        odds = firms.odds.astype(np.float64)
        s8 = scr.astype(np.float64)
        d_in = 1.0 + odds * (odds_in[:, :1] + s8 * (odds_in[:, 1:] - odds_in[:, :1]))
        d_fin = 1.0 + odds * (odds_fin[:, :1] + s8 * (odds_fin[:, 1:] - odds_fin[:, :1]))
        active = firms.active
        sells_in = active & (u * d_in < 1.0)
        sells_fin = active & firms.finished & (u * d_fin < 1.0)
        sells = sells_in | sells_fin
        # detection given selling: u·d is uniform on [0, 1) when u·d < 1
        d = np.where(firms.finished, np.minimum(d_in, d_fin), d_in)
        catch = catch_in[:, None] + sells_fin * (catch_fin - catch_in)[:, None]
        caught = sells & scr & (u * d < catch)
        reentered = ~active & (u < resilience[:, None])
        firms.active = (active & ~caught) | reentered
        units = firms.capacity_units
        cap_in = firms.per_region(np.where(sells_in, units, 0))
        cap_fin = firms.per_region(np.where(sells_fin, units, 0))
        selling, shut = sells.sum(axis=1), caught.sum(axis=1)
    return SupplyMonth(
        available_input=cap_in * CAPACITY_UNIT,
        available_final=(cap_fin * CAPACITY_UNIT) * v["suppliers.finished_capacity_ratio"][:, None],
        selling=selling,
        shut=shut,
    )
