"""The layout of a scenario: everything about it that does not change during a run, built once.

A :class:`Layout` holds the compiled network, the two route families (inbound: supplier region → lab
or market; outbound: lab → market), the agency table, the index of the time-varying levels with
named columns, the transit ring buffers' index, the events by month, and the index arrays that the
month's steps gather and scatter with. Nothing here depends on the members or their parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from narcoflow.model.enforcement import AgencyTable, agency_table
from narcoflow.model.network import Network, compile_network
from narcoflow.model.routes import Family, build_family
from narcoflow.scenario.schema import ScaleLevel, Scenario, parse_month


@dataclass(frozen=True)
class EndScale:
    """The end of a temporary ``scale_level`` (its ``until`` month): the level is divided by the factor."""

    level: str


@dataclass(frozen=True)
class Scheduled:
    """One effect of an event, due in a month: the event, the effect's position in it, the effect."""

    event: str
    index: int
    effect: Any  # a schema effect (SetLevel, ScaleLevel, …) or EndScale


@dataclass(frozen=True)
class Clock:
    """Where month ``t`` of a run falls."""

    t: int  # month index from the start
    years: float  # t / 12
    month_of_year: int  # 1-12
    slot: int  # the transit ring buffers' slot of this month (t mod D)


@dataclass(frozen=True)
class LevelIndex:
    """Columns of the levels array [M, K] by name, and the named groups the steps read."""

    names: list[str]
    column: dict[str, int]
    control: np.ndarray  # [C] column of control.<commodity>, commodity order
    cooperation: dict[str, int]  # relation -> column
    intensity: np.ndarray  # [A] column of intensity.<agency>, agency order
    hazard: int
    final_risk: int
    naloxone: int
    shipment: np.ndarray  # [modes] column of shipment.<mode>, mode order


def level_index(sc: Scenario, net: Network) -> LevelIndex:
    """Index the scenario's levels (``Scenario.level_names``)."""
    names = sc.level_names()
    col = {n: i for i, n in enumerate(names)}
    pick = lambda prefix, ids: np.array([col[f"{prefix}.{x}"] for x in ids], dtype=np.int64)  # noqa: E731
    return LevelIndex(
        names=names,
        column=col,
        control=pick("control", net.commodity_ids),
        cooperation={r: col[f"cooperation.{r}"] for r in sc.cooperation},
        intensity=pick("intensity", net.agency_ids),
        hazard=col["harm.hazard"],
        final_risk=col["harm.final_risk"],
        naloxone=col["harm.naloxone"],
        shipment=pick("shipment", net.mode_ids),
    )


@dataclass(frozen=True)
class TransitIndex:
    """Where each path's delivery lands in the transit ring buffers, for every slot.

    Shipments arrive ``delay`` months after they leave; the buffers hold D slots (D − 1 the longest
    delay) of L lab pairs × 2 commodity columns (recipe input, final product), or of Q markets. Month t
    uses slot t mod D; a path with delay d delivers into slot (t + d) mod D.
    """

    slots: int  # D
    in_lab_rows: np.ndarray  # inbound paths (family order) that end at a lab
    in_mkt_rows: np.ndarray  # inbound paths that end at a market
    in_lab_cols: np.ndarray  # [D, len(in_lab_rows)] buffer column at each slot
    in_mkt_cols: np.ndarray  # [D, len(in_mkt_rows)]
    out_cols: np.ndarray  # [D, P_out]


def transit_index(
    fam_in: Family, fam_out: Family, to_market: np.ndarray, D: int, L: int, Q: int
) -> TransitIndex:
    """Precompute the ring-buffer columns of every path for every slot."""
    lab_rows, mkt_rows = np.flatnonzero(~to_market), np.flatnonzero(to_market)
    slots = np.arange(D)[:, None]
    return TransitIndex(
        slots=D,
        in_lab_rows=lab_rows,
        in_mkt_rows=mkt_rows,
        in_lab_cols=((slots + fam_in.delay[lab_rows]) % D) * (L * 2) + fam_in.dest_cols[lab_rows],
        in_mkt_cols=((slots + fam_in.delay[mkt_rows]) % D) * Q + fam_in.dest_cols[mkt_rows],
        out_cols=((slots + fam_out.delay) % D) * Q + fam_out.dest_cols,
    )


@dataclass(frozen=True)
class Inbound:
    """Index arrays of the inbound family's paths (family order) and choice groups."""

    commodity: np.ndarray  # [P] commodity index
    org: np.ndarray  # [P]
    cost: np.ndarray  # [P] USD/kg
    source_col: np.ndarray  # [P] column source * C + commodity of supply arrays [M, R*C]
    lab_market_col: np.ndarray  # [P] column of [lab shares | market shares] (uint64)
    org_commodity: np.ndarray  # [P] org * C + commodity (uint64)
    group_org: np.ndarray  # [G] organization of each choice group
    group_commodity: np.ndarray  # [G] commodity of each choice group


@dataclass(frozen=True)
class Outbound:
    """Index arrays of the outbound family's paths (family order) and choice groups."""

    lab: np.ndarray  # [P] lab pair the path leaves from
    market: np.ndarray  # [P] market it reaches
    cost: np.ndarray  # [P] USD/kg
    commodity: np.ndarray  # [P] the final commodity (uint64)
    group_lab: np.ndarray  # [G] lab pair of each choice group
    group_bounds: np.ndarray  # [G + 1] starts of the groups and the end (int64)


@dataclass(frozen=True)
class Layout:
    """Everything about a scenario that does not change during a run."""

    scenario: Scenario
    net: Network
    months: pd.DatetimeIndex
    inbound: Family
    outbound: Family
    inbound_to_market: np.ndarray  # [P_in] bool
    inb: Inbound
    outb: Outbound
    agencies: AgencyTable
    levels: LevelIndex
    transit: TransitIndex
    events_at: dict[int, list[Scheduled]]  # month index -> effects due
    territorial: np.ndarray  # [N] bool: some organization's territory
    region_share: np.ndarray  # [R] share of firms per source region
    log_demand: np.ndarray  # [Q] log of the markets' normalized demand shares
    faction_share: dict[int, float]  # organization -> share of its parent it inherits
    labs_per_org: np.ndarray  # [O]
    lab_raided_by: np.ndarray  # [L] agency that raids the lab's node, or -1
    capacity_limited: bool  # some edge has a finite capacity
    start_month: int  # month of the year of the first month (1-12)

    def clock(self, t: int) -> Clock:
        """The clock of month ``t``."""
        return Clock(t, t / 12.0, (self.start_month - 1 + t) % 12 + 1, t % self.transit.slots)

    @property
    def delay_slots(self) -> int:
        """Slots of the transit ring buffers (the longest transit, in months, plus one)."""
        return self.transit.slots

    @property
    def level_names(self) -> list[str]:
        """The levels' names, in column order."""
        return self.levels.names


def _events_by_month(sc: Scenario, months: int) -> dict[int, list[Scheduled]]:
    """The enabled events' effects by month index, and the ends of temporary scale effects."""
    y0, m0 = parse_month(sc.calendar.start)
    at = lambda text: (parse_month(text)[0] - y0) * 12 + (parse_month(text)[1] - m0)  # noqa: E731
    out: dict[int, list[Scheduled]] = {}
    for eid, ev in sc.events.items():
        if not ev.enabled:
            continue
        t = at(ev.date)
        if 0 <= t < months:
            out.setdefault(t, []).extend(Scheduled(eid, j, eff) for j, eff in enumerate(ev.effects))
        for j, eff in enumerate(ev.effects):  # a temporary scale_level ends: divide by its factor again
            if isinstance(eff, ScaleLevel) and eff.until is not None:
                tu = at(eff.until)
                if 0 <= t < months and 0 <= tu < months:
                    out.setdefault(tu, []).append(Scheduled(eid, j, EndScale(eff.level)))
    return out


def _index_arrays(net: Network, fam_in: Family, fam_out: Family) -> tuple[Inbound, Outbound]:
    C, L = len(net.commodity_ids), len(net.lab_org)
    p_in, p_out = fam_in.paths, fam_out.paths
    in_c, in_o = net.path_commodity[p_in], net.path_org[p_in]
    in_lab, in_mkt = net.path_lab[p_in], net.path_market[p_in]
    inb = Inbound(
        commodity=in_c,
        org=in_o,
        cost=net.path_cost[p_in],
        source_col=net.path_source[p_in] * C + in_c,
        lab_market_col=np.where(in_lab >= 0, in_lab, L + in_mkt).astype(np.uint64),
        org_commodity=(in_o * C + in_c).astype(np.uint64),
        group_org=fam_in.group_keys // C,
        group_commodity=fam_in.group_keys % C,
    )
    out_lab = net.path_lab[p_out]
    outb = Outbound(
        lab=out_lab,
        market=net.path_market[p_out],
        cost=net.path_cost[p_out],
        commodity=np.full(p_out.size, net.final, dtype=np.uint64),
        group_lab=fam_out.group_keys,
        group_bounds=np.r_[fam_out.group_starts, out_lab.size].astype(np.int64),
    )
    return inb, outb


def build_layout(sc: Scenario) -> Layout:
    """Compile a scenario into the layout the engine runs on."""
    net = compile_network(sc)
    C, L, Q = len(net.commodity_ids), len(net.lab_org), len(net.markets)
    inb_mask = net.path_inbound
    to_market = inb_mask & (net.path_market >= 0)
    dest_in = np.where(to_market, net.path_market, net.path_lab * 2 + (net.path_commodity == net.final))
    fam_in = build_family(net, inb_mask, net.path_org * C + net.path_commodity, dest_in)
    fam_out = build_family(net, ~inb_mask, net.path_lab, net.path_market)
    y0, m0 = parse_month(sc.calendar.start)
    months = pd.date_range(f"{y0}-{m0:02d}-01", periods=sc.calendar.months, freq="MS")
    territorial = np.zeros(len(net.node_ids), dtype=bool)
    for org in sc.organizations.values():
        territorial[[net.node_ids.index(n) for n in org.territory]] = True
    ag = agency_table(sc, net)
    lab_agency = net.node_agency[net.lab_node]
    demand = np.array([r.demand_share for r in sc.market.regions.values()])
    inb, outb = _index_arrays(net, fam_in, fam_out)
    to_market_fam = to_market[fam_in.paths]
    return Layout(
        scenario=sc, net=net, months=months,
        inbound=fam_in, outbound=fam_out, inbound_to_market=to_market_fam, inb=inb, outb=outb,
        agencies=ag, levels=level_index(sc, net),
        transit=transit_index(fam_in, fam_out, to_market_fam, int(net.path_delay.max()) + 1, L, Q),
        events_at=_events_by_month(sc, sc.calendar.months),
        territorial=territorial,
        region_share=np.array(list(sc.suppliers.regions.values())),
        log_demand=np.log(demand / demand.sum()),
        faction_share={o: sc.organizations[oid].share for o, oid in enumerate(net.org_ids)},
        labs_per_org=np.bincount(net.lab_org, minlength=len(net.org_ids)),
        lab_raided_by=np.where((lab_agency >= 0) & ag.raids[np.maximum(lab_agency, 0)], lab_agency, -1),
        capacity_limited=bool(np.isfinite(net.edge_capacity[:-1]).any()),
        start_month=m0,
    )  # fmt: skip
