"""Loader for CBP's public drug-seizure CSV download, and the aggregates NarcoFlow uses from it.

U.S. Customs and Border Protection publishes its drug seizure statistics as CSV files with one
row per fiscal year, month, component, region, land filter, area of responsibility and drug type,
and the columns::

    FY, Month (abbv), Component, Region, Land Filter, Area of Responsibility, Drug Type,
    Count of Event, Sum Qty (lbs)

The federal fiscal year runs October to September, so ``FY=2020, Month=OCT`` is October 2019.
CBP's downloads overlap (``nationwide-drugs-fy19-fy22.csv`` and ``nationwide-drugs-fy20-fy23.csv``
both hold FY2020-FY2022; ``fentanylfy19fy23.csv`` repeats their Southwest-border fentanyl rows):
:func:`load_cbp_csv` takes any number of such files and counts every row once.

Overlapping files
-----------------
Rows are keyed by (FY, month, component, region, land filter, area of responsibility, drug type),
names compared case-insensitively. A key that appears in several files is kept once:

* When the files agree (same count of events, and quantities equal to a relative 1e-9 -- CBP's
  files print the same float with different rounding in the last digits), the row is kept once.
* When they disagree, the row of the file with the *later coverage* wins (the file whose latest
  fiscal year is latest; between files ending in the same fiscal year, the one given later), on
  the grounds that a later download carries CBP's revisions. A :class:`CbpOverlapWarning` lists
  the disagreements. Pass ``on_conflict="error"`` to raise :class:`~narcoflow.errors.NarcoFlowError`
  instead.
* A key present in one file and absent from another overlapping file is kept: CBP leaves out
  rows with nothing to report, so absence is not a revision to zero.

The same key twice within one file is an error (the loader cannot tell which row is right).

Examples
--------
>>> from narcoflow.data.cbp import load_cbp_csv, fiscal_year_totals  # doctest: +SKIP
>>> df = load_cbp_csv(["nationwide-drugs-fy19-fy22.csv", "nationwide-drugs-fy20-fy23.csv"])  # doctest: +SKIP
>>> fiscal_year_totals(df).round().astype(int).to_dict()  # doctest: +SKIP
{2019: 2804, 2020: 4791, 2021: 11201, 2022: 14700, 2023: 27023}
"""

from __future__ import annotations

import csv
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Literal

import pandas as pd

from narcoflow.errors import NarcoFlowError
from narcoflow.inputs import read_text

__all__ = [
    "CBP_COLUMNS",
    "COMPONENT_ABBREVIATIONS",
    "SOUTHWEST_BORDER",
    "CbpOverlapWarning",
    "fiscal_year_totals",
    "load_cbp_csv",
    "monthly_series",
]

COL_FY = "FY"
COL_MONTH = "Month (abbv)"
COL_COMPONENT = "Component"
COL_REGION = "Region"
COL_LAND = "Land Filter"
COL_AREA = "Area of Responsibility"
COL_DRUG = "Drug Type"
COL_EVENTS = "Count of Event"
COL_LBS = "Sum Qty (lbs)"

CBP_COLUMNS: tuple[str, ...] = (
    COL_FY,
    COL_MONTH,
    COL_COMPONENT,
    COL_REGION,
    COL_LAND,
    COL_AREA,
    COL_DRUG,
    COL_EVENTS,
    COL_LBS,
)
"""The columns of CBP's drug-seizure CSV download, as CBP spells them."""

COMPONENT_ABBREVIATIONS: dict[str, str] = {
    "office of field operations": "OFO",
    "u.s. border patrol": "USBP",
    "us border patrol": "USBP",
    "ofo": "OFO",
    "usbp": "USBP",
}
"""CBP component names (case-folded) and the short names the loader gives them."""

SOUTHWEST_BORDER = "Southwest Border"
"""CBP's name for the Southwest border region."""

OUTPUT_COLUMNS: tuple[str, ...] = (
    "month",
    "fiscal_year",
    "component",
    "region",
    "land_filter",
    "area",
    "drug",
    "lbs",
    "events",
)

_MONTHS: dict[str, int] = {
    "JAN": 1,
    "FEB": 2,
    "MAR": 3,
    "APR": 4,
    "MAY": 5,
    "JUN": 6,
    "JUL": 7,
    "AUG": 8,
    "SEP": 9,
    "SEPT": 9,
    "OCT": 10,
    "NOV": 11,
    "DEC": 12,
    "JANUARY": 1,
    "FEBRUARY": 2,
    "MARCH": 3,
    "APRIL": 4,
    "JUNE": 6,
    "JULY": 7,
    "AUGUST": 8,
    "SEPTEMBER": 9,
    "OCTOBER": 10,
    "NOVEMBER": 11,
    "DECEMBER": 12,
}
_FY_RE = re.compile(r"^(?:FY)?\s*(\d{4})$", re.IGNORECASE)
_FY_MIN, _FY_MAX = 1970, 2100
_LBS_REL_TOL = 1e-9
_LBS_ABS_TOL = 1e-9
_MAX_LISTED_CONFLICTS = 5

PathArg = str | PathLike[str]


class CbpOverlapWarning(UserWarning):
    """Two CBP files disagree on a row they both hold; the file with later coverage was used."""


@dataclass(frozen=True, slots=True)
class _Row:
    """One validated data row of a CBP file."""

    fiscal_year: int
    month: int
    component: str
    region: str
    land_filter: str
    area: str
    drug: str
    events: int
    lbs: float
    line: int

    @property
    def key(self) -> tuple[int, int, str, str, str, str, str]:
        """The (FY, month, component, region, land filter, area, drug) key of the row.

        Names are compared case-insensitively, so ``FENTANYL`` in one file and ``Fentanyl`` in
        another are the same row.
        """
        return (
            self.fiscal_year,
            self.month,
            self.component.casefold(),
            self.region.casefold(),
            self.land_filter.casefold(),
            self.area.casefold(),
            self.drug.casefold(),
        )


@dataclass(frozen=True, slots=True)
class _File:
    """The validated rows of one CBP file."""

    path: str
    rows: tuple[_Row, ...]
    last_fiscal_year: int
    """The latest fiscal year in the whole file (before any drug filter): its coverage."""


# --------------------------------------------------------------------------------------------
# Reading and validating one file
# --------------------------------------------------------------------------------------------
def _component(name: str) -> str:
    """Short name of a CBP component (``OFO``, ``USBP``), or the name as given."""
    return COMPONENT_ABBREVIATIONS.get(name.casefold(), name)


def _parse_fy(text: str, file: str, line: int) -> int:
    match = _FY_RE.match(text)
    if match is None:
        raise NarcoFlowError(
            f"{text!r} is not a fiscal year (expected four digits, e.g. 2021)",
            file=file,
            line=line,
            field=COL_FY,
        )
    fy = int(match.group(1))
    if not _FY_MIN <= fy <= _FY_MAX:
        raise NarcoFlowError(
            f"fiscal year {fy} is outside {_FY_MIN}-{_FY_MAX}",
            file=file,
            line=line,
            field=COL_FY,
        )
    return fy


def _parse_month(text: str, file: str, line: int) -> int:
    month = _MONTHS.get(text.upper())
    if month is None:
        raise NarcoFlowError(
            f"unknown month abbreviation {text!r} (expected JAN, FEB, ..., DEC)",
            file=file,
            line=line,
            field=COL_MONTH,
        )
    return month


def _number_text(text: str) -> str:
    """The text of a number with thousands separators removed."""
    return text.replace(",", "").strip()


def _parse_events(text: str, file: str, line: int) -> int:
    try:
        value = float(_number_text(text))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value != int(value):
        raise NarcoFlowError(
            f"{text!r} is not a whole number of events",
            file=file,
            line=line,
            field=COL_EVENTS,
        )
    if value < 0:
        raise NarcoFlowError(
            f"negative count of events {text!r}",
            file=file,
            line=line,
            field=COL_EVENTS,
        )
    return int(value)


def _parse_lbs(text: str, file: str, line: int) -> float:
    try:
        value = float(_number_text(text))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise NarcoFlowError(
            f"{text!r} is not a number of pounds",
            file=file,
            line=line,
            field=COL_LBS,
        )
    if value < 0:
        raise NarcoFlowError(
            f"negative quantity {text!r}",
            file=file,
            line=line,
            field=COL_LBS,
        )
    return value


def _required_text(text: str, column: str, file: str, line: int) -> str:
    if not text:
        raise NarcoFlowError("empty value", file=file, line=line, field=column)
    return text


def _header_index(header: list[str], file: str) -> dict[str, int]:
    """Map each CBP column to its position in ``header``; raise if one is missing or repeated."""
    names = [h.strip() for h in header]
    index: dict[str, int] = {}
    for column in CBP_COLUMNS:
        positions = [i for i, name in enumerate(names) if name.casefold() == column.casefold()]
        if len(positions) > 1:
            raise NarcoFlowError(
                f"column {column!r} appears {len(positions)} times in the header",
                file=file,
                line=1,
                field=column,
            )
        if positions:
            index[column] = positions[0]
    missing = [c for c in CBP_COLUMNS if c not in index]
    if missing:
        listed = ", ".join(repr(c) for c in missing)
        raise NarcoFlowError(
            f"missing column{'s' if len(missing) > 1 else ''} {listed}; a CBP drug-seizure CSV has "
            f"the columns {', '.join(CBP_COLUMNS)}",
            file=file,
            line=1,
            field=missing[0],
        )
    return index


#: Largest CBP CSV read, bytes (CBP's nationwide four-year download is about 10 MB).
MAX_CBP_BYTES = 256 * 2**20


def _read_file(path: Path) -> _File:
    """Read and validate one CBP CSV file."""
    file = str(path)
    if not path.exists():
        raise NarcoFlowError("no such file", file=file)
    text = read_text(path, MAX_CBP_BYTES)
    if not text.strip():
        raise NarcoFlowError("empty file: no header row and no data rows", file=file, line=1)

    reader = csv.reader(text.splitlines(keepends=True))
    rows: list[_Row] = []
    seen: dict[tuple[int, int, str, str, str, str, str], int] = {}
    index: dict[str, int] | None = None
    width = 0
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank line
            if index is None:
                index = _header_index(record, file)
                width = len(record)
                continue
            if len(record) != width:
                raise NarcoFlowError(
                    f"row has {len(record)} fields, the header has {width}",
                    file=file,
                    line=line,
                )
            cell = {column: record[i].strip() for column, i in index.items()}
            row = _Row(
                fiscal_year=_parse_fy(cell[COL_FY], file, line),
                month=_parse_month(cell[COL_MONTH], file, line),
                component=_component(_required_text(cell[COL_COMPONENT], COL_COMPONENT, file, line)),
                region=_required_text(cell[COL_REGION], COL_REGION, file, line),
                land_filter=cell[COL_LAND],
                area=cell[COL_AREA],
                drug=_required_text(cell[COL_DRUG], COL_DRUG, file, line),
                events=_parse_events(cell[COL_EVENTS], file, line),
                lbs=_parse_lbs(cell[COL_LBS], file, line),
                line=line,
            )
            if row.key in seen:
                raise NarcoFlowError(
                    f"duplicate row: the same FY, month, component, region, land filter, area and "
                    f"drug type as line {seen[row.key]}",
                    file=file,
                    line=line,
                )
            seen[row.key] = line
            rows.append(row)
    except csv.Error as exc:
        raise NarcoFlowError(f"malformed CSV: {exc}", file=file, line=reader.line_num) from exc
    if not rows:
        raise NarcoFlowError("no data rows (the file has a header only)", file=file, line=reader.line_num + 1)
    return _File(file, tuple(rows), max(r.fiscal_year for r in rows))


# --------------------------------------------------------------------------------------------
# Combining files
# --------------------------------------------------------------------------------------------
def _same(a: _Row, b: _Row) -> bool:
    """Whether two rows for the same key carry the same figures (up to float print rounding)."""
    return a.events == b.events and math.isclose(a.lbs, b.lbs, rel_tol=_LBS_REL_TOL, abs_tol=_LBS_ABS_TOL)


def _describe(row: _Row) -> str:
    """The key of ``row`` as text, e.g. ``FY2020 OCT OFO / Southwest Border / ...``."""
    abbrev = next(k for k, v in _MONTHS.items() if v == row.month)
    return (
        f"FY{row.fiscal_year} {abbrev} {row.component} / {row.region} / {row.land_filter} / "
        f"{row.area} / {row.drug}"
    )


def _combine(files: Sequence[_File], on_conflict: Literal["prefer_later", "error"]) -> list[_Row]:
    """Union the rows of ``files``, each key once; see the module docstring for the rules."""
    # Rank files by coverage: latest fiscal year, then position in the argument list.
    ranked = sorted(range(len(files)), key=lambda i: (files[i].last_fiscal_year, i), reverse=True)
    chosen: dict[tuple[int, int, str, str, str, str, str], tuple[int, _Row]] = {}
    conflicts: list[str] = []
    for i in ranked:  # the preferred file first
        for row in files[i].rows:
            kept = chosen.get(row.key)
            if kept is None:
                chosen[row.key] = (i, row)
                continue
            j, winner = kept
            if _same(winner, row):
                continue
            conflicts.append(
                f"{_describe(row)}: {files[j].path}:{winner.line} has {winner.events} events, "
                f"{winner.lbs:g} lb; {files[i].path}:{row.line} has {row.events} events, {row.lbs:g} lb"
            )
            if on_conflict == "error":
                raise NarcoFlowError(
                    f"files disagree on a row they both hold: {conflicts[-1]}",
                    file=files[i].path,
                    line=row.line,
                )
    if conflicts:
        listed = "; ".join(conflicts[:_MAX_LISTED_CONFLICTS])
        more = len(conflicts) - _MAX_LISTED_CONFLICTS
        warnings.warn(
            f"{len(conflicts)} row(s) differ between overlapping CBP files; kept the row of the file "
            f"with the later coverage (listed first): {listed}" + (f"; and {more} more" if more > 0 else ""),
            CbpOverlapWarning,
            stacklevel=3,
        )
    return [row for _, row in chosen.values()]


def _as_paths(paths: PathArg | Sequence[PathArg]) -> list[Path]:
    if isinstance(paths, str | PathLike):
        return [Path(paths)]
    out = [Path(p) for p in paths]
    if not out:
        raise NarcoFlowError("no CBP CSV files given")
    return out


def _frame(rows: Sequence[_Row]) -> pd.DataFrame:
    """The tidy frame of the loader from validated rows."""
    calendar_year = [r.fiscal_year - 1 if r.month >= 10 else r.fiscal_year for r in rows]
    df = pd.DataFrame(
        {
            "month": pd.to_datetime(
                pd.DataFrame({"year": calendar_year, "month": [r.month for r in rows], "day": 1})
            ).astype("datetime64[ns]"),
            "fiscal_year": pd.Series([r.fiscal_year for r in rows], dtype="int64"),
            "component": [r.component for r in rows],
            "region": [r.region for r in rows],
            "land_filter": [r.land_filter for r in rows],
            "area": [r.area for r in rows],
            "drug": [r.drug for r in rows],
            "lbs": pd.Series([r.lbs for r in rows], dtype="float64"),
            "events": pd.Series([r.events for r in rows], dtype="int64"),
        },
        columns=list(OUTPUT_COLUMNS),
    )
    order = ["month", "component", "region", "land_filter", "area", "drug"]
    return df.sort_values(order, kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def load_cbp_csv(
    paths: PathArg | Sequence[PathArg],
    drug: str | None = "Fentanyl",
    *,
    on_conflict: Literal["prefer_later", "error"] = "prefer_later",
) -> pd.DataFrame:
    """Load one or more CBP drug-seizure CSV files into one tidy frame, each row counted once.

    Parameters
    ----------
    paths : a file or a sequence of files in CBP's drug-seizure CSV format (see the module
        docstring for the columns). Files may overlap; each (FY, month, component, region, land
        filter, area, drug) row is kept once.
    drug : keep only this ``Drug Type`` (compared case-insensitively, e.g. ``"Fentanyl"``,
        ``"Methamphetamine"``); None keeps every drug type. Every row of every file is validated
        whatever the filter.
    on_conflict : what to do when two files give different figures for the same row:
        ``"prefer_later"`` keeps the row of the file with the later coverage and issues a
        :class:`CbpOverlapWarning`; ``"error"`` raises :class:`NarcoFlowError`.

    Returns
    -------
    pandas.DataFrame with one row per seizure-statistics row and the columns

    - ``month`` (Timestamp): first day of the calendar month (FY2020 OCT is 2019-10-01);
    - ``fiscal_year`` (int): the federal fiscal year, October to September;
    - ``component`` (str): ``"OFO"`` (Office of Field Operations, ports of entry), ``"USBP"``
      (U.S. Border Patrol, between ports), or the name in the file if it is another;
    - ``region``, ``land_filter``, ``area``, ``drug`` (str): as in the file;
    - ``lbs`` (float): ``Sum Qty (lbs)``; ``events`` (int): ``Count of Event``.

    Sorted by month, component, region, land filter, area and drug. ``df.attrs["files"]`` lists
    the files read.

    Raises
    ------
    NarcoFlowError : a file is missing, unreadable, empty or has no data rows; a column is
        missing; a value has the wrong type (FY, month abbreviation, count or quantity) or is
        negative; a row is repeated within one file; no row has the requested drug type; or, with
        ``on_conflict="error"``, two files disagree. The error names the file, and the line and
        column where they apply.

    Warns
    -----
    CbpOverlapWarning : overlapping files disagree on some rows (with ``on_conflict="prefer_later"``).
    """
    if on_conflict not in ("prefer_later", "error"):
        raise NarcoFlowError(
            f"on_conflict must be 'prefer_later' or 'error', not {on_conflict!r}", field="on_conflict"
        )
    files = [_read_file(p) for p in _as_paths(paths)]
    if drug is not None:
        wanted = drug.strip().casefold()
        present = sorted({r.drug for f in files for r in f.rows})
        files = [
            _File(f.path, tuple(r for r in f.rows if r.drug.casefold() == wanted), f.last_fiscal_year)
            for f in files
        ]
        if not any(f.rows for f in files):
            raise NarcoFlowError(
                f"no rows with drug type {drug!r}; the files hold: {', '.join(present)}",
                file=", ".join(f.path for f in files),
                field=COL_DRUG,
            )
        # A file with no row of this drug says nothing about it: leave it out of the overlap rules.
        files = [f for f in files if f.rows]
    df = _frame(_combine(files, on_conflict))
    df.attrs["files"] = [str(p) for p in _as_paths(paths)]
    return df


def _select_region(df: pd.DataFrame, region: str | None) -> pd.DataFrame:
    if region is None:
        return df
    selected = df[df["region"].str.casefold() == region.casefold()]
    if selected.empty:
        present = ", ".join(sorted(df["region"].unique()))
        raise NarcoFlowError(f"no rows for region {region!r}; the data hold: {present}", field="region")
    return selected


def fiscal_year_totals(
    df: pd.DataFrame,
    region: str | None = None,
    value: Literal["lbs", "events"] = "lbs",
) -> pd.Series:
    """Totals by fiscal year of a frame from :func:`load_cbp_csv`.

    Parameters
    ----------
    df : a frame from :func:`load_cbp_csv` (it sums whatever drugs the frame holds; load with
        one ``drug`` for per-drug totals).
    region : None for all regions (nationwide), or a CBP region such as ``"Southwest Border"``
        (compared case-insensitively).
    value : ``"lbs"`` (pounds seized) or ``"events"`` (seizure events).

    Returns
    -------
    pandas.Series indexed by fiscal year (name ``"fiscal_year"``), named after ``value``; float
    for pounds, int for events.

    Raises
    ------
    NarcoFlowError : no row has the region, or ``value`` is unknown.
    """
    if value not in ("lbs", "events"):
        raise NarcoFlowError(f"value must be 'lbs' or 'events', not {value!r}", field="value")
    selected = _select_region(df, region)
    return selected.groupby("fiscal_year")[value].sum().rename(value).sort_index()


def monthly_series(df: pd.DataFrame, region: str | None = SOUTHWEST_BORDER) -> pd.DataFrame:
    """Monthly pounds and events by component of a frame from :func:`load_cbp_csv`.

    Every calendar month from the first to the last in the selection appears for every
    component in it; a month with no row for a component has 0 lb and 0 events.

    Parameters
    ----------
    df : a frame from :func:`load_cbp_csv` (it sums whatever drugs the frame holds).
    region : a CBP region (default ``"Southwest Border"``), or None for all regions.

    Returns
    -------
    pandas.DataFrame indexed by (``month``, ``component``) with the columns ``lbs`` (float) and
    ``events`` (int), sorted. ``.unstack("component")`` gives a month x component table.

    Raises
    ------
    NarcoFlowError : no row has the region.
    """
    selected = _select_region(df, region)
    sums = selected.groupby(["month", "component"])[["lbs", "events"]].sum()
    months = pd.date_range(selected["month"].min(), selected["month"].max(), freq="MS", name="month")
    components = pd.Index(sorted(selected["component"].unique()), name="component")
    full = pd.MultiIndex.from_product([months.astype("datetime64[ns]"), components])
    out = sums.reindex(full, fill_value=0)
    return out.astype({"lbs": "float64", "events": "int64"})
