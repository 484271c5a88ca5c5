"""The public record a calibration fits, and the matching summaries of a simulation.

Series (all from :mod:`narcoflow.data`, each figure with its source):
- ``deaths``: CDC/NCHS deaths in the observed category per calendar year (final NVSS counts only);
- ``<component>_lbs``: seizures per fiscal year, lb, of each component of CBP's monthly
  Southwest-border record (``ofo_lbs``, ``usbp_lbs``: ports of entry and between ports), compared with
  the seizure group the scenario maps it to (``observables.record.components``);
- ``<component>_events``: the same as seizure event counts;
- ``<component>_monthly``: monthly lb, as 3-month sums (monthly counts are noisy);
- ``observables.record.share`` (the baseline's ``poe_share``): the first component's share of the
  components' weight per fiscal year;
- ``nflis``: the fentanyl share of heroin-class NFLIS reports, against the model's penetration φ
  (yearly mean) — a proxy, as MODEL.md says.
Positive series are compared on a log scale; the share on an absolute scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from narcoflow.data.cbp_monthly import sw_fentanyl_monthly
from narcoflow.data.record import nflis_fentanyl_share, t404_deaths
from narcoflow.results import KG_TO_LB, Results
from narcoflow.scenario.schema import RecordNames

Kind = Literal["deaths", "weight", "events", "monthly", "share", "phi"]


@dataclass(frozen=True)
class Target:
    """One observed series: labels, values, how it is compared and its weight in the distance.

    ``kind`` says which model quantity it meets; ``components`` names the seizure record's components
    it is about (weight, events and monthly series: one; the share: the part first, then the rest).
    """

    name: str
    labels: list[str]
    observed: np.ndarray
    weight: float
    log: bool = True
    kind: Kind = "deaths"
    components: tuple[str, ...] = ()


def _seizure_targets(cbp: pd.DataFrame, until: int, components: list[str]) -> list[Target]:
    """Per component: fiscal-year weight and events (complete years) and 3-month sums of the weight."""
    months = pd.DatetimeIndex(cbp.index.get_level_values("month"))
    fiscal = months.year + (months.month >= 10)
    out = []
    for i, comp in enumerate(components):
        mask = (cbp.index.get_level_values("component") == comp) & (fiscal <= until)
        rows = cbp[mask]
        if rows.empty:
            continue
        key, fy_of = comp.lower(), fiscal[mask]
        complete = pd.Series(1, index=fy_of).groupby(level=0).size()
        full_years = complete[complete == 12].index
        for value, kind, w in (("lbs", "weight", 3.0 if i == 0 else 2.0), ("events", "events", 0.5)):
            fy = rows[value].groupby(fy_of).sum().loc[full_years]
            if len(fy):
                labels = [str(y) for y in fy.index]
                out.append(
                    Target(f"{key}_{value}", labels, fy.to_numpy(float), w, kind=kind, components=(comp,))
                )
        q = rows["lbs"].droplevel("component").rolling(3).sum().iloc[2::3]
        if len(q):
            labels = [m.strftime("%Y-%m") for m in q.index]
            out.append(
                Target(f"{key}_monthly", labels, q.to_numpy(float), 0.5, kind="monthly", components=(comp,))
            )
    return out


def record_targets(
    until: int, cbp_monthly: pd.DataFrame | None = None, names: RecordNames | None = None
) -> list[Target]:
    """The record up to and including calendar year ``until`` (fiscal years ending by then).

    ``cbp_monthly`` replaces the shipped CBP figures: a frame indexed by (month, component) with
    ``lbs`` and ``events`` (:func:`narcoflow.data.cbp.monthly_series` of the user's own CSV files).
    ``names`` (a scenario's ``observables.record``) orders the components and names the share target;
    without it, the record's components are taken in sorted order and the share is named ``share``.
    """
    names = names if names is not None else RecordNames()
    deaths = t404_deaths()
    deaths = deaths[deaths.index <= until]
    out = [Target("deaths", [str(y) for y in deaths.index], deaths.to_numpy(float), weight=3.0)]
    cbp = sw_fentanyl_monthly() if cbp_monthly is None else cbp_monthly
    components = list(names.components) or sorted(set(cbp.index.get_level_values("component")))
    out += _seizure_targets(cbp, until, components)
    weights = [t for t in out if t.kind == "weight"]
    if len(weights) >= 2 and all(t.labels == weights[0].labels for t in weights):
        total = sum(t.observed for t in weights)
        comps = tuple(t.components[0] for t in weights)
        share = weights[0].observed / total
        out.append(
            Target(names.share, weights[0].labels, share, 2.0, log=False, kind="share", components=comps)
        )
    share = nflis_fentanyl_share()
    share = share[share.index <= until]
    out.append(
        Target("nflis", [str(y) for y in share.index], share.to_numpy(float), 1.0, log=False, kind="phi")
    )
    return out


def _group(res: Results, component: str) -> str:
    """The seizure group a record component is compared with (``observables.record.components``)."""
    from narcoflow.errors import NarcoFlowError

    groups = res.observables["record"]["components"]
    if component not in groups:
        raise NarcoFlowError(
            f"the scenario maps no seizure group to the record's component '{component}'",
            field="observables.record.components",
        )
    return groups[component]


def _fiscal(res: Results, component: str, labels: list[str], events: bool = False) -> np.ndarray:
    """Seizures of a component's group per fiscal year in lb (or events), [member, point]."""
    da = res.seizures_by_fiscal_year(_group(res, component), events=events)
    if not events and res.observables["report_unit"] == "kg":
        da = da * KG_TO_LB  # the record is in lb
    return da.sel(year=[int(y) for y in labels]).values


def simulated(res: Results, targets: list[Target]) -> dict[str, np.ndarray]:
    """The simulation's values for each target, [member, point]."""
    ds = res.dataset
    out: dict[str, np.ndarray] = {}
    for tg in targets:
        if tg.kind == "deaths":
            out[tg.name] = res.deaths_by_year("final").sel(year=[int(y) for y in tg.labels]).values
        elif tg.kind in ("weight", "events"):
            out[tg.name] = _fiscal(res, tg.components[0], tg.labels, events=tg.kind == "events")
        elif tg.kind == "monthly":
            nodes = res.group_nodes(_group(res, tg.components[0]))
            lbs = ds["seized_kg"].sel(commodity=ds.attrs["final_commodity"]).isel(node=nodes).sum("node")
            three = (lbs * KG_TO_LB).rolling(month=3).sum()
            out[tg.name] = three.sel(month=pd.to_datetime([f"{m}-01" for m in tg.labels])).values
        elif tg.kind == "share":
            part, *rest = (_fiscal(res, c, tg.labels) for c in tg.components)
            whole = part + sum(rest)
            out[tg.name] = np.divide(part, whole, out=np.zeros_like(part), where=whole > 0)
        elif tg.kind == "phi":
            out[tg.name] = ds["phi"].groupby("month.year").mean().sel(year=[int(y) for y in tg.labels]).values
    return out


def distances(sim: dict[str, np.ndarray], targets: list[Target]) -> np.ndarray:
    """Weighted RMS discrepancy per member: log-ratio for positive series, 2 × difference for shares."""
    total = 0.0
    wsum = 0.0
    for tg in targets:
        x = sim[tg.name].astype(np.float64)
        if tg.log:
            err = np.log1p(np.maximum(x, 0.0)) - np.log1p(tg.observed)[None, :]
        else:
            err = 2.0 * (x - tg.observed[None, :])
        total = total + tg.weight * np.sqrt(np.mean(err**2, axis=1))
        wsum += tg.weight
    d = total / wsum
    return np.where(np.isfinite(d), d, np.inf)
