"""Leadership removal and violence in Mexico: effect sizes from the literature and Sinaloa's
homicide counts around the 2019 failed capture and the 2024 succession war (issue 15, point 7).

Counts are homicide victims (homicidio doloso). Two official sources disagree at the margin:
the Sinaloa state prosecutor (Fiscalia General del Estado, FGE) and the federal Executive
Secretariat (SESNSP); where press reports of the same month differ, the figure is the published
range. Changes are in percent.

Examples
--------
>>> from narcoflow.data.violence import SINALOA_HOMICIDES_MONTHLY, sinaloa_war_multiplier
>>> SINALOA_HOMICIDES_MONTHLY["2024-11"].value
175.0
>>> round(sinaloa_war_multiplier(), 1)
4.1
"""

from __future__ import annotations

from datetime import date

from narcoflow.data.provenance import Evidence, Figure

__all__ = [
    "CAPTURE_DAY_DEATHS",
    "LEADER_REMOVAL_VIOLENCE_CHANGE_PCT",
    "SINALOA_DAILY_HOMICIDES",
    "SINALOA_HOMICIDES_MONTHLY",
    "SINALOA_HOMICIDES_YEARLY",
    "SINALOA_WAR_MULTIPLIER",
    "sinaloa_war_multiplier",
]

_CALDERON_2015 = (
    "Calderon, Robles, Diaz-Cayeros & Magaloni, 'The Beheading of Criminal Organizations and the "
    "Dynamics of Violence in Mexico', Journal of Conflict Resolution 2015 (Stanford CDDRL working "
    "paper, June 2015; authors' summary at povgov.com): 'The increase in drug-related violence "
    "during the first six months after the removal of a leader in a municipality is estimated to "
    "be 36.5%' (difference-in-differences with synthetic controls)"
)
_LINDO_2015 = (
    "Lindo & Padilla-Romo, 'Kingpin Approaches to Fighting Crime and Community Violence: Evidence "
    "from Mexico's Drug War', IZA Discussion Paper 9067 (May 2015); Cato Research Briefs in "
    "Economic Policy No. 31 (2015-07-29): 'the capture of a DTO leader in a municipality "
    "increases its homicide rate by 80 percent, and this effect persists for at least 12 months "
    "... homicide rates in neighboring municipalities with the same DTO presence rise 30 percent "
    "in the six months after a kingpin capture before returning to expected levels'"
)
_FGE_2024 = (
    "secondary: Sinaloa state prosecutor Claudia Zulema Sanchez Kondo (FGE), reported by "
    "quintafuerza.mx (early Nov 2024: Sep 143, Oct 187; 'the highest had been 57 homicides in "
    "July, the lowest 34 in April'), evangelio.news and mesareservada.mx (end Nov 2024: Aug 45, "
    "Sep 144, Oct 188, Nov 175), and RI Noticias (2025-12-05, from the FGE portal: Sep 142, Oct "
    "182, Nov 175; 2024 total 993)"
)
_FGE_2025 = (
    "secondary: FGE monthly counts reported by Milenio ('Mas de mil 500 homicidios en lo que va "
    "del ano en Sinaloa', end Nov 2025: Jan 138, Feb 119, Mar 135, Apr 119, May 165, Jun 207, Jul "
    "170, Aug 119, Sep 121, Oct 130, Nov 109) and Noroeste (2026-01-16: Dec 122; 2025 total 1,654 "
    "vs 993 in 2024)"
)
_MEGANOTICIAS_2019 = (
    "secondary: Meganoticias Culiacan, December 2019: from January to July 2019 no "
    "month passed 77 homicides, March the lowest with 58; from August every month above 80; "
    "September 84 (the year's highest), November 83 (second highest); 824 to end November; "
    "November 2018: 68; years 2015 989, 2016 1,161, 2017 1,563, 2018 1,122"
)
_SESNSP_2024_11 = (
    "SESNSP head Marcela Figueroa at the presidential press conference, November 2024: Sinaloa's "
    "daily average of homicidio doloso was between 0.93 (April) and 1.4 (June) in January-August "
    "2024, 4.17 in September and 5.77 in October; 3.91 preliminary for 1-11 November (FGE data); "
    "secondary: El Universal and Contralinea reports of the briefing"
)
_NOROESTE_2026 = (
    "secondary: Noroeste, 2026-01-16, citing SESNSP: Sinaloa's daily average rose from 2.72 (2024) "
    "to 4.56 (2025); FGE totals 476 (2022) and 534 (2023); 1,906 in 2011"
)

LEADER_REMOVAL_VIOLENCE_CHANGE_PCT = Evidence(
    name="leader_removal_violence_change_pct",
    title="Change in violence after the capture or killing of a cartel leader (Mexico, 2006-2010s)",
    unit="percent",
    use="validation",
    figures=(
        Figure.effect("drug-related violence, municipality, 0-6 months", 36.5, _CALDERON_2015),
        Figure.effect("homicide rate, municipality, >= 12 months", 80.0, _LINDO_2015),
        Figure.effect("homicide rate, neighbours with the same DTO, 0-6 months", 30.0, _LINDO_2015),
    ),
)
"""Leader removal: +36.5% (6 months), +80% (>= 12 months), neighbours +30% (6 months)."""

CAPTURE_DAY_DEATHS = Evidence(
    name="capture_day_deaths",
    title="Deaths on the day of a capture operation in Culiacan, Sinaloa",
    unit="deaths",
    use="event sizing",
    figures=(
        Figure.day(
            date(2019, 10, 17),
            (8.0, 14.0),
            "secondary: 8 dead (federal security secretary Alfonso Durazo, via 24morelos), 9 dead "
            "and 23 injured (state security secretary, 2019-10-18, via MVS/Quadratin), 14 "
            "preliminary (El Sol de Mexico, 2019-10-20), 13 confirmed by the FGR and the FGE (one-"
            "year retrospective, telemarcampeche.com, 2020-10-17)",
            status="secondary",
            published="8, 9, 13 or 14 depending on the report",
            note="'Culiacanazo': failed capture of Ovidio Guzman, released the same day; the "
            "'~18 homicides that day' in the shared notes could not be found and is not kept",
        ),
        Figure.day(
            date(2023, 1, 5),
            29.0,
            "secondary: Secretary of Defence Luis Cresencio Sandoval, 10 soldiers and 19 alleged "
            "members of the Sinaloa cartel dead, 21 detained (documentalnayarit.com, 2023-01-07)",
            status="secondary",
            note="the arrest of Ovidio Guzman that succeeded",
        ),
    ),
)
"""Culiacanazo 2019-10-17: 8-14 dead by report; Ovidio Guzman's 2023-01-05 arrest: 29 dead."""

SINALOA_HOMICIDES_MONTHLY = Evidence(
    name="sinaloa_homicides_monthly",
    title="Homicide victims in Sinaloa by month (state prosecutor's counts as reported)",
    unit="homicides",
    use="validation",
    figures=(
        Figure.month(2018, 11, 68.0, _MEGANOTICIAS_2019, status="secondary"),
        Figure.month(2019, 3, 58.0, _MEGANOTICIAS_2019, status="secondary", published="the year's lowest"),
        Figure.month(2019, 9, 84.0, _MEGANOTICIAS_2019, status="secondary", published="the year's highest"),
        Figure.month(
            2019,
            10,
            (81.0, 83.0),
            "[derived] bounds from the same report's statements (every month from August above "
            "80; September the highest at 84, November second at 83); " + _MEGANOTICIAS_2019,
            status="derived",
            note="the month of the Culiacanazo: no lasting rise",
        ),
        Figure.month(2019, 11, 83.0, _MEGANOTICIAS_2019, status="secondary"),
        Figure.month(
            2024, 4, 34.0, _FGE_2024, status="secondary", published="the lowest month of Jan-Aug 2024"
        ),
        Figure.month(
            2024, 7, 57.0, _FGE_2024, status="secondary", published="the highest month of Jan-Aug 2024"
        ),
        Figure.month(2024, 8, 45.0, _FGE_2024, status="secondary"),
        Figure.month(2024, 9, (142.0, 144.0), _FGE_2024, status="secondary", note="war from 2024-09-09"),
        Figure.month(2024, 10, (182.0, 188.0), _FGE_2024, status="secondary"),
        Figure.month(2024, 11, 175.0, _FGE_2024, status="secondary"),
        *(
            Figure.month(2025, m, float(n), _FGE_2025, status="secondary")
            for m, n in enumerate((138, 119, 135, 119, 165, 207, 170, 119, 121, 130, 109, 122), 1)
        ),
    ),
)
"""Sinaloa homicides by month: 2018-11 to 2019-11 around the Culiacanazo; 2024-04 to 2025-12
around the succession war (34-57 a month before it; 142-188 in its first months)."""

SINALOA_HOMICIDES_YEARLY = Evidence(
    name="sinaloa_homicides_yearly",
    title="Homicide victims in Sinaloa by year",
    unit="homicides",
    use="validation",
    figures=(
        *(
            Figure.calendar_year(y, float(n), _MEGANOTICIAS_2019, status="secondary")
            for y, n in ((2015, 989), (2016, 1_161), (2017, 1_563), (2018, 1_122))
        ),
        Figure.calendar_year(
            2022,
            (476.0, 499.0),
            "secondary: 476 (FGE via Noroeste, 2026-01-16); 499 (mesareservada.mx, Nov 2024)",
            status="secondary",
        ),
        Figure.calendar_year(
            2023,
            (534.0, 566.0),
            "secondary: 534 (FGE via Noroeste, 2026-01-16); 566 (FGE via sonorapresente.com, "
            "Sep 2024, and mesareservada.mx)",
            status="secondary",
        ),
        Figure.calendar_year(2024, 993.0, _FGE_2025, status="secondary"),
        Figure.calendar_year(2025, 1_654.0, _FGE_2025, status="secondary"),
    ),
)
"""Sinaloa homicides a year: 989-1,563 in 2015-2018; 476-566 in 2022-2023; 993 (2024); 1,654
(2025)."""

SINALOA_DAILY_HOMICIDES = Evidence(
    name="sinaloa_daily_homicides",
    title="Sinaloa's daily average of homicide victims (SESNSP)",
    unit="homicides per day",
    use="validation",
    figures=(
        Figure.span(
            "2024-01..2024-08 (monthly range)",
            date(2024, 1, 1),
            date(2024, 8, 31),
            (0.93, 1.4),
            _SESNSP_2024_11,
            status="secondary",
            note="lowest month April, highest June",
        ),
        Figure.month(2024, 9, 4.17, _SESNSP_2024_11, status="secondary"),
        Figure.month(2024, 10, 5.77, _SESNSP_2024_11, status="secondary"),
        Figure.calendar_year(2024, 2.72, _NOROESTE_2026, status="secondary"),
        Figure.calendar_year(2025, 4.56, _NOROESTE_2026, status="secondary"),
    ),
)
"""SESNSP daily averages: 0.93-1.4 (Jan-Aug 2024), 4.17 (Sep), 5.77 (Oct); 2.72 (2024), 4.56
(2025). The shared notes' '1.42 (Aug) -> 5.87 (Oct)' could not be found; these replace it."""


def sinaloa_war_multiplier(month: str = "2024-10") -> float:
    """A war month's daily homicide average over the highest month of January-August 2024."""
    before = SINALOA_DAILY_HOMICIDES["2024-01..2024-08 (monthly range)"].high
    return SINALOA_DAILY_HOMICIDES[month].value / before


SINALOA_WAR_MULTIPLIER = Evidence(
    name="sinaloa_war_multiplier",
    title="Sinaloa daily homicides in a war month over the highest pre-war month of 2024",
    unit="ratio",
    use="validation",
    figures=(
        Figure.month(
            2024,
            10,
            sinaloa_war_multiplier("2024-10"),
            "[derived] 5.77 / 1.4 (SESNSP daily averages, October over June 2024)",
            status="derived",
            note="against the lowest pre-war month (0.93, April) the ratio is 6.2",
        ),
    ),
)
"""October 2024 ran at about 4.1 times the worst month of January-August 2024."""
