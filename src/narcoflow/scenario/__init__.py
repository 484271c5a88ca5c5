"""Scenarios: the schema, loading YAML with line numbers, overrides, built-in scenarios."""

from narcoflow.scenario.loader import builtin_scenarios, load_scenario, scenario_hash
from narcoflow.scenario.parameters import iter_params, parameter_table
from narcoflow.scenario.schema import Param, Scenario

__all__ = [
    "Param",
    "Scenario",
    "builtin_scenarios",
    "iter_params",
    "load_scenario",
    "parameter_table",
    "scenario_hash",
]
