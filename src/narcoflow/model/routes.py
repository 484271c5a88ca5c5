"""Route families and what route choice and shipping return (MODEL.md §3.4–3.5).

Paths of one leg family (inbound or outbound) are kept sorted by their choice group so that a group
softmax is a pair of ``reduceat`` calls; :func:`build_family` also precomputes, per path position, the
(organization, edge, commodity) groups that shipping moves together. The arithmetic of route choice
and shipping is the backends' (:mod:`narcoflow.model.reference`, :mod:`narcoflow.model.compiled`); the
steps that use them are :mod:`narcoflow.model.procurement` and :mod:`narcoflow.model.shipping`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from narcoflow.model.network import Network


@dataclass(frozen=True)
class Position:
    """Grouping of a leg family's paths at one path position by (organization, edge, commodity)."""

    perm: np.ndarray  # [n] positions into the family's path list, sorted by group
    starts: np.ndarray  # [G] group starts in perm order
    gidx: np.ndarray  # [n] group index of each entry of perm
    edge: np.ndarray  # [G]
    org: np.ndarray  # [G]
    commodity: np.ndarray  # [G]
    risk_col: np.ndarray  # [G] flat column into risk arrays [M, O*(E+1)*C]
    node: np.ndarray  # [G] the node where a group's seizures are recorded (the edge's head)


@dataclass(frozen=True)
class FlatGroups:
    """All positions' groups in position order, for the compiled shipping kernel (indices unsigned:
    the kernel then skips negative-index checks)."""

    lo: np.ndarray  # [G] start of group g in ``perm``
    org: np.ndarray  # [G]
    hi: np.ndarray  # [G] end of group g in ``perm``
    perm: np.ndarray  # [n] family path positions, grouped
    edge: np.ndarray  # [G]
    commodity: np.ndarray  # [G]
    col: np.ndarray  # [G] column edge*C + commodity of seizure-probability arrays
    risk_col: np.ndarray  # [G]
    node: np.ndarray  # [G]


@dataclass(frozen=True)
class Family:
    """One leg family (inbound or outbound): its paths sorted by choice group."""

    paths: np.ndarray  # [P'] indices into the network's path arrays, sorted by group
    group_starts: np.ndarray  # [G'] starts of choice groups
    group_of: np.ndarray  # [P'] choice group of each path
    group_keys: np.ndarray  # [G'] the key of each choice group
    risk_cols: np.ndarray  # [P', K] flat risk columns (null edge → a column of zeros)
    risk_cols_t: np.ndarray  # [K, P'] the same, edge by edge, unsigned (for the compiled route choice)
    bounds: np.ndarray  # [G' + 1] choice groups' starts and the end
    edges: np.ndarray  # [P', K] edge indices (null edge = E)
    positions: list[Position]
    dest_cols: np.ndarray  # [P'] destination column (lab*2+is_final, or market)
    delay: np.ndarray  # [P'] whole months
    flat: FlatGroups


def risk_columns(net: Network, o: np.ndarray, e: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Flat column index of (organization, edge, commodity) in risk arrays [M, O*(E+1)*C]."""
    C = len(net.commodity_ids)
    return (o * (net.n_edges + 1) + e) * C + c


def build_family(net: Network, mask: np.ndarray, group_key: np.ndarray, dest_cols: np.ndarray) -> Family:
    """Sort the paths selected by ``mask`` by ``group_key`` and precompute the shipping groupings."""
    sel = np.flatnonzero(mask)
    order = np.lexsort((sel, group_key[sel]))
    paths = sel[order]
    keys = group_key[paths]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    group_of = np.cumsum(np.r_[True, keys[1:] != keys[:-1]]) - 1
    E = net.n_edges
    edges = net.path_edges[paths]  # [P', K]
    o = net.path_org[paths]
    c = net.path_commodity[paths]
    rcols = risk_columns(net, o[:, None], edges, c[:, None])
    positions = []
    for k in range(edges.shape[1]):
        real = np.flatnonzero(edges[:, k] < E)
        if real.size == 0:
            continue
        ek, ok, ck = edges[real, k], o[real], c[real]
        key = (ok * (E + 1) + ek) * len(net.commodity_ids) + ck
        srt = np.argsort(key, kind="stable")
        ks = key[srt]
        new = np.r_[True, ks[1:] != ks[:-1]]
        gstarts = np.flatnonzero(new)
        ge = ek[srt][gstarts]
        positions.append(
            Position(
                perm=real[srt],
                starts=gstarts,
                gidx=np.cumsum(new) - 1,
                edge=ge,
                org=ok[srt][gstarts],
                commodity=ck[srt][gstarts],
                risk_col=ks[gstarts],
                node=net.edge_dst[ge],
            )
        )
    lo, hi, offset = [], [], 0
    for p in positions:
        ends = np.r_[p.starts[1:], p.perm.size]
        lo.append(p.starts + offset)
        hi.append(ends + offset)
        offset += p.perm.size
    cat = lambda xs, dt=np.int64: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt)  # noqa: E731
    u = np.uint64
    edge, comm = cat([p.edge for p in positions], u), cat([p.commodity for p in positions], u)
    flat = FlatGroups(
        lo=cat(lo),
        hi=cat(hi),
        perm=cat([p.perm for p in positions], u),
        edge=edge,
        org=cat([p.org for p in positions], u),
        commodity=comm,
        col=edge * u(len(net.commodity_ids)) + comm,
        risk_col=cat([p.risk_col for p in positions], u),
        node=cat([p.node for p in positions], u),
    )
    return Family(
        paths=paths,
        group_starts=starts,
        group_of=group_of,
        group_keys=keys[starts],
        risk_cols=rcols,
        risk_cols_t=np.ascontiguousarray(rcols.T, dtype=np.uint64),
        bounds=np.r_[starts, paths.size].astype(np.int64),
        edges=edges,
        positions=positions,
        dest_cols=dest_cols[paths],
        delay=net.path_delay[paths],
        flat=flat,
    )


def capacity_factor(flows: np.ndarray, fam: Family, capacity: np.ndarray) -> np.ndarray:
    """Per-path scaling in [0, 1] that keeps every edge's total flow within its capacity.

    ``capacity`` is [E+1] kg/month (null edge: inf). An edge over capacity scales all paths through it
    proportionally; a path takes the smallest factor among its edges. ``flows`` is [M, P'].
    """
    edges = fam.edges
    load = np.zeros((flows.shape[0], capacity.size))
    for k in range(edges.shape[1]):
        np.add.at(load, (slice(None), edges[:, k]), flows)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(load > capacity[None, :], capacity[None, :] / load, 1.0)
    return f[:, edges].min(axis=2)


@dataclass
class RouteChoice:
    """A family's route choice this month, [M, P'] (and [M, G'] for the expectations)."""

    shares: np.ndarray  # multinomial-logit share of each path within its choice group
    survival: np.ndarray  # perceived probability of surviving the whole path
    expected_cost: np.ndarray | None  # share-weighted path cost per choice group
    expected_survival: np.ndarray | None  # share-weighted survival per choice group


@dataclass
class Shipping:
    """What happened to a family's flows this month."""

    delivered: np.ndarray  # [M, P'] kg reaching the leg's end
    seized_by_node: np.ndarray  # [M, C, N] kg
    events_by_node: np.ndarray  # [M, C, N] seizure events
    flow_by_node: np.ndarray  # [M, C, N] kg arriving at each node (before seizure there)
    seized_by_org: np.ndarray  # [M, O, C] kg seized from each organization
    flow_by_org_node: np.ndarray  # [M, O, N] kg of each organization arriving at each node

    @classmethod
    def start(cls, flows: np.ndarray, C: int, N: int, O: int) -> Shipping:
        """The record of a leg about to ship ``flows`` [M, P'] (scaled in place into ``delivered``)."""
        M = flows.shape[0]
        z = lambda *shape: np.zeros((M, *shape))  # noqa: E731
        return cls(flows, z(C, N), z(C, N), z(C, N), z(O, C), z(O, N))
