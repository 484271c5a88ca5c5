"""Outcomes: the built-in families against the Results API, periods checked, user outcomes registered."""

from __future__ import annotations

import numpy as np
import pytest

import narcoflow
from narcoflow.errors import NarcoFlowError
from narcoflow.explore import outcome_catalog, register_outcome, resolve_outcome
from narcoflow.explore.outcomes import outcome_sense


def test_deaths_and_seizures_match_the_results_api(
    baseline: narcoflow.Scenario, baseline_run: narcoflow.Results
) -> None:
    deaths = resolve_outcome("deaths_t404_2025_2030", baseline)(baseline_run)
    expect = baseline_run.deaths_by_year("final").sel(year=slice(2025, 2030)).sum("year").values
    np.testing.assert_allclose(deaths, expect, rtol=1e-6)
    one = resolve_outcome("deaths_t404_2026", baseline)(baseline_run)
    np.testing.assert_allclose(one, baseline_run.deaths_by_year("final").sel(year=2026).values, rtol=1e-6)
    lbs = resolve_outcome("seizures_lbs_fy2027", baseline)(baseline_run)
    np.testing.assert_allclose(
        lbs, baseline_run.seizures_by_fiscal_year("total").sel(year=2027).values, rtol=1e-6
    )
    ofo = resolve_outcome("seizures_events_sw_ofo_fy2020_2022", baseline)(baseline_run)
    ev = baseline_run.seizures_by_fiscal_year("sw_ofo", events=True).sel(year=slice(2020, 2022)).sum("year")
    np.testing.assert_allclose(ofo, ev.values, rtol=1e-6)
    assert deaths.shape == (30,) and (deaths > 0).all()


def test_means_over_a_period(baseline: narcoflow.Scenario, baseline_run: narcoflow.Results) -> None:
    v = resolve_outcome("violence_2026", baseline)(baseline_run)
    ds = baseline_run.dataset["violence"].sel(month=slice("2026-01-01", "2026-12-01"))
    np.testing.assert_allclose(v, ds.astype(np.float64).mean("month").values)
    kg = resolve_outcome("delivered_kg_2026_2030", baseline)
    assert kg.unit == "kg" and kg.sense == "min"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("deaths_t404_2031", "not inside the calendar"),
        ("deaths_t404_2012_2014", "not inside the calendar"),
        ("deaths_t404_2020_2015", "not inside the calendar"),
        ("seizures_lbs_fy2013", "not inside the calendar"),  # FY2013 starts in October 2012
        ("seizures_lbs_canada_fy2020", "no seizure group 'canada'"),
        ("happiness_2026", "unknown outcome"),
    ],
)
def test_bad_outcomes_are_refused(baseline: narcoflow.Scenario, name: str, message: str) -> None:
    with pytest.raises(NarcoFlowError, match=message):
        resolve_outcome(name, baseline)


def test_registered_outcome(baseline: narcoflow.Scenario, baseline_run: narcoflow.Results) -> None:
    o = register_outcome("phi_2030_max", lambda r: r.dataset["phi"].max("month").values, "1", "peak φ", "min")
    assert resolve_outcome("phi_2030_max", baseline) is o and outcome_sense("phi_2030_max") == "min"
    assert o(baseline_run).shape == (30,)
    assert "phi_2030_max" in set(outcome_catalog()["name"])
    with pytest.raises(NarcoFlowError):
        register_outcome("bad name", lambda r: r, "1")
