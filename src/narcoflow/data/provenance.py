"""Typed published figures with their provenance: the building blocks of the evidence modules.

A :class:`Figure` is one published number (or published range) for one period or condition,
with the source it was read from and how sure that reading is (its :data:`Status`). An
:class:`Evidence` groups the figures on one quantity, in one unit, with what NarcoFlow uses
them for (:data:`Use`). The topic modules (:mod:`~narcoflow.data.potency`,
:mod:`~narcoflow.data.prices`, :mod:`~narcoflow.data.interdiction`,
:mod:`~narcoflow.data.harm`, :mod:`~narcoflow.data.violence`,
:mod:`~narcoflow.data.cocaine`) hold the figures; :mod:`~narcoflow.data.evidence` lists them.

Status, and the marker its ``source`` text must carry:

- ``"published"``: read at the source, or at a verbatim copy of it, named in ``source``;
- ``"secondary"``: found only as quoted by someone else (``source`` says ``secondary: <who>``);
- ``"derived"``: arithmetic on other figures (``source`` says ``[derived]`` and from what);
- ``"unverified"``: could not be found at any source; kept only where an issue names the figure
  (``source`` says ``unverified``).

Examples
--------
>>> f = Figure.fiscal_year(2023, 19.5, "DEA release 2025-12-03 via press")
>>> f.label, f.start.isoformat(), f.end.isoformat(), f.value
('FY2023', '2022-10-01', '2023-09-30', 19.5)
>>> Figure.calendar_year(2019, (6.7, 7.6), "Keyes et al. 2022").bounds
(6.7, 7.6)
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal, TypedDict, Unpack

import pandas as pd

__all__ = ["STATUS_MARKERS", "Evidence", "Figure", "Status", "Use", "evidence_frame"]

Status = Literal["published", "secondary", "derived", "unverified"]
"""How sure a figure's reading is; see the module docstring."""

Use = Literal["calibration", "validation", "event sizing", "context"]
"""What NarcoFlow uses a set of figures for (issue 15 and issue 18)."""

STATUS_MARKERS: dict[str, str] = {
    "secondary": "secondary:",
    "derived": "[derived]",
    "unverified": "unverified",
}
"""The text a figure's ``source`` must contain for each status other than ``"published"``."""

Value = float | tuple[float, float]
"""A single number, or a published range ``(low, high)``."""


class Extra(TypedDict, total=False):
    """The optional fields of a :class:`Figure` that its constructors pass through."""

    status: Status
    published: str
    note: str


def _bounds(value: Value) -> tuple[float, float]:
    if isinstance(value, tuple):
        low, high = value
        return float(low), float(high)
    return float(value), float(value)


@dataclass(frozen=True, slots=True)
class Figure:
    """One published figure: a number, or a range ``[low, high]``, for one period or condition.

    Attributes
    ----------
    label : the period or condition as published (``"FY2023"``, ``"2024-09"``, ``"Jan-Mar
        2019"``, ``"0-6 months after a capture"``).
    low, high : the figure; equal for a single number, the published range otherwise. An upper
        bound such as "fewer than 10" is ``low=0, high=10``.
    source : where it was read (publication, table or page where known, date), with the marker
        its ``status`` requires.
    status : see :data:`Status`.
    start, end : first and last day of the period, or None when the figure is not tied to
        dates (an effect size); ``end`` alone when only a date of publication is known. Fiscal
        years are federal (October to September).
    published : the published wording when the number is approximate, a bound or converted
        from another unit (``"just under $400"``, ``"54,389 lb"``); empty otherwise.
    note : anything a user of the figure should know.
    """

    label: str
    low: float
    high: float
    source: str
    status: Status = "published"
    start: date | None = None
    end: date | None = None
    published: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        """Refuse a figure without a source, with ``low > high``, or whose source lacks (or, for
        a published figure, starts with) a status marker.

        Raises
        ------
        ValueError : naming the label and what is wrong.
        """
        if not self.source.strip():
            raise ValueError(f"{self.label}: a figure needs a source")
        if not self.low <= self.high:
            raise ValueError(f"{self.label}: low {self.low} > high {self.high}")
        marker = STATUS_MARKERS.get(self.status)
        if marker is not None and marker not in self.source:
            raise ValueError(f"{self.label}: a {self.status} figure's source must say {marker!r}")
        if self.status == "published" and self.source.startswith(tuple(STATUS_MARKERS.values())):
            raise ValueError(f"{self.label}: source is marked {self.source[:12]!r} but status is published")
        if self.start is not None and self.end is None:
            raise ValueError(f"{self.label}: a start date needs an end date")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError(f"{self.label}: start {self.start} after end {self.end}")

    @property
    def bounds(self) -> tuple[float, float]:
        """``(low, high)``."""
        return (self.low, self.high)

    @property
    def is_range(self) -> bool:
        """Whether the figure is a range rather than a single number."""
        return self.low != self.high

    @property
    def value(self) -> float:
        """The single number; a range has none (use :attr:`bounds`).

        Raises
        ------
        ValueError : for a range.
        """
        if self.is_range:
            raise ValueError(f"{self.label}: a range has no single value; use .bounds")
        return self.low

    # ----------------------------------------------------------------------------------------
    # Constructors for the usual periods
    # ----------------------------------------------------------------------------------------
    @classmethod
    def span(
        cls, label: str, start: date | None, end: date | None, value: Value, source: str, **kw: Unpack[Extra]
    ) -> Figure:
        """A figure for the period ``start``..``end`` (both None for an effect size)."""
        low, high = _bounds(value)
        return cls(label, low, high, source, start=start, end=end, **kw)

    @classmethod
    def fiscal_year(cls, fy: int, value: Value, source: str, **kw: Unpack[Extra]) -> Figure:
        """A figure for U.S. federal fiscal year ``fy`` (October ``fy - 1`` to September ``fy``)."""
        return cls.span(f"FY{fy}", date(fy - 1, 10, 1), date(fy, 9, 30), value, source, **kw)

    @classmethod
    def calendar_year(cls, year: int, value: Value, source: str, **kw: Unpack[Extra]) -> Figure:
        """A figure for calendar year ``year``."""
        return cls.span(str(year), date(year, 1, 1), date(year, 12, 31), value, source, **kw)

    @classmethod
    def month(cls, year: int, month: int, value: Value, source: str, **kw: Unpack[Extra]) -> Figure:
        """A figure for one calendar month, labelled ``"YYYY-MM"``."""
        last = calendar.monthrange(year, month)[1]
        label = f"{year}-{month:02d}"
        return cls.span(label, date(year, month, 1), date(year, month, last), value, source, **kw)

    @classmethod
    def quarter(cls, year: int, quarter: int, value: Value, source: str, **kw: Unpack[Extra]) -> Figure:
        """A figure for one calendar quarter, labelled ``"YYYY-Qn"``."""
        first = 3 * quarter - 2
        end = date(year, first + 2, calendar.monthrange(year, first + 2)[1])
        return cls.span(f"{year}-Q{quarter}", date(year, first, 1), end, value, source, **kw)

    @classmethod
    def day(cls, when: date, value: Value, source: str, **kw: Unpack[Extra]) -> Figure:
        """A figure for one day, labelled with its ISO date."""
        return cls.span(when.isoformat(), when, when, value, source, **kw)

    @classmethod
    def effect(cls, label: str, value: Value, source: str, **kw: Unpack[Extra]) -> Figure:
        """An effect size not tied to dates (``label`` says the horizon)."""
        return cls.span(label, None, None, value, source, **kw)

    def with_status(self, status: Status) -> Figure:
        """A copy with another status."""
        return replace(self, status=status)


@dataclass(frozen=True, slots=True)
class Evidence:
    """The published figures on one quantity, in one unit, and what NarcoFlow uses them for.

    Attributes
    ----------
    name : identifier, ending in the unit (``"dea_powder_purity_pct"``).
    title : one line saying what the figures measure.
    unit : the unit of every figure (``"percent"`` is 0-100).
    use : see :data:`Use`.
    figures : the figures, ordered by period end where they have dates.
    """

    name: str
    title: str
    unit: str
    use: Use
    figures: tuple[Figure, ...]

    def __getitem__(self, label: str) -> Figure:
        """The figure with this label.

        Raises
        ------
        KeyError : when there is none.
        """
        for figure in self.figures:
            if figure.label == label:
                return figure
        raise KeyError(f"{self.name} has no figure labelled {label!r}")

    def labels(self) -> list[str]:
        """The figures' labels, in order."""
        return [f.label for f in self.figures]

    def series(self) -> pd.Series:
        """Single-number figures as a Series indexed by label, in order, named :attr:`name`.

        Raises
        ------
        ValueError : when a figure is a range (use :meth:`frame`).
        """
        values = {f.label: f.value for f in self.figures}
        return pd.Series(values, name=self.name, dtype="float64").rename_axis("label")

    def frame(self) -> pd.DataFrame:
        """All figures as a DataFrame indexed by label: low, high, start, end, status, source,
        published, note."""
        rows = [
            {
                "label": f.label,
                "low": f.low,
                "high": f.high,
                "start": f.start,
                "end": f.end,
                "status": f.status,
                "source": f.source,
                "published": f.published,
                "note": f.note,
            }
            for f in self.figures
        ]
        return pd.DataFrame(rows).set_index("label")


def evidence_frame(evidence: list[Evidence] | tuple[Evidence, ...]) -> pd.DataFrame:
    """One row per figure of every evidence set, with the set's name, unit and use first."""
    parts = [ev.frame().reset_index().assign(name=ev.name, unit=ev.unit, use=ev.use) for ev in evidence]
    frame = pd.concat(parts, ignore_index=True)
    first = ["name", "label", "low", "high", "unit", "use", "status"]
    return frame[first + [c for c in frame.columns if c not in first]]
