"""Supplier firms and the origin regulator (MODEL.md §3.2).

Each active firm sells a commodity illicitly with probability σ(a + b·premium − c·P(sanction)),
P(sanction) = control · cooperation factor · (deterrence + scrutinized · detection). One uniform per
firm and month decides re-entry (for shut firms), selling, and — conditionally on selling — detection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

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


def init_firms(bk: Any, count: int, shares: np.ndarray, p: Any) -> Firms:
    """Draw each member's firms: region by share, willingness, capacity and the finished flag.

    ``bk`` is the run's backend (its members' streams); ``p`` the suppliers' parameters
    (``Params.suppliers``). Within each region a member's firms are ordered with those that cannot
    make the final product first (firm identities carry no meaning), so the compiled monthly step
    runs two branch-free loops.
    """
    M = len(bk.gens)
    ends = np.rint(np.cumsum(shares) * count).astype(np.int64)
    region = np.searchsorted(ends, np.arange(count), side="right")
    z = bk.normal(np.empty((M, 2 * count), dtype=np.float32))
    u = bk.uniform(np.empty((M, count), dtype=np.float32))
    col = lambda x: x[:, None].astype(np.float32)  # noqa: E731
    willingness = col(p.willingness_mean) + col(p.willingness_sd) * z[:, :count]
    capacity = col(p.capacity_median) * np.exp(col(p.capacity_sigma) * z[:, count:])
    finished = u < col(p.finished_share)
    bounds = np.searchsorted(region, np.arange(len(shares) + 1))
    scale = np.float32(1.0 / CAPACITY_UNIT)  # a power of 2: capacity × scale is exact in float32
    willingness, capacity, finished, units, fstart = bk.partition_firms(
        bounds, finished, willingness, capacity, scale
    )
    return Firms(
        willingness=willingness,
        odds=np.exp(-willingness),
        capacity=capacity,
        capacity_units=units,
        finished=finished,
        active=np.ones((M, count), dtype=bool),
        scrutinized=np.zeros((M, count), dtype=bool),
        u=u,
        bounds=bounds,
        finished_start=fstart,
    )


def draw_scrutiny(
    bk: Any, firms: Firms, share: np.ndarray, targeting: str, accuracy: np.ndarray, coop_factor: np.ndarray
) -> None:
    """The regulator's yearly draw of scrutinized firms (random, or risk-based on willingness)."""
    u = bk.uniform(firms.u)
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

    available: np.ndarray  # [M, R, C] by commodity
    selling: np.ndarray  # [M] number of firms selling anything
    shut: np.ndarray  # [M] number of firms shut this month


def step_firms(
    bk: Any,
    firms: Firms,
    p: Any,
    *,
    premium_input: np.ndarray,
    premium_final: np.ndarray,
    control_input: np.ndarray,
    control_final: np.ndarray,
    coop_factor: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One month of firm decisions: re-entry, selling, detection and shutdown.

    A firm sells when u < σ(willingness + b·premium − c·control·sanction), evaluated as
    u·(1 + odds·exp(−(b·premium − c·control·sanction))) < 1 with the firm's fixed odds =
    exp(−willingness): no exp and no division per firm and month. ``p`` holds the suppliers' and the
    regulator's parameters (``p.suppliers``, ``p.regulator``). Returns the kg offered per source region
    of the input and of the final product, [M, R] each, and the counts of firms selling and shut, [M].
    """
    s, reg = p.suppliers, p.regulator
    b, c = s.premium_weight, s.sanction_weight
    det = reg.detection * coop_factor
    # cooperation scales the credibility of enforcement as a whole: deterrence and detection alike
    base = coop_factor * s.deterrence
    sanction = np.stack([base, base + det], axis=1)  # [M, 2]: not scrutinized, scrutinized
    odds_in = np.exp(-(b * premium_input)[:, None] + (c * control_input)[:, None] * sanction)
    odds_fin = np.exp(-(b * premium_final)[:, None] + (c * control_final)[:, None] * sanction)
    catch_in, catch_fin = det * control_input, det * control_final
    resilience = np.asarray(s.resilience, dtype=np.float64)
    cap_in, cap_fin, selling, shut = bk.firm_step(firms, odds_in, odds_fin, resilience, catch_in, catch_fin)
    available_input = cap_in * CAPACITY_UNIT
    available_final = (cap_fin * CAPACITY_UNIT) * s.finished_capacity_ratio[:, None]
    return available_input, available_final, selling, shut


def step(lay: Any, p: Any, st: Any, bk: Any, clock: Any) -> SupplyMonth:
    """Suppliers and the regulator this month (ODD §7.2): the yearly scrutiny draw (in the first month
    and every January), then the firms' decisions; what they offer by region and commodity."""
    net, sc = lay.net, lay.scenario
    M, R, C = st.premium.shape[0], len(net.sources), len(net.commodity_ids)
    fin, inp = net.final, net.inputs
    rel = sc.regulator.relation
    dep = p.regulator.cooperation_dependence
    cf_reg = 1.0 - dep + dep * st.levels.clipped(lay.levels.cooperation[rel]) if rel else np.ones(M)
    if clock.t == 0 or clock.month_of_year == 1:
        draw_scrutiny(
            bk, st.firms, p.regulator.scrutiny_share, sc.regulator.targeting,
            p.regulator.targeting_accuracy, cf_reg,
        )  # fmt: skip
    control = st.levels.clipped(lay.levels.control)
    a_in, a_fin, selling, shut = step_firms(
        bk, st.firms, p,
        premium_input=st.premium[:, inp] if inp is not None else np.zeros(M),
        premium_final=st.premium[:, fin],
        control_input=control[:, inp] if inp is not None else np.ones(M),
        control_final=control[:, fin],
        coop_factor=cf_reg,
    )  # fmt: skip
    avail = np.zeros((M, R, C))
    avail[:, :, fin] = a_fin
    if inp is not None:
        avail[:, :, inp] = a_in
    return SupplyMonth(available=avail, selling=selling, shut=shut)
