"""Exploratory policy analysis: experiment specs, designs, outcomes, scenario discovery (PRIM) and
sensitivity analyses on the results store.

Quick start::

    from narcoflow.explore import load_experiment
    from narcoflow.execute import run_experiment

    exp = load_experiment("spec.yaml")
    run_experiment(exp, "out/experiments.duckdb", executor="dask", workers=2)
"""

from narcoflow.explore.experiment import Experiment, function_experiment, load_experiment, resolve
from narcoflow.explore.outcomes import Outcome, outcome_catalog, register_outcome, resolve_outcome
from narcoflow.explore.spec import DesignSpec, ExperimentSpec

__all__ = [
    "DesignSpec",
    "Experiment",
    "ExperimentSpec",
    "Outcome",
    "function_experiment",
    "load_experiment",
    "outcome_catalog",
    "register_outcome",
    "resolve",
    "resolve_outcome",
]
