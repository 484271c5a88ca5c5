"""The shipped baseline posterior still fits the public record (issue 3's in-sample acceptance).

A posterior is tied to the engine that made it: a change to a model process, a scenario value or the
random streams can leave `baseline.posterior.json` fitting worse without any other test noticing. These
tests re-measure the fit as docs/calibration.md does (200 posterior-predictive members, seed 0, record
through 2023) and hold it to the acceptance thresholds. The one known miss, FY2019's ports-of-entry
share, is a strict xfail: if it starts to pass, the test fails so that the docs get updated.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

import narcoflow
from narcoflow.calibrate import fit_report, predictive, scenario_posterior
from narcoflow.calibrate.targets import record_targets

MEMBERS = 200


@functools.cache
def fit() -> dict[str, Any]:
    sc = narcoflow.load_scenario("baseline")
    found = scenario_posterior(sc)
    assert found is not None, "the baseline ships a posterior"
    res = predictive(sc, found[0], MEMBERS, seed=0)
    return fit_report(res, record_targets(2023))


def test_deaths_mape_2015_to_2023_is_at_most_10_percent() -> None:
    assert fit()["deaths_mape_2015_on"] <= 0.10


@pytest.mark.parametrize("fy", ["2019", "2020", "2021", "2022", "2023"])
def test_southwest_border_total_within_15_percent(fy: str) -> None:
    assert abs(fit()["sw_fy_total"][fy]["rel_error"]) <= 0.15


@pytest.mark.parametrize("fy", ["2020", "2021", "2022", "2023"])
def test_ports_of_entry_share_within_5_points(fy: str) -> None:
    assert abs(fit()["poe_share"][fy]["points"]) <= 5.0


@pytest.mark.xfail(
    strict=True,
    reason="known miss: the model's FY2019 share is about 8 points below the record's 0.915 "
    "(docs/calibration.md, 'Known limits')",
)
def test_ports_of_entry_share_fy2019_within_5_points() -> None:
    assert abs(fit()["poe_share"]["2019"]["points"]) <= 5.0


def test_at_least_80_percent_of_observed_points_inside_the_90_percent_bands() -> None:
    assert fit()["coverage_90_all"] >= 0.80


def test_the_measured_fit_is_the_documented_one() -> None:
    """docs/calibration.md quotes these figures for the shipped posterior.

    The tolerance (0.5 percent or points; 2 points of coverage) lets benign floating-point differences
    between machines and library versions pass, and catches a change that moves the fit.
    """
    f = fit()
    assert 100 * f["deaths_mape_2015_on"] == pytest.approx(8.7, abs=0.5)
    totals = [100 * f["sw_fy_total"][fy]["rel_error"] for fy in sorted(f["sw_fy_total"])]
    assert totals == pytest.approx([5.8, 9.0, -6.6, -2.8, -4.3], abs=0.5)
    shares = [f["poe_share"][fy]["points"] for fy in sorted(f["poe_share"])]
    assert shares == pytest.approx([-7.9, 3.9, -2.9, 3.1, -0.7], abs=0.5)
    assert 100 * f["coverage_90_all"] == pytest.approx(89, abs=2)
