"""NarcoFlow: an adaptive, stochastic, agent-based model of the illicit fentanyl supply system.

Quick start::

    import narcoflow
    sc = narcoflow.load_scenario("baseline")
    res = narcoflow.simulate(sc, members=100, seed=0)
    res.summary()["deaths_t404_by_year"]["2022"]
"""

from __future__ import annotations

from narcoflow._version import __version__
from narcoflow.engine import simulate
from narcoflow.errors import NarcoFlowError, ScenarioError, SimulationError
from narcoflow.results import Results
from narcoflow.scenario import Scenario, load_scenario

__all__ = [
    "NarcoFlowError",
    "Results",
    "Scenario",
    "ScenarioError",
    "SimulationError",
    "__version__",
    "load_scenario",
    "simulate",
]
