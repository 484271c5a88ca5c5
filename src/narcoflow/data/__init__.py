"""Public figures NarcoFlow is checked against, typed in with their sources.

See :mod:`narcoflow.data.record` for the figures and their provenance.
"""

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
    "DeathRecord",
    "FigureRange",
    "SeizureRecord",
    "ShareRecord",
    "cbp_fentanyl_lbs",
    "nflis_fentanyl_share",
    "t404_deaths",
]
