"""The parameter registry: every :class:`Param` of a scenario under its dotted path.

Members may carry their own parameter values (calibration, experiments): a per-member table has
one column per dotted path; paths not given take the scenario's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from narcoflow.errors import NarcoFlowError
from narcoflow.scenario.schema import Scenario, iter_params

__all__ = ["iter_params", "member_values", "parameter_table"]


def parameter_table(scenario: Scenario) -> pd.DataFrame:
    """One row per parameter: name, value, unit, low, high, kind, source, description."""
    rows = [
        {
            "name": k,
            "value": p.value,
            "unit": p.unit,
            "low": p.range[0],
            "high": p.range[1],
            "kind": p.kind,
            "source": p.source,
            "description": p.description,
        }
        for k, p in iter_params(scenario).items()
    ]
    return pd.DataFrame(rows)


def member_values(
    scenario: Scenario,
    members: np.ndarray,
    parameters: pd.DataFrame | Mapping[str, Any] | None = None,
) -> dict[str, np.ndarray]:
    """Per-member parameter values {dotted path: float64 array over ``members``}.

    ``parameters`` is a DataFrame indexed by member index (columns = dotted paths), or a mapping
    {path: scalar or array aligned with ``members``}. Values outside a parameter's range are errors.
    """
    params = iter_params(scenario)
    out = {k: np.full(len(members), p.value, dtype=np.float64) for k, p in params.items()}
    if parameters is None:
        return out
    if isinstance(parameters, pd.DataFrame):
        missing = [m for m in members if m not in parameters.index]
        if missing:
            raise NarcoFlowError(f"parameter table has no row for members {missing[:5]}")
        cols = {c: parameters.loc[members, c].to_numpy(dtype=np.float64) for c in parameters.columns}
    else:
        cols = {
            k: np.broadcast_to(np.asarray(v, dtype=np.float64), (len(members),)).copy()
            for k, v in parameters.items()
        }
    for k, v in cols.items():
        if k not in params:
            raise NarcoFlowError("unknown parameter in member table", field=k)
        lo, hi = params[k].range
        if np.any(~np.isfinite(v)) or np.any(v < lo) or np.any(v > hi):
            raise NarcoFlowError(f"member values outside the range [{lo}, {hi}]", field=k)
        out[k] = v
    return out
