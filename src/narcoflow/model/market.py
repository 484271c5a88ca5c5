"""US market regions: stocks, consumption, price, purity and penetration φ (MODEL.md §3.8)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from narcoflow.model.layout import Clock
    from narcoflow.model.state import State


@dataclass
class MarketMonth:
    """This month's market outcomes per member."""

    consumed: np.ndarray  # [M, Q] kg
    price: np.ndarray  # [M] USD/kg
    purity: np.ndarray  # [M] share
    phi: np.ndarray  # [M] share of the illicit opioid supply that is the final product
    competing: np.ndarray  # [M] competing (heroin) supply, kg product-equivalent


def step_market(stock: np.ndarray, arrivals: np.ndarray, years: float, m: Any) -> MarketMonth:
    """Add arrivals to regional stocks (in place), consume, and set price, purity and φ.

    Price rises with scarcity: p = p_ref·(S_ref/C)^ε; purity falls with it: π = π_ref·(C/S_ref)^κ;
    φ = C/(C + H), H the competing supply declining exponentially from its start value. ``m`` holds the
    market's parameters (``Params.market``).
    """
    stock += arrivals
    consumed = stock * m.consumption_rate[:, None]
    stock -= consumed
    total = consumed.sum(axis=1)
    ref = m.reference_supply
    rel = np.maximum(total, 1e-9) / ref
    price = m.price_reference * np.clip(rel**-m.price_elasticity, 0.1, 10.0)
    purity = np.clip(m.purity_reference * rel**m.purity_elasticity, 0.005, 0.9)
    competing = m.competing_supply_start * (1.0 - m.competing_supply_decline) ** years
    phi = total / (total + competing)
    return MarketMonth(consumed=consumed, price=price, purity=purity, phi=phi, competing=competing)


@dataclass
class MarketArrivals:
    """This month's market, per member: its outcomes and the kg that arrived."""

    outcome: MarketMonth
    delivered: np.ndarray  # [M, Q] kg of final product that reached each market
    delivered_made: np.ndarray  # [M, Q] the part of it made from the recipe input


def step(p: Any, st: State, clock: Clock) -> MarketArrivals:
    """Markets this month (ODD §7.8): arrivals join the stocks, consumption enters the ledger."""
    arrivals, made = st.transit.take_markets(clock.slot)
    mk = step_market(st.market_stock, arrivals, clock.years, p.market)
    st.ledger.consumed += mk.consumed.sum(axis=1)
    return MarketArrivals(mk, arrivals, made)
