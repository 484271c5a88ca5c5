"""Harm-side evidence: the OUD pool, non-fatal overdoses, naloxone, routes of use, a past supply
shock, and the persistence benchmark the hold-out must beat (issue 15, points 3, 5 and 7).

Shares and changes are in percent (0-100). The persistence benchmark is computed from the CDC
counts in :mod:`narcoflow.data.record`, not typed in again.

Examples
--------
>>> from narcoflow.data.harm import OUD_PREVALENCE_MILLIONS, persistence_benchmark
>>> OUD_PREVALENCE_MILLIONS["2019 (Keyes et al. 2022)"].bounds
(6.7, 7.6)
>>> round(persistence_benchmark().attrs["rms_log_error"], 2)
0.23
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from narcoflow.data.provenance import Evidence, Figure
from narcoflow.data.record import t404_deaths

__all__ = [
    "AUSTRALIA_HEROIN_SHORTAGE",
    "ED_FENTANYL_OVERDOSE_QUARTERLY_CHANGE_PCT",
    "ED_FENTANYL_OVERDOSE_RATE_PER_10K",
    "OTC_NALOXONE_UNITS",
    "OUD_PREVALENCE_MILLIONS",
    "ROUTE_INJECTION_PCT",
    "ROUTE_SMOKING_PCT",
    "change_pct",
    "persistence_benchmark",
]

_KEYES_2022 = (
    "Keyes, Rutherford, Hamilton, Barocas, Gelberg, Mueller, Feaster, El-Bassel & Cerda, 'What is "
    "the prevalence of and trend in opioid use disorder in the United States from 2010 to 2019? "
    "Using multiplier approaches...', Drug and Alcohol Dependence Reports 3:100052, 2022, "
    "doi:10.1016/j.dadr.2022.100052 (PMC9248998): 'The number of US adolescent and adult "
    "individuals with OUD in 2019 was estimated between 6.7-7.6 million'"
)
_LIM_2024 = (
    "Lim, Keyes, Caulkins, Stringfellow, Cerda & Jalali, 'Improving Estimates of the Prevalence "
    "of Opioid Use Disorder in the United States: Revising Keyes et al', Journal of Addiction "
    "Medicine 18(6):705-710, 2024, doi:10.1097/adm.0000000000001375 (abstract): 7.6 million in "
    "2019 with all drug-poisoning deaths; 3.8 million using opioid-involved deaths only"
)
_PICKENS_2025 = (
    "Pickens et al., 'Trends in Suspected Fentanyl-Involved Nonfatal Overdose Emergency Department "
    "Visits ... United States, October 2020-March 2024', MMWR 74(16):282-287, 2025-05-08, "
    "doi:10.15585/mmwr.mm7416a2 (CDC National Syndromic Surveillance Program): rates 'increased "
    "8.7% per quarter, from 1.4 to 3.5 per 10,000 ED visits, then declined 11.0% per quarter, to "
    "2.9 per 10,000 ED visits, from Q3 2023 to Q1 2024'"
)
_STEIN_2025 = (
    "Stein et al., research letter on first-year over-the-counter naloxone sales, JAMA Internal "
    "Medicine, online 2025-09-15 (NielsenIQ retail data 2023-09-02 to 2024-09-28): 136,239 OTC "
    "naloxone units sold; states averaged 396 units per million residents; secondary: HealthDay "
    "(2025-09-17) and RAND's release (press-news.org), the latter adding that peak OTC sales were "
    "7.5% of prescription naloxone sales"
)
_TANZ_2024 = (
    "Tanz et al., 'Routes of Drug Use Among Drug Overdose Deaths - United States, 2020-2022', MMWR "
    "73(6):124-130, 2024-02-15, doi:10.15585/mmwr.mm7306a2 (SUDORS, 27 states and DC): from "
    "January-June 2020 to July-December 2022 the share of overdose deaths with evidence of "
    "injection fell from 22.7% to 16.1% and with evidence of smoking rose from 13.3% to 23.1%"
)
_DEGENHARDT_AGE_2005 = (
    "secondary: The Age (Melbourne), 'Policing weakens heroin supplies', 2005-04-20, quoting "
    "Louisa Degenhardt (NDARC): purity of small NSW street seizures fell 'from about 60 per cent "
    "to 20 per cent' in 2001 (about 30% by 2005); a cap rose 'from about $25 to about $50'"
)
_TIME_NDARC = (
    "secondary: TIME magazine (Australia; undated copy at content.time.com) quoting National Drug "
    "and Alcohol Research Centre data 'released this month': 'a 67% fall in opiate-related "
    "deaths between 1999 and 2002' in New South Wales"
)
_CANBERRA_TIMES_2001 = (
    "secondary: Canberra Times, 2001-03-11, quoting ACT police (Commander Ben McDevitt): an ounce "
    "of heroin rose from A$4,000-6,000 in December 2000 to A$8,000-15,000"
)

OUD_PREVALENCE_MILLIONS = Evidence(
    name="oud_prevalence_millions",
    title="People in the U.S. with opioid use disorder (adolescents and adults), millions",
    unit="million people",
    use="calibration",
    figures=(
        Figure.span(
            "2019 (Keyes et al. 2022)", date(2019, 1, 1), date(2019, 12, 31), (6.7, 7.6), _KEYES_2022
        ),
        Figure.span(
            "2019 (Lim et al. 2024 revision)",
            date(2019, 1, 1),
            date(2019, 12, 31),
            (3.8, 7.6),
            _LIM_2024,
            note="lower end counts only opioid-involved deaths; the revision peaks at 9.3 million "
            "in 2016 (all deaths) or 6.4 million in 2014-15 (opioid-involved)",
        ),
    ),
)
"""OUD 2019: 6.7-7.6 million (Keyes et al. 2022); 3.8-7.6 million in the 2024 revision."""

ED_FENTANYL_OVERDOSE_RATE_PER_10K = Evidence(
    name="ed_fentanyl_overdose_rate_per_10k",
    title="Suspected fentanyl-involved non-fatal overdose ED visits per 10,000 ED visits",
    unit="per 10,000 ED visits",
    use="validation",
    figures=(
        Figure.quarter(2020, 4, 1.4, _PICKENS_2025),
        Figure.quarter(2023, 3, 3.5, _PICKENS_2025),
        Figure.quarter(2024, 1, 2.9, _PICKENS_2025),
    ),
)
"""ED visit rate: 1.4 (Q4 2020) -> 3.5 (Q3 2023, the peak) -> 2.9 (Q1 2024)."""

ED_FENTANYL_OVERDOSE_QUARTERLY_CHANGE_PCT = Evidence(
    name="ed_fentanyl_overdose_quarterly_change_pct",
    title="Average change per quarter in the fentanyl non-fatal overdose ED visit rate",
    unit="percent per quarter",
    use="validation",
    figures=(
        Figure.span("2020-Q4..2023-Q3", date(2020, 10, 1), date(2023, 9, 30), 8.7, _PICKENS_2025),
        Figure.span("2023-Q3..2024-Q1", date(2023, 7, 1), date(2024, 3, 31), -11.0, _PICKENS_2025),
    ),
)
"""+8.7% a quarter to Q3 2023, then -11.0% a quarter to Q1 2024."""

OTC_NALOXONE_UNITS = Evidence(
    name="otc_naloxone_units",
    title="Over-the-counter naloxone units sold in the first year of OTC sales",
    unit="units",
    use="context",
    figures=(
        Figure.span("first year of OTC sales", date(2023, 9, 2), date(2024, 9, 28), 136_239.0, _STEIN_2025),
    ),
)
"""136,239 OTC naloxone units in the first year (Sep 2023 - Sep 2024)."""


def _route(route: str, first: float, last: float) -> Evidence:
    """Share of overdose deaths with evidence of ``route``, H1 2020 and H2 2022 (Tanz et al.)."""
    return Evidence(
        name=f"route_{route}_pct",
        title=f"Share of overdose deaths with evidence of {route} (SUDORS)",
        unit="percent",
        use="context",
        figures=(
            Figure.span("2020-H1", date(2020, 1, 1), date(2020, 6, 30), first, _TANZ_2024),
            Figure.span("2022-H2", date(2022, 7, 1), date(2022, 12, 31), last, _TANZ_2024),
        ),
    )


ROUTE_INJECTION_PCT = _route("injection", 22.7, 16.1)
"""Deaths with evidence of injection: 22.7% (H1 2020) -> 16.1% (H2 2022)."""

ROUTE_SMOKING_PCT = _route("smoking", 13.3, 23.1)
"""Deaths with evidence of smoking: 13.3% (H1 2020) -> 23.1% (H2 2022)."""


def change_pct(before: float, after: float) -> float:
    """The change from ``before`` to ``after`` in percent of ``before``."""
    return 100.0 * (after - before) / before


AUSTRALIA_HEROIN_SHORTAGE = Evidence(
    name="australia_heroin_shortage_change_pct",
    title="The 2001 Australian heroin shortage (NSW): changes from before to during the shortage",
    unit="percent change",
    use="validation",
    figures=(
        Figure.span(
            "price of an ounce, Dec 2000 -> Mar 2001 (ACT)",
            date(2000, 12, 1),
            date(2001, 3, 11),
            (change_pct(6_000, 8_000), change_pct(4_000, 15_000)),
            "[derived] from A$4,000-6,000 -> A$8,000-15,000 (narrowest and widest change); "
            + _CANBERRA_TIMES_2001,
            status="derived",
            published="A$4,000-6,000 -> A$8,000-15,000",
        ),
        Figure.span(
            "street purity, 2001",
            date(2001, 1, 1),
            date(2001, 12, 31),
            change_pct(60.0, 20.0),
            "[derived] from 'about 60 per cent to 20 per cent'; " + _DEGENHARDT_AGE_2005,
            status="derived",
            published="from about 60 per cent to 20 per cent",
        ),
        Figure.span(
            "price of a cap, 2001",
            date(2001, 1, 1),
            date(2001, 12, 31),
            change_pct(25.0, 50.0),
            "[derived] from 'about $25 to about $50'; " + _DEGENHARDT_AGE_2005,
            status="derived",
            published="from about $25 to about $50 (A$)",
        ),
        Figure.span(
            "NSW opiate-related deaths, 1999 -> 2002",
            date(1999, 1, 1),
            date(2002, 12, 31),
            -67.0,
            _TIME_NDARC,
            status="secondary",
        ),
    ),
)
"""The shortage: purity about -67%, cap price about +100%, NSW opioid deaths -67% (1999-2002).

Context: Degenhardt, Day, Gilmour & Hall, 'The "lessons" of the Australian "heroin shortage"',
Substance Abuse Treatment, Prevention, and Policy 1:11 (2006), doi:10.1186/1747-597X-1-11, dates
the onset to January 2001, most marked in NSW; Weatherburn, Jones, Freeman & Makkai, Addiction
98(1):83-91 (2003) find price up and purity, use and overdoses down. The A$218 -> A$381 a gram
figure in the shared notes could not be found and is not kept (no issue names it).
"""


def persistence_benchmark(base_year: int = 2020, years: range = range(2021, 2025)) -> pd.DataFrame:
    """Carry one year's T40.4 death count forward and score it against later years.

    Uses :func:`narcoflow.data.record.t404_deaths` with provisional years included (2024 is
    provisional; final and provisional counts differ in method).

    Returns
    -------
    DataFrame indexed by year with columns ``observed``, ``forecast``, ``error_pct`` (forecast
    relative to observed, percent) and ``log_error`` (ln forecast / observed); ``attrs`` holds
    ``rms_log_error`` and ``base_year``.

    Raises
    ------
    KeyError : for a year the record does not hold.
    """
    deaths = t404_deaths(include_provisional=True)
    observed = deaths.loc[list(years)].astype(float)
    forecast = float(deaths.loc[base_year])
    frame = pd.DataFrame({"observed": observed, "forecast": forecast})
    frame["error_pct"] = 100.0 * (frame["forecast"] / frame["observed"] - 1.0)
    frame["log_error"] = np.log(frame["forecast"] / frame["observed"])
    frame.attrs["rms_log_error"] = float(np.sqrt((frame["log_error"] ** 2).mean()))
    frame.attrs["base_year"] = base_year
    return frame
