"""Tests for ``Results.summary``: the keys the report sets against the calibration record."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

import narcoflow
from narcoflow.results import KG_TO_LB

STATS = ("mean", "p05", "p50", "p95")
EXISTING_KEYS = {
    "scenario",
    "scenario_hash",
    "seed",
    "members",
    "version",
    "start",
    "end",
    "deaths_t404_by_year",
    "deaths_opioid_by_year",
    "cbp_fentanyl_lbs_by_fy",
    "cbp_fentanyl_events_by_fy",
    "precursor_route_share_by_year",
    "crossing_share_by_year",
    "mass_balance_max_rel_error",
}
NEW_KEYS = {"phi_by_year", "cbp_monthly_lbs", "cbp_quarterly_lbs", "cbp_sw_poe_share_by_fy"}
MONTHS = [m.strftime("%Y-%m") for m in pd.date_range("2013-01", periods=96, freq="MS")]
FISCAL_YEARS = [str(fy) for fy in range(2014, 2021)]  # FY2014 (Oct 2013) to FY2020 (Sep 2020)


@pytest.fixture(scope="module")
def run() -> narcoflow.Results:
    """Eight years (2013-2020) of the baseline, four members."""
    return narcoflow.simulate(narcoflow.load_scenario("baseline", {"calendar.months": 96}), members=4, seed=0)


@pytest.fixture(scope="module")
def summary(run: narcoflow.Results) -> dict[str, Any]:
    return run.summary()


def _check_stats(stats: Any) -> None:
    assert isinstance(stats, dict)
    assert set(stats) == set(STATS)
    assert all(isinstance(stats[k], float) and np.isfinite(stats[k]) for k in STATS)
    assert stats["p05"] <= stats["p50"] <= stats["p95"]


def test_keys(summary: dict[str, Any]) -> None:
    assert set(summary) == EXISTING_KEYS | NEW_KEYS
    assert summary["start"] == "2013-01"
    assert summary["end"] == "2020-12"
    assert summary["members"] == 4


def test_existing_keys_unchanged(run: narcoflow.Results, summary: dict[str, Any]) -> None:
    deaths = run.deaths_by_year("final")
    assert list(summary["deaths_t404_by_year"]) == [str(y) for y in range(2013, 2021)]
    assert summary["deaths_t404_by_year"]["2016"]["p50"] == pytest.approx(
        float(np.median(deaths.sel(year=2016).values))
    )
    assert list(summary["cbp_fentanyl_lbs_by_fy"]) == FISCAL_YEARS
    assert set(summary["cbp_fentanyl_lbs_by_fy"]["2019"]) == {"total", "sw_total", "sw_ofo", "sw_usbp"}
    assert list(summary["cbp_fentanyl_events_by_fy"]) == FISCAL_YEARS


def test_summary_is_strict_json_of_reasonable_size(summary: dict[str, Any]) -> None:
    text = json.dumps(summary, indent=1, sort_keys=True, allow_nan=False)
    assert json.loads(text) == summary
    assert len(text) < 100_000


def test_full_length_summary_size() -> None:
    """The built-in calendar (216 months) keeps summary.json at a few hundred KB at most."""
    res = narcoflow.simulate(narcoflow.load_scenario("baseline"), members=2, seed=0)
    text = json.dumps(res.summary(), indent=1, sort_keys=True)
    assert len(text) < 300_000


def test_phi_by_year(run: narcoflow.Results, summary: dict[str, Any]) -> None:
    phi = summary["phi_by_year"]
    assert list(phi) == [str(y) for y in range(2013, 2021)]
    yearly = run.dataset["phi"].astype(np.float64).groupby("month.year").mean()
    for year, stats in phi.items():
        _check_stats(stats)
        assert 0.0 <= stats["p05"] <= stats["p95"] <= 1.0
        members = yearly.sel(year=int(year)).values
        assert stats["mean"] == pytest.approx(float(members.mean()), rel=1e-9)
        assert stats["p50"] == pytest.approx(float(np.median(members)), rel=1e-9)
    # The penetration grows over the period.
    assert phi["2020"]["p50"] > phi["2013"]["p50"]


def test_cbp_monthly_lbs_shape(summary: dict[str, Any]) -> None:
    monthly = summary["cbp_monthly_lbs"]
    assert list(monthly) == MONTHS  # every simulated month, in order
    for entry in monthly.values():
        assert set(entry) == {"sw_ofo", "sw_usbp"}
        for stats in entry.values():
            _check_stats(stats)
            assert stats["p05"] >= 0.0
    assert monthly["2020-06"]["sw_ofo"]["p50"] > 0.0


@pytest.mark.parametrize("component", ["sw_ofo", "sw_usbp"])
def test_monthly_means_add_up_to_fiscal_years(summary: dict[str, Any], component: str) -> None:
    # Medians do not add across months, means do.
    monthly = summary["cbp_monthly_lbs"]
    for fy in FISCAL_YEARS:
        months = [m for m in MONTHS if int(m[:4]) + (int(m[5:]) >= 10) == int(fy)]
        assert len(months) == 12
        total = sum(monthly[m][component]["mean"] for m in months)
        assert total == pytest.approx(summary["cbp_fentanyl_lbs_by_fy"][fy][component]["mean"], rel=1e-5)


def test_cbp_monthly_lbs_per_member(run: narcoflow.Results, summary: dict[str, Any]) -> None:
    ds = run.dataset
    ofo = np.flatnonzero(ds["node_kind"].values == "port_of_entry")
    seized = ds["seized_kg"].sel(commodity=ds.attrs["final_commodity"], month="2019-07-01")
    members = seized.isel(node=ofo).astype(np.float64).sum("node").values * KG_TO_LB
    stats = summary["cbp_monthly_lbs"]["2019-07"]["sw_ofo"]
    assert stats["p50"] == pytest.approx(float(np.median(members)), rel=1e-9)
    assert stats["p95"] == pytest.approx(float(np.percentile(members, 95)), rel=1e-9)


def test_cbp_quarterly_lbs(summary: dict[str, Any]) -> None:
    quarterly = summary["cbp_quarterly_lbs"]
    # Fiscal quarters (October start) labelled by their last month; the first needs 3 months.
    expected = [m for m in MONTHS if int(m[5:]) in (3, 6, 9, 12)]
    assert list(quarterly) == expected
    monthly = summary["cbp_monthly_lbs"]
    for label, entry in quarterly.items():
        end = pd.Timestamp(f"{label}-01")
        months = [(end - pd.DateOffset(months=k)).strftime("%Y-%m") for k in range(3)]
        for component, stats in entry.items():
            _check_stats(stats)
            total = sum(monthly[m][component]["mean"] for m in months)
            assert stats["mean"] == pytest.approx(total, rel=1e-9, abs=1e-9)


def test_poe_share_by_fy(run: narcoflow.Results, summary: dict[str, Any]) -> None:
    share = summary["cbp_sw_poe_share_by_fy"]
    assert list(share) == FISCAL_YEARS
    ofo = run.seizures_by_fiscal_year("sw_ofo")
    total = run.seizures_by_fiscal_year("sw_total")
    for fy, stats in share.items():
        _check_stats(stats)
        assert 0.0 <= stats["p05"] <= stats["p95"] <= 1.0
        members = (ofo.sel(year=int(fy)) / total.sel(year=int(fy))).values
        assert stats["p50"] == pytest.approx(float(np.median(members)), rel=1e-9)
