"""Tests for the CBP drug-seizure CSV loader and the shipped monthly Southwest-border figures."""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from narcoflow.data import cbp_monthly
from narcoflow.data.cbp import (
    CBP_COLUMNS,
    CbpOverlapWarning,
    fiscal_year_totals,
    load_cbp_csv,
    monthly_series,
)
from narcoflow.data.cbp_monthly import (
    SOURCE,
    SW_FENTANYL_MONTHLY,
    MonthlySeizure,
    sw_fentanyl_fiscal_year_totals,
    sw_fentanyl_monthly,
    sw_fentanyl_monthly_table,
)
from narcoflow.data.record import CBP_FENTANYL_LBS
from narcoflow.errors import NarcoFlowError

CBP_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "cbp"
NW_19_22 = CBP_DIR / "nationwide-drugs-fy19-fy22.csv"
NW_20_23 = CBP_DIR / "nationwide-drugs-fy20-fy23.csv"
SW_FENT = CBP_DIR / "fentanylfy19fy23.csv"
ALL_FILES = (NW_19_22, NW_20_23, SW_FENT)

# Fentanyl (lb) computed from CBP's files: nationwide and Southwest border (../shared/data/README.md).
NATIONWIDE = {2019: 2_804, 2020: 4_791, 2021: 11_201, 2022: 14_700, 2023: 27_023}
SOUTHWEST = {2019: 2_633, 2020: 4_558, 2021: 10_586, 2022: 14_104, 2023: 26_718}

needs_files = pytest.mark.skipif(
    not all(p.is_file() for p in ALL_FILES), reason=f"CBP CSV files not found in {CBP_DIR}"
)

HEADER = ",".join(CBP_COLUMNS)
GOOD_ROWS = (
    "2020,OCT,Office of Field Operations,Southwest Border,Land Only,SAN DIEGO FIELD OFFICE,Fentanyl,3,10.5",
    "2020,SEP,U.S. Border Patrol,Southwest Border,Land Only,TUCSON SECTOR,Fentanyl,2,4.25",
    "2020,JAN,U.S. Border Patrol,Northern Border,Land Only,BLAINE SECTOR,Fentanyl,1,0.5",
    "2020,JAN,U.S. Border Patrol,Northern Border,Land Only,BLAINE SECTOR,Cocaine,1,7.0",
)


def _rounded(series: pd.Series) -> dict[int, int]:
    return {int(k): round(float(v)) for k, v in series.items()}


@pytest.fixture
def no_warnings() -> Iterator[None]:
    """Turn warnings into errors for the duration of a test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture(scope="module")
def all_three() -> pd.DataFrame:
    """Fentanyl rows of all three CBP files loaded together."""
    if not all(p.is_file() for p in ALL_FILES):
        pytest.skip(f"CBP CSV files not found in {CBP_DIR}")
    return load_cbp_csv(ALL_FILES)


def write_csv(
    tmp_path: Path, rows: tuple[str, ...] | list[str], header: str = HEADER, name: str = "x.csv"
) -> Path:
    """Write a small CBP-format file in ``tmp_path``."""
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Against CBP's files
# --------------------------------------------------------------------------------------------
@needs_files
def test_all_three_files_give_the_published_totals(all_three: pd.DataFrame, no_warnings: None) -> None:
    assert _rounded(fiscal_year_totals(all_three)) == NATIONWIDE
    assert _rounded(fiscal_year_totals(all_three, region="Southwest Border")) == SOUTHWEST
    assert set(all_three["drug"]) == {"Fentanyl"}
    assert set(all_three["component"]) == {"OFO", "USBP"}
    assert list(all_three.columns) == [
        "month",
        "fiscal_year",
        "component",
        "region",
        "land_filter",
        "area",
        "drug",
        "lbs",
        "events",
    ]


@needs_files
def test_all_three_files_agree_with_the_typed_record(all_three: pd.DataFrame) -> None:
    nationwide = fiscal_year_totals(all_three)
    southwest = fiscal_year_totals(all_three, region="Southwest Border")
    ports = fiscal_year_totals(all_three[all_three["component"] == "OFO"], region="Southwest Border")
    for fy in NATIONWIDE:
        record = CBP_FENTANYL_LBS[fy]
        assert round(nationwide[fy]) == record.nationwide_lbs
        assert round(southwest[fy]) == record.southwest_lbs
        assert round(ports[fy]) == record.southwest_poe_lbs


@needs_files
@pytest.mark.parametrize(("path", "years"), [(NW_19_22, range(2019, 2023)), (NW_20_23, range(2020, 2024))])
def test_each_nationwide_file_alone(path: Path, years: range, no_warnings: None) -> None:
    df = load_cbp_csv(path)
    assert _rounded(fiscal_year_totals(df)) == {fy: NATIONWIDE[fy] for fy in years}
    assert _rounded(fiscal_year_totals(df, region="Southwest Border")) == {fy: SOUTHWEST[fy] for fy in years}


@needs_files
def test_southwest_fentanyl_file_alone(no_warnings: None) -> None:
    df = load_cbp_csv(SW_FENT)
    assert set(df["region"]) == {"Southwest Border"}
    assert _rounded(fiscal_year_totals(df)) == SOUTHWEST


@needs_files
def test_overlapping_files_are_not_double_counted(no_warnings: None) -> None:
    early, late = load_cbp_csv(NW_19_22), load_cbp_csv(NW_20_23)
    both = load_cbp_csv([NW_19_22, NW_20_23])
    totals = fiscal_year_totals(both)
    pd.testing.assert_series_equal(totals.loc[2019:2022], fiscal_year_totals(early), rtol=1e-12)
    pd.testing.assert_series_equal(totals.loc[2020:2023], fiscal_year_totals(late), rtol=1e-12)
    # FY2020-FY2022 rows are the same rows in each file: none is added twice.
    overlap = both[both["fiscal_year"].between(2020, 2022)].reset_index(drop=True)
    late_overlap = late[late["fiscal_year"].between(2020, 2022)].reset_index(drop=True)
    pd.testing.assert_frame_equal(overlap, late_overlap, rtol=1e-12)
    # The same file twice is the file once.
    pd.testing.assert_frame_equal(load_cbp_csv([NW_19_22, NW_19_22]), early)


@needs_files
def test_order_of_files_does_not_matter(all_three: pd.DataFrame, no_warnings: None) -> None:
    reordered = load_cbp_csv([SW_FENT, NW_20_23, NW_19_22])
    pd.testing.assert_frame_equal(reordered, all_three, rtol=1e-12)


@needs_files
def test_fentanyl_file_adds_nothing_to_the_nationwide_files(all_three: pd.DataFrame) -> None:
    nationwide = load_cbp_csv([NW_19_22, NW_20_23])
    pd.testing.assert_frame_equal(nationwide, all_three, rtol=1e-12)


@needs_files
def test_all_drugs_each_row_once(no_warnings: None) -> None:
    both = load_cbp_csv([NW_19_22, NW_20_23], drug=None)
    key = ["month", "component", "region", "land_filter", "area", "drug"]
    assert not both.duplicated(key).any()
    early, late = load_cbp_csv(NW_19_22, drug=None), load_cbp_csv(NW_20_23, drug=None)
    shared = early.merge(late, on=key).shape[0]
    assert len(both) == len(early) + len(late) - shared
    assert both["drug"].nunique() == 10
    meth = load_cbp_csv([NW_19_22, NW_20_23], drug="methamphetamine")
    assert set(meth["drug"]) == {"Methamphetamine"}


@needs_files
def test_shipped_monthly_figures_equal_the_loader(all_three: pd.DataFrame) -> None:
    from_files = monthly_series(all_three, region="Southwest Border")
    shipped = sw_fentanyl_monthly()
    pd.testing.assert_index_equal(shipped.index, from_files.index)
    pd.testing.assert_series_equal(shipped["events"], from_files["events"])
    pd.testing.assert_series_equal(shipped["lbs"], from_files["lbs"], check_exact=False, rtol=0, atol=0.0051)
    # ... and from the Southwest-border fentanyl file alone, which they were generated from.
    alone = monthly_series(load_cbp_csv(SW_FENT)).round({"lbs": 2})
    pd.testing.assert_frame_equal(shipped, alone)


# --------------------------------------------------------------------------------------------
# The shipped monthly figures (no files needed)
# --------------------------------------------------------------------------------------------
def test_shipped_monthly_figures_shape() -> None:
    assert len(SW_FENTANYL_MONTHLY) == 120
    months = pd.date_range("2018-10-01", "2023-09-01", freq="MS").strftime("%Y-%m").tolist()
    assert [r.month for r in SW_FENTANYL_MONTHLY] == [m for m in months for _ in range(2)]
    assert [r.component for r in SW_FENTANYL_MONTHLY] == ["OFO", "USBP"] * 60
    for r in SW_FENTANYL_MONTHLY:
        assert isinstance(r, MonthlySeizure)
        assert isinstance(r.events, int) and r.events >= 1
        assert isinstance(r.lbs, float) and r.lbs >= 0 and round(r.lbs, 2) == r.lbs
    with pytest.raises(dataclasses.FrozenInstanceError):
        SW_FENTANYL_MONTHLY[0].lbs = 0.0  # type: ignore[misc]
    assert "fentanylfy19fy23.csv" in SOURCE and "Southwest Border" in SOURCE


def test_shipped_monthly_fiscal_year_totals_match_the_record() -> None:
    southwest = sw_fentanyl_fiscal_year_totals()
    ports = sw_fentanyl_fiscal_year_totals(component="OFO")
    between = sw_fentanyl_fiscal_year_totals(component="USBP")
    assert list(southwest.index) == [2019, 2020, 2021, 2022, 2023]
    for fy, total in southwest.items():
        record = CBP_FENTANYL_LBS[fy]
        assert round(total) == record.southwest_lbs
        assert round(ports[fy]) == record.southwest_poe_lbs
        assert ports[fy] + between[fy] == pytest.approx(total)
    events = sw_fentanyl_fiscal_year_totals(value="events")
    assert events.dtype == "int64" and (events > 0).all()


def test_shipped_monthly_frames() -> None:
    frame = sw_fentanyl_monthly()
    assert frame.index.names == ["month", "component"]
    assert frame.loc[(pd.Timestamp("2018-10-01"), "OFO"), "lbs"] == SW_FENTANYL_MONTHLY[0].lbs
    table = sw_fentanyl_monthly_table()
    assert table.shape == (60, 2) and list(table.columns) == ["OFO", "USBP"]
    assert table.sum().sum() == pytest.approx(sw_fentanyl_fiscal_year_totals().sum())
    assert sw_fentanyl_monthly_table("events").dtypes.eq("int64").all()
    assert SW_FENTANYL_MONTHLY[0].fiscal_year == 2019 and SW_FENTANYL_MONTHLY[-1].fiscal_year == 2023
    with pytest.raises(NarcoFlowError):
        sw_fentanyl_monthly_table("kg")  # type: ignore[arg-type]
    with pytest.raises(NarcoFlowError):
        sw_fentanyl_fiscal_year_totals(component="CBP")  # type: ignore[arg-type]


def test_monthly_module_does_not_read_files() -> None:
    text = Path(cbp_monthly.__file__).read_text(encoding="utf-8")
    assert "shared" not in text.replace("shared/data", "")
    assert not re.search(r"\b(open|read_csv|load_cbp_csv)\(", text)


# --------------------------------------------------------------------------------------------
# Small files: months, components, overlap rules
# --------------------------------------------------------------------------------------------
def test_small_file_months_and_components(tmp_path: Path) -> None:
    df = load_cbp_csv(write_csv(tmp_path, GOOD_ROWS))
    assert len(df) == 3  # the Cocaine row is filtered out
    oct_row = df[df["area"] == "SAN DIEGO FIELD OFFICE"].iloc[0]
    assert oct_row["month"] == pd.Timestamp("2019-10-01") and oct_row["fiscal_year"] == 2020
    assert oct_row["component"] == "OFO" and oct_row["events"] == 3 and oct_row["lbs"] == 10.5
    sep_row = df[df["area"] == "TUCSON SECTOR"].iloc[0]
    assert sep_row["month"] == pd.Timestamp("2020-09-01") and sep_row["component"] == "USBP"
    assert df["month"].is_monotonic_increasing
    assert df["events"].dtype == "int64" and df["lbs"].dtype == "float64"
    assert load_cbp_csv(write_csv(tmp_path, GOOD_ROWS), drug=None)["drug"].tolist().count("Cocaine") == 1


def test_small_file_aggregates(tmp_path: Path) -> None:
    df = load_cbp_csv(write_csv(tmp_path, GOOD_ROWS))
    assert fiscal_year_totals(df).to_dict() == {2020: 15.25}
    assert fiscal_year_totals(df, region="Southwest Border").to_dict() == {2020: 14.75}
    assert fiscal_year_totals(df, value="events").to_dict() == {2020: 6}
    series = monthly_series(df)
    # Every month Oct 2019 - Sep 2020 for both components, zero where nothing was seized.
    assert len(series) == 24
    assert series.loc[(pd.Timestamp("2019-10-01"), "USBP")].tolist() == [0.0, 0]
    assert series.loc[(pd.Timestamp("2020-09-01"), "USBP"), "lbs"] == 4.25
    assert monthly_series(df, region=None)["lbs"].sum() == 15.25
    with pytest.raises(NarcoFlowError, match="Coastal"):
        fiscal_year_totals(df, region="Coastal/Interior")


def test_identical_rows_in_two_files_count_once(tmp_path: Path, no_warnings: None) -> None:
    a = write_csv(tmp_path, GOOD_ROWS[:2], name="a.csv")
    # The same figure printed differently, as CBP's two nationwide files do.
    b = write_csv(tmp_path, [GOOD_ROWS[1].replace(",4.25", ",4.250000000000001"), GOOD_ROWS[2]], name="b.csv")
    df = load_cbp_csv([a, b])
    assert len(df) == 3
    assert fiscal_year_totals(df)[2020] == pytest.approx(15.25)
    # Names differing only in case are the same row.
    c = write_csv(tmp_path, [GOOD_ROWS[1].upper()], name="c.csv")
    assert len(load_cbp_csv([a, c])) == 2


def test_disagreeing_files_prefer_later_coverage_and_warn(tmp_path: Path) -> None:
    old = write_csv(tmp_path, GOOD_ROWS[:2], name="old.csv")
    changed = GOOD_ROWS[1].replace(",2,4.25", ",2,5.0")
    new = write_csv(tmp_path, [changed, GOOD_ROWS[0].replace("2020,OCT", "2021,OCT")], name="new.csv")
    for order in ([old, new], [new, old]):
        with pytest.warns(CbpOverlapWarning, match=r"new\.csv.*old\.csv"):
            df = load_cbp_csv(order)
        assert df.loc[df["area"] == "TUCSON SECTOR", "lbs"].tolist() == [5.0]
        assert len(df) == 3
    with pytest.raises(NarcoFlowError, match="disagree") as info:
        load_cbp_csv([old, new], on_conflict="error")
    assert info.value.file is not None and info.value.file.endswith("old.csv")


def test_same_coverage_later_argument_wins(tmp_path: Path) -> None:
    a = write_csv(tmp_path, GOOD_ROWS[:2], name="a.csv")
    b = write_csv(tmp_path, [GOOD_ROWS[1].replace(",2,4.25", ",3,4.25")], name="b.csv")
    with pytest.warns(CbpOverlapWarning):
        df = load_cbp_csv([a, b])
    assert df.loc[df["area"] == "TUCSON SECTOR", "events"].tolist() == [3]


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------
def _check(err: NarcoFlowError, path: Path, column: str | None, line: int | None) -> None:
    assert err.file == str(path)
    assert path.name in str(err)
    assert err.field == column
    assert err.line == line
    if column is not None:
        assert column in str(err)


def test_missing_column(tmp_path: Path) -> None:
    header = HEADER.replace(",Count of Event", "")
    rows = [r.rsplit(",", 2)[0] + "," + r.rsplit(",", 1)[1] for r in GOOD_ROWS]
    path = write_csv(tmp_path, rows, header=header)
    with pytest.raises(NarcoFlowError, match="missing column") as info:
        load_cbp_csv(path)
    _check(info.value, path, "Count of Event", 1)


def test_non_numeric_quantity(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [GOOD_ROWS[0], GOOD_ROWS[1].replace(",4.25", ",four")])
    with pytest.raises(NarcoFlowError, match="not a number") as info:
        load_cbp_csv(path)
    _check(info.value, path, "Sum Qty (lbs)", 3)


def test_non_numeric_count(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [GOOD_ROWS[0].replace(",3,10.5", ",2.5,10.5")])
    with pytest.raises(NarcoFlowError, match="whole number") as info:
        load_cbp_csv(path)
    _check(info.value, path, "Count of Event", 2)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(NarcoFlowError, match="empty") as info:
        load_cbp_csv(path)
    _check(info.value, path, None, 1)


def test_header_only(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [])
    with pytest.raises(NarcoFlowError, match="no data rows") as info:
        load_cbp_csv(path)
    _check(info.value, path, None, 2)  # where the first data row should be


def test_unknown_month(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [*GOOD_ROWS[:3], GOOD_ROWS[3].replace(",JAN,", ",JNA,")])
    with pytest.raises(NarcoFlowError, match="unknown month abbreviation 'JNA'") as info:
        load_cbp_csv(path)
    _check(info.value, path, "Month (abbv)", 5)


def test_negative_count(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [GOOD_ROWS[1].replace(",2,4.25", ",-2,4.25")])
    with pytest.raises(NarcoFlowError, match="negative") as info:
        load_cbp_csv(path)
    _check(info.value, path, "Count of Event", 2)


def test_negative_quantity(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [GOOD_ROWS[1].replace(",4.25", ",-4.25")])
    with pytest.raises(NarcoFlowError, match="negative") as info:
        load_cbp_csv(path)
    _check(info.value, path, "Sum Qty (lbs)", 2)


@pytest.mark.parametrize("fy", ["20x0", "1850", "", "2020.5"])
def test_bad_fiscal_year(tmp_path: Path, fy: str) -> None:
    path = write_csv(tmp_path, [GOOD_ROWS[0].replace("2020,OCT", f"{fy},OCT")])
    with pytest.raises(NarcoFlowError, match="fiscal year") as info:
        load_cbp_csv(path)
    _check(info.value, path, "FY", 2)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    with pytest.raises(NarcoFlowError, match="no such file") as info:
        load_cbp_csv([write_csv(tmp_path, GOOD_ROWS), path])
    _check(info.value, path, None, None)


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (HEADER + "\n" + GOOD_ROWS[0].replace("SAN DIEGO", "SAN DI\xc9GO") + "\n").encode("latin-1")
    )
    with pytest.raises(NarcoFlowError, match="cannot read") as info:
        load_cbp_csv(path)
    _check(info.value, path, None, 2)  # the line with the byte that is not UTF-8
    with pytest.raises(NarcoFlowError, match="cannot read"):
        load_cbp_csv(tmp_path)  # a directory


def test_ragged_row_and_duplicate_row(tmp_path: Path) -> None:
    ragged = write_csv(tmp_path, [GOOD_ROWS[0] + ",extra"], name="ragged.csv")
    with pytest.raises(NarcoFlowError, match="10 fields") as info:
        load_cbp_csv(ragged)
    _check(info.value, ragged, None, 2)
    dup = write_csv(tmp_path, [GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0]], name="dup.csv")
    with pytest.raises(NarcoFlowError, match=r"duplicate row.*line 2") as info:
        load_cbp_csv(dup)
    _check(info.value, dup, None, 4)


def test_unknown_drug_and_no_files(tmp_path: Path) -> None:
    path = write_csv(tmp_path, GOOD_ROWS)
    with pytest.raises(NarcoFlowError, match=r"Fentanil.*Cocaine, Fentanyl") as info:
        load_cbp_csv(path, drug="Fentanil")
    assert info.value.field == "Drug Type" and info.value.file == str(path)
    with pytest.raises(NarcoFlowError, match="no CBP CSV files"):
        load_cbp_csv([])


def test_tolerant_reading(tmp_path: Path) -> None:
    """A byte-order mark, blank lines, padding, lower-case months, thousands separators are fine."""
    path = tmp_path / "bom.csv"
    rows = [GOOD_ROWS[0].replace(",OCT,", ", oct ,").replace(",3,10.5", ',3,"1,010.5"'), "", GOOD_ROWS[1]]
    path.write_text("\ufeff" + HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    df = load_cbp_csv(path)
    assert df["lbs"].tolist() == [1010.5, 4.25]
