"""The public record a calibration fits, and the matching summaries of a simulation.

Series (all from :mod:`narcoflow.data`, each figure with its source):
- ``deaths``: CDC/NCHS T40.4 deaths per calendar year (final NVSS counts only);
- ``ofo_lbs`` / ``usbp_lbs``: CBP Southwest-border fentanyl seizures per fiscal year, lb, ports of entry
  (OFO) and between ports (USBP);
- ``ofo_events`` / ``usbp_events``: the same as seizure event counts;
- ``ofo_monthly`` / ``usbp_monthly``: monthly lb, as 3-month sums (monthly counts are noisy);
- ``poe_share``: the ports-of-entry share of Southwest-border weight per fiscal year;
- ``nflis``: the fentanyl share of heroin-class NFLIS reports, against the model's penetration φ
  (yearly mean) — a proxy, as MODEL.md says.
Positive series are compared on a log scale; the share on an absolute scale.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from narcoflow.data.cbp_monthly import sw_fentanyl_monthly
from narcoflow.data.record import nflis_fentanyl_share, t404_deaths
from narcoflow.results import KG_TO_LB, Results


@dataclass(frozen=True)
class Target:
    """One observed series: labels, values, how it is compared and its weight in the distance."""

    name: str
    labels: list[str]
    observed: np.ndarray
    weight: float
    log: bool = True


def record_targets(until: int, cbp_monthly: pd.DataFrame | None = None) -> list[Target]:
    """The record up to and including calendar year ``until`` (fiscal years ending by then).

    ``cbp_monthly`` replaces the shipped CBP figures: a frame indexed by (month, component) with
    ``lbs`` and ``events`` (:func:`narcoflow.data.cbp.monthly_series` of the user's own CSV files).
    """
    deaths = t404_deaths()
    deaths = deaths[deaths.index <= until]
    out = [Target("deaths", [str(y) for y in deaths.index], deaths.to_numpy(float), weight=3.0)]
    cbp = sw_fentanyl_monthly() if cbp_monthly is None else cbp_monthly
    months = pd.DatetimeIndex(cbp.index.get_level_values("month"))
    fiscal = months.year + (months.month >= 10)
    for comp, key in (("OFO", "ofo"), ("USBP", "usbp")):
        mask = (cbp.index.get_level_values("component") == comp) & (fiscal <= until)
        rows = cbp[mask]
        if rows.empty:
            continue
        fy_of = fiscal[mask]
        complete = pd.Series(1, index=fy_of).groupby(level=0).size()
        full_years = complete[complete == 12].index
        for value, w in (("lbs", 3.0 if comp == "OFO" else 2.0), ("events", 0.5)):
            fy = rows[value].groupby(fy_of).sum().loc[full_years]
            if len(fy):
                out.append(Target(f"{key}_{value}", [str(y) for y in fy.index], fy.to_numpy(float), weight=w))
        monthly = rows["lbs"].droplevel("component")
        q = monthly.rolling(3).sum().iloc[2::3]
        if len(q):
            labels = [m.strftime("%Y-%m") for m in q.index]
            out.append(Target(f"{key}_monthly", labels, q.to_numpy(float), weight=0.5))
    byname = {t.name: t for t in out}
    if "ofo_lbs" in byname and "usbp_lbs" in byname and byname["ofo_lbs"].labels == byname["usbp_lbs"].labels:
        ofo, usbp = byname["ofo_lbs"], byname["usbp_lbs"]
        out.append(
            Target(
                "poe_share", ofo.labels, ofo.observed / (ofo.observed + usbp.observed), weight=2.0, log=False
            )
        )
    share = nflis_fentanyl_share()
    share = share[share.index <= until]
    out.append(Target("nflis", [str(y) for y in share.index], share.to_numpy(float), weight=1.0, log=False))
    return out


def simulated(res: Results, targets: list[Target]) -> dict[str, np.ndarray]:
    """The simulation's values for each target, [member, point]."""
    ds = res.dataset
    out: dict[str, np.ndarray] = {}
    final = ds.attrs["final_commodity"]
    for tg in targets:
        if tg.name == "deaths":
            da = res.deaths_by_year("final")
            out[tg.name] = da.sel(year=[int(y) for y in tg.labels]).values
        elif tg.name.endswith(("_lbs", "_events")):
            group = "sw_ofo" if tg.name.startswith("ofo") else "sw_usbp"
            da = res.seizures_by_fiscal_year(group, events=tg.name.endswith("_events"))
            if tg.name.endswith("_lbs") and json.loads(ds.attrs["observables"])["report_unit"] == "kg":
                da = da * KG_TO_LB  # the record is in lb
            out[tg.name] = da.sel(year=[int(y) for y in tg.labels]).values
        elif tg.name.endswith("_monthly"):
            nodes = res.group_nodes("sw_ofo" if tg.name.startswith("ofo") else "sw_usbp")
            lbs = ds["seized_kg"].sel(commodity=final).isel(node=nodes).sum("node") * KG_TO_LB
            three = lbs.rolling(month=3).sum()
            months = pd.to_datetime([f"{m}-01" for m in tg.labels])
            out[tg.name] = three.sel(month=months).values
        elif tg.name == "poe_share":
            ofo = res.seizures_by_fiscal_year("sw_ofo").sel(year=[int(y) for y in tg.labels]).values
            usbp = res.seizures_by_fiscal_year("sw_usbp").sel(year=[int(y) for y in tg.labels]).values
            out[tg.name] = np.divide(ofo, ofo + usbp, out=np.zeros_like(ofo), where=(ofo + usbp) > 0)
        elif tg.name == "nflis":
            phi = ds["phi"].groupby("month.year").mean()
            out[tg.name] = phi.sel(year=[int(y) for y in tg.labels]).values
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
