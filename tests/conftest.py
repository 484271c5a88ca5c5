"""Shared fixtures: the baseline scenario and one small baseline run reused by several tests."""

from __future__ import annotations

from pathlib import Path

import pytest

import narcoflow

BASELINE_YAML = Path(narcoflow.__file__).parent / "scenario" / "builtin" / "baseline.yaml"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def baseline() -> narcoflow.Scenario:
    """The built-in baseline scenario."""
    return narcoflow.load_scenario("baseline")


@pytest.fixture(scope="session")
def baseline_run(baseline: narcoflow.Scenario) -> narcoflow.Results:
    """30 members of the uncalibrated baseline, seed 0."""
    return narcoflow.simulate(baseline, members=30, seed=0)


@pytest.fixture
def baseline_text() -> str:
    """The baseline scenario's YAML text (to derive broken variants from)."""
    return BASELINE_YAML.read_text(encoding="utf-8")
