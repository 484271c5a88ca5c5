"""Results of a run: a labelled ``xarray.Dataset`` plus summaries in the public record's units.

Dimensions: ``member`` (the member indices), ``month`` (first day of each simulated month),
``commodity``, ``node``, ``organization``, ``stock`` (population stocks), ``level`` (event-driven levels)
and ``parameter`` (the per-member parameter values used).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from narcoflow._version import __version__
from narcoflow.errors import NarcoFlowError
from narcoflow.model.harm import STOCKS
from narcoflow.model.outputs import BY_NAME

if TYPE_CHECKING:
    from narcoflow.model.layout import Layout

KG_TO_LB = 2.20462262185


def _stats(a: np.ndarray) -> dict[str, float]:
    """Mean, 5th, 50th and 95th percentile over members."""
    a = np.asarray(a, dtype=np.float64)
    p05, p50, p95 = np.percentile(a, [5, 50, 95])
    return {"mean": float(a.mean()), "p05": float(p05), "p50": float(p50), "p95": float(p95)}


def _per_year(da: xr.DataArray) -> dict[str, dict[str, float]]:
    """{year: stats over members} of a (member, year) array."""
    return {str(int(y)): _stats(da.sel(year=y).values) for y in da["year"].values}


def _per_month(parts: dict[str, xr.DataArray]) -> dict[str, dict[str, dict[str, float]]]:
    """{"YYYY-MM": {name: stats over members}} of (member, month) arrays."""
    first = next(iter(parts.values()))
    labels = pd.DatetimeIndex(first["month"].values).strftime("%Y-%m")
    return {
        label: {k: _stats(v.isel(month=i).values) for k, v in parts.items()} for i, label in enumerate(labels)
    }


class Results:
    """A run's results: ``dataset`` (xarray) and summaries (:meth:`summary`)."""

    def __init__(self, dataset: xr.Dataset) -> None:
        self.dataset = dataset

    @classmethod
    def from_arrays(
        cls,
        lay: Layout,
        members: np.ndarray,
        seed: int,
        arrays: dict[str, np.ndarray],
        values: dict[str, np.ndarray],
    ) -> Results:
        """Label the engine's arrays (dimensions and units as :data:`narcoflow.model.outputs.OUTPUTS`
        declares them)."""
        from narcoflow.scenario.loader import scenario_hash

        sc, net = lay.scenario, lay.net
        data_vars: dict[str, Any] = {}
        for k, a in arrays.items():
            out = BY_NAME[k]
            data_vars[k] = (("member", "month", *out.dims), a, {"units": out.unit})
        names = sorted(values)
        data_vars["parameter_values"] = (
            ("member", "parameter"),
            np.stack([values[n] for n in names], axis=1),
        )
        ds = xr.Dataset(
            data_vars,
            coords={
                "member": members.astype(np.int64),
                "month": lay.months.values,
                "commodity": net.commodity_ids,
                "node": net.node_ids,
                "node_kind": ("node", net.node_kind),
                "node_country": ("node", net.node_country),
                "organization": net.org_ids,
                "stock": list(STOCKS),
                "level": lay.levels.names,
                "agency": lay.agencies.ids,
                "parameter": names,
            },
            attrs={
                "scenario": sc.name,
                "scenario_hash": scenario_hash(sc),
                "seed": int(seed),
                "seed_discipline": "member k uses numpy SeedSequence(seed, spawn_key=(k,))",
                "narcoflow_version": __version__,
                "final_commodity": net.commodity_ids[net.final],
                "observables": json.dumps(sc.observables.model_dump(mode="json")),
            },
        )
        return cls(ds)

    # ------------------------------------------------------------------ summaries
    @property
    def members(self) -> np.ndarray:
        """Member indices."""
        return self.dataset["member"].values

    def _by_year(self, da: xr.DataArray, fiscal: bool = False) -> xr.DataArray:
        """Sum a (member, month) array per (fiscal) year, keeping only complete years."""
        obs = self.observables
        t = pd.DatetimeIndex(self.dataset["month"].values)
        year = t.year + ((t.month >= obs["fiscal_year_start_month"]) if fiscal else 0)
        if fiscal and obs["fiscal_year_start_month"] == 1:
            year = t.year
        da = da.assign_coords(year=("month", np.asarray(year)))
        counts = pd.Series(np.asarray(year)).value_counts()
        full = sorted(int(y) for y, n in counts.items() if n == 12)
        return da.groupby("year").sum("month").sel(year=full)

    def deaths_by_year(self, which: str = "final") -> xr.DataArray:
        """Deaths per calendar year (member, year); ``which`` is 'final' or 'total'."""
        return self._by_year(self.dataset[f"deaths_{which}"])

    def seizures_by_fiscal_year(self, group: str, events: bool = False) -> xr.DataArray:
        """Seizures of the final product per fiscal year (member, year) for a reporting group.

        Weight in the scenario's report unit (lb or kg), or event counts with ``events=True``.
        """
        obs = self.observables
        ds = self.dataset
        var = "seizure_events" if events else "seized_kg"
        da = ds[var].sel(commodity=ds.attrs["final_commodity"]).isel(node=self.group_nodes(group)).sum("node")
        da = self._by_year(da.astype(np.float64), fiscal=True)
        if not events and obs["report_unit"] == "lb":
            da = da * KG_TO_LB
        unit = "events" if events else obs["report_unit"]
        return da.rename(f"seizures_{group}").assign_attrs(units=f"{unit} per fiscal year", group=group)

    def group_nodes(self, group: str) -> np.ndarray:
        """Indices of the nodes in a reporting seizure group (``observables.seizure_groups``): the nodes
        of its kinds and countries (all nodes where the group leaves either empty)."""
        obs = self.observables
        if group not in obs["seizure_groups"]:
            raise NarcoFlowError(
                f"unknown seizure group '{group}' (have: {', '.join(obs['seizure_groups'])})"
            )
        spec = obs["seizure_groups"][group]
        ds = self.dataset
        mask = np.ones(ds.sizes["node"], dtype=bool)
        if spec["kinds"]:
            mask &= np.isin(ds["node_kind"].values, spec["kinds"])
        if spec["countries"]:
            mask &= np.isin(ds["node_country"].values, spec["countries"])
        return np.flatnonzero(mask)

    def made_share_by_year(self) -> xr.DataArray:
        """Share of the final product reaching markets that was made from the recipe input, per year."""
        made = self._by_year(self.dataset["delivered_made_kg"].astype(np.float64))
        tot = self._by_year(self.dataset["delivered_kg"].astype(np.float64))
        return (made / tot.where(tot > 0)).fillna(0.0)

    def crossing_shares_by_year(self) -> dict[str, xr.DataArray]:
        """Share of final-product flow entering the market country by crossing kind, per year."""
        obs = self.observables
        ds = self.dataset
        parts = {}
        for kind in obs["crossing_kinds"]:
            sel = np.flatnonzero(ds["node_kind"].values == kind)
            parts[kind] = self._by_year(ds["flow_kg"].isel(node=sel).sum("node").astype(np.float64))
        total = sum(parts.values())
        return {k: (p / total.where(total > 0)).fillna(0.0) for k, p in parts.items()}

    @property
    def observables(self) -> dict[str, Any]:
        """The scenario's ``observables`` (seizure groups, units, fiscal year, the record's names), with
        the schema's defaults for what results written by an older version lack."""
        from narcoflow.scenario.schema import Observables

        return Observables.model_validate(json.loads(self.dataset.attrs["observables"])).model_dump(
            mode="json"
        )

    def monthly_seizures(self) -> dict[str, xr.DataArray]:
        """Final product seized per month (member, month) in the report unit, for the seizure group of each
        component of the monthly seizure record (``observables.record.components``), by group name."""
        obs = self.observables
        ds = self.dataset
        seized = ds["seized_kg"].sel(commodity=ds.attrs["final_commodity"]).astype(np.float64)
        scale = KG_TO_LB if obs["report_unit"] == "lb" else 1.0
        return {
            g: seized.isel(node=self.group_nodes(g)).sum("node") * scale
            for g in obs["record"]["components"].values()
        }

    def _quarter_sums(self, da: xr.DataArray) -> xr.DataArray:
        """3-month sums of a (member, month) array over complete fiscal quarters.

        Labelled by the quarter's last month (December, March, June and September for fiscal years
        starting in October): the 3-month sums the calibration compares with CBP's monthly record.
        """
        obs = self.observables
        t = pd.DatetimeIndex(self.dataset["month"].values)
        three = da.rolling(month=3).sum()
        ends = (t.month - obs["fiscal_year_start_month"]) % 3 == 2
        ends &= np.arange(len(t)) >= 2
        return three.isel(month=np.flatnonzero(ends))

    def summary(self) -> dict[str, Any]:
        """The dict written to summary.json: key outputs as {mean, p05, p50, p95} over members.

        Years and fiscal years are string keys (``"2019"``), months ``"YYYY-MM"``. The keys that name the
        public record come from ``observables.record`` (below, the baseline's: ``t404``, ``cbp_fentanyl``,
        ``cbp``). Besides deaths (``deaths_<deaths>_by_year`` in the observed category,
        ``deaths_opioid_by_year`` all modelled), seizures by fiscal year (weight and events, per seizure
        group: ``<seizures>_<unit>s_by_fy``, ``<seizures>_events_by_fy``), the precursor-route and crossing
        shares, it holds what the report sets against the calibration record:

        - ``phi_by_year``: the yearly mean of the penetration φ (``phi``), complete calendar years;
        - ``<monthly>_monthly_<unit>s``: {month: {group: stats}}, the final product seized per month by
          the seizure group of each component of the record, every simulated month;
        - ``<monthly>_quarterly_<unit>s``: the same as 3-month sums over complete fiscal quarters, keyed
          by the quarter's last month (the monthly series as the calibration compares it);
        - ``<share_of_groups.name>_by_fy``: the member-wise share ``part / whole`` of the seized weight,
          per fiscal year, over the members that seized anything there (when the scenario declares one).
        """
        ds = self.dataset
        obs = self.observables
        rec, unit = obs["record"], obs["report_unit"]
        t = pd.DatetimeIndex(ds["month"].values)
        crossing = self.crossing_shares_by_year()
        years = [str(int(y)) for y in self.deaths_by_year()["year"].values]
        out: dict[str, Any] = {
            "scenario": ds.attrs["scenario"],
            "scenario_hash": ds.attrs["scenario_hash"],
            "seed": int(ds.attrs["seed"]),
            "members": int(ds.sizes["member"]),
            "version": ds.attrs["narcoflow_version"],
            "start": t[0].strftime("%Y-%m"),
            "end": t[-1].strftime("%Y-%m"),
            f"deaths_{rec['deaths']}_by_year": _per_year(self.deaths_by_year("final")),
            "deaths_opioid_by_year": _per_year(self.deaths_by_year("total")),
            **self._seizure_summary(),
            "precursor_route_share_by_year": _per_year(self.made_share_by_year()),
            "crossing_share_by_year": {
                y: {k: _stats(v.sel(year=int(y)).values) for k, v in crossing.items()} for y in years
            },
            "mass_balance_max_rel_error": float(ds["mass_balance_error"].max()),
            "phi_by_year": _per_year(self._by_year(ds["phi"].astype(np.float64)) / 12.0),
        }
        monthly = self.monthly_seizures()
        if monthly:
            out[f"{rec['monthly']}_monthly_{unit}s"] = _per_month(monthly)
            out[f"{rec['monthly']}_quarterly_{unit}s"] = _per_month(
                {k: self._quarter_sums(v) for k, v in monthly.items()}
            )
        return out

    def _seizure_summary(self) -> dict[str, Any]:
        """Seizures per fiscal year and seizure group (weight and events), and the declared share."""
        obs = self.observables
        rec = obs["record"]
        groups = list(obs["seizure_groups"])
        lbs = {g: self.seizures_by_fiscal_year(g) for g in groups}
        evs = {g: self.seizures_by_fiscal_year(g, events=True) for g in groups}
        fys = [str(int(y)) for y in lbs[groups[0]]["year"].values] if groups else []
        per_fy = lambda by: {fy: {g: _stats(by[g].sel(year=int(fy)).values) for g in groups} for fy in fys}  # noqa: E731
        out = {
            f"{rec['seizures']}_{obs['report_unit']}s_by_fy": per_fy(lbs),
            f"{rec['seizures']}_events_by_fy": per_fy(evs),
        }
        if (spec := rec["share_of_groups"]) is not None:
            share = {}
            for fy in fys:
                part, whole = (lbs[g].sel(year=int(fy)).values for g in (spec["part"], spec["whole"]))
                if (seized := whole > 0).any():
                    share[fy] = _stats(part[seized] / whole[seized])
            out[f"{spec['name']}_by_fy"] = share
        return out

    # ------------------------------------------------------------------ conversions
    def to_netcdf(self, path: str | Path) -> Path:
        """Write the dataset to a netCDF4 (HDF5) file with h5netcdf: 64-bit seeds and sizes fit.

        The file is written beside ``path`` under a temporary name and renamed over it when complete.
        """
        from narcoflow.outputs import staged_file

        path = Path(path)
        with staged_file(path) as tmp:
            self.dataset.to_netcdf(tmp, engine="h5netcdf", invalid_netcdf=False)
        return path

    @classmethod
    def from_netcdf(cls, path: str | Path) -> Results:
        """Read results written by :meth:`to_netcdf` (or by earlier versions, in netCDF3)."""
        try:
            return cls(xr.load_dataset(path))
        except (OSError, ValueError) as exc:
            raise NarcoFlowError(f"cannot read results: {exc}", file=str(path)) from None

    def to_dataframe(self, variable: str) -> pd.DataFrame:
        """One variable as a tidy DataFrame (one row per coordinate combination)."""
        return self.dataset[variable].to_dataframe().reset_index()
