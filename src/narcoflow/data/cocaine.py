"""The public record of U.S.-bound cocaine, 1975-2000 and after, as typed figures with sources:
what the ``cocaine-1975-2000`` scenario (issue 18) is calibrated against (the 1980s) and
validated against (the 1990s).

The story the figures tell: South Florida was the main door in the early 1980s (about three
quarters of the cocaine seized nationwide in 1984 was seized in DEA's Florida-Caribbean
district); the South Florida Task Force (1982-01-28) and growing Caribbean interdiction pushed
traffic to Mexico ("up to 70 percent" of U.S. cocaine transited Mexico by 1996, ~90% by the
2000s); seizures grew from under two tonnes (1981) to about 100 tonnes a year (1989) while the
retail price per pure gram fell by about two thirds (1981-1996). The price figures live in
:mod:`narcoflow.data.cocaine_prices` and are re-exported here.

Shares and changes are in percent (0-100); seizures in metric tonnes (converted from pounds
where the source gave pounds: the ``published`` field keeps the original); prices in U.S.
dollars as the source states them.

Examples
--------
>>> from narcoflow.data.cocaine import COCAINE_VIA_MEXICO_PCT, retail_price_fall_pct
>>> COCAINE_VIA_MEXICO_PCT["1996"].value
70.0
>>> round(retail_price_fall_pct())
65
"""

from __future__ import annotations

from datetime import date

from narcoflow.data.cocaine_prices import (
    CRACK_PRICE_USD2002_PER_PURE_G,
    IMPORT_SHARE_OF_RETAIL_PCT,
    MIDDLE_PRICE_USD_PER_PURE_G,
    PRICE_BY_STAGE_USD_PER_KG,
    PRICE_EVIDENCE,
    RETAIL_PRICE_FALL_PCT,
    RETAIL_PRICE_USD_PER_PURE_G,
    import_share_of_retail_pct,
    retail_price_fall_pct,
)
from narcoflow.data.provenance import Evidence, Figure

__all__ = [
    "COCAINE_EVIDENCE",
    "COCAINE_USERS_MILLIONS",
    "COCAINE_VIA_MEXICO_PCT",
    "CRACK_PRICE_USD2002_PER_PURE_G",
    "CUSTOMS_COCAINE_SEIZURES_T",
    "CUSTOMS_SW_FL_PR_COCAINE_SEIZURES_T",
    "FEDERAL_COCAINE_SEIZURES_T",
    "FLORIDA_SHARE_PCT",
    "IMPORT_SHARE_OF_RETAIL_PCT",
    "INTERDICTION_FUNDING_USD_M",
    "KG_PER_LB",
    "MEXICO_ARRIVALS_T_PER_YEAR",
    "MIDDLE_PRICE_USD_PER_PURE_G",
    "PRICE_BY_STAGE_USD_PER_KG",
    "RETAIL_PRICE_FALL_PCT",
    "RETAIL_PRICE_USD_PER_PURE_G",
    "SAN_DIEGO_COCAINE_SEIZURES_LB",
    "SOUTH_FLORIDA_TASK_FORCE",
    "TRANSIT_ZONE_MILLION_SQ_MI",
    "import_share_of_retail_pct",
    "retail_price_fall_pct",
]

KG_PER_LB = 0.45359237
"""Kilograms in an avoirdupois pound (exact, by definition)."""

_GAO_96_163 = (
    "GAO, 'Drug Control: Counternarcotics Efforts in Mexico', GAO/NSIAD-96-163, 1996-06-12, "
    "Background: 'U.S. law enforcement efforts in the southeastern United States and the "
    "Caribbean during the mid-1980s caused cocaine traffickers to expand routes ... The Drug "
    "Enforcement Administration (DEA) estimates that up to 70 percent of the cocaine entering the "
    "United States currently transits Mexico'"
)
_LUHNOW_2009 = (
    "secondary: Havocscope, citing David Luhnow, 'Saving Mexico', Wall Street Journal, "
    "2009-12-26: in 1991 'up to 50 percent' of the cocaine sold in the U.S. entered through "
    "Mexico (security intelligence estimates); in 2004, 90 percent"
)
_GAO_96_163_FUNDING = (
    "GAO, 'Drug Control: Counternarcotics Efforts in Mexico', GAO/NSIAD-96-163, 1996-06-12, "
    "results summary: 'drug interdiction funding declined from $1 billion in fiscal year (FY) "
    "1992 to about $570 million in FY 1995' (transit zone and Mexico)"
)
_LAT_1986 = (
    "secondary: Los Angeles Times, 'The Region', 1986-03-05, quoting San Diego district customs "
    "director Allan Rappoport: 131 lb of cocaine seized at California's five Mexican border "
    "crossings since January 1 against 103 lb in all of 1985, 'an apparent result of drug "
    "trafficking crackdowns in Florida'"
)
_UNODC_2006 = (
    "secondary: UNODC World Drug Report (2008 edition) quoted by drugwarfacts.org (node 553): "
    "'US authorities estimate that around 90% of the cocaine, which entered their country in 2006, "
    "transited the Mexico-Central America corridor'"
)
COCAINE_VIA_MEXICO_PCT = Evidence(
    name="cocaine_via_mexico_pct",
    title="Share of U.S.-bound cocaine transiting Mexico (and Central America)",
    unit="percent",
    use="calibration",
    figures=(
        Figure.calendar_year(1991, 50.0, _LUHNOW_2009, status="secondary", published="up to 50 percent"),
        Figure.calendar_year(
            1996,
            70.0,
            _GAO_96_163,
            published="up to 70 percent ... currently",
            note="an upper estimate as of the report (June 1996)",
        ),
        Figure.calendar_year(2004, 90.0, _LUHNOW_2009, status="secondary"),
        Figure.calendar_year(
            2006,
            90.0,
            _UNODC_2006,
            status="secondary",
            published="around 90%",
            note="Mexico-Central America corridor",
        ),
    ),
)
"""Via Mexico: up to 50% (1991), up to 70% (1996, GAO), ~90% (2004, 2006)."""

FLORIDA_SHARE_PCT = Evidence(
    name="florida_share_pct",
    title="South Florida's share of drugs entering, or of cocaine seized in, the U.S. (1980s)",
    unit="percent",
    use="calibration",
    figures=(
        Figure.calendar_year(
            1982,
            75.0,
            "secondary: The MacNeil/Lehrer Report, 'Florida Drug War' (1982, American Archive of "
            "Public Broadcasting): 'Government officials estimate 75% of all illegal drugs coming "
            "into the United States enter through South Florida'",
            status="secondary",
            note="all illegal drugs, not cocaine alone",
        ),
        Figure.calendar_year(
            1984,
            75.0,
            "secondary: New York Times, 'U.S. Says Smugglers Overwhelm Borders With Record Cocaine "
            "Flow', 1985-08-08 (CIA reading-room copy CIA-RDP90-00965R000707020002-7): 'about "
            "three-quarters of the cocaine intercepted nationwide last year was seized in the "
            "Florida-Caribbean district of the Drug Enforcement Administration'",
            status="secondary",
            published="about three-quarters",
            note="share of cocaine seized, not of cocaine entering",
        ),
    ),
)
"""South Florida: ~75% of all drugs entering (1982 estimate); ~75% of cocaine seized (1984)."""

SOUTH_FLORIDA_TASK_FORCE = Figure.day(
    date(1982, 1, 28),
    1.0,
    "Ronald Reagan, 'Statement Announcing the Establishment of a Federal Anti-Crime Task Force "
    "for Southern Florida', January 28, 1982 (Reagan Presidential Library); task force headed by "
    "Vice President George Bush",
    note="an event date; the value 1 only marks it",
)
"""The South Florida Task Force was created on 1982-01-28."""

FEDERAL_COCAINE_SEIZURES_T = Evidence(
    name="federal_cocaine_seizures_t",
    title="Cocaine seized by all federal agencies, metric tonnes",
    unit="metric tonnes",
    use="calibration",
    figures=(
        Figure.fiscal_year(
            1981,
            1.7,
            "unverified: 1.7 t in FY1981 (issue 15; shared evidence notes citing Caulkins, "
            "Crawford & Reuter 1993) not found at a source; consistent with AP, 1985-02-10: the "
            "4,364 lb seized in Florida in 15 days of January 1985 was 'more than what was seized "
            "by federal agents in the United States in all of 1981' (< 1.98 t)",
            status="unverified",
        ),
        Figure.fiscal_year(
            1986,
            27.2,
            "unverified: 27.2 t in FY1986 (issue 15; shared evidence notes) not found at a "
            "source; U.S. Customs alone seized 54,389 lb (24.7 t) in FY1986 (see "
            "customs_cocaine_seizures_t)",
            status="unverified",
        ),
        Figure.calendar_year(
            1989,
            218_000 * KG_PER_LB / 1000,
            "secondary: 'Seizures of drugs', Encyclopedia of Crime and Justice (encyclopedia.com): "
            "'In 1989, federal authorities seized over 218,000 pounds of cocaine ... In 1999, "
            "cocaine seizures reached almost 291,000 pounds'",
            status="secondary",
            published="over 218,000 pounds",
        ),
        Figure.calendar_year(
            1990,
            100.0,
            "unverified: '> 100 t by 1990' (issue 15; shared evidence notes) not found at a source; "
            "consistent with the 1989 figure",
            status="unverified",
            published="over 100 t",
        ),
        Figure.calendar_year(
            1999,
            291_000 * KG_PER_LB / 1000,
            "secondary: 'Seizures of drugs', Encyclopedia of Crime and Justice (encyclopedia.com)",
            status="secondary",
            published="almost 291,000 pounds",
        ),
    ),
)
"""Federal cocaine seizures: 1.7 t (FY1981), 27.2 t (FY1986), ~99 t (1989), >100 t (1990), ~132 t
(1999); the 1981, 1986 and 1990 figures are unverified (issue 15 names them)."""

CUSTOMS_COCAINE_SEIZURES_T = Evidence(
    name="customs_cocaine_seizures_t",
    title="Cocaine seized by the U.S. Customs Service at the borders, metric tonnes",
    unit="metric tonnes",
    use="calibration",
    figures=tuple(
        Figure.fiscal_year(
            fy,
            lb * KG_PER_LB / 1000,
            "secondary: UPI in the Los Angeles Times, 'Cocaine Seized at Borders Sets Record for "
            "One Year', 1987-11-25 (Treasury Department figures)",
            status="secondary",
            published=f"{lb:,} lb",
        )
        for fy, lb in ((1986, 54_389), (1987, 87_898))
    ),
)
"""Customs cocaine seizures: 54,389 lb (FY1986), 87,898 lb (FY1987, a record)."""

CUSTOMS_SW_FL_PR_COCAINE_SEIZURES_T = Evidence(
    name="customs_sw_fl_pr_cocaine_seizures_t",
    title="Cocaine seized by U.S. Customs on the southwest border, in Florida and Puerto Rico, tonnes",
    unit="metric tonnes",
    use="validation",
    figures=tuple(
        Figure.fiscal_year(
            fy,
            lb * KG_PER_LB / 1000,
            "secondary: About.com U.S. Government Info, 'Traffic - The Real Drug Deal, Part 2' "
            "(February 2001), quoting U.S. Customs Service figures for 'our southwestern border, "
            "Florida and Puerto Rico'",
            status="secondary",
            published=f"{lb:,} lb",
        )
        for fy, lb in ((1997, 157_924), (1998, 157_035), (1999, 160_353), (2000, 149_844))
    ),
)
"""Customs cocaine seizures on the southwest border, Florida and Puerto Rico: 150,000-160,000 lb
(68-73 t) a year, FY1997-FY2000."""

COCAINE_USERS_MILLIONS = Evidence(
    name="cocaine_users_millions",
    title="Current (past-month) cocaine users in the U.S. household population, millions (NHSDA)",
    unit="million people",
    use="calibration",
    figures=(
        Figure.calendar_year(
            1985,
            5.7,
            "secondary: 'Cocaine Interdiction', chapter 5 of a reference text reproduced at "
            "encyclopedia.com, citing the National Household Survey on Drug Abuse: '5.7 million "
            "people used cocaine, 3.1 million of whom were frequent users'",
            status="secondary",
        ),
        Figure.calendar_year(
            1998,
            1.8,
            "secondary: same source: 'By 1998 ... 1.8 million current users of whom an estimated "
            "595,000 were frequent users'",
            status="secondary",
        ),
    ),
)
"""Current cocaine users: 5.7 million (1985, the peak), 1.8 million (1998)."""

TRANSIT_ZONE_MILLION_SQ_MI = Evidence(
    name="transit_zone_million_sq_mi",
    title="Area of the cocaine 'transit zone' used by traffickers, million square miles",
    unit="million square miles",
    use="context",
    figures=tuple(
        Figure.calendar_year(
            y,
            area,
            "secondary: Magliocca & McSweeney, r/askscience AMA on their PNAS paper "
            "('Modeling cocaine traffickers and counterdrug interdiction forces as a complex "
            "adaptive system', PNAS 116(16):7784-7792, 2019, doi:10.1073/pnas.1812459116), "
            "2019-04-16: the transit zone 'has spread from roughly 2 million square miles in 1996 "
            "to 7 million square miles in 2017'",
            status="secondary",
            published=f"roughly {area:.0f} million square miles",
        )
        for y, area in ((1996, 2.0), (2017, 7.0))
    ),
)
"""The transit zone grew from ~2 to ~7 million square miles, 1996-2017 (NarcoLogic's authors)."""

SAN_DIEGO_COCAINE_SEIZURES_LB = Evidence(
    name="san_diego_cocaine_seizures_lb",
    title="Cocaine seized at California's five Mexican border crossings (U.S. Customs), pounds",
    unit="lb",
    use="validation",
    figures=(
        Figure.calendar_year(1985, 103.0, _LAT_1986, status="secondary"),
        Figure.span(
            "1986-01..1986-02",
            date(1986, 1, 1),
            date(1986, 3, 4),
            131.0,
            _LAT_1986,
            status="secondary",
            note="two months of 1986 already above all of 1985",
        ),
    ),
)
"""The first sign of displacement to the Mexican border: more cocaine seized at California's
Mexican crossings in January-February 1986 (131 lb) than in all of 1985 (103 lb)."""

INTERDICTION_FUNDING_USD_M = Evidence(
    name="interdiction_funding_usd_m",
    title="U.S. counternarcotics funding for the transit zone and Mexico, millions of dollars",
    unit="USD million",
    use="context",
    figures=(
        Figure.fiscal_year(1992, 1_000.0, _GAO_96_163_FUNDING, published="$1 billion"),
        Figure.fiscal_year(1995, 570.0, _GAO_96_163_FUNDING, published="about $570 million"),
    ),
)
"""Transit-zone and Mexico interdiction funding fell from $1 billion (FY1992) to ~$570 million
(FY1995)."""

MEXICO_ARRIVALS_T_PER_YEAR = Evidence(
    name="mexico_arrivals_t_per_year",
    title="Cocaine arriving in Mexico for transshipment to the U.S., tonnes a year (estimate)",
    unit="metric tonnes per year",
    use="context",
    figures=(
        Figure.span(
            "2000-2006 average",
            date(2000, 1, 1),
            date(2006, 12, 31),
            275.0,
            "GAO, 'Drug Control: U.S. Assistance Has Helped Mexican Counternarcotics Efforts, but "
            "Tons of Illicit Drugs Continue to Flow into the United States', GAO-07-1018, August "
            "2007, Highlights: 'The estimated amount of cocaine arriving in Mexico for "
            "transshipment to the United States averaged about 275 metric tons per year. Reported "
            "seizures averaged about 36 metric tons a year'",
            published="about 275 metric tons per year (since 2000)",
        ),
    ),
)
"""About 275 t of cocaine a year arrived in Mexico for the U.S. in 2000-2006 (36 t seized)."""

COCAINE_EVIDENCE: tuple[Evidence, ...] = (
    COCAINE_VIA_MEXICO_PCT,
    FLORIDA_SHARE_PCT,
    FEDERAL_COCAINE_SEIZURES_T,
    CUSTOMS_COCAINE_SEIZURES_T,
    CUSTOMS_SW_FL_PR_COCAINE_SEIZURES_T,
    *PRICE_EVIDENCE,
    COCAINE_USERS_MILLIONS,
    TRANSIT_ZONE_MILLION_SQ_MI,
    SAN_DIEGO_COCAINE_SEIZURES_LB,
    INTERDICTION_FUNDING_USD_M,
    MEXICO_ARRIVALS_T_PER_YEAR,
)
"""Every cocaine evidence set, in the order of the module (the task-force date is separate:
:data:`SOUTH_FLORIDA_TASK_FORCE`)."""
