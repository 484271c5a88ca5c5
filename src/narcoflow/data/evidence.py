"""The public evidence NarcoFlow's intervention mechanisms are held to (issue 15) and the cocaine
record of the ``cocaine-1975-2000`` scenario (issue 18), in one catalogue.

Each entry is an :class:`~narcoflow.data.provenance.Evidence`: the published figures on one
quantity, in one unit, with what they are used for (calibration target, validation check, event
sizing, or context). The figures live in topic modules:

- :mod:`~narcoflow.data.potency`: DEA powder purity, pills with a potentially lethal dose;
- :mod:`~narcoflow.data.prices`: the fall of the fentanyl price, import cost vs retail price;
- :mod:`~narcoflow.data.interdiction`: seizure rates and consumption;
- :mod:`~narcoflow.data.harm`: OUD, ED visits, naloxone, routes of use, the Australian heroin
  shortage, and the persistence benchmark (computed from :mod:`~narcoflow.data.record`);
- :mod:`~narcoflow.data.violence`: leader removal and Sinaloa's homicides;
- :mod:`~narcoflow.data.cocaine` and :mod:`~narcoflow.data.cocaine_prices`: cocaine 1975-2000.

``docs/data.md`` lists every entry with its unit, source and use.

Examples
--------
>>> from narcoflow.data.evidence import EVIDENCE, catalogue, get
>>> get("dea_powder_purity_pct").series().to_dict()
{'FY2023': 19.5, 'FY2025': 10.3}
>>> table = catalogue()
>>> sorted(table["status"].unique())
['derived', 'published', 'secondary', 'unverified']
"""

from __future__ import annotations

import pandas as pd

from narcoflow.data import harm, interdiction, potency, prices, violence
from narcoflow.data.cocaine import COCAINE_EVIDENCE
from narcoflow.data.provenance import Evidence, evidence_frame

__all__ = ["ALL_EVIDENCE", "EVIDENCE", "catalogue", "get"]

EVIDENCE: tuple[Evidence, ...] = (
    potency.DEA_POWDER_PURITY_PCT,
    potency.NDTA_POWDER_PURITY_PCT,
    potency.DEA_PILLS_LETHAL_DOSE_PCT,
    potency.DEA_MG_PER_PILL,
    potency.FENTANYL_PURITY_BY_ROUTE_PCT,
    prices.IMF_PRICE_FALL_PCT,
    prices.IMF_PRICE_FALL_RATE_PCT_PER_YEAR,
    prices.FENTANYL_REPLACEMENT_COST_USD_PER_KG,
    prices.COUNTERFEIT_PILL_FENTANYL_MG,
    prices.COUNTERFEIT_PILL_PRICE_USD,
    prices.IMPORT_SHARE_OF_PILL_PRICE_PCT,
    interdiction.DHS_COCAINE_SEIZURE_RATE_PCT,
    interdiction.DHS_COCAINE_SEIZURES_KG,
    interdiction.DHS_COCAINE_FLOW_KG,
    interdiction.FENTANYL_SEIZURE_RATE_BELIEF_PCT,
    interdiction.US_CONSUMPTION_PURE_T,
    harm.OUD_PREVALENCE_MILLIONS,
    harm.ED_FENTANYL_OVERDOSE_RATE_PER_10K,
    harm.ED_FENTANYL_OVERDOSE_QUARTERLY_CHANGE_PCT,
    harm.OTC_NALOXONE_UNITS,
    harm.ROUTE_INJECTION_PCT,
    harm.ROUTE_SMOKING_PCT,
    harm.AUSTRALIA_HEROIN_SHORTAGE,
    violence.LEADER_REMOVAL_VIOLENCE_CHANGE_PCT,
    violence.CAPTURE_DAY_DEATHS,
    violence.SINALOA_HOMICIDES_MONTHLY,
    violence.SINALOA_HOMICIDES_YEARLY,
    violence.SINALOA_DAILY_HOMICIDES,
    violence.SINALOA_WAR_MULTIPLIER,
)
"""The evidence for issue 15 (fentanyl era), in the order of docs/data.md."""

ALL_EVIDENCE: tuple[Evidence, ...] = EVIDENCE + COCAINE_EVIDENCE
"""Issue 15's evidence followed by the cocaine record (issue 18)."""


def get(name: str) -> Evidence:
    """The evidence set called ``name`` (issue 15's or the cocaine record's).

    Raises
    ------
    KeyError : for an unknown name, listing the known ones.
    """
    for evidence in ALL_EVIDENCE:
        if evidence.name == name:
            return evidence
    raise KeyError(f"no evidence named {name!r}; known: {', '.join(e.name for e in ALL_EVIDENCE)}")


def catalogue(include_cocaine: bool = True) -> pd.DataFrame:
    """Every figure, one row each: name, label, low, high, unit, use, status, then start, end,
    source, published and note.

    Parameters
    ----------
    include_cocaine : also list the cocaine record (issue 18).
    """
    return evidence_frame(ALL_EVIDENCE if include_cocaine else EVIDENCE)
