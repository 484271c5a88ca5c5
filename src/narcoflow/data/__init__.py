"""Public figures NarcoFlow is checked against, typed in with their sources.

See :mod:`narcoflow.data.record` for the figures and their provenance,
:mod:`narcoflow.data.cbp_monthly` for CBP's monthly Southwest-border fentanyl figures, and
:mod:`narcoflow.data.cbp` for the loader of CBP's drug-seizure CSV format.

:mod:`narcoflow.data.evidence` lists the evidence the intervention mechanisms are held to
(potency, prices, interdiction, harm, violence; issue 15) and the cocaine record of the
``cocaine-1975-2000`` scenario (issue 18), typed with :mod:`narcoflow.data.provenance`. They are
imported from their modules, not re-exported here; ``docs/data.md`` lists them.
"""

from narcoflow.data.cbp import CbpOverlapWarning, load_cbp_csv
from narcoflow.data.cbp_monthly import (
    SW_FENTANYL_MONTHLY,
    MonthlySeizure,
    sw_fentanyl_fiscal_year_totals,
    sw_fentanyl_monthly,
    sw_fentanyl_monthly_table,
)
from narcoflow.data.record import (
    CBP_FENTANYL_LBS,
    CBP_SW_POE_SHARE_RANGE,
    CDC_DEATHS,
    NFLIS_FENTANYL_SHARE,
    DeathRecord,
    FigureRange,
    SeizureRecord,
    ShareRecord,
    cbp_fentanyl_lbs,
    nflis_fentanyl_share,
    t404_deaths,
)

__all__ = [
    "CBP_FENTANYL_LBS",
    "CBP_SW_POE_SHARE_RANGE",
    "CDC_DEATHS",
    "NFLIS_FENTANYL_SHARE",
    "SW_FENTANYL_MONTHLY",
    "CbpOverlapWarning",
    "DeathRecord",
    "FigureRange",
    "MonthlySeizure",
    "SeizureRecord",
    "ShareRecord",
    "cbp_fentanyl_lbs",
    "load_cbp_csv",
    "nflis_fentanyl_share",
    "sw_fentanyl_fiscal_year_totals",
    "sw_fentanyl_monthly",
    "sw_fentanyl_monthly_table",
    "t404_deaths",
]
