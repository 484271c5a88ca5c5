"""The stylized facts of MODEL.md §7, on the calibrated baseline (members drawn from its posterior).

Each compares the baseline with a counterfactual under common random numbers (same seed, members and
parameter draws); medians over members.
"""

from __future__ import annotations

import functools

import numpy as np
import xarray as xr

import narcoflow
from narcoflow.calibrate import scenario_posterior

MEMBERS = 40


@functools.cache
def run(**overrides: object) -> xr.Dataset:
    sc = narcoflow.load_scenario("baseline", dict(overrides))
    found = scenario_posterior(sc)
    table = None
    if found is not None:
        table = found[0].member_table(np.arange(MEMBERS), seed=0, exclude=set(overrides))
    return narcoflow.simulate(sc, members=MEMBERS, seed=0, parameters=table).dataset


def window(ds: xr.Dataset, var: str, start: str, end: str, **sel: object) -> xr.DataArray:
    return ds[var].sel(month=slice(f"{start}-01", f"{end}-01"), **sel)


def test_the_calibrated_baseline_is_used() -> None:
    assert scenario_posterior(narcoflow.load_scenario("baseline")) is not None


def test_1_finished_route_collapses_after_class_scheduling() -> None:
    ds = run()
    finished = ds.attrs["final_commodity"]  # bought finished from the origin's firms
    fin_2018 = float(window(ds, "sold_kg", "2018-01", "2018-12", commodity=finished).sum("month").median())
    fin_2021 = float(window(ds, "sold_kg", "2021-01", "2021-12", commodity=finished).sum("month").median())
    assert fin_2021 < 0.5 * fin_2018
    made = window(ds, "delivered_made_kg", "2021-01", "2021-12").sum("month")
    total = window(ds, "delivered_kg", "2021-01", "2021-12").sum("month")
    assert float((made / total).median()) > 0.8  # within about two years of May 2019


def test_2_balloon_effect_at_one_port_of_entry() -> None:
    base, hot = run(), run(**{"network.nodes.poe_san_diego.detection": 0.2})
    start, end = "2020-01", "2023-12"
    crossings = [
        n for n, k in zip(base["node"].values, base["node_kind"].values, strict=True)
        if k in ("port_of_entry", "between_ports") and n != "poe_san_diego"
    ]  # fmt: skip
    others = lambda ds: window(ds, "flow_kg", start, end, node=crossings).sum(["month", "node"])  # noqa: E731
    assert float((others(hot) - others(base)).median()) > 0  # flow displaced to the other crossings
    # What a static model promises: the extra seizure probability times the flow that used to cross there.
    flow_sd = window(base, "flow_kg", start, end, node="poe_san_diego")
    p_agency = window(base, "coverage", start, end, node="poe_san_diego") * window(
        base, "agency_effectiveness", start, end, agency="cbp_ofo"
    )
    promise = (flow_sd * 0.2 * (1 - p_agency)).sum("month")
    fall = window(base, "delivered_kg", start, end).sum("month") - window(
        hot, "delivered_kg", start, end
    ).sum("month")
    assert float((fall - promise).median()) < 0  # delivered falls by less than the local seizure gain


def test_3_leadership_removal_and_fragmentation() -> None:
    base = run()
    no_removal = run(**{"events.ovidio_arrest_2023.enabled": False})
    no_split = run(**{"events.sinaloa_war_2024.enabled": False})

    def thr(ds: xr.Dataset) -> xr.DataArray:
        org = {"organization": "sinaloa"}
        return window(ds, "org_scale", "2023-01", "2023-06", **org) * window(
            ds, "cohesion", "2023-01", "2023-06", **org
        )

    assert float((thr(base) - thr(no_removal)).mean("month").median()) < 0  # throughput dips
    v_removal = window(base, "violence", "2023-01", "2023-06") - window(
        no_removal, "violence", "2023-01", "2023-06"
    )
    v_split = window(base, "violence", "2024-09", "2025-02") - window(
        no_split, "violence", "2024-09", "2025-02"
    )
    assert float(v_removal.mean("month").median()) > 0
    assert float(v_split.mean("month").median()) > float(v_removal.mean("month").median())


def test_4_suspended_cooperation_weakens_origin_controls() -> None:
    base = run()
    no_suspension = run(**{"events.pelosi_suspension_2022.enabled": False})

    def eff(ds: xr.Dataset) -> xr.DataArray:
        return window(ds, "agency_effectiveness", "2022-09", "2023-10", agency="cn_customs").mean("month")

    def avail(ds: xr.Dataset) -> xr.DataArray:
        return window(ds, "available_kg", "2022-09", "2023-10", commodity="precursor").mean("month")

    assert float((eff(base) - eff(no_suspension)).median()) < 0
    assert float((avail(base) - avail(no_suspension)).median()) > 0
