"""The SOURCE comparison: lever scenarios, deaths averted against the baseline, SOURCE's figures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

import narcoflow
from narcoflow.calibrate import Posterior
from narcoflow.calibrate.source import (
    LEVERS,
    SOURCE_ALL_STRATEGIES,
    SOURCE_BASELINE,
    SOURCE_FENTANYL_RISK,
    SOURCE_NALOXONE,
    compare_with_source,
    horizon_overrides,
    source_command,
    source_scenario,
)
from narcoflow.errors import NarcoFlowError
from narcoflow.scenario.loader import scenario_hash
from narcoflow.scenario.schema import RampLevel

POLPROJ = Path(__file__).parents[2].parent / "shared/data/source-model/X8_polprojann.tab"


@pytest.fixture(scope="module")
def table(baseline: narcoflow.Scenario) -> pd.DataFrame:
    """6 members at the scenario's point values (no posterior): fast and deterministic."""
    return compare_with_source(baseline, 6, 0, use_scenario_posterior=False)


@pytest.mark.parametrize("key", list(LEVERS))
def test_lever_scenarios_validate_with_the_ramp_event(baseline: narcoflow.Scenario, key: str) -> None:
    lever = LEVERS[key]
    sc = source_scenario(baseline, key)
    assert sc.calendar.start == "2013-01" and sc.calendar.months == 240  # through 2032-12
    assert set(baseline.events) < set(sc.events)
    ev = sc.events[lever.event_id]
    assert ev.date == "2022-01" and ev.enabled
    (eff,) = ev.effects
    assert isinstance(eff, RampLevel)
    assert eff.months == 36 and eff.level == lever.level
    assert eff.factor.value == {"fentanyl_risk": 0.8, "naloxone": 1.2}[key]
    assert {"fentanyl_risk": "harm.final_risk", "naloxone": "harm.naloxone"}[key] == eff.level
    assert sc.base_dir == baseline.base_dir
    # the same scenario through the ordinary override mechanism (load_scenario / --set)
    again = narcoflow.load_scenario("baseline", horizon_overrides(baseline) | lever.overrides())
    assert scenario_hash(again) == scenario_hash(sc)


def test_baseline_copy_only_extends_the_horizon(baseline: narcoflow.Scenario) -> None:
    sc = source_scenario(baseline)
    assert sc.events.keys() == baseline.events.keys()
    assert sc.calendar.months == 240
    sc.calendar.months = baseline.calendar.months
    assert scenario_hash(sc) == scenario_hash(baseline)


def test_user_errors(baseline: narcoflow.Scenario, tmp_path: Path) -> None:
    with pytest.raises(NarcoFlowError, match="unknown lever"):
        source_scenario(baseline, "taxes")
    late = narcoflow.load_scenario("baseline", {"calendar.start": "2023-01"})
    with pytest.raises(NarcoFlowError, match="starts after"):
        source_scenario(late)
    twice = source_scenario(baseline, "naloxone")
    with pytest.raises(NarcoFlowError, match="already has an event"):
        source_scenario(twice, "naloxone")
    with pytest.raises(NarcoFlowError, match="members"):
        compare_with_source(baseline, 0, 0)
    with pytest.raises(NarcoFlowError, match="unknown levers"):
        compare_with_source(baseline, 2, 0, levers=("taxes",))
    with pytest.raises(NarcoFlowError):
        source_command(members=0)
    with pytest.raises(NarcoFlowError, match="does not exist"):
        source_command(members=2, json_path=tmp_path / "missing" / "out.json", no_posterior=True)
    with pytest.raises(NarcoFlowError):
        source_command(scenario="no-such-scenario", members=2, no_posterior=True)
    assert not (tmp_path / "missing").exists()


def test_deaths_averted_are_positive(table: pd.DataFrame) -> None:
    assert len(table) == 4
    assert set(zip(table["lever"], table["outcome"], strict=True)) == {
        (lv, oc) for lv in ("fentanyl_risk", "naloxone") for oc in ("all_opioid", "t404")
    }
    assert (table["averted_p05"] > 0).all()
    assert (table["averted_p05"] <= table["averted_p50"]).all()
    assert (table["averted_p50"] <= table["averted_p95"]).all()
    assert (table["pct_p50"] > 0).all() and (table["pct_p50"] < 100).all()
    assert (table["averted_p50_2022_2032_calendar"] > table["averted_p50"]).all()  # one year more
    assert table.attrs["posterior"] is None and table.attrs["members"] == 6
    years = table.attrs["by_year"]["all_opioid"]
    assert list(years["baseline_p50"]) == [str(y) for y in range(2022, 2033)]
    assert all(v > 0 for v in years["fentanyl_risk_pct_p50"].values())
    assert years["naloxone_pct_p50"]["2022"] < years["naloxone_pct_p50"]["2025"]  # the 3-year ramp


def test_fentanyl_risk_averts_more_than_naloxone(table: pd.DataFrame) -> None:
    t = table.set_index(["lever", "outcome"])
    for outcome in ("all_opioid", "t404"):
        assert t.loc[("fentanyl_risk", outcome), "averted_p50"] > t.loc[("naloxone", outcome), "averted_p50"]


def test_levers_reach_their_levels(table: pd.DataFrame) -> None:
    t = table.set_index(["lever", "outcome"])
    assert t.loc[("fentanyl_risk", "all_opioid"), "level_ratio_end"] == pytest.approx(0.8)
    # The baseline's OTC-naloxone ramp (2023-09) replaces the lever's ramp on harm.naloxone, so the
    # lever ends at the level it had reached (20 of 36 months), not at x1.2 (see the docs).
    assert 1.0 < t.loc[("naloxone", "all_opioid"), "level_ratio_end"] <= 1.2 + 1e-9


def test_table_has_sources_published_figures(table: pd.DataFrame) -> None:
    t = table.set_index(["lever", "outcome"])
    for outcome in ("all_opioid", "t404"):
        fen, nal = t.loc[("fentanyl_risk", outcome)], t.loc[("naloxone", outcome)]
        assert (fen["source_averted"], fen["source_pct"]) == (61_580, 11.4)
        assert (nal["source_averted"], nal["source_pct"]) == (14_499, 2.7)
        assert fen["source_scenario"] == "Fent OD Risk" and nal["source_scenario"] == "Nx Kits"
    assert (table["source_baseline"] == 541_164).all()
    np.testing.assert_allclose(table["ratio"], table["averted_p50"] / table["source_averted"])
    assert SOURCE_ALL_STRATEGIES.averted == 117_847 and SOURCE_ALL_STRATEGIES.percent == 21.8
    for fig in (SOURCE_FENTANYL_RISK, SOURCE_NALOXONE, SOURCE_ALL_STRATEGIES):
        assert round(100 * fig.share, 1) == fig.percent
        assert "PNAS" in fig.source


def test_member_parameters_come_from_a_posterior(baseline: narcoflow.Scenario) -> None:
    post = Posterior(["harm.relative_risk_final"], np.array([[2.0], [8.0]]), np.array([0.5, 0.5]))
    df = compare_with_source(baseline, 6, 0, post, levers=("fentanyl_risk",))
    assert df.attrs["posterior"] == "given"
    row = df.set_index("outcome").loc["all_opioid"]
    assert row["averted_p05"] > 0
    assert row["averted_p95"] > 1.2 * row["averted_p05"]  # members differ by their drawn parameter


def test_command_prints_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "source.json"
    console = Console(record=True, width=200)
    df = source_command(members=3, seed=1, json_path=out, no_posterior=True, console=console)
    text = console.export_text()
    assert "61,580 (11.4%)" in text and "14,499 (2.7%)" in text
    assert "point values" in text
    payload = json.loads(out.read_text())
    assert payload["meta"]["members"] == 3 and payload["meta"]["seed"] == 1
    assert len(payload["rows"]) == len(df) == 4
    assert payload["meta"]["source_baseline"]["deaths"] == 541_164


@pytest.mark.skipif(not POLPROJ.exists(), reason=f"{POLPROJ} not present")
def test_source_figures_match_the_published_projections() -> None:
    d = pd.read_csv(POLPROJ, sep="\t")
    d["Scen"] = d["Scen"].fillna("None")
    ev = d[(d["Perc"] == "EV") & (d["Var"] == "Total overdose deaths")].set_index("Scen")
    rates = ev.drop(columns=["Var", "Perc"]).astype(float)
    assert [float(c) for c in rates.columns] == [2022 + q / 4 for q in range(41)]

    def deaths(scen: str) -> float:  # integral of the annual rate over 2022.0..2032.0
        x = rates.loc[scen].to_numpy()
        return float(((x[1:] + x[:-1]) / 2).sum() / 4)

    base = deaths("None")
    assert round(base) == SOURCE_BASELINE.deaths
    assert round(rates.loc["None"].iloc[0]) == SOURCE_BASELINE.rate_2022
    assert round(rates.loc["None"].iloc[-1]) == SOURCE_BASELINE.rate_2032
    for fig in (SOURCE_FENTANYL_RISK, SOURCE_NALOXONE, SOURCE_ALL_STRATEGIES):
        assert round(base - deaths(fig.scenario)) == fig.averted
        assert round(100 * (base - deaths(fig.scenario)) / base, 1) == fig.percent
