"""How big a run is: memory estimated from the scenario's sizes before anything runs.

``narcoflow run --members 10000000`` used to start a silent per-member loop and then exhaust memory with a
traceback. :func:`check_members` estimates the peak memory of a run from the compiled network's sizes
(the stored outputs grow with members × months × nodes) and refuses, as a user error, a run that would
not fit in the memory this machine has available.
"""

from __future__ import annotations

from pathlib import Path

from narcoflow.errors import NarcoFlowError
from narcoflow.scenario.schema import Scenario

__all__ = ["available_bytes", "check_members", "run_bytes"]

#: Peak memory of a run relative to its stored outputs (the batches' arrays, their concatenation and the
#: labelled dataset; measured: 400 baseline members, one batch, 249 MiB peak for 98 MiB of outputs).
PEAK_FACTOR = 3.0
#: Working bytes per member and supplier firm in a batch (a dozen float64 arrays per firm).
FIRM_BYTES = 96
#: Share of the available memory a run may plan to use.
USABLE = 0.8


def run_bytes(scenario: Scenario, members: int, batch_size: int | None = None) -> int:
    """Estimated peak bytes of ``simulate(scenario, members, batch_size=...)``.

    The stored outputs are counted exactly from their declarations (:mod:`narcoflow.model.outputs`)
    and scaled by :data:`PEAK_FACTOR`; a batch's firm arrays are added.
    """
    import numpy as np

    from narcoflow.model.layout import build_layout
    from narcoflow.model.outputs import OUTPUTS, dimension_sizes
    from narcoflow.scenario.parameters import iter_params

    lay = build_layout(scenario)
    size = dimension_sizes(lay, 1)
    per_member = sum(
        size["month"] * int(np.prod([size[d] for d in o.dims])) * np.dtype(o.dtype).itemsize for o in OUTPUTS
    )
    per_member += 8 * len(iter_params(scenario))
    batch = members if batch_size is None else min(members, batch_size)
    return int(PEAK_FACTOR * members * per_member + batch * scenario.suppliers.count * FIRM_BYTES)


def available_bytes() -> int:
    """Memory available to a new run: ``MemAvailable`` on Linux, else the physical memory."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    import os

    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def check_members(
    scenario: Scenario, members: int, batch_size: int | None = None, option: str = "--members"
) -> int:
    """Raise :class:`NarcoFlowError` if the run would not fit in memory; return the estimate (bytes)."""
    need = run_bytes(scenario, members, batch_size)
    have = available_bytes()
    if need > USABLE * have:
        per = max(1, run_bytes(scenario, 1000, batch_size) // 1000)
        fit = int(USABLE * have // per)
        raise NarcoFlowError(
            f"{members:,} members of '{scenario.name}' ({scenario.calendar.months} months) need about "
            f"{need / 2**30:,.1f} GiB; {have / 2**30:,.1f} GiB is available: use at most about "
            f"{max(fit, 0):,} members, or split the run (members=range(a, b) in Python)",
            field=option,
        )
    return need
