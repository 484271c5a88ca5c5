"""Southwest-border fentanyl seizures by month and CBP component, FY2019-FY2023, with their source.

The monthly figures NarcoFlow is calibrated against: pounds of fentanyl seized and seizure events
on the Southwest border, per calendar month, for CBP's Office of Field Operations (``"OFO"``, ports
of entry) and U.S. Border Patrol (``"USBP"``, between ports), October 2018 (FY2019) to September
2023 (FY2023): 60 months x 2 components.

They are typed figures, not a copy of CBP's file: each is the sum over areas of responsibility and
land filters of CBP's rows for that month and component, pounds rounded to 0.01 lb, computed once
with :func:`narcoflow.data.cbp.load_cbp_csv` and :func:`narcoflow.data.cbp.monthly_series` from
``fentanylfy19fy23.csv`` (the same rows as the Southwest-border fentanyl rows of CBP's two
nationwide downloads). ``tests/data/test_cbp.py`` checks them against the files when present.
Their fiscal-year sums give :data:`narcoflow.data.record.CBP_FENTANYL_LBS` (Southwest border, and
its ports-of-entry part) to the pound.

Examples
--------
>>> from narcoflow.data.cbp_monthly import SW_FENTANYL_MONTHLY, sw_fentanyl_fiscal_year_totals
>>> len(SW_FENTANYL_MONTHLY)
120
>>> SW_FENTANYL_MONTHLY[0]
MonthlySeizure(month='2018-10', component='OFO', lbs=137.63, events=16)
>>> sw_fentanyl_fiscal_year_totals().round().astype(int).to_dict()
{2019: 2633, 2020: 4558, 2021: 10586, 2022: 14104, 2023: 26718}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from narcoflow.errors import NarcoFlowError

__all__ = [
    "SOURCE",
    "SW_FENTANYL_MONTHLY",
    "MonthlySeizure",
    "sw_fentanyl_fiscal_year_totals",
    "sw_fentanyl_monthly",
    "sw_fentanyl_monthly_table",
]

SOURCE = (
    "U.S. Customs and Border Protection, Drug Seizure Statistics, public CSV download "
    "(fentanylfy19fy23.csv; identical Southwest-border fentanyl rows in nationwide-drugs-fy19-fy22.csv "
    "and nationwide-drugs-fy20-fy23.csv): Drug Type 'Fentanyl', Region 'Southwest Border', "
    "'Sum Qty (lbs)' and 'Count of Event' summed over areas of responsibility and land filters per "
    "month and component (Office of Field Operations = OFO, U.S. Border Patrol = USBP), FY2019-FY2023; "
    "pounds rounded to 0.01"
)
"""Where :data:`SW_FENTANYL_MONTHLY` comes from."""

Component = Literal["OFO", "USBP"]


@dataclass(frozen=True, slots=True)
class MonthlySeizure:
    """Southwest-border fentanyl seized by one CBP component in one calendar month.

    Attributes
    ----------
    month : calendar month, ``"YYYY-MM"`` (``"2019-10"`` is October 2019, in FY2020).
    component : ``"OFO"`` (Office of Field Operations, ports of entry) or ``"USBP"`` (U.S.
        Border Patrol, between ports).
    lbs : pounds seized, rounded to 0.01 lb.
    events : number of seizure events.
    """

    month: str
    component: Component
    lbs: float
    events: int

    @property
    def timestamp(self) -> pd.Timestamp:
        """The first day of the month."""
        return pd.Timestamp(f"{self.month}-01")

    @property
    def fiscal_year(self) -> int:
        """The federal fiscal year (October to September) the month belongs to."""
        year, month = (int(part) for part in self.month.split("-"))
        return year + 1 if month >= 10 else year


def _m(month: str, component: Component, lbs: float, events: int) -> MonthlySeizure:
    return MonthlySeizure(month, component, lbs, events)


# Generated once from fentanylfy19fy23.csv with narcoflow.data.cbp (load_cbp_csv, monthly_series).
SW_FENTANYL_MONTHLY: tuple[MonthlySeizure, ...] = (
    _m("2018-10", "OFO", 137.63, 16),
    _m("2018-10", "USBP", 14.77, 1),
    _m("2018-11", "OFO", 110.22, 17),
    _m("2018-11", "USBP", 14.76, 4),
    _m("2018-12", "OFO", 69.78, 12),
    _m("2018-12", "USBP", 0.01, 1),
    _m("2019-01", "OFO", 355.59, 20),
    _m("2019-01", "USBP", 61.07, 3),
    _m("2019-02", "OFO", 170.41, 27),
    _m("2019-02", "USBP", 22.36, 3),
    _m("2019-03", "OFO", 210.05, 30),
    _m("2019-03", "USBP", 3.21, 4),
    _m("2019-04", "OFO", 187.89, 27),
    _m("2019-04", "USBP", 30.92, 4),
    _m("2019-05", "OFO", 373.89, 37),
    _m("2019-05", "USBP", 8.33, 3),
    _m("2019-06", "OFO", 237.44, 28),
    _m("2019-06", "USBP", 22.51, 6),
    _m("2019-07", "OFO", 131.3, 33),
    _m("2019-07", "USBP", 20.71, 5),
    _m("2019-08", "OFO", 243.05, 35),
    _m("2019-08", "USBP", 14.42, 10),
    _m("2019-09", "OFO", 181.12, 40),
    _m("2019-09", "USBP", 11.87, 4),
    _m("2019-10", "OFO", 233.78, 39),
    _m("2019-10", "USBP", 64.09, 11),
    _m("2019-11", "OFO", 170.36, 31),
    _m("2019-11", "USBP", 60.2, 9),
    _m("2019-12", "OFO", 99.92, 30),
    _m("2019-12", "USBP", 7.16, 6),
    _m("2020-01", "OFO", 90.12, 25),
    _m("2020-01", "USBP", 48.43, 12),
    _m("2020-02", "OFO", 226.39, 31),
    _m("2020-02", "USBP", 24.96, 7),
    _m("2020-03", "OFO", 203.13, 33),
    _m("2020-03", "USBP", 40.27, 12),
    _m("2020-04", "OFO", 213.89, 42),
    _m("2020-04", "USBP", 31.83, 13),
    _m("2020-05", "OFO", 212.71, 86),
    _m("2020-05", "USBP", 20.04, 18),
    _m("2020-06", "OFO", 589.3, 94),
    _m("2020-06", "USBP", 86.77, 22),
    _m("2020-07", "OFO", 697.66, 89),
    _m("2020-07", "USBP", 51.45, 27),
    _m("2020-08", "OFO", 381.93, 113),
    _m("2020-08", "USBP", 249.0, 24),
    _m("2020-09", "OFO", 652.16, 90),
    _m("2020-09", "USBP", 102.17, 20),
    _m("2020-10", "OFO", 1035.19, 97),
    _m("2020-10", "USBP", 136.23, 27),
    _m("2020-11", "OFO", 704.09, 101),
    _m("2020-11", "USBP", 76.17, 13),
    _m("2020-12", "OFO", 1127.15, 95),
    _m("2020-12", "USBP", 41.01, 10),
    _m("2021-01", "OFO", 502.12, 66),
    _m("2021-01", "USBP", 180.22, 16),
    _m("2021-02", "OFO", 718.5, 96),
    _m("2021-02", "USBP", 58.23, 11),
    _m("2021-03", "OFO", 607.95, 96),
    _m("2021-03", "USBP", 31.15, 31),
    _m("2021-04", "OFO", 753.87, 100),
    _m("2021-04", "USBP", 124.88, 28),
    _m("2021-05", "OFO", 822.26, 93),
    _m("2021-05", "USBP", 113.28, 22),
    _m("2021-06", "OFO", 998.97, 78),
    _m("2021-06", "USBP", 50.89, 21),
    _m("2021-07", "OFO", 725.48, 90),
    _m("2021-07", "USBP", 54.5, 17),
    _m("2021-08", "OFO", 1097.1, 94),
    _m("2021-08", "USBP", 16.05, 15),
    _m("2021-09", "OFO", 491.67, 78),
    _m("2021-09", "USBP", 119.41, 29),
    _m("2021-10", "OFO", 659.88, 65),
    _m("2021-10", "USBP", 245.24, 31),
    _m("2021-11", "OFO", 1047.33, 72),
    _m("2021-11", "USBP", 45.29, 20),
    _m("2021-12", "OFO", 435.17, 51),
    _m("2021-12", "USBP", 26.19, 10),
    _m("2022-01", "OFO", 772.92, 56),
    _m("2022-01", "USBP", 66.2, 30),
    _m("2022-02", "OFO", 553.71, 72),
    _m("2022-02", "USBP", 79.85, 32),
    _m("2022-03", "OFO", 888.73, 108),
    _m("2022-03", "USBP", 135.72, 30),
    _m("2022-04", "OFO", 987.68, 65),
    _m("2022-04", "USBP", 293.69, 30),
    _m("2022-05", "OFO", 887.87, 60),
    _m("2022-05", "USBP", 189.41, 34),
    _m("2022-06", "OFO", 535.76, 57),
    _m("2022-06", "USBP", 114.65, 36),
    _m("2022-07", "OFO", 1723.86, 96),
    _m("2022-07", "USBP", 378.87, 27),
    _m("2022-08", "OFO", 1853.6, 78),
    _m("2022-08", "USBP", 356.44, 42),
    _m("2022-09", "OFO", 1557.94, 83),
    _m("2022-09", "USBP", 268.09, 27),
    _m("2022-10", "OFO", 1832.82, 83),
    _m("2022-10", "USBP", 97.07, 19),
    _m("2022-11", "OFO", 2782.09, 75),
    _m("2022-11", "USBP", 110.99, 19),
    _m("2022-12", "OFO", 2404.46, 85),
    _m("2022-12", "USBP", 4.65, 18),
    _m("2023-01", "OFO", 1173.54, 64),
    _m("2023-01", "USBP", 263.93, 21),
    _m("2023-02", "OFO", 1906.96, 84),
    _m("2023-02", "USBP", 380.46, 28),
    _m("2023-03", "OFO", 2316.99, 95),
    _m("2023-03", "USBP", 531.4, 35),
    _m("2023-04", "OFO", 3049.74, 90),
    _m("2023-04", "USBP", 136.84, 26),
    _m("2023-05", "OFO", 1992.24, 99),
    _m("2023-05", "USBP", 658.93, 27),
    _m("2023-06", "OFO", 1946.15, 79),
    _m("2023-06", "USBP", 195.54, 17),
    _m("2023-07", "OFO", 1494.38, 56),
    _m("2023-07", "USBP", 261.57, 24),
    _m("2023-08", "OFO", 1652.08, 80),
    _m("2023-08", "USBP", 120.83, 21),
    _m("2023-09", "OFO", 1375.5, 55),
    _m("2023-09", "USBP", 28.67, 10),
)
"""Southwest-border fentanyl seizures by month and component, FY2019-FY2023 (Oct 2018-Sep 2023).

Sorted by month then component; 120 rows. Source: :data:`SOURCE`.
"""


def sw_fentanyl_monthly() -> pd.DataFrame:
    """The monthly figures as a frame, shaped like :func:`narcoflow.data.cbp.monthly_series`.

    Returns
    -------
    pandas.DataFrame indexed by (``month``: Timestamp of the first day of the month,
    ``component``: ``"OFO"`` / ``"USBP"``) with the columns ``lbs`` (float) and ``events`` (int).
    """
    index = pd.MultiIndex.from_arrays(
        [
            pd.DatetimeIndex([r.timestamp for r in SW_FENTANYL_MONTHLY]).astype("datetime64[ns]"),
            [r.component for r in SW_FENTANYL_MONTHLY],
        ],
        names=["month", "component"],
    )
    return pd.DataFrame(
        {
            "lbs": pd.array([r.lbs for r in SW_FENTANYL_MONTHLY], dtype="float64"),
            "events": pd.array([r.events for r in SW_FENTANYL_MONTHLY], dtype="int64"),
        },
        index=index,
    )


def sw_fentanyl_monthly_table(value: Literal["lbs", "events"] = "lbs") -> pd.DataFrame:
    """One value as a month x component table.

    Parameters
    ----------
    value : ``"lbs"`` (pounds) or ``"events"`` (seizure events).

    Returns
    -------
    pandas.DataFrame indexed by month (Timestamp), with the columns ``OFO`` and ``USBP``.

    Raises
    ------
    NarcoFlowError : for an unknown ``value``.
    """
    if value not in ("lbs", "events"):
        raise NarcoFlowError(f"value must be 'lbs' or 'events', not {value!r}", field="value")
    table = sw_fentanyl_monthly()[value].unstack("component")
    table.columns.name = None
    return table


def sw_fentanyl_fiscal_year_totals(
    value: Literal["lbs", "events"] = "lbs", component: Component | None = None
) -> pd.Series:
    """Fiscal-year totals of the monthly figures.

    Parameters
    ----------
    value : ``"lbs"`` (pounds) or ``"events"`` (seizure events).
    component : ``"OFO"`` or ``"USBP"`` for one component; None for both (the Southwest border).

    Returns
    -------
    pandas.Series indexed by fiscal year (name ``"fiscal_year"``), named after ``value``.

    Raises
    ------
    NarcoFlowError : for an unknown ``value`` or ``component``.
    """
    if value not in ("lbs", "events"):
        raise NarcoFlowError(f"value must be 'lbs' or 'events', not {value!r}", field="value")
    if component not in (None, "OFO", "USBP"):
        raise NarcoFlowError(f"component must be 'OFO', 'USBP' or None, not {component!r}", field="component")
    totals: dict[int, float] = {}
    for r in SW_FENTANYL_MONTHLY:
        if component is None or r.component == component:
            totals[r.fiscal_year] = totals.get(r.fiscal_year, 0) + getattr(r, value)
    dtype = "float64" if value == "lbs" else "int64"
    return pd.Series(totals, name=value, dtype=dtype).rename_axis("fiscal_year").sort_index()
