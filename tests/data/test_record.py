"""Tests for the typed public record and its agreement with the official files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from narcoflow.data import record
from narcoflow.data.record import (
    CBP_FENTANYL_LBS,
    CBP_SW_POE_SHARE_RANGE,
    CDC_DEATHS,
    NFLIS_FENTANYL_SHARE,
    cbp_fentanyl_lbs,
    nflis_fentanyl_share,
    t404_deaths,
)

SHARED_DATA = Path(__file__).parents[2].parent / "shared/data"
CBP_SW_FENTANYL_CSV = SHARED_DATA / "cbp/fentanylfy19fy23.csv"
CBP_NATIONWIDE_CSVS = (
    SHARED_DATA / "cbp/nationwide-drugs-fy19-fy22.csv",
    SHARED_DATA / "cbp/nationwide-drugs-fy20-fy23.csv",
)
LBS = "Sum Qty (lbs)"

EXPECTED_DEATHS = {
    2013: (43_982, 3_105),
    2014: (47_055, 5_544),
    2015: (52_404, 9_580),
    2016: (63_632, 19_413),
    2017: (70_237, 28_466),
    2018: (67_367, 31_335),
    2019: (70_630, 36_359),
    2020: (91_799, 56_516),
    2021: (106_699, 70_601),
    2022: (107_941, 73_838),
    2023: (105_007, 72_776),
    2024: (80_391, 48_000),
}
EXPECTED_CBP = {
    2019: (2_804, 2_633),
    2020: (4_791, 4_558),
    2021: (11_201, 10_586),
    2022: (14_700, 14_104),
    2023: (27_023, 26_718),
    2024: (21_889, 21_148),
}
EXPECTED_NFLIS = {
    2013: 0.006,
    2014: 0.028,
    2015: 0.082,
    2016: 0.185,
    2017: 0.322,
    2018: 0.406,
    2019: 0.473,
    2020: 0.562,
    2021: 0.698,
}


def _fiscal_year(value: object) -> int:
    """Parse a CBP FY cell: 2019, "2019", "FY19" or "FY2019"."""
    text = str(value).strip().upper().removeprefix("FY")
    year = int(float(text))
    return year + 2000 if year < 100 else year


def _read_cbp(path: Path) -> pd.DataFrame:
    if not path.exists():
        pytest.skip(f"official CBP file not present: {path}")
    frame = pd.read_csv(path)
    frame["fiscal_year"] = frame["FY"].map(_fiscal_year)
    return frame


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------
def test_cdc_deaths_values() -> None:
    assert set(CDC_DEATHS) == set(EXPECTED_DEATHS)
    for year, (all_drug, t404) in EXPECTED_DEATHS.items():
        entry = CDC_DEATHS[year]
        assert entry.year == year
        assert (entry.all_drug, entry.t404) == (all_drug, t404)
        assert entry.t404 < entry.all_drug


def test_cbp_values() -> None:
    assert set(CBP_FENTANYL_LBS) == set(EXPECTED_CBP)
    for fy, (nationwide, southwest) in EXPECTED_CBP.items():
        entry = CBP_FENTANYL_LBS[fy]
        assert entry.fiscal_year == fy
        assert (entry.nationwide_lbs, entry.southwest_lbs) == (nationwide, southwest)
        assert entry.southwest_lbs <= entry.nationwide_lbs
    assert CBP_FENTANYL_LBS[2024].press_release
    assert not any(CBP_FENTANYL_LBS[fy].press_release for fy in range(2019, 2024))


def test_nflis_values() -> None:
    assert {y: r.share for y, r in NFLIS_FENTANYL_SHARE.items()} == EXPECTED_NFLIS
    assert NFLIS_FENTANYL_SHARE[2021].partial_year
    assert not any(NFLIS_FENTANYL_SHARE[y].partial_year for y in range(2013, 2021))


def test_poe_share_range() -> None:
    low, high = CBP_SW_POE_SHARE_RANGE
    assert 0 < low < high < 1
    assert CBP_SW_POE_SHARE_RANGE.as_tuple() == (low, high)
    for fy in range(2019, 2024):
        entry = CBP_FENTANYL_LBS[fy]
        assert entry.southwest_poe_lbs is not None
        assert entry.southwest_poe_lbs / entry.southwest_lbs in CBP_SW_POE_SHARE_RANGE
        assert entry.southwest_between_ports_lbs == pytest.approx(
            entry.southwest_lbs - entry.southwest_poe_lbs
        )


def test_every_entry_has_a_source() -> None:
    entries = [
        *CDC_DEATHS.values(),
        *CBP_FENTANYL_LBS.values(),
        *NFLIS_FENTANYL_SHARE.values(),
        CBP_SW_POE_SHARE_RANGE,
    ]
    for entry in entries:
        assert isinstance(entry.source, str)
        assert entry.source.strip(), entry


def test_record_is_immutable() -> None:
    with pytest.raises(TypeError):
        CDC_DEATHS[2030] = CDC_DEATHS[2023]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        CDC_DEATHS[2023].t404 = 0  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Provisional and press figures
# --------------------------------------------------------------------------------------------
def test_2024_provisional_and_excluded_by_default() -> None:
    assert CDC_DEATHS[2024].provisional
    assert not any(CDC_DEATHS[y].provisional for y in range(2013, 2024))
    assert "provisional" in CDC_DEATHS[2024].source.lower()

    final = t404_deaths()
    assert 2024 not in final.index
    assert list(final.index) == list(range(2013, 2024))
    assert final.loc[2022] == 73_838

    everything = t404_deaths(include_provisional=True)
    assert everything.loc[2024] == 48_000
    assert len(everything) == len(final) + 1


def test_cbp_series() -> None:
    nationwide = cbp_fentanyl_lbs()
    assert list(nationwide.index) == list(range(2019, 2024))
    assert nationwide.loc[2023] == 27_023
    southwest = cbp_fentanyl_lbs("southwest")
    assert southwest.loc[2019] == 2_633
    assert (southwest <= nationwide).all()
    with_press = cbp_fentanyl_lbs("southwest", include_press=True)
    assert with_press.loc[2024] == 21_148
    with pytest.raises(ValueError, match="region"):
        cbp_fentanyl_lbs("northern")  # type: ignore[arg-type]


def test_nflis_series() -> None:
    series = nflis_fentanyl_share()
    assert list(series.index) == list(range(2013, 2022))
    assert series.is_monotonic_increasing
    assert series.between(0, 1).all()
    assert series.loc[2019] == pytest.approx(0.473)


def test_public_functions_and_types_are_documented() -> None:
    for name in record.__all__:
        obj = getattr(record, name)
        if callable(obj):
            assert obj.__doc__, name


# --------------------------------------------------------------------------------------------
# Agreement with the official CBP files
# --------------------------------------------------------------------------------------------
def test_southwest_totals_match_cbp_csv() -> None:
    frame = _read_cbp(CBP_SW_FENTANYL_CSV)
    assert {"FY", "Component", "Region", "Drug Type", LBS} <= set(frame.columns)
    assert set(frame["Region"].unique()) == {"Southwest Border"}
    assert set(frame["Drug Type"].unique()) == {"Fentanyl"}

    by_fy = frame.groupby("fiscal_year")[LBS].sum()
    assert sorted(by_fy.index) == list(range(2019, 2024))
    for fy, total in by_fy.items():
        assert abs(total - CBP_FENTANYL_LBS[fy].southwest_lbs) <= 1.0, fy


def test_southwest_ports_of_entry_match_cbp_csv() -> None:
    frame = _read_cbp(CBP_SW_FENTANYL_CSV)
    ofo = frame[frame["Component"] == "Office of Field Operations"]
    poe_by_fy = ofo.groupby("fiscal_year")[LBS].sum()
    share_by_fy = poe_by_fy / frame.groupby("fiscal_year")[LBS].sum()
    for fy, lbs in poe_by_fy.items():
        assert abs(lbs - CBP_FENTANYL_LBS[fy].southwest_poe_lbs) <= 1.0, fy
        assert share_by_fy[fy] in CBP_SW_POE_SHARE_RANGE, fy


@pytest.mark.parametrize("path", CBP_NATIONWIDE_CSVS, ids=lambda p: p.name)
def test_nationwide_totals_match_cbp_csv(path: Path) -> None:
    frame = _read_cbp(path)
    fentanyl = frame[frame["Drug Type"] == "Fentanyl"]
    nationwide = fentanyl.groupby("fiscal_year")[LBS].sum()
    southwest = fentanyl[fentanyl["Region"] == "Southwest Border"].groupby("fiscal_year")[LBS].sum()
    for fy, total in nationwide.items():
        assert abs(total - CBP_FENTANYL_LBS[fy].nationwide_lbs) <= 1.0, fy
        assert abs(southwest[fy] - CBP_FENTANYL_LBS[fy].southwest_lbs) <= 1.0, fy
