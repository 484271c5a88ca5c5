"""Supplier firms and the origin regulator (MODEL.md §3.2).

Each active firm sells a commodity illicitly with probability σ(a + b·premium − c·P(sanction)),
P(sanction) = control · cooperation factor · (deterrence + scrutinized · detection). One uniform per
firm and month decides re-entry (for shut firms), selling, and — conditionally on selling — detection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from narcoflow.model import rng
from narcoflow.model.aggregate import segment_sum


@dataclass
class Firms:
    """Firm state, arrays [member, firm]."""

    region: np.ndarray  # [F] source index
    region_starts: np.ndarray  # starts of the non-empty regions (firms are sorted by region)
    region_nonempty: np.ndarray  # indices of the non-empty regions
    willingness: np.ndarray  # [M, F] float32 intercept a
    capacity: np.ndarray  # [M, F] float32 kg/month of input
    finished: np.ndarray  # [M, F] bool can make the final product
    active: np.ndarray  # [M, F] bool
    scrutinized: np.ndarray  # [M, F] bool
    u: np.ndarray  # [M, F] float32 scratch for this month's uniforms


def init_firms(gens: list[np.random.Generator], count: int, shares: np.ndarray, v: dict) -> Firms:
    """Draw each member's firms: region by share, willingness, capacity and the finished flag."""
    M = len(gens)
    bounds = np.rint(np.cumsum(shares) * count).astype(np.int64)
    region = np.searchsorted(bounds, np.arange(count), side="right")
    counts = np.bincount(region, minlength=len(shares))
    nonempty = np.flatnonzero(counts)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])[nonempty]
    z = rng.normal(gens, np.empty((M, 2 * count), dtype=np.float32))
    u = rng.uniform(gens, np.empty((M, count), dtype=np.float32))
    col = lambda name: v[name][:, None].astype(np.float32)  # noqa: E731
    willingness = col("suppliers.willingness_mean") + col("suppliers.willingness_sd") * z[:, :count]
    capacity = col("suppliers.capacity_median") * np.exp(col("suppliers.capacity_sigma") * z[:, count:])
    return Firms(
        region=region,
        region_starts=starts,
        region_nonempty=nonempty,
        willingness=willingness,
        capacity=capacity,
        finished=u < col("suppliers.finished_share"),
        active=np.ones((M, count), dtype=bool),
        scrutinized=np.zeros((M, count), dtype=bool),
        u=u,
    )


def draw_scrutiny(
    gens: list[np.random.Generator],
    firms: Firms,
    share: np.ndarray,
    targeting: str,
    accuracy: np.ndarray,
    coop_factor: np.ndarray,
) -> None:
    """The regulator's yearly draw of scrutinized firms (random, or risk-based on willingness)."""
    u = rng.uniform(gens, firms.u)
    p = np.broadcast_to(share[:, None], u.shape).astype(np.float32)
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
) -> SupplyMonth:
    """One month of firm decisions: re-entry, selling, detection and shutdown."""
    u = rng.uniform(gens, firms.u)
    c32 = lambda x: np.asarray(x, dtype=np.float32)[:, None]  # noqa: E731
    resilience = c32(v["suppliers.resilience"])
    reentered = ~firms.active & (u < resilience)
    b = c32(v["suppliers.premium_weight"])
    c = c32(v["suppliers.sanction_weight"])
    deter = c32(v["suppliers.deterrence"])
    det = c32(v["regulator.detection"] * coop_factor)
    # cooperation scales the credibility of enforcement as a whole: deterrence and detection alike
    sanction = c32(coop_factor) * deter + firms.scrutinized * det  # [M, F]
    logit_in = firms.willingness + b * c32(premium_input) - c * c32(control_input) * sanction
    logit_fin = firms.willingness + b * c32(premium_final) - c * c32(control_final) * sanction
    thr_in = 1.0 / (1.0 + np.exp(-logit_in))
    thr_fin = np.where(firms.finished, 1.0 / (1.0 + np.exp(-logit_fin)), 0.0)
    active = firms.active
    sells_in = active & (u < thr_in)
    sells_fin = active & (u < thr_fin)
    sells = sells_in | sells_fin
    # Detection given selling: u / thr_any is uniform on [0, 1) when u < thr_any.
    thr_any = np.maximum(thr_in, thr_fin)
    ctrl = np.where(sells_fin, c32(control_final), c32(control_input))
    caught = sells & firms.scrutinized & (u < thr_any * det * ctrl)
    firms.active = (active & ~caught) | reentered
    cap_in = np.where(sells_in, firms.capacity, 0.0).astype(np.float32)
    cap_fin = np.where(sells_fin, firms.capacity, 0.0).astype(np.float32)
    ratio = v["suppliers.finished_capacity_ratio"][:, None]
    R = firms.region_nonempty.max() + 1 if firms.region_nonempty.size else 0
    R = max(R, int(firms.region.max()) + 1)

    def per_region(cap: np.ndarray) -> np.ndarray:
        return segment_sum(cap, firms.region_starts, firms.region_nonempty, R)

    return SupplyMonth(
        available_input=per_region(cap_in).astype(np.float64),
        available_final=per_region(cap_fin).astype(np.float64) * ratio,
        selling=sells.sum(axis=1),
        shut=caught.sum(axis=1),
    )
