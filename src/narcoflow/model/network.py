"""Compile a scenario's network into arrays: nodes, edges, organization paths, lab pairs, agencies.

Route choice happens on *legs* between anchor nodes (MODEL.md §3.4): inbound legs run from a source
(supplier region) to the first processing node (lab area) or, for the final product only, straight to a
market (direct mail routes); outbound legs run from a processing node to a market. A path is an index
into flat arrays; each organization's feasible paths are those whose territorial nodes all belong to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from narcoflow.errors import ScenarioError
from narcoflow.scenario.schema import Scenario

MAX_LEG_EDGES = 6


@dataclass(frozen=True)
class Network:
    """The scenario's network and organizations as arrays (read-only during a run)."""

    node_ids: list[str]
    node_kind: list[str]
    node_role: np.ndarray  # [N] str
    node_country: list[str]
    node_detection: np.ndarray  # [N]
    # edges (index E is a padding "null" edge with no cost, detection or capacity limit)
    edge_src: np.ndarray  # [E]
    edge_dst: np.ndarray  # [E]
    edge_mode: np.ndarray  # [E] mode index
    edge_cost: np.ndarray  # [E+1]
    edge_transit: np.ndarray  # [E+1]
    edge_capacity: np.ndarray  # [E+1]
    edge_detection: np.ndarray  # [E+1]
    mode_ids: list[str]
    commodity_ids: list[str]
    final: int  # index of the final commodity
    inputs: int | None  # index of the recipe input, if any
    org_ids: list[str]
    org_parent: np.ndarray  # [O] parent index or -1
    sources: np.ndarray  # [R] node index of supplier regions
    markets: np.ndarray  # [Q] node index of market regions
    # (organization, processing node) pairs that hold labs and stocks
    lab_org: np.ndarray  # [L]
    lab_node: np.ndarray  # [L]
    # paths: flat over organizations and legs
    path_org: np.ndarray  # [P]
    path_commodity: np.ndarray  # [P] commodity index carried
    path_inbound: np.ndarray  # [P] bool: inbound leg (else outbound)
    path_source: np.ndarray  # [P] index into sources (inbound) or -1
    path_lab: np.ndarray  # [P] lab pair index: destination (inbound) or origin (outbound); -1 if none
    path_market: np.ndarray  # [P] index into markets, or -1
    path_edges: np.ndarray  # [P, K] edge indices padded with E (null edge)
    path_cost: np.ndarray  # [P] USD/kg
    path_delay: np.ndarray  # [P] whole months in transit
    # agencies
    agency_ids: list[str]
    node_agency: np.ndarray  # [N] agency index or -1
    agency_raids: np.ndarray  # [A] bool

    @property
    def n_edges(self) -> int:
        """Number of real edges (the null edge is index ``n_edges``)."""
        return len(self.edge_src)

    def nodes_of(self, kinds: list[str] | None = None, countries: list[str] | None = None) -> np.ndarray:
        """Boolean mask of nodes of the given kinds and/or countries."""
        mask = np.ones(len(self.node_ids), dtype=bool)
        if kinds:
            mask &= np.isin(np.asarray(self.node_kind), kinds)
        if countries:
            mask &= np.isin(np.asarray(self.node_country), countries)
        return mask


def _enumerate(
    start: int,
    allowed_edge: np.ndarray,
    out_edges: list[list[int]],
    edge_dst: np.ndarray,
    is_anchor: np.ndarray,
) -> list[list[int]]:
    """All simple edge sequences from ``start`` that end at the first anchor node reached."""
    found: list[list[int]] = []
    stack: list[tuple[int, list[int], set[int]]] = [(start, [], {start})]
    while stack:
        node, seq, seen = stack.pop()
        for e in out_edges[node]:
            if not allowed_edge[e]:
                continue
            nxt = int(edge_dst[e])
            if nxt in seen:
                continue
            s2 = [*seq, e]
            if is_anchor[nxt]:
                found.append(s2)
            elif len(s2) < MAX_LEG_EDGES:
                stack.append((nxt, s2, seen | {nxt}))
    return found


@dataclass(frozen=True)
class _Edges:
    src: np.ndarray  # [E]
    dst: np.ndarray  # [E]
    mode: np.ndarray  # [E]
    cost: np.ndarray  # [E+1]
    transit: np.ndarray  # [E+1]
    capacity: np.ndarray  # [E+1]
    detection: np.ndarray  # [E+1]
    allow: np.ndarray  # [E, C] commodity allowed on the edge
    out_edges: list[list[int]]  # edges leaving each node


def _edges(sc: Scenario, index: dict[str, int], commodity_ids: list[str], mode_ids: list[str]) -> _Edges:
    """Every declared (from, to) pair as an edge; a pair declared twice is an error."""
    cidx = {c: i for i, c in enumerate(commodity_ids)}
    src, dst, mode, cost, transit, cap, det, allow = [], [], [], [], [], [], [], []
    seen_pairs: dict[tuple[str, str], int] = {}
    for i, e in enumerate(sc.network.edges):
        for a, b in e.pairs():
            if (a, b) in seen_pairs:
                raise ScenarioError(
                    f"edge {a} -> {b} is declared twice (also in edge {seen_pairs[(a, b)]})",
                    field=f"network.edges.{i}",
                )
            seen_pairs[(a, b)] = i
            src.append(index[a])
            dst.append(index[b])
            mode.append(mode_ids.index(e.mode))
            cost.append(e.cost)
            transit.append(e.transit)
            cap.append(np.inf if e.capacity is None else e.capacity)
            det.append(e.detection)
            ok = np.zeros(len(commodity_ids), dtype=bool)
            for c in e.commodities or commodity_ids:
                ok[cidx[c]] = True
            allow.append(ok)
    E = len(src)
    out_edges: list[list[int]] = [[] for _ in index]
    for k in range(E):
        out_edges[src[k]].append(k)
    return _Edges(
        src=np.array(src, dtype=np.int64),
        dst=np.array(dst, dtype=np.int64),
        mode=np.array(mode, dtype=np.int64),
        cost=np.append(np.array(cost, dtype=np.float64), 0.0),
        transit=np.append(np.array(transit, dtype=np.float64), 0.0),
        capacity=np.append(np.array(cap, dtype=np.float64), np.inf),
        detection=np.append(np.array(det, dtype=np.float64), 0.0),
        allow=np.array(allow, dtype=bool).reshape(E, len(commodity_ids)),
        out_edges=out_edges,
    )


def _territories(sc: Scenario, index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Nodes some organization holds ([N] bool) and each organization's territory ([O, N] bool)."""
    territorial = np.zeros(len(index), dtype=bool)
    territory = np.zeros((len(sc.organizations), len(index)), dtype=bool)
    for o, org in enumerate(sc.organizations.values()):
        for n in org.territory:
            territorial[index[n]] = True
            territory[o, index[n]] = True
    return territorial, territory


_Path = tuple[int, int, bool, int, int, int, list[int]]  # org, commodity, inbound, source, lab, market, edges


def _inbound_paths(sc, ed: _Edges, roles, sources, market_pos, lab_of, territorial, territory, final, inputs):
    """Inbound legs: from each source region to the first lab area or (final product only) market."""
    is_processing, is_market = roles == "processing", roles == "market"
    source_pos = {int(n): r for r, n in enumerate(sources)}
    paths: list[_Path] = []
    for c in [final] + ([inputs] if inputs is not None else []):
        anchor = is_processing | (is_market if c == final else False)
        for s in sources:
            for seq in _enumerate(int(s), ed.allow[:, c], ed.out_edges, ed.dst, anchor):
                end = int(ed.dst[seq[-1]])
                nodes_on = [int(ed.dst[e]) for e in seq]
                for o in range(len(sc.organizations)):
                    if any(territorial[n] and not territory[o, n] for n in nodes_on):
                        continue
                    if is_processing[end] and (o, end) not in lab_of:
                        continue  # a lab area outside this organization's territory
                    if is_processing[end]:
                        paths.append((o, c, True, source_pos[int(s)], lab_of[(o, end)], -1, seq))
                    else:
                        paths.append((o, c, True, source_pos[int(s)], -1, market_pos[end], seq))
    return paths


def _outbound_paths(ed: _Edges, roles, market_pos, lab_org, lab_node, territorial, territory, final):
    """Outbound legs: from each organization's lab area to a market, through its own territory."""
    is_processing, is_market = roles == "processing", roles == "market"
    paths: list[_Path] = []
    for li, (o, n) in enumerate(zip(lab_org, lab_node, strict=True)):
        for seq in _enumerate(n, ed.allow[:, final], ed.out_edges, ed.dst, is_market | is_processing):
            end = int(ed.dst[seq[-1]])
            if not is_market[end]:
                continue
            nodes_on = [int(ed.dst[e]) for e in seq]
            if any(territorial[m] and not territory[o, m] for m in nodes_on):
                continue
            paths.append((o, final, False, -1, li, market_pos[end], seq))
    return paths


def _node_agencies(sc: Scenario, index: dict[str, int]) -> np.ndarray:
    """The agency covering each node ([N], -1 where none); a node covered twice is an error."""
    agency_ids = list(sc.agencies)
    node_agency = np.full(len(index), -1, dtype=np.int64)
    for a, ag in enumerate(sc.agencies.values()):
        for n in ag.nodes:
            if node_agency[index[n]] >= 0:
                other = agency_ids[node_agency[index[n]]]
                raise ScenarioError(
                    f"node '{n}' is already covered by agency '{other}'",
                    field=f"agencies.{agency_ids[a]}.nodes",
                )
            node_agency[index[n]] = a
    return node_agency


def _path_arrays(paths: list[_Path], E: int, ed: _Edges) -> dict[str, np.ndarray]:
    """The flat path arrays of the :class:`Network` (edge lists padded with the null edge ``E``)."""
    K = max(len(p[6]) for p in paths)
    path_edges = np.full((len(paths), K), E, dtype=np.int64)
    for i, p in enumerate(paths):
        path_edges[i, : len(p[6])] = p[6]
    col = lambda j, dt=np.int64: np.array([p[j] for p in paths], dtype=dt)  # noqa: E731
    return {
        "path_org": col(0),
        "path_commodity": col(1),
        "path_inbound": col(2, bool),
        "path_source": col(3),
        "path_lab": col(4),
        "path_market": col(5),
        "path_edges": path_edges,
        "path_cost": ed.cost[path_edges].sum(axis=1),
        "path_delay": np.rint(ed.transit[path_edges].sum(axis=1)).astype(np.int64),
    }


def compile_network(sc: Scenario) -> Network:
    """Compile the scenario's network, organizations and agencies into arrays."""
    node_ids = list(sc.network.nodes)
    index = {n: i for i, n in enumerate(node_ids)}
    kinds = [sc.network.nodes[n].kind for n in node_ids]
    roles = np.array([sc.node_kinds[k].role for k in kinds])
    commodity_ids, mode_ids, org_ids = list(sc.commodities), list(sc.modes), list(sc.organizations)
    final = next(i for i, c in enumerate(commodity_ids) if sc.commodities[c].final)
    inputs = commodity_ids.index(sc.recipe.input) if sc.recipe is not None else None
    ed = _edges(sc, index, commodity_ids, mode_ids)
    oidx = {o: i for i, o in enumerate(org_ids)}
    org_parent = np.array(
        [oidx[o.faction_of] if o.faction_of else -1 for o in sc.organizations.values()], dtype=np.int64
    )
    territorial, territory = _territories(sc, index)
    sources = np.array([index[n] for n in sc.suppliers.regions], dtype=np.int64)
    markets = np.array([index[n] for n in sc.market.regions], dtype=np.int64)
    market_pos = {int(n): q for q, n in enumerate(markets)}
    # (organization, processing node) pairs that hold labs: the lab areas in each one's territory
    pairs = [
        (o, int(n))
        for o in range(len(org_ids))
        for n in np.flatnonzero(roles == "processing")
        if territory[o, n]
    ]
    lab_org, lab_node = [o for o, _ in pairs], [n for _, n in pairs]
    lab_of = {pair: li for li, pair in enumerate(pairs)}
    paths = _inbound_paths(sc, ed, roles, sources, market_pos, lab_of, territorial, territory, final, inputs)
    paths += _outbound_paths(ed, roles, market_pos, lab_org, lab_node, territorial, territory, final)
    if not paths:
        raise ScenarioError("the network has no path from a supplier region to a market", field="network")
    return Network(
        node_ids=node_ids,
        node_kind=kinds,
        node_role=roles,
        node_country=[sc.network.nodes[n].country for n in node_ids],
        node_detection=np.array([sc.network.nodes[n].detection for n in node_ids]),
        edge_src=ed.src,
        edge_dst=ed.dst,
        edge_mode=ed.mode,
        edge_cost=ed.cost,
        edge_transit=ed.transit,
        edge_capacity=ed.capacity,
        edge_detection=ed.detection,
        mode_ids=mode_ids,
        commodity_ids=commodity_ids,
        final=final,
        inputs=inputs,
        org_ids=org_ids,
        org_parent=org_parent,
        sources=sources,
        markets=markets,
        lab_org=np.array(lab_org, dtype=np.int64),
        lab_node=np.array(lab_node, dtype=np.int64),
        **_path_arrays(paths, len(ed.src), ed),
        agency_ids=list(sc.agencies),
        node_agency=_node_agencies(sc, index),
        agency_raids=np.array([a.action == "raid" for a in sc.agencies.values()], dtype=bool),
    )
