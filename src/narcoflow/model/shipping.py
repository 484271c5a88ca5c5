"""Transit and seizures on the two legs (MODEL.md §3.5, §3.7; ODD §7.5, §7.7).

Inbound: what procurement bought moves along the inbound paths as discrete shipments, each seized with
its edge's probability; what survives enters the transit buffers toward its lab or market.
Outbound: the labs' stock of final product leaves by route choice toward the border and the markets,
as shipments seized the same way; what survives enters the transit buffers toward its market.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from narcoflow.model.routes import Shipping, capacity_factor

if TYPE_CHECKING:
    from narcoflow.model.backend import Backend
    from narcoflow.model.enforcement import Enforcement
    from narcoflow.model.layout import Clock, Layout
    from narcoflow.model.procurement import Procurement
    from narcoflow.model.state import State


def shipment_sizes(lay: Layout, p: Any, st: State) -> np.ndarray:
    """kg per shipment on each edge this month, [M, E+1]: the modes' sizes times their shipment levels."""
    size = p.derived.shipment_size
    level = st.levels.values[:, lay.levels.shipment]
    if (level != 1.0).any():
        M = size.shape[0]
        size = size * np.concatenate([level[:, lay.net.edge_mode], np.ones((M, 1))], axis=1)
    return size


def _ship(lay: Layout, st: State, bk: Backend, fam, flows, enf: Enforcement, size, tracer=None) -> Shipping:
    net = lay.net
    C, N, O = len(net.commodity_ids), len(net.node_ids), len(net.org_ids)
    risk = st.risk
    return bk.ship(fam, flows, enf.seizure_prob, size, risk.exposure, risk.seized, C, N, O, tracer=tracer)


def inbound(
    lay: Layout, p: Any, st: State, bk: Backend, clock: Clock, proc: Procurement, enf: Enforcement
) -> Shipping:
    """Ship the month's purchases along the inbound paths; the survivors leave for labs and markets."""
    sh = _ship(lay, st, bk, lay.inbound, proc.flows, enf, shipment_sizes(lay, p, st))
    st.transit.put_inbound(bk, clock.slot, sh.delivered)
    return sh


@dataclass
class Outbound:
    """This month's outbound leg, per member."""

    shipping: Shipping
    made: np.ndarray  # [M, P_out] kg on each path that was made from the recipe input (after seizures)
    shipped: np.ndarray  # [M, O] kg each organization sent from its labs


def outbound(lay: Layout, p: Any, st: State, bk: Backend, clock: Clock, enf: Enforcement) -> Outbound:
    """Route choice from the labs to the markets, dispatch from the labs' stocks (product that cannot
    move this month for lack of edge capacity stays there), and shipping; the survivors leave for
    the markets."""
    net, ob, fam, orgs = lay.net, lay.outb, lay.outbound, st.orgs
    M, Q = orgs.stock_final.shape[0], len(net.markets)
    theta, lam = p.trafficking.route_dispersion, p.trafficking.risk_aversion
    # attraction of a path: the log demand share of its market (+ a zero column)
    attract = (
        np.broadcast_to(lay.log_demand, (M, Q)),
        ob.market,
        np.zeros((M, 1)),
        np.zeros(ob.market.size, dtype=np.uint64),
    )
    shares = bk.route_choice(
        st.risk.values, fam, ob.cost, p.derived.value, ob.commodity, theta, lam, attract
    ).shares
    if lay.capacity_limited:
        shares = shares * capacity_factor(orgs.stock_final[:, ob.lab] * shares, fam, net.edge_capacity)
    x_out, made, shipped_lab = bk.dispatch(orgs, ob.lab, shares, fam, ob.group_lab, ob.group_bounds)
    shipped = bk.scatter_sum(shipped_lab, net.lab_org[ob.group_lab], len(net.org_ids))
    sh = _ship(lay, st, bk, fam, x_out, enf, shipment_sizes(lay, p, st), tracer=made)
    st.transit.put_outbound(bk, clock.slot, sh.delivered, made)
    return Outbound(sh, made, shipped)


def record_seizures(lay: Layout, st: State, inb: Shipping, out: Outbound) -> np.ndarray:
    """The month's seizures by commodity and node, [M, C, N], entered in the ledger."""
    net = lay.net
    seized = inb.seized_by_node + out.shipping.seized_by_node
    st.ledger.seized_fin += seized[:, net.final].sum(axis=1)
    if net.inputs is not None:
        st.ledger.seized_in += seized[:, net.inputs].sum(axis=1)
    return seized
