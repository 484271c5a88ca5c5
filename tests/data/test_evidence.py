"""Tests for the typed public evidence of issue 15 (potency, prices, interdiction, harm, violence)
and the catalogue that lists it with the cocaine record."""

from __future__ import annotations

import dataclasses
import doctest
import math
import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from narcoflow.data import (
    cocaine,
    cocaine_prices,
    evidence,
    harm,
    interdiction,
    potency,
    prices,
    provenance,
    violence,
)
from narcoflow.data.evidence import ALL_EVIDENCE, EVIDENCE, catalogue, get
from narcoflow.data.provenance import STATUS_MARKERS, Evidence, Figure
from narcoflow.data.record import CDC_DEATHS

DOCS_DATA = Path(__file__).resolve().parents[2] / "docs" / "data.md"

# Domain limits each set must respect (wider than the figures: a typo of a factor 10 fails).
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "dea_powder_purity_pct": (1.0, 60.0),
    "ndta_powder_purity_pct": (1.0, 60.0),
    "dea_pills_lethal_dose_pct": (0.0, 100.0),
    "dea_fentanyl_mg_per_pill": (0.1, 10.0),
    "fentanyl_purity_by_route_pct": (0.0, 100.0),
    "imf_price_fall_pct": (0.0, 100.0),
    "imf_price_fall_rate_pct_per_year": (0.0, 100.0),
    "fentanyl_replacement_cost_usd_per_kg": (1_000.0, 1_000_000.0),
    "counterfeit_pill_fentanyl_mg": (0.1, 10.0),
    "counterfeit_pill_price_usd": (1.0, 50.0),
    "import_share_of_pill_price_pct": (0.0, 20.0),
    "dhs_cocaine_seizure_rate_pct": (0.0, 20.0),
    "dhs_cocaine_seizures_kg": (1_000.0, 500_000.0),
    "dhs_cocaine_flow_kg": (100_000.0, 3_000_000.0),
    "fentanyl_seizure_rate_belief_pct": (0.0, 50.0),
    "us_consumption_pure_t": (0.0, 500.0),
    "oud_prevalence_millions": (1.0, 15.0),
    "ed_fentanyl_overdose_rate_per_10k": (0.1, 20.0),
    "ed_fentanyl_overdose_quarterly_change_pct": (-50.0, 50.0),
    "otc_naloxone_units": (1_000.0, 10_000_000.0),
    "route_injection_pct": (0.0, 100.0),
    "route_smoking_pct": (0.0, 100.0),
    "australia_heroin_shortage_change_pct": (-100.0, 500.0),
    "leader_removal_violence_change_pct": (-100.0, 300.0),
    "capture_day_deaths": (1.0, 100.0),
    "sinaloa_homicides_monthly": (20.0, 400.0),
    "sinaloa_homicides_yearly": (300.0, 3_000.0),
    "sinaloa_daily_homicides": (0.5, 15.0),
    "sinaloa_war_multiplier": (1.0, 20.0),
}


def _figures(sets: tuple[Evidence, ...] = ALL_EVIDENCE) -> list[tuple[Evidence, Figure]]:
    return [(ev, f) for ev in sets for f in ev.figures]


# --------------------------------------------------------------------------------------------
# Every entry: source, status marker, unit in the name, plausible values, order
# --------------------------------------------------------------------------------------------
def test_every_figure_has_a_source_and_its_status_marker() -> None:
    for ev, f in _figures():
        assert f.source.strip(), (ev.name, f.label)
        marker = STATUS_MARKERS.get(f.status)
        if marker is None:
            assert not f.source.startswith(tuple(STATUS_MARKERS.values())), (ev.name, f.label)
        else:
            assert marker in f.source, (ev.name, f.label)


def test_names_are_unique_and_say_their_unit() -> None:
    names = [ev.name for ev in ALL_EVIDENCE]
    assert len(names) == len(set(names))
    for ev in ALL_EVIDENCE:
        assert re.fullmatch(r"[a-z0-9_]+", ev.name), ev.name
        assert ev.title and ev.unit, ev.name
        assert ev.use in ("calibration", "validation", "event sizing", "context"), ev.name
        assert ev.figures, ev.name
        is_percent = ev.unit.startswith("percent")
        assert is_percent == ("_pct" in ev.name), (ev.name, ev.unit)
        labels = ev.labels()
        assert len(labels) == len(set(labels)), ev.name


def test_values_are_plausible() -> None:
    assert set(PLAUSIBLE) == {ev.name for ev in EVIDENCE}
    for ev in EVIDENCE:
        lo, hi = PLAUSIBLE[ev.name]
        for f in ev.figures:
            assert lo <= f.low <= f.high <= hi, (ev.name, f.label, f.bounds)
    shares = [ev for ev in ALL_EVIDENCE if ev.unit == "percent" and "change" not in ev.name]
    for ev in shares:
        for f in ev.figures:
            assert 0.0 <= f.low <= f.high <= 100.0, (ev.name, f.label)


def test_series_are_ordered_by_period_end() -> None:
    for ev in ALL_EVIDENCE:
        ends = [f.end for f in ev.figures if f.end is not None]
        assert ends == sorted(ends), ev.name
        for f in ev.figures:
            if f.start is not None:
                assert f.end is not None and f.start <= f.end, (ev.name, f.label)


def test_fiscal_and_calendar_labels_match_their_dates() -> None:
    for ev, f in _figures():
        if re.fullmatch(r"FY\d{4}", f.label):
            fy = int(f.label[2:])
            assert (f.start, f.end) == (date(fy - 1, 10, 1), date(fy, 9, 30)), (ev.name, f.label)
        elif re.fullmatch(r"\d{4}", f.label):
            y = int(f.label)
            assert (f.start, f.end) == (date(y, 1, 1), date(y, 12, 31)), (ev.name, f.label)
        elif re.fullmatch(r"\d{4}-\d{2}", f.label):
            assert f.start is not None and f.start.strftime("%Y-%m") == f.label


def test_evidence_is_immutable() -> None:
    purity = potency.DEA_POWDER_PURITY_PCT
    with pytest.raises(dataclasses.FrozenInstanceError):
        purity.figures[0].low = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        purity.name = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# The figures the issue names, as published
# --------------------------------------------------------------------------------------------
def test_dea_potency_figures() -> None:
    assert potency.dea_powder_purity_pct().to_dict() == {"FY2023": 19.5, "FY2025": 10.3}
    pills = potency.pills_lethal_dose_pct()
    assert pills.name == "dea_pills_lethal_dose_pct"
    assert pills.to_dict() == {
        "2017": 10.0,
        "Jan-Mar 2019": 27.0,
        "2021": 42.0,
        "2022": 60.0,
        "FY2023": 76.0,
        "2024": 50.0,
        "FY2025": 29.0,
    }
    assert potency.pills_lethal_dose_pct("high").loc["2021"] == 44.0
    assert (pills <= potency.pills_lethal_dose_pct("high")).all()
    with pytest.raises(ValueError, match="point"):
        potency.pills_lethal_dose_pct("mid")
    # The 2023 peak and the fall after it, the supply shock issue 15 sizes from these series.
    assert pills.idxmax() == "FY2023"
    assert pills["FY2025"] < pills["2024"] < pills["FY2023"]


def test_interdiction_and_harm_figures() -> None:
    assert interdiction.DHS_COCAINE_SEIZURE_RATE_PCT["2019"].value == 2.1
    belief = interdiction.FENTANYL_SEIZURE_RATE_BELIEF_PCT.figures[0]
    assert belief.status == "unverified" and belief.bounds == (5.0, 10.0)
    assert harm.OUD_PREVALENCE_MILLIONS["2019 (Keyes et al. 2022)"].bounds == (6.7, 7.6)
    assert harm.OTC_NALOXONE_UNITS.figures[0].value == 136_239
    assert harm.ED_FENTANYL_OVERDOSE_QUARTERLY_CHANGE_PCT.series().tolist() == [8.7, -11.0]
    assert harm.ROUTE_INJECTION_PCT.series().tolist() == [22.7, 16.1]
    assert harm.ROUTE_SMOKING_PCT.series().tolist() == [13.3, 23.1]


def test_violence_figures() -> None:
    effects = violence.LEADER_REMOVAL_VIOLENCE_CHANGE_PCT.series()
    assert effects.tolist() == [36.5, 80.0, 30.0]
    monthly = violence.SINALOA_HOMICIDES_MONTHLY
    assert monthly["2024-09"].bounds == (142.0, 144.0)
    assert monthly["2024-10"].bounds == (182.0, 188.0)
    assert monthly["2024-11"].value == 175.0
    # The war: its first three months at least 2.4 times the worst month before it (September
    # counts from the 9th), and every month since above that worst month.
    before = max(monthly[m].high for m in ("2024-04", "2024-07", "2024-08"))
    war = [f for f in monthly.figures if f.start is not None and f.start >= date(2024, 9, 1)]
    assert war and all(f.low >= 2.4 * before for f in war[:3])
    assert min(f.low for f in war) > before


# --------------------------------------------------------------------------------------------
# Derived figures, recomputed from their inputs
# --------------------------------------------------------------------------------------------
def test_import_share_of_pill_price_is_recomputed() -> None:
    cost, mg, price = (10_000.0, 100_000.0), (2.0, 2.5), (5.0, 10.0)
    published_cost = prices.FENTANYL_REPLACEMENT_COST_USD_PER_KG_BOUNDS
    assert published_cost == cost
    assert prices.COUNTERFEIT_PILL_FENTANYL_MG.figures[0].bounds == mg
    assert prices.COUNTERFEIT_PILL_PRICE_USD.figures[0].bounds == price
    low = 100 * cost[0] / 1e6 * mg[0] / price[1]
    high = 100 * cost[1] / 1e6 * mg[1] / price[0]
    share = prices.IMPORT_SHARE_OF_PILL_PRICE_PCT.figures
    assert share[0].bounds == pytest.approx((low, high))
    assert share[0].bounds == pytest.approx((0.2, 5.0))
    assert share[1].bounds == pytest.approx((0.2, 0.5))
    assert all(f.status == "derived" for f in share)


def test_price_fall_rate_is_recomputed() -> None:
    rate = prices.IMF_PRICE_FALL_RATE_PCT_PER_YEAR.figures[0].low
    assert rate == pytest.approx(100 * (1 - 0.5 ** (1 / 5)))
    assert (1 - rate / 100) ** 5 == pytest.approx(0.5)
    assert prices.price_fall_rate_pct_per_year(0.0, 3.0) == 0.0


def test_dhs_rate_agrees_with_its_inputs() -> None:
    assert round(19_000 / 905_000 * 100, 1) == 2.1
    assert round(interdiction.dhs_cocaine_seizure_rate_pct(), 1) == (
        interdiction.DHS_COCAINE_SEIZURE_RATE_PCT.figures[0].value
    )


def test_ed_visit_rates_agree_with_the_quarterly_changes() -> None:
    rate = harm.ED_FENTANYL_OVERDOSE_RATE_PER_10K.series()
    up, down = harm.ED_FENTANYL_OVERDOSE_QUARTERLY_CHANGE_PCT.series()
    # 11 quarters from Q4 2020 to Q3 2023, 2 from Q3 2023 to Q1 2024 (MMWR's published rounding).
    assert rate["2020-Q4"] * (1 + up / 100) ** 11 == pytest.approx(rate["2023-Q3"], rel=0.05)
    assert rate["2023-Q3"] * (1 + down / 100) ** 2 == pytest.approx(rate["2024-Q1"], rel=0.06)


def test_australian_changes_are_recomputed() -> None:
    shortage = harm.AUSTRALIA_HEROIN_SHORTAGE
    assert shortage["street purity, 2001"].value == pytest.approx(100 * (20 - 60) / 60)
    assert shortage["price of a cap, 2001"].value == pytest.approx(100.0)
    ounce = shortage["price of an ounce, Dec 2000 -> Mar 2001 (ACT)"]
    assert ounce.bounds == pytest.approx((100 * 2_000 / 6_000, 100 * 11_000 / 4_000))


def test_sinaloa_derived_figures() -> None:
    daily = violence.SINALOA_DAILY_HOMICIDES
    assert violence.sinaloa_war_multiplier() == pytest.approx(5.77 / 1.4)
    assert violence.SINALOA_WAR_MULTIPLIER.figures[0].value == pytest.approx(4.12, abs=0.01)
    assert violence.sinaloa_war_multiplier("2024-09") == pytest.approx(4.17 / 1.4)
    assert daily["2024-10"].value > daily["2024-09"].value > daily["2024-01..2024-08 (monthly range)"].high
    monthly = violence.SINALOA_HOMICIDES_MONTHLY
    # October 2019 (the Culiacanazo) sits between September's 84 and November's 83: no lasting rise.
    assert monthly["2019-10"].high <= monthly["2019-09"].value
    assert monthly["2019-10"].low > 80
    assert monthly["2019-11"].value <= monthly["2019-09"].value
    # 2025's months add up to the published 2025 total.
    months_2025 = [monthly[f"2025-{m:02d}"].value for m in range(1, 13)]
    assert sum(months_2025) == violence.SINALOA_HOMICIDES_YEARLY["2025"].value == 1_654


def test_persistence_benchmark_from_the_cdc_record() -> None:
    bench = harm.persistence_benchmark()
    assert list(bench.index) == [2021, 2022, 2023, 2024]
    assert (bench["forecast"] == CDC_DEATHS[2020].t404).all()
    assert bench["observed"].tolist() == [CDC_DEATHS[y].t404 for y in range(2021, 2025)]
    assert bench["error_pct"].round().tolist() == [-20.0, -23.0, -22.0, 18.0]
    logs = [math.log(CDC_DEATHS[2020].t404 / CDC_DEATHS[y].t404) for y in range(2021, 2025)]
    assert bench.attrs["rms_log_error"] == pytest.approx(math.sqrt(sum(x * x for x in logs) / 4))
    assert round(bench.attrs["rms_log_error"], 2) == 0.23
    assert harm.persistence_benchmark(2019, range(2020, 2021))["error_pct"].iloc[0] < -30
    with pytest.raises(KeyError):
        harm.persistence_benchmark(2030)


# --------------------------------------------------------------------------------------------
# Types and accessors
# --------------------------------------------------------------------------------------------
def test_figure_refuses_bad_entries() -> None:
    with pytest.raises(ValueError, match="source"):
        Figure("x", 1.0, 1.0, "  ")
    with pytest.raises(ValueError, match="low"):
        Figure("x", 2.0, 1.0, "somewhere")
    with pytest.raises(ValueError, match="secondary:"):
        Figure("x", 1.0, 1.0, "somewhere", status="secondary")
    with pytest.raises(ValueError, match="published"):
        Figure("x", 1.0, 1.0, "[derived] from y")
    with pytest.raises(ValueError, match="after end"):
        Figure("x", 1.0, 1.0, "s", start=date(2020, 2, 1), end=date(2020, 1, 1))
    with pytest.raises(ValueError, match="end date"):
        Figure("x", 1.0, 1.0, "s", start=date(2020, 2, 1))
    with pytest.raises(ValueError, match="range"):
        _ = Figure("x", 1.0, 2.0, "s").value


def test_evidence_accessors() -> None:
    purity = get("dea_powder_purity_pct")
    assert purity is potency.DEA_POWDER_PURITY_PCT
    series = purity.series()
    assert series.name == "dea_powder_purity_pct" and series.index.name == "label"
    frame = harm.OUD_PREVALENCE_MILLIONS.frame()
    assert list(frame.columns) == [
        "low",
        "high",
        "start",
        "end",
        "status",
        "source",
        "published",
        "note",
    ]
    with pytest.raises(ValueError, match="range"):
        harm.OUD_PREVALENCE_MILLIONS.series()
    with pytest.raises(KeyError, match="no figure"):
        purity["FY2024"]
    with pytest.raises(KeyError, match="known"):
        get("nonexistent_pct")


def test_catalogue() -> None:
    full = catalogue()
    assert list(full.columns[:7]) == ["name", "label", "low", "high", "unit", "use", "status"]
    assert len(full) == sum(len(ev.figures) for ev in ALL_EVIDENCE)
    fentanyl_only = catalogue(include_cocaine=False)
    assert set(fentanyl_only["name"]) == {ev.name for ev in EVIDENCE}
    assert "cocaine_via_mexico_pct" in set(full["name"]) - set(fentanyl_only["name"])
    assert isinstance(full["end"].iloc[0], date | type(None))
    assert full.groupby("name")["unit"].nunique().max() == 1


def test_docs_list_every_evidence_set() -> None:
    text = DOCS_DATA.read_text(encoding="utf-8")
    for ev in ALL_EVIDENCE:
        assert f"`{ev.name}`" in text, ev.name


def test_module_examples_run() -> None:
    for module in (
        provenance,
        potency,
        prices,
        interdiction,
        harm,
        violence,
        evidence,
        cocaine,
        cocaine_prices,
    ):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


# --------------------------------------------------------------------------------------------
# Period constructors (properties)
# --------------------------------------------------------------------------------------------
@given(st.integers(min_value=1950, max_value=2100))
def test_fiscal_year_is_october_to_september(fy: int) -> None:
    f = Figure.fiscal_year(fy, 1.0, "s")
    assert f.start is not None and f.end is not None
    assert f.end - f.start + timedelta(days=1) in (timedelta(days=365), timedelta(days=366))
    assert (f.start.month, f.start.day, f.end.month, f.end.day) == (10, 1, 9, 30)
    assert Figure.calendar_year(fy, 1.0, "s").end == date(fy, 12, 31)


@given(st.integers(min_value=1950, max_value=2100), st.integers(min_value=1, max_value=12))
def test_month_and_quarter_cover_their_days(year: int, month: int) -> None:
    m = Figure.month(year, month, 1.0, "s")
    assert m.start is not None and m.end is not None
    assert (m.end + timedelta(days=1)).day == 1 and m.start.day == 1
    q = Figure.quarter(year, (month - 1) // 3 + 1, 1.0, "s")
    assert q.start is not None and q.end is not None
    assert q.start <= m.start and m.end <= q.end
    assert pd.Period(q.start, "Q") == pd.Period(q.end, "Q")


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.floats(min_value=0.0, max_value=1e6, allow_nan=False),
)
def test_figure_value_and_bounds(low: float, width: float) -> None:
    f = Figure.effect("x", (low, low + width), "s")
    assert f.bounds == (low, low + width)
    assert f.is_range == (low + width != low)
    if not f.is_range:
        assert f.value == low
