"""Procurement and inbound route choice (MODEL.md §3.3–3.4; ODD §7.3–7.4).

Each organization wants kg of final product this month (its scale × cohesion). It orders part as
finished product and part as the recipe input for its labs, by a logit on the risk-adjusted landed
cost per kg of product; orders split over the inbound paths by a multinomial logit on cost and
perceived risk, attracted to the source regions with most supply and the labs with most capacity;
what the firms cannot supply scales every path from that source down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from narcoflow.model.routes import capacity_factor

if TYPE_CHECKING:
    from narcoflow.model.backend import Backend
    from narcoflow.model.enforcement import Enforcement
    from narcoflow.model.layout import Layout
    from narcoflow.model.state import State
    from narcoflow.model.suppliers import SupplyMonth


@dataclass
class Procurement:
    """This month's procurement, per member."""

    flows: np.ndarray  # [M, P_in] kg leaving the suppliers on each inbound path
    bought: np.ndarray  # [M, G_in] kg per (organization, commodity) choice group
    shipped: np.ndarray  # [M, O, C] the same by organization and commodity
    want: np.ndarray  # [M, O] kg of final product wanted
    finished_share: np.ndarray  # [M, O] share of it ordered as finished product
    desired_input: np.ndarray  # [M, O] kg of input wanted for the labs
    lab_share: np.ndarray  # [M, L] each lab's share of its organization's lab capacity
    available: np.ndarray  # [M, C] kg the firms offered


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _attraction(lay: Layout, st: State, bk: Backend, avail: np.ndarray, avail_tot: np.ndarray):
    """Attraction of each inbound path: log share of its source region's supply + log share of its
    lab's capacity (or of its market's demand). Also the labs' shares and organizations' totals."""
    net = lay.net
    M, R = avail.shape[:2]
    O, Q = len(net.org_ids), len(net.markets)
    src_share = np.divide(
        avail, avail_tot[:, None, :], out=np.full_like(avail, 1.0 / R), where=avail_tot[:, None, :] > 0
    ).reshape(M, -1)
    cap = st.orgs.lab_capacity
    lab_tot_org = bk.scatter_sum(cap, net.lab_org, O)  # [M, O]
    lab_share = np.divide(
        cap,
        lab_tot_org[:, net.lab_org],
        out=np.tile(1.0 / np.maximum(lay.labs_per_org[net.lab_org], 1), (M, 1)),
        where=lab_tot_org[:, net.lab_org] > 0,
    )
    log_lab_mkt = np.concatenate(
        [np.log(np.maximum(lab_share, 1e-12)), np.broadcast_to(lay.log_demand, (M, Q))], axis=1
    )
    attract = (np.log(np.maximum(src_share, 1e-12)), lay.inb.source_col, log_lab_mkt, lay.inb.lab_market_col)
    return attract, lab_share, lab_tot_org


def _finished_share(lay: Layout, p: Any, landed: np.ndarray) -> np.ndarray:
    """Share of each organization's wants ordered as finished product: a logit on the landed cost per
    kg of product of the two routes (1 where it has no labs or no recipe), [M, O]."""
    net, k = lay.net, p.derived
    fin, inp = net.final, net.inputs
    if inp is None:
        return np.ones(landed.shape[:2])
    c_pre = landed[:, :, inp] / k.recipe_factor[:, None] + k.recipe_cost[:, None]
    c_fin = landed[:, :, fin]
    z = p.trafficking.procurement_dispersion[:, None] * (c_pre - c_fin) / k.value[:, fin][:, None]
    s_fin = np.where(np.isinf(c_pre), 1.0, np.where(np.isinf(c_fin), 0.0, _sigmoid(np.nan_to_num(z))))
    return np.where((lay.labs_per_org > 0)[None, :], s_fin, 1.0)


def _learn_fill(st: State, g_org: np.ndarray, g_c: np.ndarray, got: np.ndarray, order: np.ndarray, avail_tot):
    """Update the fill rate (exponentially smoothed share of orders filled) and the demand premium."""
    ordered = order[:, g_org, g_c]
    rate = np.divide(got, ordered, out=np.ones_like(got), where=ordered > 0)
    fill = st.fill
    fill[:, g_org, g_c] = np.where(ordered > 0, 0.7 * fill[:, g_org, g_c] + 0.3 * rate, fill[:, g_org, g_c])
    ordered_c = order.sum(axis=1)
    st.premium = np.log1p(
        np.divide(ordered_c, avail_tot, out=np.full_like(ordered_c, 3.0), where=avail_tot > 0)
    )


def step(lay: Layout, p: Any, st: State, bk: Backend, supply: SupplyMonth, enf: Enforcement) -> Procurement:
    """Procurement and inbound route choice this month; the kg bought enter the ledger as sold."""
    net, inb, fam, k = lay.net, lay.inb, lay.inbound, p.derived
    fin, inp = net.final, net.inputs
    M, O, C = st.fill.shape
    avail = supply.available
    avail_tot = avail.sum(axis=1)  # [M, C]
    attract, lab_share, lab_tot_org = _attraction(lay, st, bk, avail, avail_tot)
    theta, lam = p.trafficking.route_dispersion, p.trafficking.risk_aversion
    ch = bk.route_choice(
        st.risk.values, fam, inb.cost, k.value, inb.commodity, theta, lam, attract, expect=True
    )
    g_org, g_c = inb.group_org, inb.group_commodity
    risk_cost = (
        k.price[:, g_c] + ch.expected_cost + lam[:, None] * k.value[:, g_c] * (1.0 - ch.expected_survival)
    )
    landed = np.full((M, O, C), np.inf)
    landed[:, g_org, g_c] = risk_cost / np.maximum(st.fill[:, g_org, g_c], 0.05)
    want = st.orgs.scale * st.orgs.cohesion * st.orgs.active  # [M, O] kg final/month
    s_fin = _finished_share(lay, p, landed)
    order = np.zeros((M, O, C))
    order[:, :, fin] = want * s_fin
    desired_in = want * (1.0 - s_fin) / k.recipe_factor[:, None]
    if inp is not None:
        order[:, :, inp] = np.minimum(desired_in, lab_tot_org)
    x_in = bk.procure(
        order, inb.org, inb.commodity, inb.org_commodity, ch.shares, inb.source_col, avail.reshape(M, -1)
    )
    if lay.capacity_limited:
        x_in *= capacity_factor(x_in, fam, net.edge_capacity)
    got = np.add.reduceat(x_in, fam.group_starts, axis=1)
    _learn_fill(st, g_org, g_c, got, order, avail_tot)
    shipped = np.zeros((M, O, C))
    np.add.at(shipped, (slice(None), g_org, g_c), got)
    if inp is not None:  # (from the group totals: the same kg as the paths', a few sums fewer)
        st.ledger.sold_in += got[:, g_c == inp].sum(axis=1)
    st.ledger.sold_fin += got[:, g_c == fin].sum(axis=1)
    return Procurement(x_in, got, shipped, want, s_fin, desired_in, lab_share, avail_tot)
