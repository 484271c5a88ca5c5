"""Outcomes: named reducers from a run's :class:`~narcoflow.results.Results` to one number per member.

Built-in outcomes are families whose name carries the period (complete years of the scenario's
calendar; ``fyYYYY`` for fiscal years):

======================================  ==========  =============================================
name                                    unit        value per member
======================================  ==========  =============================================
``deaths_t404_2025_2030``               deaths      deaths in the observed category (the final
                                                    product involved; CDC T40.4), summed
``deaths_opioid_2025_2030``             deaths      all modelled opioid overdose deaths, summed
``delivered_kg_2026_2030``              kg          final product reaching markets, summed
``seizures_lbs_fy2027``                 lb          final product seized by the seizure group
(``seizures_kg_...``, ``..._events_``,              ``total`` (or a named one:
``seizures_lbs_sw_ofo_fy2026_2030``)                ``seizures_lbs_sw_ofo_fy2027``), summed
``violence_2026``                       index       monthly violence index, mean over the period
``price_2026_2030``                     USD/kg      retail price, mean over the period
``phi_2026``                            1           fentanyl penetration φ, mean over the period
======================================  ==========  =============================================

A single year (``deaths_t404_2026``) or a span (``deaths_t404_2025_2030``) both work. Users add their
own with :func:`register_outcome` (any function of ``Results`` returning one value per member).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from narcoflow.errors import NarcoFlowError
from narcoflow.scenario.schema import Scenario, parse_month

Sense = Literal["min", "max"] | None
Reducer = Callable[..., np.ndarray]

KG_TO_LB = 2.20462262185


@dataclass(frozen=True)
class Outcome:
    """A named reducer: ``reduce(results)`` → one float per member, with its unit and direction."""

    name: str
    unit: str
    description: str
    reduce: Reducer
    sense: Sense = None

    def __call__(self, results: object) -> np.ndarray:
        """The outcome of every member of ``results`` (float64, one per member)."""
        out = np.asarray(self.reduce(results), dtype=np.float64).reshape(-1)
        return out


@dataclass(frozen=True)
class PeriodReducer:
    """Sum or mean of a (member, month) variable over a span of months (picklable)."""

    variable: str
    first: str  # YYYY-MM
    last: str  # YYYY-MM
    how: Literal["sum", "mean"] = "sum"
    group: str | None = None  # seizures: the seizure group
    factor: float = 1.0

    def __call__(self, results: object) -> np.ndarray:
        """Reduce ``results`` (a :class:`~narcoflow.results.Results`)."""
        ds = results.dataset  # type: ignore[attr-defined]
        da = ds[self.variable]
        if self.group is not None:
            da = da.sel(commodity=ds.attrs["final_commodity"]).isel(node=results.group_nodes(self.group))  # type: ignore[attr-defined]
            da = da.sum("node")
        da = da.sel(month=slice(f"{self.first}-01", f"{self.last}-01")).astype(np.float64)
        red = da.sum("month") if self.how == "sum" else da.mean("month")
        return red.values * self.factor


@dataclass(frozen=True)
class _Family:
    pattern: str
    unit: str
    description: str
    sense: Sense
    variable: str
    how: Literal["sum", "mean"]
    fiscal: bool = False


_PERIOD = r"(?P<y1>\d{4})(?:_(?P<y2>\d{4}))?"
_FAMILIES = [
    _Family(
        rf"deaths_t404_{_PERIOD}", "deaths", "deaths, observed category (T40.4)", "min", "deaths_final", "sum"
    ),
    _Family(
        rf"deaths_opioid_{_PERIOD}", "deaths", "all modelled opioid deaths", "min", "deaths_total", "sum"
    ),
    _Family(rf"delivered_kg_{_PERIOD}", "kg", "final product reaching markets", "min", "delivered_kg", "sum"),
    _Family(
        rf"seizures_(?P<unit>lbs|kg|events)(?:_(?P<group>[a-z0-9_]+?))?_fy{_PERIOD}",
        "",
        "final product seized",
        "max",
        "seized_kg",
        "sum",
        fiscal=True,
    ),
    _Family(rf"violence_{_PERIOD}", "index", "violence index, monthly mean", "min", "violence", "mean"),
    _Family(rf"price_{_PERIOD}", "USD/kg", "retail price, monthly mean", "max", "price", "mean"),
    _Family(rf"phi_{_PERIOD}", "1", "fentanyl penetration φ, monthly mean", "min", "phi", "mean"),
]

_REGISTERED: dict[str, Outcome] = {}


def register_outcome(
    name: str, reduce: Reducer, unit: str, description: str = "", sense: Sense = None
) -> Outcome:
    """Register a user outcome: ``reduce(results)`` returns one value per member of ``results``.

    Example::

        register_outcome("deaths_2030", lambda r: r.deaths_by_year().sel(year=2030).values, "deaths")

    Registered outcomes travel to worker processes with the experiment (cloudpickle), so a lambda or a
    local function works with every executor.
    """
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise NarcoFlowError("an outcome name is letters, digits and '_'", field=name)
    out = Outcome(name, unit, description, reduce, sense)
    _REGISTERED[name] = out
    return out


def _calendar(scenario: Scenario) -> tuple[pd.Timestamp, pd.Timestamp]:
    y0, m0 = parse_month(scenario.calendar.start)
    first = pd.Timestamp(year=y0, month=m0, day=1)
    return first, first + pd.DateOffset(months=scenario.calendar.months - 1)


def _span(fam: _Family, y1: int, y2: int, scenario: Scenario) -> tuple[str, str]:
    """First and last month of the period; an error if it is not inside the calendar."""
    fy = scenario.observables.fiscal_year_start_month if fam.fiscal else 1
    if fy == 1:
        first, last = pd.Timestamp(year=y1, month=1, day=1), pd.Timestamp(year=y2, month=12, day=1)
    else:
        first = pd.Timestamp(year=y1 - 1, month=fy, day=1)
        last = pd.Timestamp(year=y2, month=fy, day=1) - pd.DateOffset(months=1)
    c0, c1 = _calendar(scenario)
    if y2 < y1 or first < c0 or last > c1:
        raise NarcoFlowError(
            f"the period {first:%Y-%m}..{last:%Y-%m} is not inside the calendar {c0:%Y-%m}..{c1:%Y-%m}"
        )
    return f"{first:%Y-%m}", f"{last:%Y-%m}"


def _from_family(fam: _Family, m: re.Match[str], name: str, scenario: Scenario) -> Outcome:
    y1 = int(m["y1"])
    y2 = int(m["y2"]) if m["y2"] else y1
    first, last = _span(fam, y1, y2, scenario)
    if not fam.variable.startswith("seized"):
        red = PeriodReducer(fam.variable, first, last, fam.how)
        return Outcome(name, fam.unit, f"{fam.description}, {first}..{last}", red, fam.sense)
    group = m["group"] or "total"
    if group not in scenario.observables.seizure_groups:
        have = ", ".join(scenario.observables.seizure_groups)
        raise NarcoFlowError(f"no seizure group '{group}' in the scenario (have: {have})")
    unit = {"lbs": "lb", "kg": "kg", "events": "events"}[m["unit"]]
    red = PeriodReducer(
        "seizure_events" if unit == "events" else "seized_kg",
        first,
        last,
        "sum",
        group=group,
        factor=KG_TO_LB if unit == "lb" else 1.0,
    )
    desc = f"{fam.description} ({group}), {unit}, fiscal years {first}..{last}"
    return Outcome(name, unit, desc, red, fam.sense)


def resolve_outcome(name: str, scenario: Scenario | None) -> Outcome:
    """The outcome called ``name``: a registered one, or a built-in family member checked against the
    scenario's calendar. Unknown names raise :class:`NarcoFlowError`."""
    if name in _REGISTERED:
        return _REGISTERED[name]
    for fam in _FAMILIES:
        m = re.fullmatch(fam.pattern, name)
        if m and scenario is not None:
            return _from_family(fam, m, name, scenario)
    known = ", ".join(["deaths_t404_Y[_Y]", "deaths_opioid_…", "delivered_kg_…", "seizures_lbs_fyY[_Y]"])
    extra = f"; registered: {', '.join(_REGISTERED)}" if _REGISTERED else ""
    raise NarcoFlowError(f"unknown outcome '{name}' (built-in: {known}, violence_…, price_…, phi_…{extra})")


def outcome_sense(name: str) -> Sense:
    """Whether lower (``min``) or higher (``max``) is better for an outcome, if it says."""
    if name in _REGISTERED:
        return _REGISTERED[name].sense
    return next((f.sense for f in _FAMILIES if re.fullmatch(f.pattern, name)), None)


def outcome_catalog() -> pd.DataFrame:
    """The built-in outcome families and the registered outcomes: name, unit, direction, description."""
    rows = [
        {
            "name": f.pattern.replace(_PERIOD, "YYYY[_YYYY]").replace(
                "(?P<unit>lbs|kg|events)(?:_(?P<group>[a-z0-9_]+?))?", "{lbs|kg|events}[_GROUP]"
            ),
            "unit": f.unit or "lb | kg | events",
            "sense": f.sense,
            "description": f.description,
        }
        for f in _FAMILIES
    ]
    rows += [
        {"name": o.name, "unit": o.unit, "sense": o.sense, "description": o.description}
        for o in _REGISTERED.values()
    ]
    return pd.DataFrame(rows)
