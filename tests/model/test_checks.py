"""A run with an impossible state fails loudly, naming member, month and quantity."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import narcoflow
from narcoflow.model.checks import check_run

MONTHS = pd.date_range("2013-01-01", periods=4, freq="MS")
LABELS = {"stock": ["no_use", "use", "oud", "treatment", "remission"], "commodity": ["precursor", "product"]}


def _arrays() -> dict[str, np.ndarray]:
    return {
        "price": np.ones((3, 4)),
        "population": np.ones((3, 4, 5)),
        "mass_balance_error": np.full((3, 4), 1e-15),
    }


def test_a_clean_run_passes() -> None:
    check_run(_arrays(), np.array([0, 1, 2]), MONTHS, LABELS)


@pytest.mark.parametrize(
    ("name", "index", "value", "message"),
    [
        ("population", (1, 2, 2), np.nan, "member 11, 2013-03: population[oud] is not finite"),
        ("price", (2, 1), -3.0, "member 12, 2013-02: price is negative (-3)"),
        ("price", (0, 3), np.inf, "member 10, 2013-04: price is not finite"),
        ("mass_balance_error", (1, 0), 1e-6, "member 11, 2013-01: mass_balance_error exceeds 1e-09"),
    ],
)
def test_the_first_problem_is_named(name: str, index: tuple, value: float, message: str) -> None:
    arrays = _arrays()
    arrays[name][index] = value
    with pytest.raises(narcoflow.SimulationError, match=re.escape(message)):
        check_run(arrays, np.array([10, 11, 12]), MONTHS, LABELS)


def test_the_earliest_month_is_reported_first() -> None:
    arrays = _arrays()
    arrays["price"][0, 3] = -1.0
    arrays["population"][2, 1, 0] = np.nan
    with pytest.raises(narcoflow.SimulationError, match=r"member 2, 2013-02: population\[no_use\].*1 more"):
        check_run(arrays, np.array([0, 1, 2]), MONTHS, LABELS)


def test_simulate_checks_its_outputs(baseline: narcoflow.Scenario) -> None:
    """A negative competing supply (forced past the schema's checks) makes φ negative: caught."""
    sc = baseline.model_copy(deep=True)
    sc.calendar.months = 24
    sc.market.competing_supply_start.range = (-1e6, 1e6)
    sc.market.competing_supply_start.value = -1e6
    with pytest.raises(narcoflow.SimulationError, match="member 0, 2013-01: phi is"):
        narcoflow.simulate(sc, members=2, seed=0)
