"""Experiment designs over the varied parameters: LHS, Sobol (Saltelli), Morris, full factorial, CSV.

Each returns a DataFrame with one row per design point and one column per varied parameter, inside the
parameters' bounds. Sobol and Morris designs come from SALib (so that ``narcoflow analyze sobol|morris``
can use SALib's estimators on them); LHS from scipy's quasi-Monte Carlo module.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from narcoflow.errors import NarcoFlowError

METHODS = ("lhs", "sobol", "morris", "factorial", "csv")
MAX_POINTS = 1_000_000


def salib_problem(names: list[str], bounds: list[tuple[float, float]]) -> dict[str, Any]:
    """SALib's problem dict for the varied parameters."""
    return {"num_vars": len(names), "names": list(names), "bounds": [list(map(float, b)) for b in bounds]}


def design_size(method: str, d: int, n: int | None, levels: int, second_order: bool) -> int:
    """Number of design points a design makes (before it is built)."""
    if method == "lhs":
        return int(n or 0)
    if method == "sobol":
        return int(n or 0) * (2 * d + 2 if second_order else d + 2)
    if method == "morris":
        return int(n or 0) * (d + 1)
    if method == "factorial":
        return levels**d
    raise ValueError(method)


def lhs(names: list[str], bounds: list[tuple[float, float]], n: int, seed: int) -> pd.DataFrame:
    """A Latin hypercube of ``n`` points (scipy.stats.qmc, scrambled, seeded)."""
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed)).random(n)
    lo, hi = np.array(bounds, dtype=np.float64).T
    return pd.DataFrame(lo + unit * (hi - lo), columns=names)


def sobol(
    names: list[str], bounds: list[tuple[float, float]], n: int, seed: int, second_order: bool
) -> pd.DataFrame:
    """Saltelli's extension of a scrambled Sobol' sequence (SALib): n·(2d+2) or n·(d+2) points."""
    from SALib.sample import sobol as sampler

    if n & (n - 1):
        raise NarcoFlowError(f"a Sobol design needs n a power of 2 (got {n})", field="design.n")
    x = sampler.sample(salib_problem(names, bounds), n, calc_second_order=second_order, seed=seed)
    return pd.DataFrame(x, columns=names)


def morris(
    names: list[str], bounds: list[tuple[float, float]], n: int, seed: int, levels: int
) -> pd.DataFrame:
    """``n`` Morris trajectories on a ``levels``-level grid (SALib): n·(d+1) points."""
    from SALib.sample import morris as sampler

    x = sampler.sample(salib_problem(names, bounds), n, num_levels=levels, seed=seed)
    return pd.DataFrame(x, columns=names)


def factorial(names: list[str], bounds: list[tuple[float, float]], levels: int) -> pd.DataFrame:
    """Every combination of ``levels`` evenly spaced values per parameter (bounds included)."""
    axes = [np.linspace(lo, hi, levels) for lo, hi in bounds]
    return pd.DataFrame(list(itertools.product(*axes)), columns=names, dtype=np.float64)


def from_csv(path: Path, names: list[str], bounds: list[tuple[float, float]]) -> pd.DataFrame:
    """Design points from a CSV file with one column per varied parameter (in any order)."""
    try:
        df = pd.read_csv(path)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise NarcoFlowError(f"cannot read the design: {exc}", file=str(path)) from None
    missing = [n for n in names if n not in df.columns]
    extra = [c for c in df.columns if c not in names]
    if missing or extra:
        what = f"no column for {', '.join(missing)}" if missing else f"column {extra[0]} is not varied"
        raise NarcoFlowError(
            f"the design's columns must be the varied parameters: {what}", file=str(path), line=1
        )
    if df.empty:
        raise NarcoFlowError("the design has no rows", file=str(path), line=1)
    for name, (lo, hi) in zip(names, bounds, strict=True):
        col = pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(col) | (col < lo) | (col > hi))
        if bad.size:
            raise NarcoFlowError(
                f"value {df[name].iloc[bad[0]]!r} is not a number inside [{lo:g}, {hi:g}]",
                file=str(path),
                line=int(bad[0]) + 2,
                field=name,
            )
        df[name] = col
    return df[names].reset_index(drop=True)


def make_design(
    method: str,
    names: list[str],
    bounds: list[tuple[float, float]],
    *,
    n: int | None = None,
    seed: int = 0,
    levels: int = 4,
    second_order: bool = False,
    file: Path | None = None,
) -> pd.DataFrame:
    """Build a design: one row per design point, one column per varied parameter."""
    if method == "csv":
        assert file is not None
        return from_csv(file, names, bounds)
    size = design_size(method, len(names), n, levels, second_order)
    if size > MAX_POINTS:
        raise NarcoFlowError(
            f"the design would have {size:,} points (more than {MAX_POINTS:,})", field="design"
        )
    if method == "lhs":
        return lhs(names, bounds, int(n or 0), seed)
    if method == "sobol":
        return sobol(names, bounds, int(n or 0), seed, second_order)
    if method == "morris":
        return morris(names, bounds, int(n or 0), seed, levels)
    return factorial(names, bounds, levels)
