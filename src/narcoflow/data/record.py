"""The public record NarcoFlow is calibrated and validated against, as typed data with sources.

Every figure here was typed in from a public source named in its ``source`` field; no data file
is shipped. The official files these figures were computed from are tested against in
``tests/data`` when they are present (``../shared/data`` next to the project root).

Final and provisional figures are kept apart: CDC's 2024 counts are provisional (VSRR) while
2013-2023 are final (NVSS), and CBP's FY2024 figure comes from press releases rather than the
public CSV download. The convenience functions leave such entries out unless asked.

Examples
--------
>>> from narcoflow.data.record import CDC_DEATHS, t404_deaths
>>> CDC_DEATHS[2022].t404
73838
>>> int(t404_deaths().loc[2016])
19413
>>> 2024 in t404_deaths().index
False
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import pandas as pd

__all__ = [
    "CBP_FENTANYL_LBS",
    "CBP_SW_POE_SHARE_RANGE",
    "CDC_DEATHS",
    "NFLIS_FENTANYL_SHARE",
    "DeathRecord",
    "FigureRange",
    "SeizureRecord",
    "ShareRecord",
    "cbp_fentanyl_lbs",
    "nflis_fentanyl_share",
    "t404_deaths",
]

# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------
_NVSS_FINAL = (
    "CDC/NCHS, National Vital Statistics System, final multiple-cause-of-death data "
    "(CDC WONDER); drug overdose deaths ICD-10 X40-X44, X60-X64, X85, Y10-Y14; synthetic "
    "opioids other than methadone T40.4"
)
_VSRR_PROVISIONAL = (
    "CDC/NCHS, Vital Statistics Rapid Release (VSRR), provisional drug overdose death counts "
    "for calendar year 2024 (predicted provisional counts; approximate, subject to revision)"
)
_CBP_CSV = (
    "U.S. Customs and Border Protection, Drug Seizure Statistics, public CSV download "
    "(nationwide-drugs-fy19-fy22.csv, nationwide-drugs-fy20-fy23.csv, fentanylfy19fy23.csv); "
    "totals of 'Sum Qty (lbs)' for Drug Type 'Fentanyl' computed from the CSVs"
)
_CBP_PRESS = (
    "U.S. Customs and Border Protection, press releases and monthly operational updates "
    "reporting FY2024 fentanyl seizures (approximate; not in the public CSV download)"
)
_CBP_POE_SHARE = (
    "U.S. Customs and Border Protection, Drug Seizure Statistics CSV (fentanylfy19fy23.csv); "
    "share of Southwest-border fentanyl weight seized by the Office of Field Operations (ports "
    "of entry) rather than U.S. Border Patrol (between ports), per fiscal year FY2019-FY2023: "
    "0.915, 0.827, 0.905, 0.844, 0.896"
)
_NFLIS_SOURCE = (
    "DEA National Forensic Laboratory Information System (NFLIS-Drug, Table 1 of the annual "
    "reports) via the SOURCE model calibration data (Combined_Modeling_Files.xlsx, sheet "
    "'Fentanyl NFLIS'; Lim et al., PNAS 2022): fentanyl and other synthetic-opioid reports as "
    "a fraction of heroin plus fentanyl reports"
)


# --------------------------------------------------------------------------------------------
# Record types
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DeathRecord:
    """Overdose deaths in one calendar year (U.S. residents).

    Attributes
    ----------
    year : calendar year.
    all_drug : all drug overdose deaths.
    t404 : deaths involving synthetic opioids other than methadone (ICD-10 T40.4), mostly
        illicitly made fentanyl.
    provisional : True for provisional (VSRR) counts, False for final (NVSS) counts.
    source : where the figures come from.
    """

    year: int
    all_drug: int
    t404: int
    provisional: bool
    source: str


@dataclass(frozen=True, slots=True)
class SeizureRecord:
    """CBP fentanyl seizures in one federal fiscal year (October to September), in pounds.

    Attributes
    ----------
    fiscal_year : fiscal year (FY2020 runs October 2019 to September 2020).
    nationwide_lbs : all regions and components.
    southwest_lbs : Southwest border region, ports of entry and between ports.
    southwest_poe_lbs : Southwest border, Office of Field Operations (ports of entry); None when
        the source does not give it. Between ports (U.S. Border Patrol) is the remainder.
    press_release : True when the figures come from press releases, not the public CSV.
    source : where the figures come from.
    """

    fiscal_year: int
    nationwide_lbs: float
    southwest_lbs: float
    southwest_poe_lbs: float | None
    press_release: bool
    source: str

    @property
    def southwest_between_ports_lbs(self) -> float | None:
        """Southwest border, U.S. Border Patrol (between ports), or None when unknown."""
        if self.southwest_poe_lbs is None:
            return None
        return self.southwest_lbs - self.southwest_poe_lbs


@dataclass(frozen=True, slots=True)
class ShareRecord:
    """A share (0-1) observed in one calendar year.

    Attributes
    ----------
    year : calendar year.
    share : the observed fraction.
    partial_year : True when the year was not complete in the source.
    source : where the figure comes from.
    """

    year: int
    share: float
    partial_year: bool
    source: str


@dataclass(frozen=True, slots=True)
class FigureRange:
    """A closed range ``[low, high]`` of a figure, with its source.

    Unpacks like a pair: ``low, high = CBP_SW_POE_SHARE_RANGE``.
    """

    low: float
    high: float
    source: str

    def __iter__(self) -> Iterator[float]:
        """Yield ``low`` then ``high``."""
        yield self.low
        yield self.high

    def as_tuple(self) -> tuple[float, float]:
        """Return ``(low, high)``."""
        return (self.low, self.high)

    def __contains__(self, value: object) -> bool:
        """Whether ``value`` lies within the range (ends included)."""
        return isinstance(value, int | float) and self.low <= value <= self.high


# --------------------------------------------------------------------------------------------
# The record
# --------------------------------------------------------------------------------------------
def _deaths(year: int, all_drug: int, t404: int) -> DeathRecord:
    return DeathRecord(year, all_drug, t404, provisional=False, source=_NVSS_FINAL)


CDC_DEATHS: Mapping[int, DeathRecord] = MappingProxyType(
    {
        r.year: r
        for r in (
            _deaths(2013, 43_982, 3_105),
            _deaths(2014, 47_055, 5_544),
            _deaths(2015, 52_404, 9_580),
            _deaths(2016, 63_632, 19_413),
            _deaths(2017, 70_237, 28_466),
            _deaths(2018, 67_367, 31_335),
            _deaths(2019, 70_630, 36_359),
            _deaths(2020, 91_799, 56_516),
            _deaths(2021, 106_699, 70_601),
            _deaths(2022, 107_941, 73_838),
            _deaths(2023, 105_007, 72_776),
            DeathRecord(2024, 80_391, 48_000, provisional=True, source=_VSRR_PROVISIONAL),
        )
    }
)
"""Drug overdose deaths by calendar year 2013-2024; 2024 is provisional (VSRR), others final."""


def _seizures(fy: int, nationwide: float, southwest: float, poe: float) -> SeizureRecord:
    return SeizureRecord(fy, nationwide, southwest, poe, press_release=False, source=_CBP_CSV)


CBP_FENTANYL_LBS: Mapping[int, SeizureRecord] = MappingProxyType(
    {
        r.fiscal_year: r
        for r in (
            _seizures(2019, 2_804, 2_633, 2_408),
            _seizures(2020, 4_791, 4_558, 3_771),
            _seizures(2021, 11_201, 10_586, 9_584),
            _seizures(2022, 14_700, 14_104, 11_904),
            _seizures(2023, 27_023, 26_718, 23_927),
            SeizureRecord(2024, 21_889, 21_148, None, press_release=True, source=_CBP_PRESS),
        )
    }
)
"""CBP fentanyl seizures (lb) by fiscal year FY2019-FY2024; FY2024 is from press releases."""

CBP_SW_POE_SHARE_RANGE = FigureRange(0.82, 0.92, source=_CBP_POE_SHARE)
"""Share of Southwest-border fentanyl weight seized at ports of entry, FY2019-FY2023.

The yearly shares computed from the CSV are 0.827 (FY2020) to 0.915 (FY2019); the range is
rounded outwards to two decimals so that it contains every year.
"""


def _share(year: int, share: float, partial_year: bool = False) -> ShareRecord:
    return ShareRecord(year, share, partial_year, source=_NFLIS_SOURCE)


NFLIS_FENTANYL_SHARE: Mapping[int, ShareRecord] = MappingProxyType(
    {
        r.year: r
        for r in (
            _share(2013, 0.006),
            _share(2014, 0.028),
            _share(2015, 0.082),
            _share(2016, 0.185),
            _share(2017, 0.322),
            _share(2018, 0.406),
            _share(2019, 0.473),
            _share(2020, 0.562),
            _share(2021, 0.698, partial_year=True),
        )
    }
)
"""Fentanyl share of heroin-class NFLIS reports, 2013-2021 (2021 a partial year)."""


# --------------------------------------------------------------------------------------------
# Convenience accessors
# --------------------------------------------------------------------------------------------
def t404_deaths(include_provisional: bool = False) -> pd.Series:
    """Deaths involving synthetic opioids other than methadone (T40.4) by calendar year.

    Parameters
    ----------
    include_provisional : also include provisional years (2024). Final and provisional counts
        differ in method; do not treat them as one series without saying so.

    Returns
    -------
    pandas.Series of int, indexed by year (name ``"year"``), named ``"deaths_t404"``.

    Examples
    --------
    >>> int(t404_deaths(include_provisional=True).loc[2024])
    48000
    """
    rows = {y: r.t404 for y, r in CDC_DEATHS.items() if include_provisional or not r.provisional}
    return pd.Series(rows, name="deaths_t404", dtype="int64").rename_axis("year").sort_index()


def cbp_fentanyl_lbs(
    region: Literal["nationwide", "southwest"] = "nationwide", include_press: bool = False
) -> pd.Series:
    """CBP fentanyl seizures in pounds by fiscal year.

    Parameters
    ----------
    region : ``"nationwide"`` or ``"southwest"`` (Southwest border region).
    include_press : also include years known only from press releases (FY2024).

    Returns
    -------
    pandas.Series of float, indexed by fiscal year (name ``"fiscal_year"``).

    Raises
    ------
    ValueError : for an unknown region.
    """
    if region not in ("nationwide", "southwest"):
        raise ValueError(f"region must be 'nationwide' or 'southwest', not {region!r}")
    rows = {
        fy: r.nationwide_lbs if region == "nationwide" else r.southwest_lbs
        for fy, r in CBP_FENTANYL_LBS.items()
        if include_press or not r.press_release
    }
    name = f"cbp_fentanyl_lbs_{region}"
    return pd.Series(rows, name=name, dtype="float64").rename_axis("fiscal_year").sort_index()


def nflis_fentanyl_share() -> pd.Series:
    """Fentanyl share of heroin-class NFLIS reports by calendar year (2021 a partial year).

    Returns
    -------
    pandas.Series of float, indexed by year (name ``"year"``), named ``"nflis_fentanyl_share"``.
    """
    rows = {y: r.share for y, r in NFLIS_FENTANYL_SHARE.items()}
    return pd.Series(rows, name="nflis_fentanyl_share", dtype="float64").rename_axis("year").sort_index()
