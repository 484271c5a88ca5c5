"""US market regions: stocks, consumption, price, purity and penetration φ (MODEL.md §3.8)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class MarketMonth:
    """This month's market outcomes per member."""

    consumed: np.ndarray  # [M, Q] kg
    price: np.ndarray  # [M] USD/kg
    purity: np.ndarray  # [M] share
    phi: np.ndarray  # [M] share of the illicit opioid supply that is the final product
    competing: np.ndarray  # [M] competing (heroin) supply, kg product-equivalent


def step_market(stock: np.ndarray, arrivals: np.ndarray, years: float, v: dict) -> MarketMonth:
    """Add arrivals to regional stocks (in place), consume, and set price, purity and φ.

    Price rises with scarcity: p = p_ref·(S_ref/C)^ε; purity falls with it: π = π_ref·(C/S_ref)^κ;
    φ = C/(C + H), H the competing supply declining exponentially from its start value.
    """
    stock += arrivals
    consumed = stock * v["market.consumption_rate"][:, None]
    stock -= consumed
    total = consumed.sum(axis=1)
    ref = v["market.reference_supply"]
    rel = np.maximum(total, 1e-9) / ref
    price = v["market.price_reference"] * np.clip(rel ** -v["market.price_elasticity"], 0.1, 10.0)
    purity = np.clip(v["market.purity_reference"] * rel ** v["market.purity_elasticity"], 0.005, 0.9)
    competing = v["market.competing_supply_start"] * (1.0 - v["market.competing_supply_decline"]) ** years
    phi = total / (total + competing)
    return MarketMonth(consumed=consumed, price=price, purity=purity, phi=phi, competing=competing)
