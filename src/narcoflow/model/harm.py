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

import numpy as np

STOCKS = ("no_use", "use", "oud", "treatment", "remission")


def initial_stocks(v: dict) -> np.ndarray:
    """Stocks at the start, [M, 5]."""
    u, d = v["harm.use_initial"], v["harm.oud_initial"]
    t, r = v["harm.treated_initial"], v["harm.remission_initial"]
    n = v["harm.population"] - u - d - t - r
    return np.stack([n, u, d, t, r], axis=1)


@dataclass
class HarmMonth:
    """This month's deaths per member."""

    deaths_final: np.ndarray  # [M] deaths involving the final product (incl. background)
    deaths_total: np.ndarray  # [M] all modelled opioid overdose deaths (incl. background)


def naloxone_share(years: float, v: dict) -> np.ndarray:
    """The share of overdose deaths naloxone averts this month before the event level, e(t), [M]."""
    e0 = v["harm.naloxone_effect"]
    ceiling, growth = v.get("harm.naloxone_ceiling"), v.get("harm.naloxone_growth")
    if ceiling is None or growth is None:
        return e0
    ceiling = np.maximum(ceiling, e0)
    return ceiling - (ceiling - e0) * np.exp(-growth * years)


def step_harm(
    stocks: np.ndarray,
    phi: np.ndarray,
    volatility: np.ndarray,
    years: float,
    v: dict,
    hazard: np.ndarray | float = 1.0,
    final_risk: np.ndarray | float = 1.0,
    naloxone: np.ndarray | float = 1.0,
) -> HarmMonth:
    """Advance the population one month (in place) and return the month's deaths.

    ``hazard``, ``final_risk`` and ``naloxone`` are the event-driven multipliers (levels ``harm.*``):
    of every overdose hazard, of the final product's part of it, and of naloxone's availability (the
    surviving share is (1 − e(t))^naloxone).
    """
    N, U, D, T, R = (stocks[:, i].copy() for i in range(5))
    h = (
        np.stack(
            [
                np.zeros_like(N),
                v["harm.hazard_use"],
                v["harm.hazard_oud"],
                v["harm.hazard_treated"],
                v["harm.hazard_remission"],
            ],
            axis=1,
        )
        / 12.0
    )
    rr = v["harm.relative_risk_final"]
    common = volatility * hazard * (1.0 - np.minimum(naloxone_share(years, v), 1.0)) ** naloxone
    other, final = 1.0 - phi, rr * phi * final_risk  # parts of the hazard multiplier
    mult = (other + final) * common
    deaths_by_stock = np.minimum(stocks * h * mult[:, None], stocks)
    fent_share = final / (other + final)
    background = v["harm.background_deaths"] / 12.0
    modelled = deaths_by_stock.sum(axis=1)
    cap = v["harm.treatment_capacity_start"] * (1.0 + v["harm.treatment_capacity_growth"]) ** years
    trend = v.get("harm.initiation_trend")
    init = v["harm.initiation_rate"] / 12.0 * N * (1.0 if trend is None else (1.0 + trend) ** years)
    prog = v["harm.progression_rate"] / 12.0 * U
    cess = v["harm.cessation_rate"] / 12.0 * U
    entry = np.minimum(v["harm.treatment_entry_rate"] / 12.0 * D, np.maximum(cap - T, 0.0))
    drop = v["harm.dropout_rate"] / 12.0 * T
    comp = v["harm.completion_rate"] / 12.0 * T
    relapse = v["harm.relapse_rate"] / 12.0 * R
    stocks[:, 0] = N - init + cess
    stocks[:, 1] = U + init - prog - cess
    stocks[:, 2] = D + prog - entry + drop + relapse
    stocks[:, 3] = T + entry - drop - comp
    stocks[:, 4] = R + comp - relapse
    stocks -= deaths_by_stock
    np.maximum(stocks, 0.0, out=stocks)
    return HarmMonth(deaths_final=modelled * fent_share + background, deaths_total=modelled + background)
