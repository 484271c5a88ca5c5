"""The monthly loop: ``simulate(scenario, members, seed) -> Results`` (ODD §7, in that order).

A run binds the scenario's parameters to per-member arrays once (:mod:`narcoflow.model.params`),
builds its :class:`~narcoflow.model.layout.Layout` once, chooses one backend (compiled kernels or the
numpy reference, :mod:`narcoflow.model.backend`), and then advances one
:class:`~narcoflow.model.state.State` month by month through the processes of :func:`run_month`. All
state is held in arrays with a leading member axis; the loop over months is the only model loop.
Member k's numbers come from its own random stream (:mod:`narcoflow.model.rng`), so its result depends
only on (scenario, parameters, seed, k) — not on which other members run beside it.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from narcoflow.errors import NarcoFlowError
from narcoflow.model import (
    enforcement,
    harm,
    labs,
    market,
    organizations,
    policy,
    procurement,
    rng,
    shipping,
    suppliers,
)
from narcoflow.model.backend import Backend, choose
from narcoflow.model.checks import check_run
from narcoflow.model.enforcement import CoveragePlan, plan_arrays
from narcoflow.model.layout import Layout, build_layout
from narcoflow.model.outputs import Month, Recorder, dimension_labels
from narcoflow.model.params import Params, bind, derive
from narcoflow.model.state import State, initial_state
from narcoflow.scenario.parameters import member_values
from narcoflow.scenario.schema import Scenario

Progress = Callable[[int, int], None]
Plans = list[tuple[np.ndarray, np.ndarray, bool]]


def run_month(lay: Layout, p: Params, st: State, bk: Backend, t: int, plans: Plans) -> Month:
    """One month, process by process, in the order of the ODD's process overview (§7.1–7.12)."""
    clock = lay.clock(t)
    policy.apply_events(lay, p, st, bk, t)  # 1. policy timeline
    supply = suppliers.step(lay, p, st, bk, clock)  # 2. suppliers and the regulator
    enf = enforcement.step(lay, p, st, bk, clock, plans)  # coverage and seizure probabilities
    st.risk.start(enf.seizure_prob, len(lay.net.org_ids))  # traffickers' prior (first month)
    proc = procurement.step(lay, p, st, bk, supply, enf)  # 3-4. procurement, inbound route choice
    inb = shipping.inbound(lay, p, st, bk, clock, proc, enf)  # 5. inbound transit and seizures
    lab = labs.step(lay, p, st, bk, clock, proc, enf)  # 6. labs: conversion, raids, capacity
    out = shipping.outbound(lay, p, st, bk, clock, enf)  # 7. outbound: labs → border → markets
    seized = shipping.record_seizures(lay, st, inb, out)
    mkt = market.step(p, st, clock)  # 8. markets
    hm = harm.step(lay, p, st, mkt.outcome, clock)  # 9. harm
    st.risk.learn(bk, p.trafficking.risk_memory, p.trafficking.risk_prior_weight)  # 10. adaptation
    enforcement.learn(lay, p, st, bk, seized, lab.raid_success)
    organizations.grow(lay, p, st, proc, inb, out)
    violence = organizations.violence(lay, p, st, bk, inb, out)  # 11. organizations and violence
    error = st.ledger.balance_error(  # 12. mass balance
        st.transit.totals(), st.orgs.stock_input, st.orgs.stock_final, st.market_stock
    )
    return Month(st, supply, enf, proc, inb, lab, out, seized, mkt, hm, violence, error)


def run_batch(
    lay: Layout,
    members: np.ndarray,
    seed: int,
    values: Mapping[str, np.ndarray],
    plans: Plans,
    progress: Progress | None = None,
    backend: str | None = None,
) -> dict[str, np.ndarray]:
    """Run members ``members`` (their parameter ``values``) through every month; their outputs."""
    p = bind(lay.scenario, values)
    p.derived = derive(lay, p)
    bk = choose(rng.member_generators(seed, members), backend)
    st = initial_state(lay, p, bk)
    rec = Recorder(lay, len(members))
    T = lay.scenario.calendar.months
    for t in range(T):
        rec.record(t, run_month(lay, p, st, bk, t, plans))
        if progress is not None:
            progress(t + 1, T)
    return rec.arrays


def simulate(
    scenario: Scenario,
    members: int | range | np.ndarray = 100,
    seed: int = 0,
    *,
    parameters: pd.DataFrame | Mapping[str, Any] | None = None,
    plans: Mapping[str, CoveragePlan] | None = None,
    batch_size: int | None = None,
    progress: Progress | None = None,
    backend: str | None = None,
):
    """Run the scenario for many Monte Carlo members at once.

    ``members``: an int n means members 0..n-1; a range (or array) names the member indices.
    ``parameters``: per-member parameter values (DataFrame indexed by member, columns = dotted parameter
    paths), defaulting to the scenario's values. ``plans`` fixes agencies' inspection coverage
    ({agency id: CoveragePlan}); their learned allocation is then ignored. ``batch_size`` bounds memory
    by running members in batches (results do not depend on it). ``progress(done, total)`` is called
    after each month. ``backend`` ("numba" or "numpy") forces one backend; by default the compiled
    kernels run where they can, else the numpy reference (the results are the same, bit for bit).
    A run whose outputs hold a NaN, a negative quantity or a mass-balance error above 1e-9 raises
    :class:`~narcoflow.errors.SimulationError` naming the member, month and quantity.
    """
    from narcoflow.results import Results

    idx = np.arange(members) if isinstance(members, int) else np.asarray(list(members), dtype=np.int64)
    if idx.size == 0 or (idx < 0).any():
        raise NarcoFlowError("members must be a positive count or non-negative member indices")
    if len(np.unique(idx)) != idx.size:
        raise NarcoFlowError("member indices must be unique")
    lay = build_layout(scenario)
    values = member_values(scenario, idx, parameters)
    caps = {a: ag.capacity for a, ag in bind(scenario, values).agencies.items()}
    planned = plan_arrays(lay.agencies, lay.net, dict(plans or {}), caps)
    bs = idx.size if batch_size is None else max(1, int(batch_size))
    n_batches = -(-idx.size // bs)
    parts = []
    with _no_cyclic_gc():
        for b in range(n_batches):
            sl = slice(b * bs, (b + 1) * bs)
            cb = _batch_progress(progress, b, n_batches, scenario.calendar.months)
            parts.append(
                _run_slice(lay, idx[sl], seed, {k: a[sl] for k, a in values.items()}, planned, cb, backend)
            )
    arrays = parts[0] if len(parts) == 1 else {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    check_run(arrays, idx, lay.months, dimension_labels(lay))
    return Results.from_arrays(lay, idx, seed, arrays, values)


def _batch_progress(progress: Progress | None, b: int, n_batches: int, T: int) -> Progress | None:
    """Batch ``b``'s progress as progress over the whole run."""
    if progress is None:
        return None
    return lambda done, total: progress(b * T + done, n_batches * T)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (the month loop makes no reference cycles; its
    collections would only rescan every object of the process, ≈ 5% of a large run's time)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _run_slice(
    lay: Layout,
    members: np.ndarray,
    seed: int,
    values: dict[str, np.ndarray],
    planned: Plans,
    progress: Progress | None,
    backend: str | None,
) -> dict[str, np.ndarray]:
    """Run one batch of members."""
    if members.size == 1:
        # numpy may order a reduction over a one-row array differently from a many-row one (a
        # one-row array is both C- and F-contiguous), changing the last bit; a lone member is
        # therefore run as two copies of itself (same stream, same numbers) and one is dropped.
        twice = {k: np.repeat(a, 2) for k, a in values.items()}
        res = run_batch(lay, np.repeat(members, 2), seed, twice, planned, progress, backend)
        return {k: a[:1] for k, a in res.items()}
    return run_batch(lay, members, seed, values, planned, progress, backend)
