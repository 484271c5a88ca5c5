"""Checks of a finished run: every output finite and non-negative, the mass balance within 1e-9.

A run that breaks one fails loudly (:class:`~narcoflow.errors.SimulationError`), naming the first
member, month and quantity where it happened, instead of returning numbers that cannot be trusted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from narcoflow.errors import SimulationError

#: the largest relative mass-balance error a run may have (MODEL.md §4)
MAX_BALANCE_ERROR = 1e-9


def _first(bad: np.ndarray) -> tuple[int, int, tuple[int, ...]]:
    """(member row, month, rest of the index) of the first True in ``bad`` [M, T, ...], by month."""
    where = np.argwhere(bad)
    i = int(np.argmin(where[:, 1] * bad.shape[0] + where[:, 0]))
    return int(where[i, 0]), int(where[i, 1]), tuple(int(x) for x in where[i, 2:])


def check_run(
    arrays: dict[str, np.ndarray],
    members: np.ndarray,
    months: pd.DatetimeIndex,
    labels: dict[str, list[str]] | None = None,
) -> None:
    """Raise :class:`SimulationError` at the first NaN/inf, negative value or mass-balance error above
    :data:`MAX_BALANCE_ERROR` in a run's outputs (``arrays`` as the recorder fills them; ``labels``
    names the positions along each output's dimensions, ``outputs.dimension_labels``)."""
    from narcoflow.model.outputs import BY_NAME

    problems = []
    for name, a in arrays.items():
        if a.size == 0 or (np.isfinite(a.sum(dtype=np.float64)) and a.min() >= 0):
            continue  # the common case, in two reductions without temporaries
        for what, bad in (("is not finite", ~np.isfinite(a)), ("is negative", a < 0)):
            if bad.any():
                m, t, rest = _first(bad)
                problems.append((t, m, name, rest, what, a[(m, t, *rest)]))
    err = arrays.get("mass_balance_error")
    if err is not None and (over := err > MAX_BALANCE_ERROR).any():
        m, t, _ = _first(over)
        problems.append((t, m, "mass_balance_error", (), f"exceeds {MAX_BALANCE_ERROR:g}", err[m, t]))
    if problems:
        t, m, name, rest, what, value = min(problems, key=lambda p: (p[0], p[1]))
        dims = BY_NAME[name].dims if name in BY_NAME else ()
        names = [labels[d][i] if labels and d in labels else str(i) for d, i in zip(dims, rest, strict=False)]
        at = f"[{', '.join(names)}]" if rest else ""
        raise SimulationError(
            f"member {int(members[m])}, {months[t]:%Y-%m}: {name}{at} {what} ({value:.6g})"
            + (f"; {len(problems) - 1} more output(s) affected" if len(problems) > 1 else "")
        )
