"""The monthly loop: ``simulate(scenario, members, seed) -> Results`` (MODEL.md §3, in that order).

All state is held in arrays with a leading member axis; the loop over months is the only model loop.
Member k's numbers come from its own random stream (``narcoflow.model.rng``), so its result depends
only on (scenario, parameters, seed, k) — not on which other members run beside it.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from narcoflow.errors import NarcoFlowError
from narcoflow.model import kernels, rng
from narcoflow.model.aggregate import scatter_add, scatter_sum
from narcoflow.model.enforcement import (
    AgencyTable,
    CoveragePlan,
    agency_table,
    coverage,
    effectiveness,
    learn_allocation,
    plan_arrays,
    seizure_probability,
    systematic_draw,
)
from narcoflow.model.harm import initial_stocks, step_harm
from narcoflow.model.market import step_market
from narcoflow.model.network import Network, compile_network
from narcoflow.model.organizations import contest, fragment, init_orgs
from narcoflow.model.routes import Family, build_family, capacity_factor, route_choice, ship
from narcoflow.model.suppliers import draw_scrutiny, init_firms, step_firms
from narcoflow.scenario.parameters import member_values
from narcoflow.scenario.schema import (
    Fragmentation,
    LeadershipRemoval,
    RampLevel,
    ScaleLevel,
    Scenario,
    SetLevel,
    Violence,
    parse_month,
)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class EndScale:
    """The end of a temporary ``scale_level`` (its ``until`` month): the level is divided by the factor."""

    level: str


@dataclass(frozen=True)
class Compiled:
    """Everything about a scenario that does not change during a run."""

    scenario: Scenario
    net: Network
    inbound: Family
    outbound: Family
    inbound_to_market: np.ndarray  # [P_in] bool
    agencies: AgencyTable
    levels: list[str]
    events_at: dict[int, list[tuple[str, int, Any]]]  # month index -> [(event id, effect no, effect)]
    months: pd.DatetimeIndex
    delay_slots: int
    territorial: np.ndarray  # [N] bool


def compile_model(sc: Scenario) -> Compiled:
    """Compile a scenario into the arrays and tables the engine runs on."""
    net = compile_network(sc)
    C = len(net.commodity_ids)
    inb = net.path_inbound
    to_market = inb & (net.path_market >= 0)
    dest_in = np.where(to_market, net.path_market, net.path_lab * 2 + (net.path_commodity == net.final))
    fam_in = build_family(net, inb, net.path_org * C + net.path_commodity, dest_in)
    fam_out = build_family(net, ~inb, net.path_lab, net.path_market)
    y0, m0 = parse_month(sc.calendar.start)
    months = pd.date_range(f"{y0}-{m0:02d}-01", periods=sc.calendar.months, freq="MS")
    events_at: dict[int, list[tuple[str, int, Any]]] = {}
    for eid, ev in sc.events.items():
        if not ev.enabled:
            continue
        y, m = parse_month(ev.date)
        t = (y - y0) * 12 + (m - m0)
        if 0 <= t < sc.calendar.months:
            events_at.setdefault(t, []).extend((eid, j, eff) for j, eff in enumerate(ev.effects))
        for j, eff in enumerate(ev.effects):  # a temporary scale_level ends: divide by its factor again
            if isinstance(eff, ScaleLevel) and eff.until is not None:
                yu, mu = parse_month(eff.until)
                tu = (yu - y0) * 12 + (mu - m0)
                if 0 <= t < sc.calendar.months and 0 <= tu < sc.calendar.months:
                    events_at.setdefault(tu, []).append((eid, j, EndScale(eff.level)))
    territorial = np.zeros(len(net.node_ids), dtype=bool)
    for org in sc.organizations.values():
        territorial[[net.node_ids.index(n) for n in org.territory]] = True
    return Compiled(
        scenario=sc,
        net=net,
        inbound=fam_in,
        outbound=fam_out,
        inbound_to_market=to_market[fam_in.paths],
        agencies=agency_table(sc, net),
        levels=sc.level_names(),
        events_at=events_at,
        months=months,
        delay_slots=int(net.path_delay.max()) + 1,
        territorial=territorial,
    )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


OUTPUTS_2D = (
    "deaths_final",
    "deaths_total",
    "delivered_kg",
    "delivered_made_kg",
    "final_order_share",
    "phi",
    "price",
    "purity",
    "violence",
    "lab_capacity_kg",
    "firms_selling",
    "firms_shut",
    "mass_balance_error",
)


def _run_batch(
    cm: Compiled,
    members: np.ndarray,
    seed: int,
    v: dict[str, np.ndarray],
    progress: Progress | None,
    planned: list[tuple[np.ndarray, np.ndarray, bool]],
) -> dict[str, np.ndarray]:
    sc, net, ag = cm.scenario, cm.net, cm.agencies
    M, T = len(members), sc.calendar.months
    C, N, O, L = len(net.commodity_ids), len(net.node_ids), len(net.org_ids), len(net.lab_org)
    Q, R, E1 = len(net.markets), len(net.sources), net.n_edges + 1
    fin, inp = net.final, net.inputs
    D = cm.delay_slots
    fam_in, fam_out = cm.inbound, cm.outbound
    gens = rng.member_generators(seed, members)
    states = kernels.state_addresses(gens) if kernels.available() else None  # compiled steps

    # --- parameters as arrays
    value = np.stack([v[f"commodities.{c}.value"] for c in net.commodity_ids], axis=1)  # [M, C]
    price = np.stack([v[f"commodities.{c}.price"] for c in net.commodity_ids], axis=1)
    factor = v["recipe.factor"] if sc.recipe is not None else np.ones(M)
    rcost = v["recipe.cost"] if sc.recipe is not None else np.zeros(M)
    mode_size = np.stack([v[f"modes.{m}.shipment_size"] for m in net.mode_ids], axis=1)  # [M, modes]
    size_edge = np.concatenate([mode_size[:, net.edge_mode], np.ones((M, 1))], axis=1)  # [M, E+1]
    theta = v["trafficking.route_dispersion"][:, None]
    lam = v["trafficking.risk_aversion"][:, None]
    ag_capacity = np.stack([v[f"agencies.{a}.capacity"] for a in ag.ids], axis=1)
    ag_rate = np.stack([v[f"agencies.{a}.learning_rate"] for a in ag.ids], axis=1)
    ag_trend = np.stack([v.get(f"agencies.{a}.capacity_trend", np.zeros(M)) for a in ag.ids], axis=1)
    raid_loss = np.stack(
        [v.get(f"agencies.{a}.raid_destroys", np.zeros(M)) for a in ag.ids], axis=1
    )  # [M, A]
    demand_share = np.array([r.demand_share for r in sc.market.regions.values()])
    demand_share = demand_share / demand_share.sum()
    log_demand = np.log(demand_share)
    region_share = np.array(list(sc.suppliers.regions.values()))

    # --- levels changed by events
    lev_index = {name: i for i, name in enumerate(cm.levels)}
    levels = np.zeros((M, len(cm.levels)))
    for c in net.commodity_ids:
        levels[:, lev_index[f"control.{c}"]] = v[f"commodities.{c}.control"]
    for r in sc.cooperation:
        levels[:, lev_index[f"cooperation.{r}"]] = v[f"cooperation.{r}"]
    for a in ag.ids:
        levels[:, lev_index[f"intensity.{a}"]] = v[f"agencies.{a}.intensity"]
    for name in ("harm.hazard", "harm.final_risk", "harm.naloxone"):
        levels[:, lev_index[name]] = 1.0
    ship_cols = [lev_index[f"shipment.{m}"] for m in net.mode_ids]  # shipment-size level per mode
    levels[:, ship_cols] = 1.0
    # active ramps: (level, factor per member, start month, months); a ramp multiplies its level by
    # 1 + (factor − 1)·progress, so ramps and other changes on one level compose multiplicatively
    ramps: list[tuple[int, np.ndarray, int, int]] = []
    ctrl_cols = [lev_index[f"control.{c}"] for c in net.commodity_ids]
    int_cols = [lev_index[f"intensity.{a}"] for a in ag.ids]

    # --- state
    firms = init_firms(gens, sc.suppliers.count, region_share, v, states)
    orgs = init_orgs(net, v, M)
    faction_share = {o: sc.organizations[oid].share for o, oid in enumerate(net.org_ids)}
    alloc = np.tile(ag.initial_alloc, (M, 1))
    stocks = initial_stocks(v)
    market_stock = np.zeros((M, Q))
    buf_lab = np.zeros((M, D * L * 2))
    in_transit = buf_lab.reshape(M, D, L, 2).transpose(0, 1, 3, 2)  # view [M, D, 2, L]: lab-bound shipments
    buf_mkt = np.zeros((M, D * Q))
    buf_made = np.zeros((M, D * Q))
    premium = np.zeros((M, C))
    fill = np.ones((M, O, C))
    purity_prev: np.ndarray | None = None
    risk: np.ndarray | None = None
    risk0: np.ndarray | None = None
    ledger = {
        k: np.zeros(M)
        for k in (
            "sold_in",
            "sold_fin",
            "seized_in",
            "seized_fin",
            "converted",
            "produced",
            "destroyed_in",
            "destroyed_fin",
            "consumed",
        )
    }
    # --- ring-buffer columns of each path's delivery, for the current slot
    in_lab_rows = np.flatnonzero(~cm.inbound_to_market)
    in_mkt_rows = np.flatnonzero(cm.inbound_to_market)

    def in_lab_cols(slot: int) -> np.ndarray:
        return ((slot + fam_in.delay[in_lab_rows]) % D) * (L * 2) + fam_in.dest_cols[in_lab_rows]

    def in_mkt_cols(slot: int) -> np.ndarray:
        return ((slot + fam_in.delay[in_mkt_rows]) % D) * Q + fam_in.dest_cols[in_mkt_rows]

    def out_cols(slot: int) -> np.ndarray:
        return ((slot + fam_out.delay) % D) * Q + fam_out.dest_cols

    p_in, p_out = fam_in.paths, fam_out.paths
    in_c = net.path_commodity[p_in]
    in_o = net.path_org[p_in]
    in_src_col = net.path_source[p_in] * C + in_c
    in_lab = net.path_lab[p_in]
    in_mkt = net.path_market[p_in]
    out_lab = net.path_lab[p_out]
    out_mkt = net.path_market[p_out]
    # column of [lab shares | market shares] of each inbound path (unsigned: the compiled steps' indices)
    in_lab_mkt_col = np.where(in_lab >= 0, in_lab, L + in_mkt).astype(np.uint64)
    in_c_u = in_c.astype(np.uint64)
    # outbound attraction: log demand share of the path's market (+ a zero column)
    att_out = (np.broadcast_to(log_demand, (M, Q)), out_mkt.astype(np.uint64), np.zeros((M, 1)),
               np.zeros(out_mkt.size, dtype=np.uint64))  # fmt: skip
    out_c = np.full(out_mkt.size, fin, dtype=np.uint64)
    in_cost = net.path_cost[p_in]
    out_cost = net.path_cost[p_out]
    in_groups_org = fam_in.group_keys // C
    in_groups_c = fam_in.group_keys % C
    out_groups_lab = fam_out.group_keys
    # for the compiled steps: unsigned indices, group bounds, a scratch row per member
    in_oc = (in_o * C + in_c).astype(np.uint64)
    in_src_u = in_src_col.astype(np.uint64)
    out_lab_u = out_lab.astype(np.uint64)
    out_groups_lab_u = np.asarray(out_groups_lab).astype(np.uint64)
    out_starts = np.r_[fam_out.group_starts, out_lab.size].astype(np.int64)
    demand_buf = np.empty((M, R * C))
    labs_per_org = np.bincount(net.lab_org, minlength=O)
    has_labs = labs_per_org > 0
    lab_agency = net.node_agency[net.lab_node]
    lab_raided_by = np.where((lab_agency >= 0) & ag.raids[np.maximum(lab_agency, 0)], lab_agency, -1)
    capacity_limited = bool(np.isfinite(net.edge_capacity[:-1]).any())
    input_weight = np.ones((M, C))
    if inp is not None:
        input_weight[:, inp] = factor

    out: dict[str, np.ndarray] = {k: np.zeros((M, T), dtype=np.float32) for k in OUTPUTS_2D}
    out["mass_balance_error"] = np.zeros((M, T))
    out["seized_kg"] = np.zeros((M, T, C, N), dtype=np.float32)
    out["seizure_events"] = np.zeros((M, T, C, N), dtype=np.float32)
    out["flow_kg"] = np.zeros((M, T, N), dtype=np.float32)
    out["available_kg"] = np.zeros((M, T, C), dtype=np.float32)
    out["sold_kg"] = np.zeros((M, T, C), dtype=np.float32)
    out["destroyed_kg"] = np.zeros((M, T, C), dtype=np.float32)
    out["population"] = np.zeros((M, T, 5), dtype=np.float32)
    out["cohesion"] = np.zeros((M, T, O), dtype=np.float32)
    out["org_scale"] = np.zeros((M, T, O), dtype=np.float32)
    out["levels"] = np.zeros((M, T, len(cm.levels)), dtype=np.float32)
    out["coverage"] = np.zeros((M, T, N), dtype=np.float32)
    out["agency_effectiveness"] = np.zeros((M, T, len(ag.ids)), dtype=np.float32)

    exposure = np.zeros((M, O * E1 * C))
    seized_exp = np.zeros((M, O * E1 * C))
    start_month = cm.months[0].month
    for t in range(T):
        years = t / 12.0
        cal_month = (start_month - 1 + t) % 12 + 1
        # 1. policy timeline
        for eid, j, eff in cm.events_at.get(t, []):
            key = f"events.{eid}.effects.{j}"
            if isinstance(eff, SetLevel):
                levels[:, lev_index[eff.level]] = v[f"{key}.value"]
            elif isinstance(eff, ScaleLevel):
                levels[:, lev_index[eff.level]] *= v[f"{key}.factor"]
            elif isinstance(eff, EndScale):
                levels[:, lev_index[eff.level]] /= v[f"{key}.factor"]
            elif isinstance(eff, RampLevel):
                li = lev_index[eff.level]
                ramps.append((li, v[f"{key}.factor"], t, eff.months))
            elif isinstance(eff, LeadershipRemoval):
                o = net.org_ids.index(eff.organization)
                targets = [o] if orgs.active[:, o].any() else []
                targets += [f for f in range(O) if net.org_parent[f] == o]
                targets = [x for x in targets if orgs.active[:, x].any()]
                for x in targets:
                    orgs.cohesion[:, x] *= np.where(orgs.active[:, x], 1.0 - v[f"{key}.cohesion_loss"], 1.0)
                present = orgs.active[:, targets].any(axis=1) if targets else np.zeros(M, dtype=bool)
                orgs.violence_shock += np.where(present, v[f"{key}.violence"], 0.0)
                u = rng.uniform(gens, np.empty((M, 1)))[:, 0]
                fragment(
                    net, orgs, o, u < v[f"{key}.fragmentation_probability"], faction_share, risk, in_transit
                )
            elif isinstance(eff, Fragmentation):
                o = net.org_ids.index(eff.organization)
                orgs.violence_shock += np.where(orgs.active[:, o], v[f"{key}.violence"], 0.0)
                fragment(net, orgs, o, np.ones(M, dtype=bool), faction_share, risk, in_transit)
            elif isinstance(eff, Violence):
                orgs.violence_shock += v[f"{key}.magnitude"]
        for li, f, t0, n in ramps:
            before = 1.0 + (f - 1.0) * min(1.0, (t - t0) / n)
            now = 1.0 + (f - 1.0) * min(1.0, (t - t0 + 1) / n)
            levels[:, li] *= now / before
        ramps = [r for r in ramps if t - r[2] + 1 < r[3]]
        coop = {r: np.clip(levels[:, lev_index[f"cooperation.{r}"]], 0.0, 1.0) for r in sc.cooperation}
        control = np.clip(levels[:, ctrl_cols], 0.0, 1.0)
        # shipment sizes this month (kg): the modes' sizes times their shipment levels
        ship_level = levels[:, ship_cols]
        size_now = size_edge
        if (ship_level != 1.0).any():
            size_now = size_edge * np.concatenate([ship_level[:, net.edge_mode], np.ones((M, 1))], axis=1)

        # 2. suppliers and the regulator
        rel = sc.regulator.relation
        dep = v["regulator.cooperation_dependence"]
        cf_reg = 1.0 - dep + dep * coop[rel] if rel else np.ones(M)
        if t == 0 or cal_month == 1:
            draw_scrutiny(
                gens,
                firms,
                v["regulator.scrutiny_share"],
                sc.regulator.targeting,
                v["regulator.targeting_accuracy"],
                cf_reg,
                states,
            )
        supply = step_firms(
            gens, firms,
            premium_input=premium[:, inp] if inp is not None else np.zeros(M),
            premium_final=premium[:, fin],
            control_input=control[:, inp] if inp is not None else np.ones(M),
            control_final=control[:, fin],
            coop_factor=cf_reg, v=v, states=states,
        )  # fmt: skip
        avail = np.zeros((M, R, C))
        avail[:, :, fin] = supply.available_final
        if inp is not None:
            avail[:, :, inp] = supply.available_input

        # enforcement this month
        eff_a = effectiveness(ag, v, levels[:, int_cols], coop)
        cover = coverage(ag, alloc, ag_capacity * (1.0 + ag_trend) ** years)
        for nodes, cov, randomized in planned:
            if randomized:
                cover[:, nodes] = systematic_draw(cov, rng.uniform(gens, np.empty((M, 1)))[:, 0])
            else:
                cover[:, nodes] = cov
        q = seizure_probability(net, ag, cover, eff_a, control)
        if risk is None:
            risk = np.tile(q, (1, O))
            risk0 = risk.copy()
        if not kernels.ENABLED:  # (the compiled risk learning resets them as it reads them)
            exposure.fill(0.0)  # kg shipped and seized this month per (organization, edge, commodity)
            seized_exp.fill(0.0)

        # 3-4. procurement and inbound route choice
        avail_flat = avail.reshape(M, R * C)
        avail_tot = avail.sum(axis=1)  # [M, C]
        src_share = np.divide(
            avail, avail_tot[:, None, :], out=np.full_like(avail, 1.0 / R), where=avail_tot[:, None, :] > 0
        ).reshape(M, R * C)
        lab_tot_org = scatter_sum(orgs.lab_capacity, net.lab_org, O)  # [M, O]
        lab_share = np.divide(
            orgs.lab_capacity,
            lab_tot_org[:, net.lab_org],
            out=np.tile(1.0 / np.maximum(labs_per_org[net.lab_org], 1), (M, 1)),
            where=lab_tot_org[:, net.lab_org] > 0,
        )
        # attraction of a path: log share of its source region's supply + log share of its lab's
        # capacity (or of its market's demand)
        log_lab_mkt = np.concatenate(
            [np.log(np.maximum(lab_share, 1e-12)), np.broadcast_to(log_demand, (M, Q))], axis=1
        )
        attract = (np.log(np.maximum(src_share, 1e-12)), in_src_u, log_lab_mkt, in_lab_mkt_col)
        ch = route_choice(risk, fam_in, in_cost, value, in_c_u, theta[:, 0], lam[:, 0], attract, expect=True)
        s_in, e_cost, e_surv = ch.shares, ch.expected_cost, ch.expected_survival  # [M, P'], [M, G]
        g_org, g_c = in_groups_org, in_groups_c
        risk_cost = price[:, g_c] + e_cost + lam * value[:, g_c] * (1.0 - e_surv)  # [M, G] per kg
        landed = np.full((M, O, C), np.inf)
        landed[:, g_org, g_c] = risk_cost / np.maximum(fill[:, g_org, g_c], 0.05)
        want = orgs.scale * orgs.cohesion * orgs.active  # [M, O] kg final/month
        if inp is not None:
            c_pre = landed[:, :, inp] / factor[:, None] + rcost[:, None]
            c_fin = landed[:, :, fin]
            z = v["trafficking.procurement_dispersion"][:, None] * (c_pre - c_fin) / value[:, fin][:, None]
            s_fin = np.where(np.isinf(c_pre), 1.0, np.where(np.isinf(c_fin), 0.0, _sigmoid(np.nan_to_num(z))))
            s_fin = np.where(has_labs[None, :], s_fin, 1.0)
        else:
            s_fin = np.ones((M, O))
        order = np.zeros((M, O, C))
        order[:, :, fin] = want * s_fin
        desired_in = want * (1.0 - s_fin) / factor[:, None]
        if inp is not None:
            order[:, :, inp] = np.minimum(desired_in, lab_tot_org)
        if kernels.ENABLED:
            x_in = np.empty_like(s_in)
            kernels.procure(order.reshape(M, O * C), in_oc, s_in, in_src_u, avail_flat, x_in, demand_buf)
        else:
            x_in = order[:, in_o, in_c] * s_in
            demand_src = scatter_sum(x_in, in_src_col, R * C)  # [M, R*C]
            ratio = np.divide(
                avail_flat, demand_src, out=np.ones_like(demand_src), where=demand_src > avail_flat
            )
            x_in *= ratio[:, in_src_col]
        if capacity_limited:
            x_in *= capacity_factor(x_in, fam_in, net.edge_capacity)
        got = np.add.reduceat(x_in, fam_in.group_starts, axis=1)
        ordered = order[:, g_org, g_c]
        # fill rate: exponentially smoothed share of orders the suppliers could fill
        rate = np.divide(got, ordered, out=np.ones_like(got), where=ordered > 0)
        fill[:, g_org, g_c] = np.where(
            ordered > 0, 0.7 * fill[:, g_org, g_c] + 0.3 * rate, fill[:, g_org, g_c]
        )
        ordered_c = order.sum(axis=1)
        premium = np.log1p(
            np.divide(ordered_c, avail_tot, out=np.full_like(ordered_c, 3.0), where=avail_tot > 0)
        )
        shipped_in = np.zeros((M, O, C))
        np.add.at(shipped_in, (slice(None), g_org, g_c), got)
        if inp is not None:  # (from the group totals: the same kg as the paths', a few sums fewer)
            ledger["sold_in"] += got[:, g_c == inp].sum(axis=1)
        ledger["sold_fin"] += got[:, g_c == fin].sum(axis=1)

        # 5. inbound transit and seizures
        sh_in = ship(gens, fam_in, x_in, q, size_now, exposure, seized_exp, C, N, O, states=states)
        seized_in_oc = sh_in.seized_by_org  # [M, O, C]
        slot = t % D
        d_in = sh_in.delivered
        scatter_add(buf_lab, d_in, in_lab_cols(slot), in_lab_rows)
        scatter_add(buf_mkt, d_in, in_mkt_cols(slot), in_mkt_rows)

        # 6. labs: arrivals, conversion, raids, capacity
        arr = buf_lab[:, slot * L * 2 : (slot + 1) * L * 2].reshape(M, L, 2).copy()
        buf_lab[:, slot * L * 2 : (slot + 1) * L * 2] = 0.0
        orgs.stock_input += arr[:, :, 0]
        orgs.stock_final += arr[:, :, 1]
        conv = np.minimum(orgs.stock_input, orgs.lab_capacity)
        orgs.stock_input -= conv
        made = conv * factor[:, None]
        orgs.stock_final += made
        orgs.stock_made += made
        ledger["converted"] += conv.sum(axis=1)
        ledger["produced"] += made.sum(axis=1)
        raid_success = np.zeros((M, N))
        raided_any = lab_raided_by >= 0
        destroyed = np.zeros((M, C))
        if raided_any.any():
            a_l = np.maximum(lab_raided_by, 0)
            p_raid = np.where(raided_any[None, :], cover[:, net.lab_node] * eff_a[:, a_l], 0.0)
            u = rng.uniform(gens, np.empty((M, L)), states)
            frac = np.where(u < p_raid, raid_loss[:, a_l], 0.0)
            lost_in = orgs.stock_input * frac
            lost_fin = orgs.stock_final * frac
            orgs.stock_made -= orgs.stock_made * frac
            orgs.stock_input -= lost_in
            orgs.stock_final -= lost_fin
            orgs.lab_capacity *= 1.0 - frac
            if inp is not None:
                destroyed[:, inp] = lost_in.sum(axis=1)
            destroyed[:, fin] = lost_fin.sum(axis=1)
            ledger["destroyed_in"] += destroyed[:, inp] if inp is not None else 0.0
            ledger["destroyed_fin"] += destroyed[:, fin]
            np.add.at(
                raid_success, (slice(None), net.lab_node), lost_in * input_weight[:, [inp or 0]] + lost_fin
            )
        desired_lab = desired_in[:, net.lab_org] * lab_share
        lag = v["trafficking.lab_capacity_lag"][:, None]
        orgs.lab_capacity += np.maximum(desired_lab - orgs.lab_capacity, 0.0) / lag

        # 7. outbound: product leaves the labs for the border and the markets
        s_out = route_choice(risk, fam_out, out_cost, value, out_c, theta[:, 0], lam[:, 0], att_out).shares
        if capacity_limited:  # product that cannot move this month stays in the lab's stock
            s_out = s_out * capacity_factor(orgs.stock_final[:, out_lab] * s_out, fam_out, net.edge_capacity)
        if kernels.ENABLED:
            x_out, made_out = np.empty_like(s_out), np.empty_like(s_out)
            shipped_lab = np.empty((M, out_groups_lab.size))
            kernels.dispatch(
                orgs.stock_final, orgs.stock_made, out_lab_u, s_out, out_starts, out_groups_lab_u,
                x_out, made_out, shipped_lab,
            )  # fmt: skip
        else:
            x_out = orgs.stock_final[:, out_lab] * s_out
            made_out = orgs.stock_made[:, out_lab] * s_out
            shipped_lab = np.add.reduceat(x_out, fam_out.group_starts, axis=1)
            orgs.stock_final[:, out_groups_lab] -= shipped_lab
            orgs.stock_made[:, out_groups_lab] -= np.add.reduceat(made_out, fam_out.group_starts, axis=1)
            np.maximum(orgs.stock_final, 0.0, out=orgs.stock_final)
        shipped_out = scatter_sum(shipped_lab, net.lab_org[out_groups_lab], O)
        sh_out = ship(
            gens, fam_out, x_out, q, size_now, exposure, seized_exp, C, N, O, tracer=made_out, states=states
        )
        scatter_add(buf_mkt, sh_out.delivered, out_cols(slot))
        scatter_add(buf_made, made_out, out_cols(slot))

        seized_node = sh_in.seized_by_node + sh_out.seized_by_node  # [M, C, N]
        ledger["seized_fin"] += seized_node[:, fin].sum(axis=1)
        if inp is not None:
            ledger["seized_in"] += seized_node[:, inp].sum(axis=1)

        # 8. markets
        arrivals = buf_mkt[:, slot * Q : (slot + 1) * Q].copy()
        arrivals_made = buf_made[:, slot * Q : (slot + 1) * Q].copy()
        buf_mkt[:, slot * Q : (slot + 1) * Q] = 0.0
        buf_made[:, slot * Q : (slot + 1) * Q] = 0.0
        mk = step_market(market_stock, arrivals, years, v)
        ledger["consumed"] += mk.consumed.sum(axis=1)

        # 9. harm
        if purity_prev is None:
            vol = np.ones(M)
        else:
            vol = 1.0 + v["harm.volatility_weight"] * np.abs(mk.purity - purity_prev) / purity_prev
        purity_prev = mk.purity
        hm = step_harm(
            stocks,
            mk.phi,
            vol,
            years,
            v,
            hazard=levels[:, lev_index["harm.hazard"]],
            final_risk=levels[:, lev_index["harm.final_risk"]],
            naloxone=levels[:, lev_index["harm.naloxone"]],
        )

        # 10. adaptation: traffickers' perceived risk, agencies' allocation, organizations' growth
        w = v["trafficking.risk_memory"][:, None]
        rho = v["trafficking.risk_prior_weight"][:, None]
        if kernels.ENABLED:
            kernels.learn_risk(risk, risk0, exposure, seized_exp, w[:, 0], rho[:, 0])
        else:
            used = exposure > 0
            obs = np.divide(seized_exp, exposure, out=np.zeros_like(exposure), where=used)
            risk = np.where(used, (1.0 - w) * risk + w * obs, risk + rho * (risk0 - risk))
        # agencies count success in final-product equivalents (input kg × recipe factor), as raids do
        success = (seized_node * input_weight[:, :, None]).sum(axis=1) + raid_success
        alloc = learn_allocation(ag, alloc, success, ag_rate)
        # loss rate of each organization: 1 − survival over the inbound leg × the outbound leg
        seized_out = sh_out.seized_by_org[:, :, fin]
        w_in = (shipped_in * input_weight[:, None, :]).sum(axis=2)
        loss_in = np.divide(
            (seized_in_oc * input_weight[:, None, :]).sum(axis=2), w_in, out=np.zeros((M, O)), where=w_in > 0
        )
        loss_out = np.divide(seized_out, shipped_out, out=np.zeros((M, O)), where=shipped_out > 0)
        loss = 1.0 - (1.0 - loss_in) * (1.0 - loss_out)
        g = v["trafficking.growth_rate"][:, None]
        sens = v["trafficking.growth_loss_sensitivity"][:, None]
        grow = g * orgs.scale * (1.0 - orgs.scale / np.maximum(orgs.max_scale, 1e-9))
        orgs.scale += np.where(orgs.active, grow * np.maximum(0.0, 1.0 - sens * loss), 0.0)
        hl = v["trafficking.cohesion_half_life"][:, None]
        orgs.cohesion = 1.0 - (1.0 - orgs.cohesion) * 0.5 ** (1.0 / hl)
        # 11. violence
        node_org = sh_in.flow_by_org_node + sh_out.flow_by_org_node  # [M, O, N]
        orgs.violence_shock *= 0.5 ** (1.0 / v["trafficking.violence_half_life"])
        violence = orgs.violence_shock + v["trafficking.contest_violence"] * contest(
            net, node_org, cm.territorial
        )

        # 12. mass balance and observables
        # (contiguous [member, n] copies: a reduction over several axes may be ordered differently
        # when a batch has one member, which would change the last bit)
        transit = buf_lab.reshape(M, D * L, 2)
        transit_in = np.ascontiguousarray(transit[:, :, 0]).sum(axis=1)
        transit_fin = np.ascontiguousarray(transit[:, :, 1]).sum(axis=1) + buf_mkt.sum(axis=1)
        lhs_in = ledger["sold_in"]
        rhs_in = (
            transit_in
            + ledger["seized_in"]
            + orgs.stock_input.sum(axis=1)
            + ledger["converted"]
            + ledger["destroyed_in"]
        )
        lhs_fin = ledger["sold_fin"] + ledger["produced"]
        rhs_fin = (
            transit_fin
            + ledger["seized_fin"]
            + orgs.stock_final.sum(axis=1)
            + market_stock.sum(axis=1)
            + ledger["consumed"]
            + ledger["destroyed_fin"]
        )
        err = np.maximum(
            np.abs(lhs_in - rhs_in) / np.maximum(lhs_in, 1e-12),
            np.abs(lhs_fin - rhs_fin) / np.maximum(lhs_fin, 1e-12),
        )
        out["mass_balance_error"][:, t] = err
        out["deaths_final"][:, t] = hm.deaths_final
        out["deaths_total"][:, t] = hm.deaths_total
        out["delivered_kg"][:, t] = arrivals.sum(axis=1)
        out["delivered_made_kg"][:, t] = arrivals_made.sum(axis=1)
        tot_want = want.sum(axis=1)
        out["final_order_share"][:, t] = np.divide(
            (want * s_fin).sum(axis=1), tot_want, out=np.zeros(M), where=tot_want > 0
        )
        out["phi"][:, t] = mk.phi
        out["price"][:, t] = mk.price
        out["purity"][:, t] = mk.purity
        out["violence"][:, t] = violence
        out["lab_capacity_kg"][:, t] = orgs.lab_capacity.sum(axis=1)
        out["firms_selling"][:, t] = supply.selling
        out["firms_shut"][:, t] = supply.shut
        out["seized_kg"][:, t] = seized_node
        np.add(sh_in.events_by_node, sh_out.events_by_node, out=out["seizure_events"][:, t])
        np.add(sh_in.flow_by_node[:, fin], sh_out.flow_by_node[:, fin], out=out["flow_kg"][:, t])
        out["available_kg"][:, t] = avail_tot
        got_by_c = np.zeros((M, C))
        np.add.at(got_by_c, (slice(None), g_c), got)
        out["sold_kg"][:, t] = got_by_c
        out["destroyed_kg"][:, t] = destroyed
        out["population"][:, t] = stocks
        out["cohesion"][:, t] = orgs.cohesion
        out["org_scale"][:, t] = orgs.scale
        out["levels"][:, t] = levels
        out["coverage"][:, t] = cover
        out["agency_effectiveness"][:, t] = eff_a
        if progress is not None:
            progress(t + 1, T)
    return out


def simulate(
    scenario: Scenario,
    members: int | range | np.ndarray = 100,
    seed: int = 0,
    *,
    parameters: pd.DataFrame | Mapping[str, Any] | None = None,
    plans: Mapping[str, CoveragePlan] | None = None,
    batch_size: int | None = None,
    progress: Progress | None = None,
):
    """Run the scenario for many Monte Carlo members at once.

    ``members``: an int n means members 0..n-1; a range (or array) names the member indices.
    ``parameters``: per-member parameter values (DataFrame indexed by member, columns = dotted parameter
    paths), defaulting to the scenario's values. ``plans`` fixes agencies' inspection coverage
    ({agency id: CoveragePlan}); their learned allocation is then ignored. ``batch_size`` bounds memory
    by running members in batches (results do not depend on it). ``progress(done, total)`` is called
    after each month.
    """
    from narcoflow.results import Results

    idx = np.arange(members) if isinstance(members, int) else np.asarray(list(members), dtype=np.int64)
    if idx.size == 0 or (idx < 0).any():
        raise NarcoFlowError("members must be a positive count or non-negative member indices")
    if len(np.unique(idx)) != idx.size:
        raise NarcoFlowError("member indices must be unique")
    cm = compile_model(scenario)
    values = member_values(scenario, idx, parameters)
    caps = {a: values[f"agencies.{a}.capacity"] for a in scenario.agencies}
    planned = plan_arrays(cm.agencies, cm.net, dict(plans or {}), caps)
    bs = idx.size if batch_size is None else max(1, int(batch_size))
    n_batches = -(-idx.size // bs)
    parts = []
    with _no_cyclic_gc():
        for b in range(n_batches):
            parts.append(_run_slice(cm, idx, seed, values, planned, b, bs, n_batches, progress))
    arrays = parts[0] if len(parts) == 1 else {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return Results.from_arrays(cm, idx, seed, arrays, values)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (the month loop makes no reference cycles; its
    collections would only rescan every object of the process, ≈ 5% of a large run's time)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _run_slice(
    cm: Compiled,
    idx: np.ndarray,
    seed: int,
    values: dict[str, np.ndarray],
    planned: list[tuple[np.ndarray, np.ndarray, bool]],
    b: int,
    bs: int,
    n_batches: int,
    progress: Progress | None,
) -> dict[str, np.ndarray]:
    """Run batch ``b`` (members ``idx[b·bs:(b + 1)·bs]``)."""
    T = cm.scenario.calendar.months
    sl = slice(b * bs, (b + 1) * bs)
    vb = {k: a[sl] for k, a in values.items()}
    cb = None
    if progress is not None:
        cb = lambda done, total: progress(b * T + done, n_batches * T)  # noqa: E731
    if idx[sl].size == 1:
        # numpy may order a reduction over a one-row array differently from a many-row one (a
        # one-row array is both C- and F-contiguous), changing the last bit; a lone member is
        # therefore run as two copies of itself (same stream, same numbers) and one is dropped.
        vb = {k: np.repeat(a, 2) for k, a in vb.items()}
        res = _run_batch(cm, np.repeat(idx[sl], 2), seed, vb, cb, planned)
        return {k: a[:1] for k, a in res.items()}
    return _run_batch(cm, idx[sl], seed, vb, cb, planned)
