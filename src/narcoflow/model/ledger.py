"""The mass ledger (MODEL.md §4, conservation): nine kg counters per member, and the balance error.

Recipe input: sold = in transit + seized + in lab stocks + converted + destroyed.
Final product: sold + produced = in transit + seized + in lab stocks + in market stocks + consumed +
destroyed. The month's error is the larger relative imbalance of the two.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


@dataclass
class Ledger:
    """Cumulative kg per member since the start, [M] each."""

    sold_in: np.ndarray
    sold_fin: np.ndarray
    seized_in: np.ndarray
    seized_fin: np.ndarray
    converted: np.ndarray
    produced: np.ndarray
    destroyed_in: np.ndarray
    destroyed_fin: np.ndarray
    consumed: np.ndarray

    @classmethod
    def zeros(cls, M: int) -> Ledger:
        """An empty ledger for ``M`` members."""
        return cls(**{f.name: np.zeros(M) for f in fields(cls)})

    def balance_error(
        self,
        transit: tuple[np.ndarray, np.ndarray],
        lab_input: np.ndarray,
        lab_final: np.ndarray,
        market_stock: np.ndarray,
    ) -> np.ndarray:
        """The larger relative imbalance of the two commodities' ledgers, [M], given the kg now in transit
        (input, final), in the labs' stocks (input [M, L], final [M, L]) and in the markets [M, Q]."""
        transit_in, transit_fin = transit
        lhs_in = self.sold_in
        rhs_in = transit_in + self.seized_in + lab_input.sum(axis=1) + self.converted + self.destroyed_in
        lhs_fin = self.sold_fin + self.produced
        rhs_fin = (
            transit_fin
            + self.seized_fin
            + lab_final.sum(axis=1)
            + market_stock.sum(axis=1)
            + self.consumed
            + self.destroyed_fin
        )
        return np.maximum(
            np.abs(lhs_in - rhs_in) / np.maximum(lhs_in, 1e-12),
            np.abs(lhs_fin - rhs_fin) / np.maximum(lhs_fin, 1e-12),
        )
