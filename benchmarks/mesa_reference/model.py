"""NarcoFlow's baseline written the way a Mesa user would write it: the reference for the speed issue.

One :class:`SupplyModel` (a ``mesa.Model``) is one Monte Carlo member. Every firm, trafficking
organization, lab pair, enforcement agency, market region and population stock is a ``mesa.Agent``;
the model steps month by month and calls the agents' methods in the order of ODD §3 with Mesa 3's
``AgentSet.do`` / ``shuffle_do``. All numbers are plain Python floats held on the agents; every random
number comes from the model's own generator (``model.rng``; firm activation is shuffled with
``model.random``).

Only the scenario file is shared with NarcoFlow: it is read with ``narcoflow.load_scenario`` and the
parameters are taken from the scenario objects directly (point values, no posterior). The network and
the organizations' leg paths are built with networkx (``nx.all_simple_edge_paths``), independently of
``narcoflow.model.network``; :func:`check_paths` compares the two enumerations.

The mechanics are those of the engine (``src/narcoflow/engine.py``; ODD §3 and §7): events and levels
with ramps, firms and the regulator, coverage and per-shipment seizure probabilities, the procurement
logit, inbound and outbound route logits on perceived risk, shipments as ``ceil(kg / size)`` with one
binomial per (organization, edge, commodity) and path position, labs (conversion, raids, capacity
growth), markets (price, purity, φ), harm (stocks, deaths), adaptation (risk learning, agency
learning, growth, cohesion), fragmentation and violence.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from typing import Any

import mesa
import networkx as nx

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

MAX_LEG_EDGES = 6
LOG_FLOOR = math.log(1e-12)
STOCKS = ("no_use", "use", "oud", "treatment", "remission")


def sigmoid(x: float) -> float:
    """Logistic function, safe for large |x|."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def pv(p: Any, default: float = 0.0) -> float:
    """A parameter's point value (``default`` if the scenario leaves the optional parameter out)."""
    return default if p is None else float(p.value)


class EndOfScale:
    """The month a temporary ``scale_level`` (one with ``until``) stops: divide its level by the factor."""

    def __init__(self, scale: ScaleLevel) -> None:
        self.scale = scale


# ------------------------------------------------------------------------------------------ static world
@dataclass(frozen=True)
class EdgeInfo:
    """One directed edge of the scenario's network."""

    index: int
    src: str
    dst: str
    mode: str
    cost: float
    transit: float
    capacity: float
    detection: float
    commodities: frozenset[str]


@dataclass(frozen=True)
class Route:
    """One leg path of one organization for one commodity (inbound or outbound)."""

    org: str
    commodity: int
    inbound: bool
    source: str | None  # source region (inbound)
    lab: str | None  # lab area: destination (inbound to a lab) or origin (outbound)
    market: str | None  # market region at the end, if any
    edges: tuple[int, ...]
    cost: float
    delay: int


class World:
    """What does not change during a run: the scenario's graph, its paths, its parameters' layout.

    A Mesa user would build this in ``Model.__init__``; it is built once per process here and shared by
    the members (it holds no state that a run changes).
    """

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.commodities = list(sc.commodities)
        self.fin = next(i for i, c in enumerate(self.commodities) if sc.commodities[c].final)
        self.inp = self.commodities.index(sc.recipe.input) if sc.recipe is not None else None
        self.graph = g = nx.DiGraph()
        for nid, node in sc.network.nodes.items():
            g.add_node(
                nid,
                kind=node.kind,
                role=sc.node_kinds[node.kind].role,
                country=node.country,
                detection=node.detection,
            )
        self.edges: list[EdgeInfo] = []
        for decl in sc.network.edges:
            for a, b in decl.pairs():
                e = EdgeInfo(
                    index=len(self.edges),
                    src=a,
                    dst=b,
                    mode=decl.mode,
                    cost=decl.cost,
                    transit=decl.transit,
                    capacity=math.inf if decl.capacity is None else decl.capacity,
                    detection=decl.detection,
                    commodities=frozenset(decl.commodities or self.commodities),
                )
                self.edges.append(e)
                g.add_edge(a, b, index=e.index)
        self.edge_size = {m: pv(mode.shipment_size) for m, mode in sc.modes.items()}
        if any(math.isfinite(e.capacity) for e in self.edges):
            # (edge capacities scale the flows of all organizations together; the baseline declares none)
            raise NotImplementedError("the Mesa reference does not model edge capacities")
        role = nx.get_node_attributes(g, "role")
        self.territory = {o: set(org.territory) for o, org in sc.organizations.items()}
        self.territorial = set().union(*self.territory.values())
        processing = [n for n in sc.network.nodes if role[n] == "processing"]
        markets = [n for n in sc.network.nodes if role[n] == "market"]
        # lab pairs: (organization, lab area in its territory)
        self.lab_pairs = [(o, n) for o in sc.organizations for n in processing if n in self.territory[o]]
        pairs = set(self.lab_pairs)

        def feasible(o: str, nodes: list[str]) -> bool:
            return all(n not in self.territorial or n in self.territory[o] for n in nodes[1:])

        def legs(start: str, c: str, anchors: set[str]) -> list[list[str]]:
            """Simple node paths from ``start`` that end at the first anchor reached (≤ 6 edges)."""
            sub = nx.subgraph_view(g, filter_edge=lambda a, b: c in self.edges[g[a][b]["index"]].commodities)
            out = []
            for ep in nx.all_simple_edge_paths(sub, start, anchors, cutoff=MAX_LEG_EDGES):
                nodes = [start] + [b for _, b in ep]
                if not any(n in anchors for n in nodes[1:-1]):
                    out.append(nodes)
            return out

        def route(
            o: str, c: int, nodes: list[str], inbound: bool, lab: str | None, market: str | None
        ) -> Route:
            eids = tuple(g[a][b]["index"] for a, b in itertools.pairwise(nodes))
            return Route(
                org=o,
                commodity=c,
                inbound=inbound,
                source=nodes[0] if inbound else None,
                lab=lab,
                market=market,
                edges=eids,
                cost=sum(self.edges[e].cost for e in eids),
                delay=round(sum(self.edges[e].transit for e in eids)),  # half to even, like np.rint
            )

        self.routes: list[Route] = []
        inbound_commodities = [self.fin] + ([self.inp] if self.inp is not None else [])
        for c in inbound_commodities:
            anchors = set(processing) | (set(markets) if c == self.fin else set())
            for s in sc.suppliers.regions:
                for nodes in legs(s, self.commodities[c], anchors):
                    end = nodes[-1]
                    for o in sc.organizations:
                        if not feasible(o, nodes):
                            continue
                        if end in processing:
                            if (o, end) in pairs:
                                self.routes.append(route(o, c, nodes, True, end, None))
                        else:
                            self.routes.append(route(o, c, nodes, True, None, end))
        for o, lab in self.lab_pairs:
            for nodes in legs(lab, self.commodities[self.fin], set(markets) | set(processing)):
                if nodes[-1] in markets and feasible(o, nodes):
                    self.routes.append(route(o, self.fin, nodes, False, lab, nodes[-1]))
        self.markets = markets
        share = {q: r.demand_share for q, r in sc.market.regions.items()}
        tot = sum(share.values())
        self.log_demand = {q: math.log(share[q] / tot) for q in share}
        self.demand_share = {q: share[q] / tot for q in share}
        # calendar
        self.y0, self.m0 = parse_month(sc.calendar.start)
        self.months = sc.calendar.months
        self.events_at: dict[int, list[tuple[str, Any]]] = {}
        for eid, ev in sc.events.items():
            if not ev.enabled:
                continue
            y, m = parse_month(ev.date)
            t = (y - self.y0) * 12 + (m - self.m0)
            if 0 <= t < self.months:
                self.events_at.setdefault(t, []).extend((eid, eff) for eff in ev.effects)
            for eff in ev.effects:  # a temporary scale_level ends: its level is divided by the factor again
                if isinstance(eff, ScaleLevel) and eff.until is not None:
                    yu, mu = parse_month(eff.until)
                    tu = (yu - self.y0) * 12 + (mu - self.m0)
                    if 0 <= t < self.months and 0 <= tu < self.months:
                        self.events_at.setdefault(tu, []).append((eid, EndOfScale(eff)))
        self.node_kind = nx.get_node_attributes(g, "kind")
        groups = sc.observables.seizure_groups
        country = nx.get_node_attributes(g, "country")

        def group_nodes(name: str) -> frozenset[str]:
            spec = groups[name]
            return frozenset(
                n
                for n in sc.network.nodes
                if (not spec.kinds or self.node_kind[n] in spec.kinds)
                and (not spec.countries or country[n] in spec.countries)
            )

        self.sw_nodes = group_nodes("sw_total")
        self.ofo_nodes = group_nodes("sw_ofo")

    def calendar(self, t: int) -> tuple[int, int]:
        """(year, month) of month index ``t``."""
        k = self.m0 - 1 + t
        return self.y0 + k // 12, k % 12 + 1


_WORLDS: dict[int, World] = {}


def world_for(sc: Scenario) -> World:
    """The :class:`World` of a scenario object (built once per process)."""
    w = _WORLDS.get(id(sc))
    if w is None or w.sc is not sc:
        w = _WORLDS[id(sc)] = World(sc)
    return w


def check_paths(sc: Scenario) -> dict[str, int]:
    """Compare the networkx path enumeration with ``narcoflow.model.network.compile_network``."""
    from narcoflow.model.network import compile_network

    w = world_for(sc)
    net = compile_network(sc)

    def key(o: str, c: int, inbound: bool, edges: tuple[int, ...]) -> tuple:
        return (o, c, inbound, tuple(w.edges[e].src + ">" + w.edges[e].dst for e in edges))

    ours = {key(r.org, r.commodity, r.inbound, r.edges) for r in w.routes}
    E = net.n_edges
    theirs = set()
    for p in range(len(net.path_org)):
        eids = tuple(int(e) for e in net.path_edges[p] if e < E)
        names = tuple(net.node_ids[net.edge_src[e]] + ">" + net.node_ids[net.edge_dst[e]] for e in eids)
        theirs.add(
            (net.org_ids[net.path_org[p]], int(net.path_commodity[p]), bool(net.path_inbound[p]), names)
        )
    return {
        "mesa_paths": len(w.routes),
        "narcoflow_paths": len(net.path_org),
        "only_mesa": len(ours - theirs),
        "only_narcoflow": len(theirs - ours),
    }


# ----------------------------------------------------------------------------------------------- agents
class SupplierFirm(mesa.Agent):
    """A Chinese chemical firm that may sell precursor (and, if able, product) illicitly each month."""

    def __init__(self, model: SupplyModel, region: str, willingness: float, capacity: float, finished: bool):
        super().__init__(model)
        self.region = region
        self.willingness = willingness
        self.capacity = capacity
        self.finished = finished
        self.active = True
        self.scrutinized = False

    def step(self) -> None:
        """Re-entry if shut; else sell each commodity by a logit; a scrutinized seller may be shut."""
        m = self.model
        u = m.rng.random()
        if not self.active:
            if u < m.p_resilience:
                self.active = True  # sells from next month on
            return
        prem_in, prem_fin, c_in, c_fin, sanc_plain, sanc_scrut, det = m.firm_terms
        sanction = sanc_scrut if self.scrutinized else sanc_plain
        thr_in = sigmoid(self.willingness + prem_in - c_in * sanction)
        thr_fin = sigmoid(self.willingness + prem_fin - c_fin * sanction) if self.finished else 0.0
        sells_in = u < thr_in
        sells_fin = u < thr_fin
        if not (sells_in or sells_fin):
            return
        m.firms_selling += 1
        if sells_in:
            m.firm_capacity_in[self.region] += self.capacity
        if sells_fin:
            m.firm_capacity_fin[self.region] += self.capacity
        if self.scrutinized:
            ctrl = m.control[m.fin] if sells_fin else m.control[m.inp]
            if u < max(thr_in, thr_fin) * det * ctrl:
                self.active = False  # it still sold this month
                m.firms_shut += 1


class Regulator(mesa.Agent):
    """The origin regulator: each January (and in the first month) it draws the firms it scrutinizes."""

    def __init__(self, model: SupplyModel):
        super().__init__(model)
        sc = model.sc.regulator
        self.share = pv(sc.scrutiny_share)
        self.targeting = sc.targeting
        self.accuracy = pv(sc.targeting_accuracy)
        self.detection = pv(sc.detection)
        self.dependence = pv(sc.cooperation_dependence)
        self.relation = sc.relation

    def cooperation_factor(self) -> float:
        m = self.model
        if self.relation is None:
            return 1.0
        return 1.0 - self.dependence + self.dependence * m.cooperation(self.relation)

    def step(self) -> None:
        m = self.model
        if not (m.t == 0 or m.calendar_month == 1):
            return
        firms = m.agents_by_type[SupplierFirm]
        weight: dict[int, float] = {}
        if self.targeting == "risk_based":
            alpha = self.accuracy * self.cooperation_factor()
            mean = sum(sigmoid(f.willingness) for f in firms) / len(firms)
            weight = {f.unique_id: (1 - alpha) + alpha * sigmoid(f.willingness) / mean for f in firms}
        for f in firms:
            f.scrutinized = m.rng.random() < min(1.0, self.share * weight.get(f.unique_id, 1.0))


class LabPair(mesa.Agent):
    """An organization's labs in one lab area: capacity, precursor and product stocks, transit."""

    def __init__(self, model: SupplyModel, org: Organization, node: str, capacity: float):
        super().__init__(model)
        self.org = org
        self.node = node
        self.capacity = capacity
        self.stock_in = 0.0
        self.stock_fin = 0.0
        self.stock_made = 0.0  # part of stock_fin made here from precursor (tracer)
        self.incoming: dict[int, list[float]] = {}  # month -> [precursor kg, product kg] due then

    def deliver(self, month: int, commodity: int, kg: float) -> None:
        slot = self.incoming.setdefault(month, [0.0, 0.0])
        slot[1 if commodity == self.model.fin else 0] += kg

    def convert(self) -> None:
        """Arrivals due this month enter the stocks; precursor is converted up to capacity."""
        m = self.model
        arr_in, arr_fin = self.incoming.pop(m.t, (0.0, 0.0))
        self.stock_in += arr_in
        self.stock_fin += arr_fin
        conv = min(self.stock_in, self.capacity)
        self.stock_in -= conv
        made = conv * m.p_factor
        self.stock_fin += made
        self.stock_made += made
        m.ledger["converted"] += conv
        m.ledger["produced"] += made

    def grow_capacity(self) -> None:
        """Capacity moves toward this pair's share of desired precursor throughput, with a lag."""
        desired = self.org.desired_in * self.org.lab_share[self.node]
        self.capacity += max(desired - self.capacity, 0.0) / self.model.p_lab_lag


class Organization(mesa.Agent):
    """A trafficking organization (or a dormant faction): procurement, routing, shipping, learning."""

    def __init__(self, model: SupplyModel, name: str):
        super().__init__(model)
        sc = model.sc.organizations[name]
        w = model.world
        self.name = name
        self.parent = sc.faction_of
        self.share = sc.share
        top = self.parent is None
        self.active = top
        self.scale = pv(sc.initial_scale) if top else 0.0
        self.max_scale = pv(sc.max_scale) if top else 0.0
        self.cohesion = 1.0
        self.fill = [1.0] * len(w.commodities)
        self.risk: dict[tuple[int, int], float] = {}  # perceived seizure risk per (edge, commodity)
        lab_nodes = [n for o, n in w.lab_pairs if o == name]
        cap0 = pv(sc.initial_lab_capacity) / len(lab_nodes) if (top and lab_nodes) else 0.0
        self.labs = {n: LabPair(model, self, n, cap0) for n in lab_nodes}
        self.routes_in = [r for r in w.routes if r.org == name and r.inbound]
        self.routes_out = [r for r in w.routes if r.org == name and not r.inbound]
        self.in_by_commodity = {
            c: [i for i, r in enumerate(self.routes_in) if r.commodity == c]
            for c in range(len(w.commodities))
        }
        self.in_by_commodity = {c: ix for c, ix in self.in_by_commodity.items() if ix}
        self.out_by_lab = {n: [i for i, r in enumerate(self.routes_out) if r.lab == n] for n in self.labs}
        self.positions_in = self._positions(self.routes_in)
        self.positions_out = self._positions(self.routes_out)
        self.lab_share: dict[str, float] = {}
        self.desired_in = 0.0

    @staticmethod
    def _positions(routes: list[Route]) -> list[list[tuple[int, int, list[int]]]]:
        """Shipment groups per path position: [(edge, commodity, route indices)]."""
        out = []
        for k in range(max((len(r.edges) for r in routes), default=0)):
            groups: dict[tuple[int, int], list[int]] = {}
            for i, r in enumerate(routes):
                if k < len(r.edges):
                    groups.setdefault((r.edges[k], r.commodity), []).append(i)
            out.append([(e, c, ix) for (e, c), ix in groups.items()])
        return out

    def survival(self, route: Route) -> float:
        s = 1.0
        for e in route.edges:
            s *= 1.0 - self.risk[(e, route.commodity)]
        return s

    # -- step 4: procurement and inbound route choice
    def plan_orders(self) -> None:
        m = self.model
        w = m.world
        lab_total = sum(lab.capacity for lab in self.labs.values())
        n_labs = max(len(self.labs), 1)
        self.lab_share = {
            n: (lab.capacity / lab_total if lab_total > 0 else 1.0 / n_labs) for n, lab in self.labs.items()
        }
        self.shares_in = [0.0] * len(self.routes_in)
        landed = [math.inf] * len(w.commodities)
        for c, idx in self.in_by_commodity.items():
            value = m.value[c]
            utils, survs = [], []
            for i in idx:
                r = self.routes_in[i]
                surv = self.survival(r)
                attract = math.log(max(m.source_share[(r.source, c)], 1e-12))
                if r.lab is not None:
                    attract += math.log(max(self.lab_share[r.lab], 1e-12))
                else:
                    attract += w.log_demand[r.market]
                utils.append(-m.p_theta * (r.cost + m.p_lambda * value * (1.0 - surv)) / value + attract)
                survs.append(surv)
            top = max(utils)
            ex = [math.exp(u - top) for u in utils]
            den = sum(ex)
            e_cost = e_surv = 0.0
            for i, x, surv in zip(idx, ex, survs, strict=True):
                s = x / den
                self.shares_in[i] = s
                e_cost += s * self.routes_in[i].cost
                e_surv += s * surv
            risk_cost = m.price[c] + e_cost + m.p_lambda * value * (1.0 - e_surv)
            landed[c] = risk_cost / max(self.fill[c], 0.05)
        want = self.scale * self.cohesion if self.active else 0.0
        fin, inp = m.fin, m.inp
        if inp is None or not self.labs:
            s_fin = 1.0
        else:
            c_pre = landed[inp] / m.p_factor + m.p_recipe_cost
            c_fin = landed[fin]
            if math.isinf(c_pre):
                s_fin = 1.0
            elif math.isinf(c_fin):
                s_fin = 0.0
            else:
                s_fin = sigmoid(m.p_procurement * (c_pre - c_fin) / m.value[fin])
        self.want = want
        self.s_fin = s_fin
        self.order = [0.0] * len(w.commodities)
        self.order[fin] = want * s_fin
        self.desired_in = want * (1.0 - s_fin) / m.p_factor
        if inp is not None:
            self.order[inp] = min(self.desired_in, lab_total)
        self.flows_in = [
            self.order[r.commodity] * s for r, s in zip(self.routes_in, self.shares_in, strict=True)
        ]
        for r, x in zip(self.routes_in, self.flows_in, strict=True):
            m.demand[(r.source, r.commodity)] += x

    def settle_orders(self) -> None:
        """Suppliers ration (proportionally per region); fill rates follow what was obtained."""
        m = self.model
        for i, r in enumerate(self.routes_in):
            self.flows_in[i] *= m.ration[(r.source, r.commodity)]
        self.got = [0.0] * len(m.world.commodities)
        for r, x in zip(self.routes_in, self.flows_in, strict=True):
            self.got[r.commodity] += x
        for c in self.in_by_commodity:
            if self.order[c] > 0:
                self.fill[c] = 0.7 * self.fill[c] + 0.3 * self.got[c] / self.order[c]
        for c, g in enumerate(self.got):
            m.ledger["sold", c] += g

    # -- shipping (steps 5 and 7)
    def _ship(
        self,
        routes: list[Route],
        positions: list[list[tuple[int, int, list[int]]]],
        flows: list[float],
        tracer: list[float] | None = None,
    ) -> float:
        """Move ``flows`` along the routes position by position; returns the kg seized."""
        m = self.model
        w = m.world
        rng = m.rng
        seized_total = 0.0
        for groups in positions:
            for e, c, members in groups:
                X = 0.0
                for i in members:
                    X += flows[i]
                if X <= 0.0:
                    continue
                edge = w.edges[e]
                n = math.ceil(X / (w.edge_size[edge.mode] * m.levels[f"shipment.{edge.mode}"]))
                S = int(rng.binomial(n, m.q[(e, c)]))
                frac = S / n
                keep = 1.0 - frac
                for i in members:
                    flows[i] *= keep
                    if tracer is not None:
                        tracer[i] *= keep
                seized = X * frac
                seized_total += seized
                self.exposure[(e, c)] = self.exposure.get((e, c), 0.0) + X
                self.seized_exp[(e, c)] = self.seized_exp.get((e, c), 0.0) + seized
                self.arrived[edge.dst] = self.arrived.get(edge.dst, 0.0) + X
                m.record_seizure(c, edge.dst, seized, S)
        return seized_total

    def ship_inbound(self) -> None:
        m = self.model
        self.exposure: dict[tuple[int, int], float] = {}
        self.seized_exp: dict[tuple[int, int], float] = {}
        self.arrived: dict[str, float] = {}
        flows = list(self.flows_in)
        self.seized_in = [0.0] * len(m.world.commodities)
        before = dict(m.seized_by_commodity)
        self._ship(self.routes_in, self.positions_in, flows)
        for c in range(len(self.seized_in)):
            self.seized_in[c] = m.seized_by_commodity[c] - before[c]
        for r, y in zip(self.routes_in, flows, strict=True):
            if r.lab is not None:
                self.labs[r.lab].deliver(m.t + r.delay, r.commodity, y)
            else:
                m.markets[r.market].deliver(m.t + r.delay, y, 0.0)

    def ship_outbound(self) -> None:
        """All product in stock at the organization's labs leaves for the border and the markets."""
        m = self.model
        w = m.world
        flows = [0.0] * len(self.routes_out)
        made = [0.0] * len(self.routes_out)
        self.shipped_out = 0.0
        value = m.value[m.fin]
        for node, idx in self.out_by_lab.items():
            if not idx:
                continue
            lab = self.labs[node]
            utils = []
            for i in idx:
                r = self.routes_out[i]
                surv = self.survival(r)
                utils.append(
                    -m.p_theta * (r.cost + m.p_lambda * value * (1.0 - surv)) / value + w.log_demand[r.market]
                )
            top = max(utils)
            ex = [math.exp(u - top) for u in utils]
            den = sum(ex)
            shares = [x / den for x in ex]
            sent = sent_made = 0.0
            for i, s in zip(idx, shares, strict=True):
                flows[i] = lab.stock_fin * s
                made[i] = lab.stock_made * s
                sent += flows[i]
                sent_made += made[i]
            lab.stock_fin = max(lab.stock_fin - sent, 0.0)
            lab.stock_made -= sent_made
            self.shipped_out += sent
        self.seized_out = self._ship(self.routes_out, self.positions_out, flows, tracer=made)
        for r, y, z in zip(self.routes_out, flows, made, strict=True):
            m.markets[r.market].deliver(m.t + r.delay, y, z)

    # -- step 10: adaptation
    def learn_risk(self) -> None:
        """Perceived risk per edge: smoothed seizure rate where shipped, else back toward the prior."""
        m = self.model
        wgt, rho = m.p_risk_memory, m.p_risk_prior
        for key, r in self.risk.items():
            x = self.exposure.get(key, 0.0)
            if x > 0:
                self.risk[key] = (1.0 - wgt) * r + wgt * self.seized_exp[key] / x
            else:
                self.risk[key] = r + rho * (m.risk0[key] - r)

    def grow(self) -> None:
        """Logistic growth of desired throughput slowed by this month's loss rate; cohesion recovers."""
        m = self.model
        omega = m.input_weight
        w_in = sum(omega[c] * g for c, g in enumerate(self.got))
        loss_in = sum(omega[c] * s for c, s in enumerate(self.seized_in)) / w_in if w_in > 0 else 0.0
        loss_out = self.seized_out / self.shipped_out if self.shipped_out > 0 else 0.0
        loss = 1.0 - (1.0 - loss_in) * (1.0 - loss_out)
        if self.active:
            grow = m.p_growth * self.scale * (1.0 - self.scale / max(self.max_scale, 1e-9))
            self.scale += grow * max(0.0, 1.0 - m.p_loss_sens * loss)
        self.cohesion = 1.0 - (1.0 - self.cohesion) * 0.5 ** (1.0 / m.p_cohesion_hl)

    # -- events
    def fragment(self) -> None:
        """Split into the declared factions: scale, labs, stocks, shipments in transit and risk memory."""
        m = self.model
        if not self.active:
            return
        factions = [o for o in m.organizations.values() if o.parent == self.name]
        if not factions:
            return
        total = sum(f.share for f in factions)
        for f in factions:
            wf = f.share / total
            f.scale = self.scale * wf
            f.max_scale = self.max_scale * wf
            f.cohesion = self.cohesion
            f.active = True
            if self.risk:
                f.risk = dict(self.risk)
        for node, lab in self.labs.items():
            holders = [f.labs[node] for f in factions if node in f.labs]
            if not holders:
                continue
            norm = sum(h.org.share for h in holders)
            for h in holders:
                k = h.org.share / norm
                h.capacity += lab.capacity * k
                h.stock_in += lab.stock_in * k
                h.stock_fin += lab.stock_fin * k
                h.stock_made += lab.stock_made * k
                for month, (kin, kfin) in lab.incoming.items():
                    slot = h.incoming.setdefault(month, [0.0, 0.0])
                    slot[0] += kin * k
                    slot[1] += kfin * k
            lab.capacity = lab.stock_in = lab.stock_fin = lab.stock_made = 0.0
            lab.incoming = {}
        self.scale = 0.0
        self.active = False


class Agency(mesa.Agent):
    """An enforcement agency: covers its nodes (inspection or lab raids) and learns where to look."""

    def __init__(self, model: SupplyModel, name: str):
        super().__init__(model)
        a = model.sc.agencies[name]
        self.name = name
        self.action = a.action
        total = sum(a.nodes.values())
        self.alloc = {n: wt / total for n, wt in a.nodes.items()}
        self.capacity0 = pv(a.capacity)
        self.trend = pv(getattr(a, "capacity_trend", None))
        self.detection = pv(a.detection)
        self.rate = pv(a.learning_rate)
        self.relation = a.relation
        self.dependence = pv(a.cooperation_dependence)
        self.enforces_controls = a.enforces_controls
        self.raid_destroys = pv(a.raid_destroys)
        self.adaptive = a.plan == "adaptive"
        self.coverage: dict[str, float] = {}
        self.effectiveness = 0.0

    def set_coverage(self) -> None:
        """Effectiveness δ·I·k and coverage min(1, R·α_n) this month."""
        m = self.model
        eff = self.detection * m.levels[f"intensity.{self.name}"]
        if self.relation is not None:
            eff *= 1.0 - self.dependence + self.dependence * m.cooperation(self.relation)
        self.effectiveness = eff
        cap = self.capacity0 * (1.0 + self.trend) ** m.years
        self.coverage = {n: min(1.0, cap * a) for n, a in self.alloc.items()}

    def inspect(self) -> None:
        """Per-shipment seizure probability on every edge into a covered node."""
        if self.action != "inspect":
            return
        m = self.model
        for e in m.edges_into_agency[self.name]:
            n = e.dst
            for c in range(len(m.world.commodities)):
                p = self.coverage[n] * self.effectiveness * (m.control[c] if self.enforces_controls else 1.0)
                base = m.base_q[e.index]
                m.q[(e.index, c)] = 1.0 - (1.0 - base) * (1.0 - min(max(p, 0.0), 1.0))

    def raid(self) -> None:
        """Each lab pair in a covered lab area is raided with probability c·e (after conversion)."""
        if self.action != "raid":
            return
        m = self.model
        for lab in m.agents_by_type[LabPair]:
            if lab.node not in self.coverage:
                continue
            u = m.rng.random()
            if u < self.coverage[lab.node] * self.effectiveness:
                frac = self.raid_destroys
                lost_in, lost_fin = lab.stock_in * frac, lab.stock_fin * frac
                lab.stock_made -= lab.stock_made * frac
                lab.stock_in -= lost_in
                lab.stock_fin -= lost_fin
                lab.capacity *= 1.0 - frac
                m.ledger["destroyed", m.inp] += lost_in
                m.ledger["destroyed", m.fin] += lost_fin
                m.raid_success[lab.node] = (
                    m.raid_success.get(lab.node, 0.0) + lost_in * m.input_weight[m.inp] + lost_fin
                )

    def learn_allocation(self) -> None:
        """Shift coverage toward the nodes where seizures (in product equivalents) and raids succeeded."""
        if not self.adaptive:
            return
        m = self.model
        success = {}
        for n in self.alloc:
            s = sum(m.input_weight[c] * m.seized.get((c, n), 0.0) for c in range(len(m.world.commodities)))
            success[n] = s + m.raid_success.get(n, 0.0)
        total = sum(success.values())
        if total > 0:
            eta = self.rate
            self.alloc = {n: (1.0 - eta) * a + eta * success[n] / total for n, a in self.alloc.items()}


class MarketRegion(mesa.Agent):
    """A US market region: product stock, a fixed share consumed each month."""

    def __init__(self, model: SupplyModel, node: str):
        super().__init__(model)
        self.node = node
        self.stock = 0.0
        self.incoming: dict[int, list[float]] = {}  # month -> [kg, kg made from precursor]

    def deliver(self, month: int, kg: float, made: float) -> None:
        slot = self.incoming.setdefault(month, [0.0, 0.0])
        slot[0] += kg
        slot[1] += made

    def consume(self) -> None:
        m = self.model
        arr, made = self.incoming.pop(m.t, (0.0, 0.0))
        m.delivered += arr
        m.delivered_made += made
        self.stock += arr
        cons = self.stock * m.p_consumption
        self.stock -= cons
        m.consumed += cons


class PopulationCohort(mesa.Agent):
    """One population stock (US, age 12+): no use, use, OUD, treatment, remission."""

    def __init__(self, model: SupplyModel, stock: str, count: float, hazard: float):
        super().__init__(model)
        self.stock = stock
        self.count = count
        self.hazard = hazard  # yearly overdose hazard
        self.outflows: dict[str, float] = {}
        self.deaths = 0.0

    def plan(self) -> None:
        """Deaths and outflows from the stocks at the start of the month (explicit Euler, rates / 12)."""
        m = self.model
        h = m.harm
        x = self.count
        self.deaths = min(x * self.hazard / 12.0 * m.hazard_multiplier, x)
        pop = m.cohorts
        if self.stock == "no_use":
            trend = (1.0 + h["initiation_trend"]) ** m.years  # initiation_trend 0 when absent
            self.outflows = {"use": h["initiation_rate"] * trend / 12.0 * x}
        elif self.stock == "use":
            self.outflows = {
                "oud": h["progression_rate"] / 12.0 * x,
                "no_use": h["cessation_rate"] / 12.0 * x,
            }
        elif self.stock == "oud":
            cap = h["treatment_capacity_start"] * (1.0 + h["treatment_capacity_growth"]) ** m.years
            room = max(cap - pop["treatment"].count, 0.0)
            self.outflows = {"treatment": min(h["treatment_entry_rate"] / 12.0 * x, room)}
        elif self.stock == "treatment":
            self.outflows = {
                "oud": h["dropout_rate"] / 12.0 * x,
                "remission": h["completion_rate"] / 12.0 * x,
            }
        else:
            self.outflows = {"oud": h["relapse_rate"] / 12.0 * x}

    def apply(self) -> None:
        inflow = sum(c.outflows.get(self.stock, 0.0) for c in self.model.cohorts.values())
        out = sum(self.outflows.values())
        self.count = max(self.count + inflow - out - self.deaths, 0.0)


# ------------------------------------------------------------------------------------------------ model
class SupplyModel(mesa.Model):
    """The fentanyl supply system for one Monte Carlo member, stepped month by month."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int | None = None,
        rng: Any = None,
        months: int | None = None,
        world: World | None = None,
    ):
        if rng is not None:
            super().__init__(rng=rng)
        else:
            super().__init__(seed=seed)
        sc = self.sc = scenario
        w = self.world = world or world_for(sc)
        self.horizon = w.months if months is None else min(months, w.months)
        self.fin, self.inp = w.fin, w.inp
        C = len(w.commodities)
        # parameters (the scenario's point values)
        self.value = [pv(sc.commodities[c].value) for c in w.commodities]
        self.price = [pv(sc.commodities[c].price) for c in w.commodities]
        self.p_factor = pv(sc.recipe.factor) if sc.recipe is not None else 1.0
        self.p_recipe_cost = pv(sc.recipe.cost) if sc.recipe is not None else 0.0
        self.input_weight = [self.p_factor if c == self.inp else 1.0 for c in range(C)]
        tr = sc.trafficking
        self.p_theta = pv(tr.route_dispersion)
        self.p_lambda = pv(tr.risk_aversion)
        self.p_procurement = pv(tr.procurement_dispersion)
        self.p_risk_memory = pv(tr.risk_memory)
        self.p_risk_prior = pv(tr.risk_prior_weight)
        self.p_lab_lag = pv(tr.lab_capacity_lag)
        self.p_growth = pv(tr.growth_rate)
        self.p_loss_sens = pv(tr.growth_loss_sensitivity)
        self.p_cohesion_hl = pv(tr.cohesion_half_life)
        self.p_contest = pv(tr.contest_violence)
        self.p_violence_hl = pv(tr.violence_half_life)
        su = sc.suppliers
        self.p_resilience = pv(su.resilience)
        mk = sc.market
        self.p_consumption = pv(mk.consumption_rate)
        self.harm = {name: pv(getattr(sc.harm, name)) for name in type(sc.harm).model_fields}
        self.naloxone_scale_up = sc.harm.naloxone_ceiling is not None and sc.harm.naloxone_growth is not None
        # levels that events change
        self.levels: dict[str, float] = {}
        for c in w.commodities:
            self.levels[f"control.{c}"] = pv(sc.commodities[c].control)
        for r, p in sc.cooperation.items():
            self.levels[f"cooperation.{r}"] = pv(p)
        for a, ag in sc.agencies.items():
            self.levels[f"intensity.{a}"] = pv(ag.intensity)
        for name in ("harm.hazard", "harm.final_risk", "harm.naloxone"):
            self.levels[name] = 1.0
        for mode in sc.modes:  # multipliers of the modes' shipment sizes
            self.levels[f"shipment.{mode}"] = 1.0
        # active ramps (level, factor, start month, months): a ramp multiplies its level by
        # 1 + (factor - 1)·progress, so ramps and other changes of one level compose multiplicatively
        self.ramps: list[tuple[str, float, int, int]] = []
        self.violence_shock = 0.0

        # agents: firms (assigned to regions by cumulative share), regulator, organizations and their labs,
        # agencies, market regions, population stocks
        regions = list(su.regions)
        bounds, acc = [], 0.0
        for r in regions:
            acc += su.regions[r]
            bounds.append(round(acc * su.count))
        mean, sd = pv(su.willingness_mean), pv(su.willingness_sd)
        cmed, csig, fshare = pv(su.capacity_median), pv(su.capacity_sigma), pv(su.finished_share)
        ri = 0
        for i in range(su.count):
            while ri < len(bounds) - 1 and i >= bounds[ri]:
                ri += 1
            SupplierFirm(
                self,
                region=regions[ri],
                willingness=mean + sd * self.rng.standard_normal(),
                capacity=cmed * math.exp(csig * self.rng.standard_normal()),
                finished=self.rng.random() < fshare,
            )
        self.regions = regions
        self.regulator = Regulator(self)
        self.organizations = {o: Organization(self, o) for o in sc.organizations}
        self.agencies = {a: Agency(self, a) for a in sc.agencies}
        self.markets = {q: MarketRegion(self, q) for q in w.markets}
        h = self.harm
        init = {
            "use": h["use_initial"],
            "oud": h["oud_initial"],
            "treatment": h["treated_initial"],
            "remission": h["remission_initial"],
        }
        init["no_use"] = h["population"] - sum(init.values())
        hazard = {
            "no_use": 0.0,
            "use": h["hazard_use"],
            "oud": h["hazard_oud"],
            "treatment": h["hazard_treated"],
            "remission": h["hazard_remission"],
        }
        self.cohorts = {s: PopulationCohort(self, s, init[s], hazard[s]) for s in STOCKS}

        # enforcement geometry
        g = w.graph
        self.base_q = [1.0 - (1.0 - e.detection) * (1.0 - g.nodes[e.dst]["detection"]) for e in w.edges]
        self.edges_into_agency = {
            a: [e for e in w.edges if e.dst in ag.alloc] for a, ag in self.agencies.items()
        }
        self.q: dict[tuple[int, int], float] = {}
        self.risk0: dict[tuple[int, int], float] = {}
        self.premium = [0.0] * C
        self.purity_prev: float | None = None
        self.t = 0
        self.ledger: dict[Any, float] = {}
        for c in range(C):
            self.ledger["sold", c] = self.ledger["seized", c] = self.ledger["destroyed", c] = 0.0
        self.ledger["converted"] = self.ledger["produced"] = self.ledger["consumed"] = 0.0
        self.mass_balance_max = 0.0
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "deaths_final": "deaths_final",
                "deaths_total": "deaths_total",
                "sw_seized_kg": "sw_seized_kg",
                "sw_ofo_kg": "sw_ofo_kg",
                "sw_events": "sw_events",
                "delivered_kg": "delivered",
                "delivered_made_kg": "delivered_made",
                "phi": "phi",
                "purity": "purity",
                "violence": "violence",
                "lab_capacity_kg": lambda m: sum(lab.capacity for lab in m.agents_by_type[LabPair]),
                "org_scale": lambda m: sum(o.scale for o in m.organizations.values()),
                "firms_selling": "firms_selling",
                "sold_precursor_kg": lambda m: m.month_sold[m.inp] if m.inp is not None else 0.0,
                "sold_product_kg": lambda m: m.month_sold[m.fin],
            }
        )

    # -- helpers used by the agents
    def cooperation(self, relation: str) -> float:
        return min(max(self.levels[f"cooperation.{relation}"], 0.0), 1.0)

    def record_seizure(self, c: int, node: str, kg: float, events: int) -> None:
        self.seized[(c, node)] = self.seized.get((c, node), 0.0) + kg
        self.seized_by_commodity[c] += kg
        if c == self.fin and node in self.world.sw_nodes:
            self.sw_seized_kg += kg
            self.sw_events += events
            if node in self.world.ofo_nodes:
                self.sw_ofo_kg += kg

    # -- step 1: policy timeline
    def apply_events(self) -> None:
        t = self.t
        for _eid, eff in self.world.events_at.get(t, []):
            if isinstance(eff, SetLevel):
                self.levels[eff.level] = pv(eff.value)
            elif isinstance(eff, ScaleLevel):
                self.levels[eff.level] *= pv(eff.factor)
            elif isinstance(eff, EndOfScale):
                self.levels[eff.scale.level] /= pv(eff.scale.factor)
            elif isinstance(eff, RampLevel):
                self.ramps.append((eff.level, pv(eff.factor), t, eff.months))
            elif isinstance(eff, LeadershipRemoval):
                org = self.organizations[eff.organization]
                targets = [org] + [o for o in self.organizations.values() if o.parent == org.name]
                present = False
                for o in targets:
                    if o.active:
                        o.cohesion *= 1.0 - pv(eff.cohesion_loss)
                        present = True
                if present:
                    self.violence_shock += pv(eff.violence)
                if self.rng.random() < pv(eff.fragmentation_probability):
                    org.fragment()
            elif isinstance(eff, Fragmentation):
                org = self.organizations[eff.organization]
                if org.active:
                    self.violence_shock += pv(eff.violence)
                    org.fragment()
            elif isinstance(eff, Violence):
                self.violence_shock += pv(eff.magnitude)
        for level, f, t0, n in self.ramps:
            before = 1.0 + (f - 1.0) * min(1.0, (t - t0) / n)
            now = 1.0 + (f - 1.0) * min(1.0, (t - t0 + 1) / n)
            self.levels[level] *= now / before
        self.ramps = [r for r in self.ramps if t - r[2] + 1 < r[3]]
        self.control = [min(max(self.levels[f"control.{c}"], 0.0), 1.0) for c in self.world.commodities]

    # -- the month
    def step(self) -> None:
        w = self.world
        t = self.t
        C = len(w.commodities)
        self.years = t / 12.0
        self.calendar_month = w.calendar(t)[1]
        # 1. policy timeline
        self.apply_events()

        # 2. suppliers and the regulator
        self.regulator.step()
        su = self.sc.suppliers
        cf = self.regulator.cooperation_factor()
        det = self.regulator.detection * cf
        b, c_w = pv(su.premium_weight), pv(su.sanction_weight)
        deter = pv(su.deterrence)
        ctrl_in = self.control[self.inp] if self.inp is not None else 1.0
        prem_in = self.premium[self.inp] if self.inp is not None else 0.0
        self.firm_terms = (
            b * prem_in,
            b * self.premium[self.fin],
            c_w * ctrl_in,
            c_w * self.control[self.fin],
            cf * deter,
            cf * deter + det,
            det,
        )
        self.firm_capacity_in = dict.fromkeys(self.regions, 0.0)
        self.firm_capacity_fin = dict.fromkeys(self.regions, 0.0)
        self.firms_selling = 0
        self.firms_shut = 0
        self.agents_by_type[SupplierFirm].shuffle_do("step")
        ratio = pv(su.finished_capacity_ratio)
        self.available: dict[tuple[str, int], float] = {}
        for r in self.regions:
            self.available[(r, self.fin)] = self.firm_capacity_fin[r] * ratio
            if self.inp is not None:
                self.available[(r, self.inp)] = self.firm_capacity_in[r]
        avail_tot = [sum(self.available.get((r, c), 0.0) for r in self.regions) for c in range(C)]
        self.source_share = {
            (r, c): (
                self.available.get((r, c), 0.0) / avail_tot[c]
                if avail_tot[c] > 0
                else 1.0 / len(self.regions)
            )
            for r in self.regions
            for c in range(C)
        }

        # 3. enforcement this month
        agencies = self.agents_by_type[Agency]
        agencies.do("set_coverage")
        self.q = {(e.index, c): self.base_q[e.index] for e in w.edges for c in range(C)}
        agencies.do("inspect")
        if t == 0:
            self.risk0 = dict(self.q)
            for o in self.organizations.values():
                o.risk = dict(self.q)

        # 4. procurement, inbound route choice, rationing
        orgs = self.agents_by_type[Organization]
        self.demand = {(r, c): 0.0 for r in self.regions for c in range(C)}
        orgs.do("plan_orders")
        self.ration = {
            key: (self.available[key] / d if d > self.available[key] else 1.0)
            for key, d in self.demand.items()
        }
        orgs.do("settle_orders")
        self.month_sold = [sum(o.got[c] for o in orgs) for c in range(C)]
        ordered = [sum(o.order[c] for o in orgs) for c in range(C)]
        self.premium = [
            math.log1p(ordered[c] / avail_tot[c]) if avail_tot[c] > 0 else math.log1p(3.0) for c in range(C)
        ]

        # 5. inbound shipping and seizures
        self.seized: dict[tuple[int, str], float] = {}
        self.seized_by_commodity = dict.fromkeys(range(C), 0.0)
        self.sw_seized_kg = self.sw_ofo_kg = 0.0
        self.sw_events = 0
        self.raid_success: dict[str, float] = {}
        orgs.do("ship_inbound")

        # 6. labs: arrivals, conversion, raids, capacity growth
        labs = self.agents_by_type[LabPair]
        labs.do("convert")
        agencies.do("raid")
        labs.do("grow_capacity")

        # 7. outbound: product leaves the labs for the border and the markets
        orgs.do("ship_outbound")

        # 8. markets
        self.delivered = self.delivered_made = self.consumed = 0.0
        self.agents_by_type[MarketRegion].do("consume")
        mk = self.sc.market
        rel = max(self.consumed, 1e-9) / pv(mk.reference_supply)
        self.price_usd = pv(mk.price_reference) * min(max(rel ** -pv(mk.price_elasticity), 0.1), 10.0)
        self.purity = min(max(pv(mk.purity_reference) * rel ** pv(mk.purity_elasticity), 0.005), 0.9)
        heroin = pv(mk.competing_supply_start) * (1.0 - pv(mk.competing_supply_decline)) ** self.years
        self.phi = self.consumed / (self.consumed + heroin)

        # 9. harm
        h = self.harm
        if self.purity_prev is None:
            vol = 1.0
        else:
            vol = 1.0 + h["volatility_weight"] * abs(self.purity - self.purity_prev) / self.purity_prev
        self.purity_prev = self.purity
        # naloxone scale-up: the share averted approaches its ceiling (no scale-up when none is declared)
        nal = h["naloxone_effect"]
        if self.naloxone_scale_up:
            ceiling = max(h["naloxone_ceiling"], nal)
            nal = ceiling - (ceiling - nal) * math.exp(-h["naloxone_growth"] * self.years)
        common = vol * self.levels["harm.hazard"] * (1.0 - min(nal, 1.0)) ** self.levels["harm.naloxone"]
        other = 1.0 - self.phi
        final = h["relative_risk_final"] * self.phi * self.levels["harm.final_risk"]
        self.hazard_multiplier = (other + final) * common
        cohorts = self.agents_by_type[PopulationCohort]
        cohorts.do("plan")
        cohorts.do("apply")
        modelled = sum(c.deaths for c in self.cohorts.values())
        background = h["background_deaths"] / 12.0
        self.deaths_final = modelled * final / (other + final) + background
        self.deaths_total = modelled + background

        # 10. adaptation
        orgs.do("learn_risk")
        agencies.do("learn_allocation")
        orgs.do("grow")

        # 11. violence: decaying shocks plus the contested share of territorial flow
        self.violence_shock *= 0.5 ** (1.0 / self.p_violence_hl)
        flow: dict[str, list[float]] = {}  # territorial node -> kg arriving per organization
        for o in orgs:
            for n, x in o.arrived.items():
                if n in w.territorial:
                    flow.setdefault(n, []).append(x)
        node_tot = {n: sum(d) for n, d in flow.items()}
        grand = sum(node_tot.values())
        contest = 0.0
        if grand > 0:
            for n, d in flow.items():
                if node_tot[n] > 0:
                    hhi = sum((x / node_tot[n]) ** 2 for x in d)
                    contest += node_tot[n] / grand * (1.0 - hhi)
        self.violence = self.violence_shock + self.p_contest * contest

        # 12. mass balance and observables
        self._check_mass_balance()
        self.datacollector.collect(self)
        self.t += 1
        if self.t >= self.horizon:
            self.running = False

    def _check_mass_balance(self) -> None:
        lg = self.ledger
        for c, x in self.seized_by_commodity.items():
            lg["seized", c] += x
        labs = list(self.agents_by_type[LabPair])
        tr_in = sum(s[0] for lab in labs for s in lab.incoming.values())
        tr_fin = sum(s[1] for lab in labs for s in lab.incoming.values())
        tr_fin += sum(s[0] for q in self.markets.values() for s in q.incoming.values())
        self.ledger["consumed"] += self.consumed
        errs = []
        if self.inp is not None:
            lhs = lg["sold", self.inp]
            rhs = tr_in + lg["seized", self.inp] + sum(lab.stock_in for lab in labs)
            rhs += lg["converted"] + lg["destroyed", self.inp]
            errs.append(abs(lhs - rhs) / max(lhs, 1e-12))
        lhs = lg["sold", self.fin] + lg["produced"]
        rhs = tr_fin + lg["seized", self.fin] + sum(lab.stock_fin for lab in labs)
        rhs += sum(q.stock for q in self.markets.values()) + lg["consumed"] + lg["destroyed", self.fin]
        errs.append(abs(lhs - rhs) / max(lhs, 1e-12))
        self.mass_balance_max = max(self.mass_balance_max, *errs)

    def run(self) -> None:
        """Step through the whole horizon."""
        while self.running:
            self.step()


# -------------------------------------------------------------------------------------------- running it
def member_rng(seed: int, member: int) -> Any:
    """Member ``member``'s seed material: the member-th child of ``SeedSequence(seed)``."""
    import numpy as np

    return np.random.SeedSequence(seed, spawn_key=(int(member),))


def run_member(scenario: Scenario, seed: int, member: int, months: int | None = None) -> dict[str, Any]:
    """Run one member; returns its monthly series (lists), mass-balance error and wall time."""
    t0 = time.perf_counter()
    model = SupplyModel(scenario, rng=member_rng(seed, member), months=months)
    model.run()
    df = model.datacollector.get_model_vars_dataframe()
    return {
        "member": member,
        "series": {k: df[k].to_numpy(dtype=float) for k in df.columns},
        "mass_balance_max": model.mass_balance_max,
        "seconds": time.perf_counter() - t0,
        "months": model.t,
    }


def member_months_per_second(
    n_members: int, months: int, seed: int = 1, scenario: Scenario | None = None
) -> float:
    """Throughput of the Mesa reference: ``n_members`` members of ``months`` months, run one after another.

    Model construction (5,000 firm agents and the rest) is included, as it is part of a member's cost.
    """
    import narcoflow

    sc = scenario if scenario is not None else narcoflow.load_scenario("baseline")
    world_for(sc)  # the static network is built once per process and not timed
    t0 = time.perf_counter()
    done = 0
    for k in range(n_members):
        done += run_member(sc, seed, k, months=months)["months"]
    return done / (time.perf_counter() - t0)
