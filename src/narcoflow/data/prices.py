"""Fentanyl prices along the chain: the evidence for price formation and weak border
pass-through (issue 15, points 1 and 7).

Two published facts carry the argument. The median price per pure gram of illegally
manufactured fentanyl (IMF) fell by more than half from 2016 to 2021 while seizures grew
(Kilmer et al., Addiction 2022). And the replacement cost of seized fentanyl is a tiny share of
the retail price of a pill (Caulkins & Reuter, Scientific American 2023): the derived share,
:func:`import_share_of_pill_price_pct`, is recomputed here from the published inputs.

Shares and changes are in percent (0-100); money is in U.S. dollars of the year quoted.

Examples
--------
>>> from narcoflow.data.prices import import_share_of_pill_price_pct
>>> low, high = import_share_of_pill_price_pct()
>>> round(low, 3), round(high, 3)
(0.2, 5.0)
"""

from __future__ import annotations

from datetime import date

from narcoflow.data.provenance import Evidence, Figure

__all__ = [
    "COUNTERFEIT_PILL_FENTANYL_MG",
    "COUNTERFEIT_PILL_PRICE_USD",
    "FENTANYL_REPLACEMENT_COST_USD_PER_KG",
    "FENTANYL_REPLACEMENT_COST_USD_PER_KG_BOUNDS",
    "IMF_PRICE_FALL_PCT",
    "IMF_PRICE_FALL_RATE_PCT_PER_YEAR",
    "IMPORT_SHARE_OF_PILL_PRICE_PCT",
    "import_share_of_pill_price_pct",
    "price_fall_rate_pct_per_year",
]

_KILMER_2022 = (
    "Kilmer, Pardo, Pujol-Mitchell & Caulkins, 'Rapid changes in illegally manufactured fentanyl "
    "products and prices in the United States', Addiction 2022, doi:10.1111/add.15942 (RAND "
    "EP68916, abstract, posted 2022-05-13): 'The median price per pure gram of IMF powder sold at "
    "the >10-<=100g level fell by more than 50% from 2016 to 2021' (DEA STRIDE/STARLIMS, 66,713 "
    "observations 2013-2021; price regressions on n=964 IMF-only powder buys)"
)
_KILMER_PERIOD = ("2016-2021", date(2016, 1, 1), date(2021, 12, 31))
_CAULKINS_REUTER_2023 = (
    "Caulkins & Reuter, 'Stopping Fentanyl at the Border Won't Work. We Must Reimagine Drug Law "
    "Enforcement', Scientific American, 2023 (op-ed; also reprinted by University of Maryland "
    "Today and NADDI): 'international traffickers could make or buy fentanyl "
    "in Mexico for roughly $10,000 per kilogram but even if the replacement cost were $100,000 - "
    "which may be more typical within US borders - then that is 10 cents per milligram, and there "
    "are typically only 2-2.5 milligrams of fentanyl in each counterfeit pill ... Each pill might "
    "sell for $5 to $10 on the street'"
)

IMF_PRICE_FALL_PCT = Evidence(
    name="imf_price_fall_pct",
    title="Fall in the median price per pure gram of IMF powder (>10-<=100 g purchases)",
    unit="percent",
    use="validation",
    figures=(
        Figure.span(
            *_KILMER_PERIOD,
            (50.0, 100.0),
            _KILMER_2022,
            published="by more than 50%",
            note="a lower bound: the paper's figures give the series; the abstract gives only '>50%'",
        ),
    ),
)
"""The price per pure gram of fentanyl fell by more than half, 2016-2021 (a lower bound)."""

FENTANYL_REPLACEMENT_COST_USD_PER_KG = Evidence(
    name="fentanyl_replacement_cost_usd_per_kg",
    title="Cost to high-level traffickers of replacing a kilogram of (pure) fentanyl",
    unit="USD per kg",
    use="calibration",
    figures=(
        Figure.effect(
            "made or bought in Mexico",
            10_000.0,
            _CAULKINS_REUTER_2023,
            published="roughly $10,000 per kilogram ('the traditional view')",
        ),
        Figure.effect(
            "upper figure (more typical within U.S. borders)",
            100_000.0,
            _CAULKINS_REUTER_2023,
            published="even if the replacement cost were $100,000",
        ),
    ),
)
"""Replacement cost: ~$10,000/kg in Mexico; $100,000/kg as the authors' high case."""

COUNTERFEIT_PILL_FENTANYL_MG = Evidence(
    name="counterfeit_pill_fentanyl_mg",
    title="Fentanyl in a typical counterfeit pill",
    unit="mg",
    use="calibration",
    figures=(Figure.effect("typical pill", (2.0, 2.5), _CAULKINS_REUTER_2023),),
)
"""A counterfeit pill typically holds 2-2.5 mg of fentanyl."""

COUNTERFEIT_PILL_PRICE_USD = Evidence(
    name="counterfeit_pill_price_usd",
    title="Street price of a counterfeit fentanyl pill",
    unit="USD",
    use="calibration",
    figures=(Figure.effect("street price", (5.0, 10.0), _CAULKINS_REUTER_2023),),
)
"""A pill might sell for $5-10 on the street."""


FENTANYL_REPLACEMENT_COST_USD_PER_KG_BOUNDS: tuple[float, float] = (
    min(f.low for f in FENTANYL_REPLACEMENT_COST_USD_PER_KG.figures),
    max(f.high for f in FENTANYL_REPLACEMENT_COST_USD_PER_KG.figures),
)
"""The lowest and highest published replacement cost (USD per kg)."""


def import_share_of_pill_price_pct(
    cost_usd_per_kg: tuple[float, float] | None = None,
    mg_per_pill: tuple[float, float] | None = None,
    pill_price_usd: tuple[float, float] | None = None,
) -> tuple[float, float]:
    """Replacement (import) cost of the fentanyl in a pill as a share of its street price.

    The lowest share pairs the lowest cost and content with the highest price; the highest share
    the opposite. Defaults are the published figures above ($10,000-100,000 per kg, 2-2.5 mg,
    $5-10), which give 0.2-5%.

    Returns
    -------
    ``(low, high)`` in percent.
    """
    cost = cost_usd_per_kg or FENTANYL_REPLACEMENT_COST_USD_PER_KG_BOUNDS
    mg = mg_per_pill or COUNTERFEIT_PILL_FENTANYL_MG.figures[0].bounds
    price = pill_price_usd or COUNTERFEIT_PILL_PRICE_USD.figures[0].bounds
    usd_per_mg = (cost[0] / 1e6, cost[1] / 1e6)
    low = 100.0 * usd_per_mg[0] * mg[0] / price[1]
    high = 100.0 * usd_per_mg[1] * mg[1] / price[0]
    return (low, high)


IMPORT_SHARE_OF_PILL_PRICE_PCT = Evidence(
    name="import_share_of_pill_price_pct",
    title="Replacement cost of a pill's fentanyl as a share of the pill's street price",
    unit="percent",
    use="validation",
    figures=(
        Figure.effect(
            "cost $10,000-100,000/kg, 2-2.5 mg, $5-10 a pill",
            import_share_of_pill_price_pct(),
            "[derived] from the replacement cost, mg per pill and pill price of "
            "Caulkins & Reuter, Scientific American 2023: ($/kg / 1e6) x mg / $ per pill",
            status="derived",
        ),
        Figure.effect(
            "cost $10,000/kg only (Mexico)",
            import_share_of_pill_price_pct(cost_usd_per_kg=(10_000.0, 10_000.0)),
            "[derived] as above with the $10,000/kg Mexican cost only",
            status="derived",
        ),
    ),
)
"""Import cost is 0.2-5% of a pill's price (0.2-0.5% at the Mexican $10,000/kg)."""


def price_fall_rate_pct_per_year(fall_pct: float, years: float) -> float:
    """The constant yearly fall (percent) that compounds to ``fall_pct`` over ``years`` years."""
    return 100.0 * (1.0 - (1.0 - fall_pct / 100.0) ** (1.0 / years))


IMF_PRICE_FALL_RATE_PCT_PER_YEAR = Evidence(
    name="imf_price_fall_rate_pct_per_year",
    title="Yearly fall in the IMF price per pure gram implied by a >50% fall over 2016-2021",
    unit="percent per year",
    use="validation",
    figures=(
        Figure.span(
            *_KILMER_PERIOD,
            (price_fall_rate_pct_per_year(50.0, 5.0), 100.0),
            "[derived] from Kilmer et al., Addiction 2022 ('>50%' over the five years 2016-2021), "
            "compounded: 1 - 0.5**(1/5)",
            status="derived",
            note="a lower bound of about 12.9% a year; the shared evidence notes' '~17%/yr' "
            "does not follow from '>50% over five years'",
        ),
    ),
)
"""At least ~12.9% a year, compounded, over 2016-2021."""
