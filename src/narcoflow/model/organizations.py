"""Trafficking organizations: scale, cohesion, leadership removal, fragmentation, violence (§3.11).

A leadership removal multiplies cohesion by (1 − loss); cohesion recovers toward 1 with a half-life and
scales the organization's throughput. Fragmentation hands the parent's scale, labs, stocks and risk
memory to its declared factions (by share), which then contest the territory they share. The violence
index is a decaying sum of event spikes plus the contest term w·Σ_n f_n·(1 − HHI_n) over territorial
nodes (f_n the node's share of flow, HHI_n the Herfindahl index of organizations' flows there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from narcoflow.model import kernels
from narcoflow.model.network import Network


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


def init_orgs(net: Network, v: dict, M: int) -> Orgs:
    """Top-level organizations start active with their scale and labs; factions start dormant."""
    O, L = len(net.org_ids), len(net.lab_org)
    scale = np.zeros((M, O))
    max_scale = np.zeros((M, O))
    active = np.zeros((M, O), dtype=bool)
    lab_cap = np.zeros((M, L))
    for o, oid in enumerate(net.org_ids):
        parent = net.org_parent[o]
        if parent < 0:
            scale[:, o] = v[f"organizations.{oid}.initial_scale"]
            max_scale[:, o] = v[f"organizations.{oid}.max_scale"]
            active[:, o] = True
            labs = np.flatnonzero(net.lab_org == o)
            if labs.size:
                lab_cap[:, labs] = (v[f"organizations.{oid}.initial_lab_capacity"] / labs.size)[:, None]
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


def contest(net: Network, node_org_flow: np.ndarray, territorial: np.ndarray) -> np.ndarray:
    """Contested share of territorial flow: Σ_n f_n (1 − HHI_n), [M]. ``node_org_flow`` is [M, O, N]."""
    if kernels.ENABLED and node_org_flow.shape[0] > 0:
        out = np.empty(node_org_flow.shape[0])
        terr = np.flatnonzero(territorial).astype(np.uint64)
        kernels.contest(np.ascontiguousarray(node_org_flow), terr, out)
        return out
    flow = node_org_flow[:, :, territorial]
    tot = flow.sum(axis=1)  # [M, N']
    share = np.divide(flow, tot[:, None, :], out=np.zeros_like(flow), where=tot[:, None, :] > 0)
    hhi = (share**2).sum(axis=1)
    grand = tot.sum(axis=1, keepdims=True)
    f = np.divide(tot, grand, out=np.zeros_like(tot), where=grand > 0)
    return (f * np.where(tot > 0, 1.0 - hhi, 0.0)).sum(axis=1)
