"""Population and overdose deaths (MODEL.md §3.9): a SOURCE-like stock-and-flow model, monthly.

Stocks (persons, age 12+): no illicit opioid use (N), use without disorder (U), untreated opioid use
disorder (D), in treatment (T), in remission (R). The overdose hazard of stock s is
h_s·((1 − φ) + RR·φ·F)·H·volatility·(1 − e(t))^X, with the event-driven levels H
(``harm.hazard``), F (``harm.final_risk``) and X (``harm.naloxone``), all 1 unless an event moves them;
deaths involving the final product are the RR·φ·F part, plus a background of deaths in the observed
category that the modelled supply does not drive. The naloxone level X scales naloxone's availability:
each unit averts the share e(t) of the deaths the previous units left, so X = 1.2 with e small is
about 1.2·e, and the averted share approaches 1 only as X grows without bound.

Two secular trends (both optional; absent, the old constant behaviour):
- naloxone scale-up: the share of deaths averted, e(t) = e_max − (e_max − e_0)·exp(−g·t) (t in years
  from the start), rises from ``harm.naloxone_effect`` (e_0) toward ``harm.naloxone_ceiling`` (e_max) at
  the rate ``harm.naloxone_growth`` (g) — pharmacy naloxone dispensing rose from 1,282 prescriptions in
  2012 to 556,847 in 2018 (Guy et al., MMWR 2019;68:679–686) and community distribution grew alongside;
- initiation: the initiation rate changes by ``harm.initiation_trend`` per year, (1 + trend)^t — past-year
  initiation of heroin use and of prescription pain-reliever misuse fell after 2015 (NSDUH).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from narcoflow.model.layout import Clock, Layout
    from narcoflow.model.market import MarketMonth
    from narcoflow.model.state import State

STOCKS = ("no_use", "use", "oud", "treatment", "remission")


def initial_stocks(h: Any) -> np.ndarray:
    """Stocks at the start, [M, 5] (``h``: the harm parameters, ``Params.harm``)."""
    u, d = h.use_initial, h.oud_initial
    t, r = h.treated_initial, h.remission_initial
    n = h.population - u - d - t - r
    return np.stack([n, u, d, t, r], axis=1)


@dataclass
class HarmMonth:
    """This month's deaths per member."""

    deaths_final: np.ndarray  # [M] deaths involving the final product (incl. background)
    deaths_total: np.ndarray  # [M] all modelled opioid overdose deaths (incl. background)


def naloxone_share(years: float, h: Any) -> np.ndarray:
    """The share of overdose deaths naloxone averts this month before the event level, e(t), [M]."""
    e0 = h.naloxone_effect
    ceiling, growth = h.naloxone_ceiling, h.naloxone_growth  # optional: no scale-up without them
    if ceiling is None or growth is None:
        return e0
    ceiling = np.maximum(ceiling, e0)
    return ceiling - (ceiling - e0) * np.exp(-growth * years)


def step_harm(
    stocks: np.ndarray,
    phi: np.ndarray,
    volatility: np.ndarray,
    years: float,
    h: Any,
    hazard: np.ndarray | float = 1.0,
    final_risk: np.ndarray | float = 1.0,
    naloxone: np.ndarray | float = 1.0,
) -> HarmMonth:
    """Advance the population one month (in place) and return the month's deaths.

    ``hazard``, ``final_risk`` and ``naloxone`` are the event-driven multipliers (levels ``harm.*``):
    of every overdose hazard, of the final product's part of it, and of naloxone's availability (the
    surviving share is (1 − e(t))^naloxone). ``h`` holds the harm parameters (``Params.harm``).
    """
    N, U, D, T, R = (stocks[:, i].copy() for i in range(5))
    hazard_rate = (
        np.stack(
            [
                np.zeros_like(N),
                h.hazard_use,
                h.hazard_oud,
                h.hazard_treated,
                h.hazard_remission,
            ],
            axis=1,
        )
        / 12.0
    )
    rr = h.relative_risk_final
    common = volatility * hazard * (1.0 - np.minimum(naloxone_share(years, h), 1.0)) ** naloxone
    other, final = 1.0 - phi, rr * phi * final_risk  # parts of the hazard multiplier
    mult = (other + final) * common
    deaths_by_stock = np.minimum(stocks * hazard_rate * mult[:, None], stocks)
    fent_share = final / (other + final)
    background = h.background_deaths / 12.0
    modelled = deaths_by_stock.sum(axis=1)
    cap = h.treatment_capacity_start * (1.0 + h.treatment_capacity_growth) ** years
    trend = h.initiation_trend  # optional: constant without it
    init = h.initiation_rate / 12.0 * N * (1.0 if trend is None else (1.0 + trend) ** years)
    prog = h.progression_rate / 12.0 * U
    cess = h.cessation_rate / 12.0 * U
    entry = np.minimum(h.treatment_entry_rate / 12.0 * D, np.maximum(cap - T, 0.0))
    drop = h.dropout_rate / 12.0 * T
    comp = h.completion_rate / 12.0 * T
    relapse = h.relapse_rate / 12.0 * R
    stocks[:, 0] = N - init + cess
    stocks[:, 1] = U + init - prog - cess
    stocks[:, 2] = D + prog - entry + drop + relapse
    stocks[:, 3] = T + entry - drop - comp
    stocks[:, 4] = R + comp - relapse
    stocks -= deaths_by_stock
    np.maximum(stocks, 0.0, out=stocks)
    return HarmMonth(deaths_final=modelled * fent_share + background, deaths_total=modelled + background)


def step(lay: Layout, p: Any, st: State, market: MarketMonth, clock: Clock) -> HarmMonth:
    """The population this month (ODD §7.9): the hazard responds to φ and to the change of purity
    (volatility), and to the event-driven levels harm.hazard, harm.final_risk and harm.naloxone."""
    h, ix, lv = p.harm, lay.levels, st.levels.values
    if st.purity_prev is None:
        vol = np.ones(len(market.purity))
    else:
        vol = 1.0 + h.volatility_weight * np.abs(market.purity - st.purity_prev) / st.purity_prev
    st.purity_prev = market.purity
    return step_harm(
        st.population, market.phi, vol, clock.years, h,
        hazard=lv[:, ix.hazard], final_risk=lv[:, ix.final_risk], naloxone=lv[:, ix.naloxone],
    )  # fmt: skip
