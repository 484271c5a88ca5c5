"""How much of the flow is seized: the evidence against a model that seizes a fifth to a half of
what crosses (issue 15, "Why").

No agency publishes a seizure rate for fentanyl. The nearest official figure is DHS's cocaine
"seizure effectiveness rate" (2.1% in 2019), which DHS computes as cocaine seized at ports of
entry over the estimated flow toward the U.S.; both inputs are kept so the rate can be
recomputed. Officials' "5-10%" for fentanyl could not be found at any source and is kept, marked
unverified, because issue 15 names it. Kilmer, Pardo, Caulkins & Reuter (2022) bound U.S.
fentanyl consumption in 2021 at single-digit pure tonnes.

Shares are in percent (0-100); masses in kilograms or metric tonnes as the field names say.

Examples
--------
>>> from narcoflow.data.interdiction import dhs_cocaine_seizure_rate_pct
>>> round(dhs_cocaine_seizure_rate_pct(), 1)
2.1
"""

from __future__ import annotations

from datetime import date

from narcoflow.data.provenance import Evidence, Figure, Use

__all__ = [
    "DHS_COCAINE_FLOW_KG",
    "DHS_COCAINE_SEIZURES_KG",
    "DHS_COCAINE_SEIZURE_RATE_PCT",
    "FENTANYL_SEIZURE_RATE_BELIEF_PCT",
    "US_CONSUMPTION_PURE_T",
    "dhs_cocaine_seizure_rate_pct",
]

_DHS_BSMR_2021 = (
    "U.S. Department of Homeland Security, Border Security Metrics Report: 2021 (2022-04-27), "
    "cocaine seizure effectiveness at ports of entry ('Seizure data are obtained from OFO "
    "administrative records'): 'Total seizures dropped to 19,000 kilograms in 2019 ... Land "
    "seizures dropped to 7,000 kilograms in 2019 ... Estimated flow rose to 905,000 kilograms ... "
    "the seizure effectiveness rate halving from the previous year to 2.1 percent' (flow estimate "
    "from the Defense Intelligence Agency); secondary: quoted at length by drugwarfacts.org "
    "(node 4311)"
)
_KILMER_AJDAA_2022 = (
    "Kilmer, Pardo, Caulkins & Reuter, 'How much illegally manufactured fentanyl could the U.S. "
    "be consuming?', American Journal of Drug and Alcohol Abuse 48(4):397-402, 2022, "
    "doi:10.1080/00952990.2022.2092491 (RAND EP68975, abstract): 'it is unlikely that the annual "
    "consumption of IMF in 2021 could have been more than single digit pure metric tons. For "
    "comparison, the most recent best estimates of the amount of cocaine and heroin consumed in "
    "the U.S. are 145 and 47 pure metric tons'"
)


def _dhs_2019(name: str, title: str, unit: str, value: float, use: Use, note: str = "") -> Evidence:
    """One 2019 figure of DHS's cocaine seizure effectiveness measure."""
    figure = Figure.calendar_year(2019, value, _DHS_BSMR_2021, status="secondary", note=note)
    return Evidence(name=name, title=title, unit=unit, use=use, figures=(figure,))


DHS_COCAINE_SEIZURE_RATE_PCT = _dhs_2019(
    "dhs_cocaine_seizure_rate_pct",
    "DHS cocaine seizure effectiveness rate (seizures / estimated flow toward the U.S.)",
    "percent",
    2.1,
    "validation",
)
"""2.1% of the estimated cocaine flow seized in 2019 (the nearest official seizure rate)."""

DHS_COCAINE_SEIZURES_KG = _dhs_2019(
    "dhs_cocaine_seizures_kg",
    "Cocaine seized at ports of entry (CBP OFO), as counted in DHS's seizure rate",
    "kg",
    19_000.0,
    "context",
    note="all ports; 7,000 kg at land ports",
)
"""19,000 kg of cocaine seized at ports of entry in 2019 (the rate's numerator; 7,000 kg of it at
land ports)."""

DHS_COCAINE_FLOW_KG = _dhs_2019(
    "dhs_cocaine_flow_kg",
    "Estimated cocaine flow available to enter the U.S. (DIA, as used by DHS)",
    "kg",
    905_000.0,
    "context",
)
"""905,000 kg of cocaine estimated to be on its way to the U.S. in 2019 (the denominator)."""

FENTANYL_SEIZURE_RATE_BELIEF_PCT = Evidence(
    name="fentanyl_seizure_rate_belief_pct",
    title="Officials' belief about the share of fentanyl crossing the border that is seized",
    unit="percent",
    use="context",
    figures=(
        Figure.effect(
            "officials' statements (no primary estimate)",
            (5.0, 10.0),
            "unverified: the '5-10%' belief named in issue 15 and in the shared evidence notes "
            "(press/testimony) could not be found at any source (two searches); no agency "
            "publishes a fentanyl seizure rate",
            status="unverified",
        ),
    ),
)
"""The '5-10% of fentanyl is seized' belief: unverified, kept because issue 15 names it."""

US_CONSUMPTION_PURE_T = Evidence(
    name="us_consumption_pure_t",
    title="U.S. consumption of illicit drugs in pure metric tonnes (best estimates cited, and a bound)",
    unit="metric tonnes (pure)",
    use="calibration",
    figures=(
        Figure.calendar_year(
            2021,
            (0.0, 10.0),
            _KILMER_AJDAA_2022,
            published="unlikely ... more than single digit pure metric tons",
            note="illegally manufactured fentanyl; an upper bound from two thought experiments",
        ),
        Figure.span(
            "cocaine (most recent best estimate cited in 2022)",
            None,
            date(2022, 7, 4),
            145.0,
            _KILMER_AJDAA_2022,
            note="end is the article's publication date; the estimate's year is not in the abstract",
        ),
        Figure.span(
            "heroin (most recent best estimate cited in 2022)",
            None,
            date(2022, 7, 4),
            47.0,
            _KILMER_AJDAA_2022,
            note="end is the article's publication date",
        ),
    ),
)
"""Fentanyl 2021: under 10 pure tonnes; cocaine 145 t and heroin 47 t for comparison."""


def dhs_cocaine_seizure_rate_pct() -> float:
    """DHS's 2019 cocaine seizure effectiveness recomputed from its inputs (percent)."""
    seized = DHS_COCAINE_SEIZURES_KG.figures[0].value
    flow = DHS_COCAINE_FLOW_KG.figures[0].value
    return 100.0 * seized / flow
