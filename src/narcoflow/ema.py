"""EMA Workbench adapter: a NarcoFlow scenario as an EMA Workbench model.

::

    from ema_workbench import perform_experiments
    import narcoflow.ema

    model = narcoflow.ema.model("baseline", outcomes=["deaths_t404_2025_2030"], members=4)
    experiments, outcomes = perform_experiments(model, scenarios=100, policies=4)

The model's uncertainties and levers are the scenario's declared parameters of those kinds (their
ranges, as ``RealParameter``); its outcomes are NarcoFlow outcomes (``ScalarOutcome``, minimized or
maximized as the outcome says), each the mean over ``members`` Monte Carlo members. Parameter names are
the dotted paths with ``.`` written ``__`` (EMA Workbench wants Python identifiers). Every experiment
uses members ``0..members-1`` of ``seed`` (common random numbers across experiments), and members draw
the calibrated parameters that are not varied from the scenario's posterior.

Needs the ``ema`` extra: ``pip install "narcoflow[ema]"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from narcoflow.errors import NarcoFlowError
from narcoflow.explore.members import choose_posterior, kept_parameters
from narcoflow.explore.models import Batch, SimulationModel
from narcoflow.explore.outcomes import resolve_outcome
from narcoflow.scenario import Scenario, iter_params, load_scenario

DEFAULT_OUTCOMES = ("deaths_t404_2025_2030", "delivered_kg_2026_2030")


def ema_name(path: str) -> str:
    """A dotted parameter path as an EMA Workbench name (a Python identifier)."""
    return path.replace(".", "__")


class _Function:
    """The model function EMA Workbench calls with one experiment's parameters (keyword arguments)."""

    def __init__(self, sim: SimulationModel) -> None:
        self.sim = sim
        self.by_name = {ema_name(n): j for j, n in enumerate(sim.names)}

    def __call__(self, **experiment: Any) -> dict[str, float]:
        row = np.empty((1, len(self.sim.names)))
        for key, j in self.by_name.items():
            row[0, j] = float(experiment[key])
        zero = np.zeros(1, dtype=np.int64)
        result = self.sim.run(Batch(policy=0, points=zero, experiments=zero, values=row))
        means = result.values.mean(axis=0)
        return {name: float(v) for name, v in zip(self.sim.outcome_names, means, strict=True)}


def _declared(scenario: Scenario, kind: str, chosen: Sequence[str] | None) -> list[str]:
    params = iter_params(scenario)
    if chosen is None:
        return [n for n, p in params.items() if p.kind == kind and p.range[0] < p.range[1]]
    unknown = [n for n in chosen if n not in params]
    if unknown:
        raise NarcoFlowError(f"unknown parameter '{unknown[0]}' (see `narcoflow params`)")
    return list(chosen)


def model(
    scenario: str | Path | Scenario = "baseline",
    *,
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    members: int = 4,
    seed: int = 0,
    uncertainties: Sequence[str] | None = None,
    levers: Sequence[str] | None = None,
    posterior: bool | str | Path = True,
    name: str = "narcoflow",
) -> Any:
    """An ``ema_workbench.Model`` for the scenario (see the module docstring).

    ``uncertainties`` and ``levers`` restrict the model to these parameter paths (default: every
    declared parameter of that kind with a range).
    """
    try:
        from ema_workbench import Model, RealParameter, ScalarOutcome
    except ImportError:
        raise NarcoFlowError('narcoflow.ema needs EMA Workbench: pip install "narcoflow[ema]"') from None
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    unc, lev = _declared(sc, "uncertainty", uncertainties), _declared(sc, "lever", levers)
    post, _ = choose_posterior(sc, posterior)
    sim = SimulationModel(
        scenarios=[sc],
        names=unc + lev,
        members=members,
        seed=seed,
        outcomes=[resolve_outcome(o, sc) for o in outcomes],
        posterior=post,
        exclude=frozenset(kept_parameters(sc, post) if post is not None else []),
    )
    params = iter_params(sc)
    m = Model(name, function=_Function(sim))
    m.uncertainties = [RealParameter(ema_name(n), *map(float, params[n].range)) for n in unc]
    m.levers = [RealParameter(ema_name(n), *map(float, params[n].range)) for n in lev]
    kinds = {"min": ScalarOutcome.MINIMIZE, "max": ScalarOutcome.MAXIMIZE, None: ScalarOutcome.INFO}
    m.outcomes = [ScalarOutcome(o.name, kind=kinds[o.sense]) for o in sim.outcomes]
    return m
