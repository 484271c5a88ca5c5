"""Tests for the cocaine record of issue 18 (routes, seizures, prices, 1975-2000)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from narcoflow.data import cocaine
from narcoflow.data.cocaine import (
    COCAINE_EVIDENCE,
    COCAINE_VIA_MEXICO_PCT,
    CRACK_PRICE_USD2002_PER_PURE_G,
    CUSTOMS_COCAINE_SEIZURES_T,
    FEDERAL_COCAINE_SEIZURES_T,
    KG_PER_LB,
    PRICE_BY_STAGE_USD_PER_KG,
    RETAIL_PRICE_USD_PER_PURE_G,
    SOUTH_FLORIDA_TASK_FORCE,
    import_share_of_retail_pct,
    retail_price_fall_pct,
)

# Domain limits per set (wider than the figures).
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "cocaine_via_mexico_pct": (0.0, 100.0),
    "florida_share_pct": (0.0, 100.0),
    "federal_cocaine_seizures_t": (0.5, 300.0),
    "customs_cocaine_seizures_t": (1.0, 300.0),
    "customs_sw_fl_pr_cocaine_seizures_t": (1.0, 300.0),
    "retail_price_usd_per_pure_g": (20.0, 1_000.0),
    "middle_price_usd_per_pure_g": (10.0, 500.0),
    "retail_price_fall_pct": (0.0, 100.0),
    "crack_price_under_1g_usd2002_per_pure_g": (20.0, 1_000.0),
    "crack_price_1_15g_usd2002_per_pure_g": (10.0, 500.0),
    "crack_price_over_15g_usd2002_per_pure_g": (5.0, 300.0),
    "price_by_stage_usd_per_kg": (100.0, 1_000_000.0),
    "import_share_of_retail_pct": (0.0, 50.0),
    "cocaine_users_millions": (0.1, 20.0),
    "transit_zone_million_sq_mi": (0.1, 20.0),
    "san_diego_cocaine_seizures_lb": (1.0, 100_000.0),
    "interdiction_funding_usd_m": (10.0, 10_000.0),
    "mexico_arrivals_t_per_year": (10.0, 2_000.0),
}

# The only unverified cocaine figures: those issue 15 names (see docs/data.md).
UNVERIFIED = {
    ("federal_cocaine_seizures_t", "FY1981"),
    ("federal_cocaine_seizures_t", "FY1986"),
    ("federal_cocaine_seizures_t", "1990"),
    ("price_by_stage_usd_per_kg", "coca leaf (per kg of cocaine)"),
    ("price_by_stage_usd_per_kg", "Colombian export"),
    ("price_by_stage_usd_per_kg", "Miami import"),
    ("price_by_stage_usd_per_kg", "U.S. retail"),
}


def test_every_set_is_plausible_and_sourced() -> None:
    assert set(PLAUSIBLE) == {ev.name for ev in COCAINE_EVIDENCE}
    for ev in COCAINE_EVIDENCE:
        lo, hi = PLAUSIBLE[ev.name]
        for f in ev.figures:
            assert f.source.strip()
            assert lo <= f.low <= f.high <= hi, (ev.name, f.label)


def test_unverified_figures_are_only_those_the_issue_names() -> None:
    unverified = {
        (ev.name, f.label) for ev in COCAINE_EVIDENCE for f in ev.figures if f.status == "unverified"
    }
    assert unverified == UNVERIFIED
    for ev in COCAINE_EVIDENCE:
        for f in ev.figures:
            if f.status == "unverified":
                assert "issue 15" in f.source, (ev.name, f.label)


def test_the_shift_to_mexico() -> None:
    via = COCAINE_VIA_MEXICO_PCT
    assert via["1996"].status == "published" and via["1996"].value == 70.0
    assert "NSIAD-96-163" in via["1996"].source
    shares = [f.value for f in via.figures]
    assert shares == sorted(shares) and shares[0] <= 50.0 <= 90.0 == shares[-1]
    assert SOUTH_FLORIDA_TASK_FORCE.start == SOUTH_FLORIDA_TASK_FORCE.end == date(1982, 1, 28)
    assert "Reagan" in SOUTH_FLORIDA_TASK_FORCE.source
    # Displacement shows at the Mexican border early: two months of 1986 above all of 1985.
    sd = cocaine.SAN_DIEGO_COCAINE_SEIZURES_LB.series()
    assert sd.iloc[1] > sd.iloc[0]


def test_seizures_grow_while_prices_fall() -> None:
    seized = FEDERAL_COCAINE_SEIZURES_T.series()
    assert seized.is_monotonic_increasing
    assert seized["FY1981"] < 2.0 and seized["1990"] >= 100.0
    price = RETAIL_PRICE_USD_PER_PURE_G
    assert price["1996"].value < price["1981"].value
    fall = retail_price_fall_pct()
    assert fall == pytest.approx(100 * (1 - 140 / 400)) == pytest.approx(65.0)
    assert cocaine.RETAIL_PRICE_FALL_PCT.figures[0].value == pytest.approx(fall)
    low, high = price["1995-2000"].bounds
    assert low <= price["1996"].value <= high


def test_pound_figures_convert_exactly() -> None:
    for ev in (
        FEDERAL_COCAINE_SEIZURES_T,
        CUSTOMS_COCAINE_SEIZURES_T,
        cocaine.CUSTOMS_SW_FL_PR_COCAINE_SEIZURES_T,
    ):
        for f in ev.figures:
            match = re.search(r"([\d,]+) (?:lb|pounds)", f.published)
            if match:
                pounds = float(match.group(1).replace(",", ""))
                assert f.value == pytest.approx(pounds * KG_PER_LB / 1000), f.label
    assert CUSTOMS_COCAINE_SEIZURES_T["FY1986"].value == pytest.approx(24.67, abs=0.01)


def test_crack_prices_by_purchase_size() -> None:
    levels = list(CRACK_PRICE_USD2002_PER_PURE_G.values())
    assert len(levels) == 3
    years = [ev.series().index.tolist() for ev in levels]
    assert years[0] == years[1] == years[2] == [str(y) for y in range(1986, 2001)]
    small, middle, large = (ev.series() for ev in levels)
    assert (small > middle).all() and (middle > large).all()  # quantity discounts every year
    assert small["1986"] == 341.61 and large["2000"] == 63.56
    assert small["1990"] > small["1989"]  # the 1990 price spike


def test_prices_rise_along_the_chain_and_the_import_share() -> None:
    stages = PRICE_BY_STAGE_USD_PER_KG.series()
    assert stages.is_monotonic_increasing
    assert import_share_of_retail_pct() == pytest.approx(100 * 23_000 / 188_000)
    share = cocaine.IMPORT_SHARE_OF_RETAIL_PCT["Miami import / U.S. retail"]
    assert share.status == "derived" and share.value == pytest.approx(12.2, abs=0.05)


def test_transit_zone_grows() -> None:
    zone = cocaine.TRANSIT_ZONE_MILLION_SQ_MI.series()
    assert zone.to_dict() == {"1996": 2.0, "2017": 7.0}
