"""The engine: determinism, member independence, mass balance, and plausibility of the baseline."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import narcoflow
from narcoflow.data.record import CBP_FENTANYL_LBS, CDC_DEATHS

SHORT = {"calendar.months": 48, "calendar.start": "2018-01", "suppliers.count": 800}


def _identical(a: xr.Dataset, b: xr.Dataset) -> None:
    assert set(a.data_vars) == set(b.data_vars)
    for k in a.data_vars:
        np.testing.assert_array_equal(a[k].values, b[k].values, err_msg=k)
    assert a.attrs == b.attrs


def test_same_seed_same_results() -> None:
    sc = narcoflow.load_scenario("baseline", SHORT)
    _identical(narcoflow.simulate(sc, 6, seed=3).dataset, narcoflow.simulate(sc, 6, seed=3).dataset)


def test_other_seed_other_results() -> None:
    sc = narcoflow.load_scenario("baseline", SHORT)
    a = narcoflow.simulate(sc, 4, seed=1).dataset["seized_kg"].values
    b = narcoflow.simulate(sc, 4, seed=2).dataset["seized_kg"].values
    assert not np.array_equal(a, b)


def test_member_slice_equals_members_of_full_run(baseline: narcoflow.Scenario) -> None:
    full = narcoflow.simulate(baseline, members=20, seed=7).dataset
    part = narcoflow.simulate(baseline, members=range(10, 20), seed=7).dataset
    assert list(part["member"].values) == list(range(10, 20))
    _identical(full.sel(member=range(10, 20)), part)


def test_batching_and_order_do_not_change_members() -> None:
    sc = narcoflow.load_scenario("baseline", SHORT)
    whole = narcoflow.simulate(sc, members=7, seed=11).dataset
    batched = narcoflow.simulate(sc, members=7, seed=11, batch_size=3).dataset
    _identical(whole, batched)
    reversed_ = narcoflow.simulate(sc, members=np.arange(7)[::-1], seed=11).dataset
    _identical(whole, reversed_.sortby("member"))


def test_member_parameters_come_from_the_table() -> None:
    sc = narcoflow.load_scenario("baseline", SHORT)
    table = {"harm.relative_risk_final": np.array([2.0, 8.0])}
    ds = narcoflow.simulate(sc, members=2, seed=0, parameters=table).dataset
    deaths = ds["deaths_final"].sum("month").values
    assert deaths[1] > 1.5 * deaths[0]
    got = ds["parameter_values"].sel(parameter="harm.relative_risk_final").values
    np.testing.assert_array_equal(got, [2.0, 8.0])
    with pytest.raises(narcoflow.NarcoFlowError, match="outside the range"):
        narcoflow.simulate(sc, members=2, parameters={"harm.relative_risk_final": [2.0, 99.0]})


def test_baseline_mass_balance(baseline_run: narcoflow.Results) -> None:
    assert baseline_run.summary()["mass_balance_max_rel_error"] <= 1e-9
    ds = baseline_run.dataset
    for k in ("seized_kg", "delivered_kg", "flow_kg", "population", "deaths_final", "available_kg"):
        assert float(ds[k].min()) >= 0.0, k


_N_EVENTS = len(narcoflow.load_scenario("baseline").events)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    capacity=st.one_of(st.none(), st.floats(1.0, 500.0)),
    lab_edge_capacity=st.one_of(st.none(), st.floats(0.5, 50.0)),
    detection=st.floats(0.02, 0.9),
    poe_detection=st.floats(0.0, 1.0),
    raid=st.floats(0.01, 0.5),
    transit=st.integers(0, 3),
    events_on=st.lists(st.booleans(), min_size=_N_EVENTS, max_size=_N_EVENTS),
    seed=st.integers(0, 2**31),
)
def test_mass_balance_holds_under_random_variations(
    capacity, lab_edge_capacity, detection, poe_detection, raid, transit, events_on, seed
) -> None:
    base = narcoflow.load_scenario("baseline")
    ov = {
        "calendar.months": 60,
        "calendar.start": "2017-01",
        "suppliers.count": 600,
        "agencies.usbp.detection": detection,
        "agencies.mx_raids.detection": raid,
        "network.nodes.poe_san_diego.detection": poe_detection,
        "network.edges.3.transit": transit,
    }
    if capacity is not None:
        ov["network.edges.8.capacity"] = capacity
    if lab_edge_capacity is not None:
        ov["network.edges.7.capacity"] = lab_edge_capacity
    for on, eid in zip(events_on, base.events, strict=True):
        ov[f"events.{eid}.enabled"] = on
    sc = narcoflow.load_scenario("baseline", ov)
    res = narcoflow.simulate(sc, members=3, seed=seed)
    ds = res.dataset
    assert float(ds["mass_balance_error"].max()) <= 1e-9
    assert float(ds["seized_kg"].min()) >= 0 and float(ds["delivered_kg"].min()) >= 0


# ----------------------------------------------------------------- plausibility (uncalibrated)
def test_deaths_within_factor_two_of_cdc(baseline_run: narcoflow.Results) -> None:
    s = baseline_run.summary()["deaths_t404_by_year"]
    for year in range(2016, 2024):
        model, record = s[str(year)]["p50"], CDC_DEATHS[year].t404
        assert record / 2 <= model <= record * 2, (year, model, record)


def test_sw_border_seizures_within_factor_three_of_cbp(baseline_run: narcoflow.Results) -> None:
    s = baseline_run.summary()["cbp_fentanyl_lbs_by_fy"]
    for fy in range(2019, 2024):
        model, record = s[str(fy)]["sw_total"]["p50"], CBP_FENTANYL_LBS[fy].southwest_lbs
        assert record / 3 <= model <= record * 3, (fy, model, record)


def test_ports_of_entry_share_of_sw_weight(baseline_run: narcoflow.Results) -> None:
    ofo = baseline_run.seizures_by_fiscal_year("sw_ofo").median("member")
    sw = baseline_run.seizures_by_fiscal_year("sw_total").median("member")
    share = (ofo / sw).sel(year=range(2019, 2024)).values
    assert ((share >= 0.70) & (share <= 0.97)).all(), share


def test_precursor_route_takes_over_after_2019(baseline_run: narcoflow.Results) -> None:
    s = baseline_run.summary()["precursor_route_share_by_year"]
    assert s["2021"]["p50"] > s["2018"]["p50"] + 0.1


def test_without_class_scheduling_the_precursor_share_is_lower(baseline_run: narcoflow.Results) -> None:
    sc = narcoflow.load_scenario("baseline", {"events.china_class_scheduling_2019.enabled": False})
    off = narcoflow.simulate(sc, members=30, seed=0).summary()["precursor_route_share_by_year"]
    on = baseline_run.summary()["precursor_route_share_by_year"]
    assert off["2021"]["p50"] < on["2021"]["p50"] - 0.05


def test_more_detection_at_one_port_shifts_flow_to_other_crossings(baseline_run: narcoflow.Results) -> None:
    sc = narcoflow.load_scenario("baseline", {"network.nodes.poe_san_diego.detection": 0.5})
    hot = narcoflow.simulate(sc, members=30, seed=0).dataset
    base = baseline_run.dataset
    window = slice("2020-01-01", "2023-12-01")
    crossings = [
        n
        for n, k in zip(base["node"].values, base["node_kind"].values, strict=True)
        if k in ("port_of_entry", "between_ports")
    ]
    others = [n for n in crossings if n != "poe_san_diego"]

    def flow(ds: xr.Dataset, nodes: list[str]) -> float:
        return float(ds["flow_kg"].sel(month=window, node=nodes).sum(["month", "node"]).median())

    assert flow(hot, ["poe_san_diego"]) < 0.7 * flow(base, ["poe_san_diego"])
    assert flow(hot, others) > 1.05 * flow(base, others)


def test_lab_area_outside_every_territory_is_unused() -> None:
    ov = {**SHORT, "organizations.cjng.territory": ["lab_michoacan", "mx_manzanillo", "poe_laredo"]}
    ds = narcoflow.simulate(narcoflow.load_scenario("baseline", ov), members=2, seed=0).dataset
    assert float(ds["flow_kg"].sel(node="lab_jalisco").sum()) == 0.0
    assert float(ds["mass_balance_error"].max()) <= 1e-9


def test_ramp_level_moves_linearly_and_lowers_deaths() -> None:
    ov = {**SHORT, "events.otc_naloxone_2023.enabled": False}
    base = narcoflow.simulate(narcoflow.load_scenario("baseline", ov), members=3, seed=0).dataset
    ov = {
        **ov,
        "events.otc_naloxone_2023.enabled": True,
        "events.otc_naloxone_2023.date": "2019-01",
        "events.otc_naloxone_2023.effects.0.level": "harm.final_risk",
        "events.otc_naloxone_2023.effects.0.factor": {"value": 0.8, "unit": "1", "range": [0.5, 1.0]},
        "events.otc_naloxone_2023.effects.0.months": 12,
    }
    ramp = narcoflow.simulate(narcoflow.load_scenario("baseline", ov), members=3, seed=0).dataset
    level = ramp["levels"].sel(level="harm.final_risk").isel(member=0).values
    np.testing.assert_allclose(level[:12], 1.0)  # 2018: before the event
    np.testing.assert_allclose(level[12:24], 1.0 - 0.2 * np.arange(1, 13) / 12, rtol=1e-6)
    np.testing.assert_allclose(level[24:], 0.8, rtol=1e-6)
    before = base["deaths_final"].isel(month=slice(0, 12)).sum().item()
    assert ramp["deaths_final"].isel(month=slice(0, 12)).sum().item() == before
    assert (
        ramp["deaths_final"].isel(month=slice(24, 48)).sum()
        < 0.9 * base["deaths_final"].isel(month=slice(24, 48)).sum()
    )


def test_scale_level_until_is_temporary() -> None:
    """A scale_level with ``until`` multiplies its level from the event's month and divides it again in
    the ``until`` month (the 2020-2021 land-port travel restrictions)."""
    ov = {
        **SHORT,
        "events.cbp_nii_expansion_2019.enabled": False,
        "events.land_port_restrictions_2020.date": "2018-04",
        "events.land_port_restrictions_2020.effects.0.until": "2019-02",
        "events.land_port_restrictions_2020.effects.0.factor": {"value": 1.6, "unit": "1", "range": [1, 2]},
    }
    ds = narcoflow.simulate(narcoflow.load_scenario("baseline", ov), members=2, seed=0).dataset
    level = ds["levels"].sel(level="intensity.cbp_ofo").isel(member=0).values
    start = ds["levels"].sel(level="intensity.cbp_ofo").isel(member=0, month=0).item()
    np.testing.assert_allclose(level[:3], start)  # 2018-01..2018-03
    np.testing.assert_allclose(level[3:13], 1.6 * start, rtol=1e-6)  # 2018-04..2019-01
    np.testing.assert_allclose(level[13:], start, rtol=1e-6)  # from 2019-02


def test_scale_level_until_must_follow_the_date() -> None:
    ov = {"events.land_port_restrictions_2020.effects.0.until": "2020-04"}
    with pytest.raises(narcoflow.NarcoFlowError, match="until"):
        narcoflow.load_scenario("baseline", ov)


def test_shipment_level_scales_shipment_size_not_seized_weight() -> None:
    """A ``shipment.<mode>`` level multiplies the mode's shipment size: the same flow makes fewer, larger
    shipments, so there are fewer seizure events at the ports while the expected seized share of the flow
    stays (each shipment is seized with the same probability, whatever its size)."""
    ov = {**SHORT, "events.larger_loads_2021.date": "2018-01", "events.larger_loads_2021.effects.0.months": 1}
    ov["events.larger_loads_2021.effects.0.factor"] = {"value": 4.0, "unit": "1", "range": [1, 6]}
    off = {**SHORT, "events.larger_loads_2021.enabled": False}
    big = narcoflow.simulate(narcoflow.load_scenario("baseline", ov), members=40, seed=3).dataset
    ref = narcoflow.simulate(narcoflow.load_scenario("baseline", off), members=40, seed=3).dataset
    np.testing.assert_allclose(big["levels"].sel(level="shipment.vehicle").values, 4.0)
    np.testing.assert_allclose(ref["levels"].sel(level="shipment.vehicle").values, 1.0)
    poe = big.node.values[big.node_kind.values == "port_of_entry"]
    ev = [d["seizure_events"].sel(node=poe, commodity="product").sum().item() for d in (big, ref)]
    kg = [d["seized_kg"].sel(node=poe, commodity="product").sum().item() for d in (big, ref)]
    flow = [d["flow_kg"].sel(node=poe).sum().item() for d in (big, ref)]
    # fewer events, though not 4 times fewer: a group's flow makes ceil(X / size) shipments, at least one,
    # and the thin flows on little-used paths make one shipment at either size
    assert 0.25 <= ev[0] / ev[1] < 0.85
    assert abs(kg[0] / flow[0] - kg[1] / flow[1]) < 0.1 * kg[1] / flow[1]  # same seized share of the flow


def test_shipment_level_and_temporary_factor_must_stay_positive() -> None:
    zero = {"value": 0.5, "unit": "1", "range": [0, 1]}
    with pytest.raises(narcoflow.NarcoFlowError, match="shipment-size level must stay above 0"):
        narcoflow.load_scenario("baseline", {"events.larger_loads_2021.effects.0.factor": zero})
    with pytest.raises(narcoflow.NarcoFlowError, match="temporary factor must stay above 0"):
        narcoflow.load_scenario("baseline", {"events.operation_blue_lotus_2023.effects.0.factor": zero})
