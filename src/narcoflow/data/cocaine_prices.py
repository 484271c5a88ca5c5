"""Cocaine prices in the U.S., 1981-2000: the price record of the ``cocaine-1975-2000`` scenario
(issue 18), split out of :mod:`narcoflow.data.cocaine`, which re-exports it.

Retail and middle-level prices per pure gram from ONDCP's STRIDE-based series (dollars as the
report states them), yearly crack prices in constant 2002 dollars, the early-1990s prices by stage
of the chain (unverified; issue 15 names them), and the shares and falls derived from them.
Shares and falls are in percent (0-100).

Examples
--------
>>> from narcoflow.data.cocaine_prices import RETAIL_PRICE_USD_PER_PURE_G, retail_price_fall_pct
>>> RETAIL_PRICE_USD_PER_PURE_G["1981"].published
'just under $400'
>>> round(retail_price_fall_pct())
65
"""

from __future__ import annotations

from datetime import date

from narcoflow.data.provenance import Evidence, Figure

__all__ = [
    "CRACK_PRICE_USD2002_PER_PURE_G",
    "IMPORT_SHARE_OF_RETAIL_PCT",
    "MIDDLE_PRICE_USD_PER_PURE_G",
    "PRICE_BY_STAGE_USD_PER_KG",
    "PRICE_EVIDENCE",
    "RETAIL_PRICE_FALL_PCT",
    "RETAIL_PRICE_USD_PER_PURE_G",
    "import_share_of_retail_pct",
    "retail_price_fall_pct",
]

_ONDCP_1997 = (
    "ONDCP (Abt Associates), 'What America's Users Spend on Illegal Drugs, 1988-1995' (1997), "
    "p. 41, Figure 4 (DEA STRIDE, January 1981 - September 1996): 'The average price per pure gram "
    "at the retail level has decreased considerably, from just under $400 per pure gram in 1981 to "
    "about $140 per pure gram in 1996. The average price per pure gram at the middle level has "
    "also decreased from just over $170 ... to about $50'"
)
_ONDCP_2001 = (
    "ONDCP (Abt Associates), 'The Price of Illicit Drugs: 1981 through the Second Quarter of "
    "2000', October 2001, NCJ 190639 (NCJRS abstract): 'Since 1995 the retail price for cocaine "
    "has ranged between $100 and $150 per pure gram. There have been sharp spikes in prices, which "
    "appear to correlate with interdiction events'"
)
_ONDCP_2004_TABLE3 = (
    "ONDCP (RAND), 'The Price and Purity of Illicit Drugs: 1981 Through the Second Quarter of "
    "2003', November 2004, NCJ 207768, Table 3, p. 60, crack price per pure gram in constant 2002 "
    "dollars; secondary: table reproduced at briancbennett.com (charts/fed-data/crack-prices.htm)"
)

RETAIL_PRICE_USD_PER_PURE_G = Evidence(
    name="retail_price_usd_per_pure_g",
    title="Retail price of powder cocaine per pure gram (ONDCP/Abt STRIDE series)",
    unit="USD per pure gram",
    use="validation",
    figures=(
        Figure.calendar_year(1981, 400.0, _ONDCP_1997, published="just under $400"),
        Figure.calendar_year(1996, 140.0, _ONDCP_1997, published="about $140"),
        Figure.span("1995-2000", date(1995, 1, 1), date(2000, 6, 30), (100.0, 150.0), _ONDCP_2001),
    ),
)
"""Retail price per pure gram: ~$400 (1981), ~$140 (1996), $100-150 (1995-2000)."""

MIDDLE_PRICE_USD_PER_PURE_G = Evidence(
    name="middle_price_usd_per_pure_g",
    title="Middle-level price of powder cocaine per pure gram (ONDCP/Abt STRIDE series)",
    unit="USD per pure gram",
    use="validation",
    figures=(
        Figure.calendar_year(1981, 170.0, _ONDCP_1997, published="just over $170"),
        Figure.calendar_year(1996, 50.0, _ONDCP_1997, published="about $50"),
    ),
)
"""Middle-level price per pure gram: ~$170 (1981), ~$50 (1996)."""

_CRACK = {
    1986: (341.61, 174.22, 113.27),
    1987: (325.12, 147.32, 84.93),
    1988: (228.01, 108.52, 71.24),
    1989: (197.84, 96.20, 66.77),
    1990: (254.68, 137.98, 97.59),
    1991: (201.60, 107.75, 72.42),
    1992: (206.69, 101.92, 66.78),
    1993: (178.66, 98.03, 65.79),
    1994: (174.46, 83.62, 57.83),
    1995: (181.87, 87.27, 59.37),
    1996: (162.37, 79.22, 54.28),
    1997: (195.38, 88.55, 58.75),
    1998: (161.06, 77.34, 52.41),
    1999: (205.33, 87.38, 59.49),
    2000: (218.55, 97.76, 63.56),
}

CRACK_PRICE_USD2002_PER_PURE_G: dict[str, Evidence] = {
    level: Evidence(
        name=f"crack_price_{key}_usd2002_per_pure_g",
        title=f"Crack price per pure gram, purchases of {level}, constant 2002 dollars",
        unit="USD (2002) per pure gram",
        use="validation",
        figures=tuple(
            Figure.calendar_year(y, prices[i], _ONDCP_2004_TABLE3, status="secondary")
            for y, prices in _CRACK.items()
        ),
    )
    for i, (level, key) in enumerate((("< 1 g", "under_1g"), ("1-15 g", "1_15g"), ("> 15 g", "over_15g")))
}
"""Crack prices per pure gram by purchase size, 1986-2000 (2002 dollars; the table runs to 2002):
the only yearly 1990s price series found. ONDCP (2001) notes that price spikes such as 1990's
'appear to correlate with interdiction events'."""

PRICE_BY_STAGE_USD_PER_KG = Evidence(
    name="price_by_stage_usd_per_kg",
    title="Price of cocaine (per kg-equivalent) at each stage of the chain, early 1990s",
    unit="USD per kg",
    use="calibration",
    figures=tuple(
        Figure.effect(
            stage,
            usd,
            "unverified: Reuter 1994 as cited in issue 15 and the shared evidence notes (leaf "
            "$650/kg, export $1,050, Miami import $23,000, retail $188,000); not found at a "
            "source (three searches)",
            status="unverified",
        )
        for stage, usd in (
            ("coca leaf (per kg of cocaine)", 650.0),
            ("Colombian export", 1_050.0),
            ("Miami import", 23_000.0),
            ("U.S. retail", 188_000.0),
        )
    ),
)
"""Prices by stage (unverified; issue 15 names them): leaf $650, export $1,050, import $23,000,
retail $188,000 per kg."""


def import_share_of_retail_pct() -> float:
    """The Miami import price as a share of the retail price (percent), from the stage prices."""
    return (
        100.0
        * PRICE_BY_STAGE_USD_PER_KG["Miami import"].value
        / PRICE_BY_STAGE_USD_PER_KG["U.S. retail"].value
    )


def retail_price_fall_pct(start: str = "1981", end: str = "1996") -> float:
    """Fall in the retail price per pure gram between two labelled years (percent)."""
    first = RETAIL_PRICE_USD_PER_PURE_G[start].value
    last = RETAIL_PRICE_USD_PER_PURE_G[end].value
    return 100.0 * (1.0 - last / first)


IMPORT_SHARE_OF_RETAIL_PCT = Evidence(
    name="import_share_of_retail_pct",
    title="Import (Miami) price of cocaine as a share of its retail price, early 1990s",
    unit="percent",
    use="validation",
    figures=(
        Figure.effect(
            "Miami import / U.S. retail",
            import_share_of_retail_pct(),
            "[derived] 23,000 / 188,000 from the (unverified) stage prices above",
            status="derived",
            note="inherits the inputs' unverified status",
        ),
        Figure.effect(
            "smuggling pilot's fee / U.S. retail",
            2.0,
            "Reuter, 'Systemic barriers', in Reuter & Trautmann (eds.), A Report on Global Illicit "
            "Drugs Markets 1998-2007 (European Commission, 2009), section 3: 'A pilot who demands "
            "$500,000 for flying a plane with 250 kilograms is generating costs of only $2,000 per "
            "kilogram, about 2 percent of the retail price in the United States'",
            published="about 2 percent",
        ),
    ),
)
"""Import price ~12% of retail (derived from unverified inputs); a smuggler's flight ~2%."""

RETAIL_PRICE_FALL_PCT = Evidence(
    name="retail_price_fall_pct",
    title="Fall in the retail price of cocaine per pure gram",
    unit="percent",
    use="validation",
    figures=(
        Figure.span(
            "1981-1996",
            date(1981, 1, 1),
            date(1996, 12, 31),
            retail_price_fall_pct(),
            "[derived] 1 - 140 / 400 from ONDCP (Abt) 1997, p. 41",
            status="derived",
        ),
    ),
)
"""The retail price per pure gram fell about 65% from 1981 to 1996."""


PRICE_EVIDENCE: tuple[Evidence, ...] = (
    RETAIL_PRICE_USD_PER_PURE_G,
    MIDDLE_PRICE_USD_PER_PURE_G,
    RETAIL_PRICE_FALL_PCT,
    *CRACK_PRICE_USD2002_PER_PURE_G.values(),
    PRICE_BY_STAGE_USD_PER_KG,
    IMPORT_SHARE_OF_RETAIL_PCT,
)
"""Every cocaine price evidence set, in module order."""
