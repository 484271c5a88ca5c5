"""Labs (MODEL.md §3.6; ODD §7.6): arrivals, conversion, raids and capacity growth.

Input and finished product arriving at an organization's lab area join its stocks; the labs convert
input into final product up to their capacity (× the recipe factor); a raiding agency that covers the
lab's node destroys a share of its stocks and capacity with the month's raid probability; capacity
then grows toward what the organization wanted to convert, with a lag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from narcoflow.model.backend import Backend
    from narcoflow.model.enforcement import Enforcement
    from narcoflow.model.layout import Clock, Layout
    from narcoflow.model.procurement import Procurement
    from narcoflow.model.state import State


@dataclass
class LabsMonth:
    """This month's lab outcomes, per member."""

    destroyed: np.ndarray  # [M, C] kg destroyed by raids
    raid_success: np.ndarray  # [M, N] final-product equivalents destroyed at each node


def _raids(lay: Layout, p: Any, st: State, bk: Backend, enf: Enforcement) -> LabsMonth:
    net, orgs, led = lay.net, st.orgs, st.ledger
    M, L = orgs.stock_input.shape
    fin, inp = net.final, net.inputs
    raid_success = np.zeros((M, len(net.node_ids)))
    destroyed = np.zeros((M, len(net.commodity_ids)))
    raided = lay.lab_raided_by >= 0
    if not raided.any():
        return LabsMonth(destroyed, raid_success)
    a_l = np.maximum(lay.lab_raided_by, 0)
    p_raid = np.where(raided[None, :], enf.coverage[:, net.lab_node] * enf.effectiveness[:, a_l], 0.0)
    u = bk.uniform(np.empty((M, L)))
    frac = np.where(u < p_raid, p.derived.raid_destroys[:, a_l], 0.0)
    lost_in = orgs.stock_input * frac
    lost_fin = orgs.stock_final * frac
    orgs.stock_made -= orgs.stock_made * frac
    orgs.stock_input -= lost_in
    orgs.stock_final -= lost_fin
    orgs.lab_capacity *= 1.0 - frac
    if inp is not None:
        destroyed[:, inp] = lost_in.sum(axis=1)
    destroyed[:, fin] = lost_fin.sum(axis=1)
    led.destroyed_in += destroyed[:, inp] if inp is not None else 0.0
    led.destroyed_fin += destroyed[:, fin]
    weight = p.derived.input_weight[:, [inp or 0]]
    np.add.at(raid_success, (slice(None), net.lab_node), lost_in * weight + lost_fin)
    return LabsMonth(destroyed, raid_success)


def step(
    lay: Layout, p: Any, st: State, bk: Backend, clock: Clock, proc: Procurement, enf: Enforcement
) -> LabsMonth:
    """The labs this month; conversion enters the ledger (converted, produced), raids too (destroyed)."""
    net, orgs = lay.net, st.orgs
    arr = st.transit.take_labs(clock.slot)
    orgs.stock_input += arr[:, :, 0]
    orgs.stock_final += arr[:, :, 1]
    conv = np.minimum(orgs.stock_input, orgs.lab_capacity)
    orgs.stock_input -= conv
    made = conv * p.derived.recipe_factor[:, None]
    orgs.stock_final += made
    orgs.stock_made += made
    st.ledger.converted += conv.sum(axis=1)
    st.ledger.produced += made.sum(axis=1)
    month = _raids(lay, p, st, bk, enf)
    desired_lab = proc.desired_input[:, net.lab_org] * proc.lab_share
    lag = p.trafficking.lab_capacity_lag[:, None]
    orgs.lab_capacity += np.maximum(desired_lab - orgs.lab_capacity, 0.0) / lag
    return month
