"""Trafficking organizations: scale, cohesion, leadership removal, fragmentation, violence (§3.11).

A leadership removal multiplies cohesion by (1 − loss); cohesion recovers toward 1 with a half-life and
scales the organization's throughput. Fragmentation hands the parent's scale, labs, stocks and risk
memory to its declared factions (by share), which then contest the territory they share. The violence
index is a decaying sum of event spikes plus the contest term w·Σ_n f_n·(1 − HHI_n) over territorial
nodes (f_n the node's share of flow, HHI_n the Herfindahl index of organizations' flows there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from narcoflow.model.network import Network

if TYPE_CHECKING:
    from narcoflow.model.backend import Backend
    from narcoflow.model.layout import Layout
    from narcoflow.model.procurement import Procurement
    from narcoflow.model.routes import Shipping
    from narcoflow.model.shipping import Outbound
    from narcoflow.model.state import State


@dataclass
class Orgs:
    """Organization state, arrays [member, organization] (labs: [member, lab pair])."""

    scale: np.ndarray  # desired throughput of the final product, kg/month
    max_scale: np.ndarray
    cohesion: np.ndarray
    active: np.ndarray  # bool
    lab_capacity: np.ndarray  # [M, L] kg input/month
    stock_input: np.ndarray  # [M, L] kg
    stock_final: np.ndarray  # [M, L] kg
    stock_made: np.ndarray  # [M, L] kg of stock_final made from the recipe (tracer)
    violence_shock: np.ndarray  # [M]


def init_orgs(net: Network, p: dict[str, Any], M: int) -> Orgs:
    """Top-level organizations start active with their scale and labs; factions start dormant.

    ``p`` holds the organizations' parameters by id (``Params.organizations``).
    """
    O, L = len(net.org_ids), len(net.lab_org)
    scale = np.zeros((M, O))
    max_scale = np.zeros((M, O))
    active = np.zeros((M, O), dtype=bool)
    lab_cap = np.zeros((M, L))
    for o, oid in enumerate(net.org_ids):
        parent = net.org_parent[o]
        if parent < 0:
            scale[:, o] = p[oid].initial_scale
            max_scale[:, o] = p[oid].max_scale
            active[:, o] = True
            labs = np.flatnonzero(net.lab_org == o)
            if labs.size:
                lab_cap[:, labs] = (p[oid].initial_lab_capacity / labs.size)[:, None]
    return Orgs(
        scale=scale,
        max_scale=max_scale,
        cohesion=np.ones((M, O)),
        active=active,
        lab_capacity=lab_cap,
        stock_input=np.zeros((M, L)),
        stock_final=np.zeros((M, L)),
        stock_made=np.zeros((M, L)),
        violence_shock=np.zeros(M),
    )


def fragment(
    net: Network,
    orgs: Orgs,
    parent: int,
    who: np.ndarray,
    shares: dict[int, float],
    risk: np.ndarray | None,
    in_transit: np.ndarray | None = None,
) -> None:
    """Split ``parent`` into its factions for the members in mask ``who`` (in place).

    Scale and ceiling go to factions by share; each lab pair's capacity and stocks — and shipments in
    transit to it (``in_transit``, a view [M, ..., L]) — go to the factions holding that lab area, by
    share among them (kept by the parent if none holds it). Factions inherit the parent's cohesion and
    perceived risk.
    """
    factions = [f for f in shares if net.org_parent[f] == parent]
    who = who & orgs.active[:, parent]
    if not factions or not who.any():
        return
    total = sum(shares[f] for f in factions)
    O = len(net.org_ids)
    r = None if risk is None else risk.reshape(risk.shape[0], O, -1)
    for f in factions:
        w = shares[f] / total
        orgs.scale[who, f] = orgs.scale[who, parent] * w
        orgs.max_scale[who, f] = orgs.max_scale[who, parent] * w
        orgs.cohesion[who, f] = orgs.cohesion[who, parent]
        orgs.active[who, f] = True
        if r is not None:  # (before the first month's risk exists, every organization shares it)
            r[who, f] = r[who, parent]
    for li in np.flatnonzero(net.lab_org == parent):
        holders = [
            lj for lj in np.flatnonzero(net.lab_node == net.lab_node[li]) if net.lab_org[lj] in factions
        ]
        if not holders:
            continue
        norm = sum(shares[int(net.lab_org[lj])] for lj in holders)
        arrays = [orgs.lab_capacity, orgs.stock_input, orgs.stock_final, orgs.stock_made]
        if in_transit is not None:
            arrays.append(in_transit)
        for arr in arrays:
            moved = arr[who, ..., li].copy()
            for lj in holders:
                arr[who, ..., lj] += moved * (shares[int(net.lab_org[lj])] / norm)
            arr[who, ..., li] -= moved
    orgs.scale[who, parent] = 0.0
    orgs.active[who, parent] = False


def contest(bk: Backend, node_org_flow: np.ndarray, territorial: np.ndarray) -> np.ndarray:
    """Contested share of territorial flow: Σ_n f_n (1 − HHI_n), [M]. ``node_org_flow`` is [M, O, N]."""
    return bk.contest(node_org_flow, territorial)


def remove_leaders(lay: Layout, st: State, bk: Backend, organization: str, e: Any) -> None:
    """A leadership removal (``e``: the effect's parameters): the organization's — or, once it has
    split, its factions' — cohesion falls by ``cohesion_loss``, violence rises by ``violence`` where
    any of them is active, and it fragments with ``fragmentation_probability`` (one draw per member)."""
    net, orgs = lay.net, st.orgs
    M, O = orgs.active.shape
    o = net.org_ids.index(organization)
    targets = [o] if orgs.active[:, o].any() else []
    targets += [f for f in range(O) if net.org_parent[f] == o]
    targets = [x for x in targets if orgs.active[:, x].any()]
    for x in targets:
        orgs.cohesion[:, x] *= np.where(orgs.active[:, x], 1.0 - e.cohesion_loss, 1.0)
    present = orgs.active[:, targets].any(axis=1) if targets else np.zeros(M, dtype=bool)
    orgs.violence_shock += np.where(present, e.violence, 0.0)
    u = bk.uniform(np.empty((M, 1)))[:, 0]
    split(lay, st, o, u < e.fragmentation_probability)


def split(lay: Layout, st: State, o: int, who: np.ndarray) -> None:
    """Organization ``o`` fragments into its factions for the members in ``who``."""
    fragment(lay.net, st.orgs, o, who, lay.faction_share, st.risk.values, st.transit.to_labs)


def grow(lay: Layout, p: Any, st: State, proc: Procurement, inb: Shipping, out: Outbound) -> None:
    """Organizations grow (logistically, slowed by last month's loss rate) and recover cohesion (ODD
    §7.10–7.11). The loss rate is 1 − survival over the inbound leg × the outbound leg, counted in
    final-product equivalents."""
    net, orgs, k, tr = lay.net, st.orgs, p.derived, p.trafficking
    M, O = orgs.scale.shape
    weight = k.input_weight[:, None, :]
    seized_out = out.shipping.seized_by_org[:, :, net.final]
    w_in = (proc.shipped * weight).sum(axis=2)
    loss_in = np.divide((inb.seized_by_org * weight).sum(axis=2), w_in, out=np.zeros((M, O)), where=w_in > 0)
    loss_out = np.divide(seized_out, out.shipped, out=np.zeros((M, O)), where=out.shipped > 0)
    loss = 1.0 - (1.0 - loss_in) * (1.0 - loss_out)
    g, sens = tr.growth_rate[:, None], tr.growth_loss_sensitivity[:, None]
    gain = g * orgs.scale * (1.0 - orgs.scale / np.maximum(orgs.max_scale, 1e-9))
    orgs.scale += np.where(orgs.active, gain * np.maximum(0.0, 1.0 - sens * loss), 0.0)
    hl = tr.cohesion_half_life[:, None]
    orgs.cohesion = 1.0 - (1.0 - orgs.cohesion) * 0.5 ** (1.0 / hl)


def violence(lay: Layout, p: Any, st: State, bk: Backend, inb: Shipping, out: Outbound) -> np.ndarray:
    """The violence index this month (ODD §7.11): decaying event spikes plus the contest for territory
    by the organizations whose flows share territorial nodes, [M]."""
    tr, orgs = p.trafficking, st.orgs
    node_org = inb.flow_by_org_node + out.shipping.flow_by_org_node  # [M, O, N]
    orgs.violence_shock *= 0.5 ** (1.0 / tr.violence_half_life)
    return orgs.violence_shock + tr.contest_violence * contest(bk, node_org, lay.territorial)
