"""PRIM, the patient rule induction method, for scenario discovery (Friedman & Fisher 1999).

Which combinations of uncertain parameters lead to the cases of interest (e.g. deaths above a
threshold)? PRIM peels a box from all the experiments, one thin slice (``peel_alpha`` of the points) at
a time along whichever edge raises the share of cases of interest inside most per point lost, while
the box keeps at least ``mass_min`` of the points; then it pastes back slices that raise it further.
Every step is a point of the peeling trajectory: *coverage* (share of all cases of interest that lie
in the box) against *density* (share of the box's points that are cases of interest) — the trade-off
the analyst picks a box from.

This is EMA Workbench's algorithm for real-valued inputs (its quantile rule, its default "lenient1"
objective — gain in mean per point removed — and its tie-breaking), re-implemented here so that
``narcoflow analyze prim`` needs no plotting stack; the tests check it step by step against
``ema_workbench.analysis.prim.Prim``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


def quantile(data: np.ndarray, q: float) -> float:
    """EMA Workbench's (sdtoolkit's) quantile: the midpoint between neighbours, skipping ties outward."""
    data = np.sort(data)
    i = (len(data) - 1) * q
    lo, hi = math.floor(i), math.ceil(i)
    if q > 0.5:
        while data[lo] == data[hi] and lo > 0:
            lo -= 1
    else:
        while data[lo] == data[hi] and hi < len(data) - 1:
            hi += 1
    return float((data[lo] + data[hi]) / 2)


def _objective(y_old: np.ndarray, y_new: np.ndarray) -> float:
    """Gain in mean per point removed or added ("lenient1")."""
    m_old = float(np.mean(y_old))
    m_new = float(np.mean(y_new)) if y_new.size else 0.0
    if m_old == m_new:
        return 0.0
    return (m_new - m_old) / abs(y_old.size - y_new.size)


@dataclass
class PrimResult:
    """The peeling (and pasting) trajectory, the box limits of each step, and the chosen box."""

    names: list[str]
    trajectory: pd.DataFrame  # coverage, density, mass, res_dim, n, k per step
    limits: list[np.ndarray]  # [2, d] per step
    initial: np.ndarray  # [2, d]
    inside: np.ndarray  # bool per point: inside the last box

    def box(self, step: int = -1) -> pd.DataFrame:
        """Limits of the restricted parameters at a step (default: the last), one row per parameter."""
        lim = self.limits[step]
        restricted = np.flatnonzero((lim != self.initial).any(axis=0))
        return pd.DataFrame(
            {
                "parameter": [self.names[j] for j in restricted],
                "low": lim[0, restricted],
                "high": lim[1, restricted],
                "range_low": self.initial[0, restricted],
                "range_high": self.initial[1, restricted],
            }
        )


class _Search:
    def __init__(self, x: np.ndarray, y: np.ndarray, peel_alpha: float, paste_alpha: float, mass_min: float):
        self.x, self.y = x, y.astype(np.float64)
        self.n, self.d = x.shape
        self.peel_alpha, self.paste_alpha, self.mass_min = peel_alpha, paste_alpha, mass_min
        self.initial = np.vstack([x.min(axis=0), x.max(axis=0)])
        self.t_coi = float(self.y.sum())
        self.rows: list[dict[str, float]] = []
        self.limits: list[np.ndarray] = []

    def restricted(self, lim: np.ndarray) -> np.ndarray:
        return np.flatnonzero((lim != self.initial).any(axis=0))

    def record(self, idx: np.ndarray, lim: np.ndarray) -> None:
        k = float(self.y[idx].sum())
        self.rows.append(
            {
                "coverage": k / self.t_coi if self.t_coi else 0.0,
                "density": k / idx.size,
                "mass": idx.size / self.n,
                "res_dim": float(self.restricted(lim).size),
                "n": float(idx.size),
                "k": k,
            }
        )
        self.limits.append(lim.copy())

    def best(self, idx: np.ndarray, candidates: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, int]:
        """Index of the best candidate: highest objective, then most unrestricted dimensions, then first."""
        best, best_key = -1, (-math.inf, -math.inf)
        for c, (new_idx, lim) in enumerate(candidates):
            key = (_objective(self.y[idx], self.y[new_idx]), float(self.d - self.restricted(lim).size))
            if key > best_key:
                best, best_key = c, key
        return best_key[0], best

    def peel(self, idx: np.ndarray, lim: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        while True:
            candidates = []
            for j in range(self.d):
                xj = self.x[idx, j]
                for row, q in ((1, 1 - self.peel_alpha), (0, self.peel_alpha)):
                    v = quantile(xj, q)
                    new = lim.copy()
                    new[row, j] = v
                    candidates.append((idx[xj <= v] if row else idx[xj >= v], new))
            obj, c = self.best(idx, candidates)
            new_idx, new_lim = candidates[c]
            if not (new_idx.size / self.n >= self.mass_min and new_idx.size < idx.size and obj > 0):
                return idx, lim
            idx, lim = new_idx, new_lim
            self.record(idx, lim)

    def paste(self, idx: np.ndarray, lim: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        while True:
            res = self.restricted(lim)
            if res.size == 0:
                return idx, lim
            xr = self.x[:, res]
            candidates = []
            for j in res:
                for row in (0, 1):
                    slab = lim.copy()
                    slab[:, j] = (
                        (self.initial[0, j], lim[0, j]) if row == 0 else (lim[1, j], self.initial[1, j])
                    )
                    inside = ((slab[0, res] <= xr) & (xr <= slab[1, res])).all(axis=1)
                    data = self.x[inside, j]
                    if data.size:
                        v = quantile(data, 1 - self.paste_alpha if row == 0 else self.paste_alpha)
                    else:
                        v = self.initial[row, j]
                    new = lim.copy()
                    new[row, j] = v
                    keep = ((new[0, res] <= xr) & (xr <= new[1, res])).all(axis=1)
                    candidates.append((np.flatnonzero(keep), new))
            obj, c = self.best(idx, candidates)
            new_idx, new_lim = candidates[c]
            grows = new_idx.size > idx.size and self.y[new_idx].mean() > self.y[idx].mean()
            if not (new_idx.size / self.n >= self.mass_min and grows and obj > 0):
                return idx, lim
            idx, lim = new_idx, new_lim
            self.record(idx, lim)


def prim(
    x: pd.DataFrame,
    interesting: np.ndarray,
    *,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> PrimResult:
    """Find one box: ``x`` the parameters (numeric columns), ``interesting`` a bool per row."""
    xv = x.to_numpy(np.float64)
    y = np.asarray(interesting, dtype=bool)
    if xv.shape[0] != y.size or y.size == 0:
        raise ValueError("x and interesting must have the same, positive, number of rows")
    s = _Search(xv, y, peel_alpha, paste_alpha, mass_min)
    idx, lim = np.arange(s.n), s.initial.copy()
    s.record(idx, lim)
    idx, lim = s.peel(idx, lim)
    idx, lim = s.paste(idx, lim)
    inside = np.zeros(s.n, dtype=bool)
    inside[idx] = True
    return PrimResult(list(x.columns), pd.DataFrame(s.rows), s.limits, s.initial, inside)
