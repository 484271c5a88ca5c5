"""Potency of U.S. street fentanyl as DEA's laboratories report it: the supply-side series that
size the 2023 supply shock (issue 15, point 4).

Every share is in percent (0-100). DEA reports these figures in press releases and in its
National Drug Threat Assessments (NDTA); the years are sometimes fiscal (FY, October to
September), sometimes calendar, and sometimes only the NDTA edition is known. Each figure's
label says which; none is converted to another basis.

Examples
--------
>>> from narcoflow.data.potency import DEA_POWDER_PURITY_PCT, pills_lethal_dose_pct
>>> DEA_POWDER_PURITY_PCT["FY2025"].value
10.3
>>> float(pills_lethal_dose_pct().loc["FY2023"])
76.0
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from narcoflow.data.provenance import Evidence, Figure

__all__ = [
    "DEA_MG_PER_PILL",
    "DEA_PILLS_LETHAL_DOSE_PCT",
    "DEA_POWDER_PURITY_PCT",
    "FENTANYL_PURITY_BY_ROUTE_PCT",
    "NDTA_POWDER_PURITY_PCT",
    "dea_powder_purity_pct",
    "pills_lethal_dose_pct",
]

_DEA_2025_12 = (
    "DEA press release 'DEA Launches Fentanyl Free America Initiative to Combat the Synthetic Drug "
    "Crisis', 2025-12-03 (dea.gov, Houston division copy): 'DEA laboratory testing indicates 29% "
    "of fentanyl pills analyzed during fiscal year (FY) 2025 contained a potentially lethal dose, "
    "a significant drop from 76% of pills tested just two years prior in FY 2023. Additionally, "
    "fentanyl powder purity decreased to 10.3%, down from 19.5% during the same time period'"
)
_NDTA_2025_FILTER = (
    "DEA, National Drug Threat Assessment 2025 (published 2025-05-15); secondary: Filter "
    "Magazine, 'DEA 2025 National Drug Threat Assessment' (filtermag.org), which reports average "
    "powder purity 11.36% 'down from 19.2 percent in 2024', pills with >= 2 mg 'five out of 10' "
    "(from 'seven out of 10' in the 2024 NDTA) and 1.94 mg of fentanyl per pill on average"
)
_LA_COUNTY_FPP = (
    "DEA Fentanyl Profiling Program (FPP) 2021 report; secondary: Los Angeles County DPH, "
    "Substance Abuse Prevention and Control, 'Illicit Opioid Supply' page "
    "(lacountydphsapc.inzatastories.com), Figures 2-3: tablets with >= 2 mg rose from 10% (2017) "
    "to 44% (2021); mean fentanyl per tablet 1.3 mg (2017) to 2.2 mg (2021)"
)
_DEA_2019 = (
    "DEA public warning on counterfeit pills, 2019: 27 percent of tablets seized nationwide "
    "between January and March 2019 contained a lethal dose (about 2 mg); secondary: KHQ "
    "(2019-11-04) and Becker's Hospital Review reporting the DEA release"
)
_DEA_2021 = (
    "DEA, 2021 public safety alert ('four out of ten' fentanyl pills with a potentially lethal "
    "dose) and 2021 laboratory figure of 42% of pills tested with >= 2 mg; secondary: Quartz "
    "(2022-11-08, 'The global economics behind America's fentanyl problem') for 42%, and the "
    "FPP 2021 report via Los Angeles County DPH for 44%"
)
_DEA_2022 = (
    "DEA release, November 2022: 'of the fentanyl-laced fake prescription pills analyzed in 2022, "
    "six out of 10 contain a potentially lethal dose'; secondary: lpheralddispatch.com "
    "(2022-11-24) and Village News (2022-12-01) reprinting the release"
)
_NDTA_2024 = (
    "DEA, National Drug Threat Assessment 2024 (released May 2024), press release: 'Pills tested "
    "in DEA laboratories average 2.4 mg of fentanyl, but have ranged from 0.2 mg to as high as "
    "9 mg'; secondary: The Marijuana Herald (2024-05) and The Federal Newswire quoting the release"
)
_NDTA_ROUTES = (
    "DEA, National Drug Threat Assessment, fentanyl section ('DEA and CBP reporting indicates the "
    "fentanyl shipped directly from China is typically seized in smaller quantities with purities "
    "commonly testing above 90 percent. By comparison, fentanyl trafficked overland into the "
    "United States from Mexico is typically seized in larger, bulk quantities with much lower "
    "purity, with exhibits on average testing at less than ten percent pure'); secondary: reprint "
    "in Narcotic Officers magazine, February 2020, p. 11, whose surrounding text reports 2017 "
    "NFLIS and 2018 FSPP data"
)


_NDTA_RELEASES = {"NDTA 2024": date(2024, 5, 31), "NDTA 2025": date(2025, 5, 15)}


def _ndta(edition: str, value: float, source: str, note: str) -> Figure:
    """A figure known only by the NDTA edition that states it: ``end`` is the release date (May
    2024 by month only), ``start`` unknown; the data period is not stated in the copies found."""
    return Figure.span(edition, None, _NDTA_RELEASES[edition], value, source, status="secondary", note=note)


DEA_POWDER_PURITY_PCT = Evidence(
    name="dea_powder_purity_pct",
    title="Average purity of fentanyl powder tested by DEA laboratories, by fiscal year",
    unit="percent",
    use="event sizing",
    figures=(
        Figure.fiscal_year(2023, 19.5, _DEA_2025_12),
        Figure.fiscal_year(2025, 10.3, _DEA_2025_12),
    ),
)
"""DEA fentanyl powder purity, FY2023 and FY2025 (no FY2024 figure was published with them)."""

NDTA_POWDER_PURITY_PCT = Evidence(
    name="ndta_powder_purity_pct",
    title="Average fentanyl powder purity as stated in each NDTA edition (data year not stated)",
    unit="percent",
    use="event sizing",
    figures=(
        _ndta("NDTA 2024", 19.2, _NDTA_2025_FILTER, note="the 2024 edition's figure, as cited in 2025"),
        _ndta("NDTA 2025", 11.36, _NDTA_2025_FILTER, note="data period not stated"),
    ),
)
"""Powder purity by NDTA edition: 19.2% (2024 edition) and 11.36% (2025 edition)."""

DEA_PILLS_LETHAL_DOSE_PCT = Evidence(
    name="dea_pills_lethal_dose_pct",
    title="Share of fentanyl pills tested by DEA holding a potentially lethal dose (>= 2 mg)",
    unit="percent",
    use="event sizing",
    figures=(
        Figure.calendar_year(2017, 10.0, _LA_COUNTY_FPP, status="secondary"),
        Figure.span(
            "Jan-Mar 2019",
            date(2019, 1, 1),
            date(2019, 3, 31),
            27.0,
            _DEA_2019,
            status="secondary",
            note="tablets seized in the first quarter of calendar 2019",
        ),
        Figure.calendar_year(
            2021,
            (42.0, 44.0),
            _DEA_2021,
            status="secondary",
            published="'four out of ten' (DEA alert); 42% (DEA, via Quartz); 44% (FPP 2021 report)",
        ),
        Figure.calendar_year(
            2022, 60.0, _DEA_2022, status="secondary", published="six out of 10", note="as of Nov 2022"
        ),
        Figure.fiscal_year(
            2023,
            76.0,
            _DEA_2025_12,
            note="the 2024 NDTA said 'seven out of 10' for its (unstated) data period",
        ),
        Figure.calendar_year(
            2024,
            50.0,
            _NDTA_2025_FILTER,
            status="secondary",
            published="five out of 10 (2025 NDTA)",
            note="data year taken as calendar 2024 from the 2025 NDTA edition; not stated in the copy found",
        ),
        Figure.fiscal_year(2025, 29.0, _DEA_2025_12),
    ),
)
"""DEA's share of fentanyl pills with >= 2 mg, 2017 to FY2025, as published (fiscal vs calendar
as labelled)."""

DEA_MG_PER_PILL = Evidence(
    name="dea_fentanyl_mg_per_pill",
    title="Mean fentanyl content of counterfeit pills tested by DEA (mg per pill)",
    unit="mg",
    use="event sizing",
    figures=(
        Figure.calendar_year(2017, 1.3, _LA_COUNTY_FPP, status="secondary"),
        Figure.calendar_year(2021, 2.2, _LA_COUNTY_FPP, status="secondary"),
        _ndta("NDTA 2024", 2.4, _NDTA_2024, note="range across pills 0.2-9 mg"),
        _ndta("NDTA 2025", 1.94, _NDTA_2025_FILTER, note="data period not stated"),
    ),
)
"""Mean mg of fentanyl per pill: 1.3 (2017), 2.2 (2021), 2.4 (2024 NDTA), 1.94 (2025 NDTA)."""

FENTANYL_PURITY_BY_ROUTE_PCT = Evidence(
    name="fentanyl_purity_by_route_pct",
    title="Purity of seized fentanyl by route of entry, late 2010s (DEA)",
    unit="percent",
    use="calibration",
    figures=(
        Figure.span(
            "overland from Mexico (as of the Feb 2020 reprint)",
            None,
            date(2020, 2, 29),
            (0.0, 10.0),
            _NDTA_ROUTES,
            status="secondary",
            published="on average testing at less than ten percent pure",
            note="end is the reprint's date; the data are from about 2017-2018",
        ),
        Figure.span(
            "direct from China (as of the Feb 2020 reprint)",
            None,
            date(2020, 2, 29),
            (90.0, 100.0),
            _NDTA_ROUTES,
            status="secondary",
            published="commonly testing above 90 percent",
            note="end is the reprint's date; the data are from about 2017-2018",
        ),
    ),
)
"""Mexican overland fentanyl under 10% pure, Chinese direct shipments above 90% (late 2010s)."""


def dea_powder_purity_pct() -> pd.Series:
    """DEA fentanyl powder purity (percent) by fiscal year label (``"FY2023"``, ``"FY2025"``)."""
    return DEA_POWDER_PURITY_PCT.series()


def pills_lethal_dose_pct(point: str = "low") -> pd.Series:
    """Share of DEA-tested fentanyl pills with >= 2 mg (percent), indexed by period label.

    Parameters
    ----------
    point : ``"low"`` or ``"high"``: which end of a published range (only 2021 has one: 42-44%).

    Returns
    -------
    pandas.Series of float in percent, ordered by period end, named
    ``"dea_pills_lethal_dose_pct"``. Labels mix fiscal (``"FY2023"``) and calendar (``"2024"``)
    years as DEA published them.

    Raises
    ------
    ValueError : for another ``point``.
    """
    if point not in ("low", "high"):
        raise ValueError(f"point must be 'low' or 'high', not {point!r}")
    frame = DEA_PILLS_LETHAL_DOSE_PCT.frame()
    return frame[point].rename(DEA_PILLS_LETHAL_DOSE_PCT.name)
