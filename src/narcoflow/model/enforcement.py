"""Enforcement agencies: coverage, seizure probabilities, lab raids and allocation learning (§3.5, §3.10).

An agency with capacity R (node-coverages) and allocation shares α_n over its nodes covers node n with
c_n = min(1, R·α_n). A shipment entering node n over edge e is seized with probability
1 − (1 − d_e)(1 − d_n)(1 − c_n·δ_a·I_a·k_a·κ_c), where δ is the agency's detection, I its intensity
level, k the cooperation factor 1 − dep + dep·level, and κ_c the commodity's control level for
agencies that enforce origin controls (1 otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from narcoflow.model.network import Network
from narcoflow.scenario.schema import Scenario

if TYPE_CHECKING:
    from narcoflow.model.backend import Backend
    from narcoflow.model.layout import Clock, Layout
    from narcoflow.model.state import State


@dataclass(frozen=True)
class AgencyTable:
    """Agency parameters as arrays."""

    ids: list[str]
    node_agency: np.ndarray  # [N] agency index or -1
    onehot: np.ndarray  # [N, A] node membership
    raids: np.ndarray  # [A] bool
    enforces_controls: np.ndarray  # [A] bool
    adaptive: np.ndarray  # [A] bool
    relation: list[str | None]
    initial_alloc: np.ndarray  # [N] shares within each agency
    # for the seizure probabilities: where an inspecting agency works, and where controls apply
    inspects: np.ndarray  # [N] bool: the node has an inspecting (not raiding) agency
    agency_of: np.ndarray  # [N] the node's agency index (0 where none)
    controls_apply: np.ndarray  # [N] bool: its agency's seizures scale with the origin control level
    base_detection: np.ndarray  # [E] 1 − (1 − d_edge)(1 − d_head node)


def agency_table(sc: Scenario, net: Network) -> AgencyTable:
    """Collect the agencies' static settings."""
    ids = net.agency_ids
    N, A = len(net.node_ids), len(ids)
    onehot = np.zeros((N, A))
    alloc = np.zeros(N)
    index = {n: i for i, n in enumerate(net.node_ids)}
    for a, ag in enumerate(sc.agencies.values()):
        total = sum(ag.nodes.values())
        for n, w in ag.nodes.items():
            onehot[index[n], a] = 1.0
            alloc[index[n]] = w / total
    enforces = np.array([ag.enforces_controls for ag in sc.agencies.values()])
    inspects = (net.node_agency >= 0) & ~net.agency_raids[np.maximum(net.node_agency, 0)]
    agency_of = np.maximum(net.node_agency, 0)
    dst = net.edge_dst
    return AgencyTable(
        ids=ids,
        node_agency=net.node_agency,
        onehot=onehot,
        raids=net.agency_raids,
        enforces_controls=enforces,
        adaptive=np.array([ag.plan == "adaptive" for ag in sc.agencies.values()]),
        relation=[ag.relation for ag in sc.agencies.values()],
        initial_alloc=alloc,
        inspects=inspects,
        agency_of=agency_of,
        controls_apply=inspects & enforces[agency_of],
        base_detection=1.0 - (1.0 - net.edge_detection[:-1]) * (1.0 - net.node_detection[dst]),
    )


def effectiveness(
    tab: AgencyTable, p: dict[str, Any], intensity: np.ndarray, cooperation: dict[str, np.ndarray]
) -> np.ndarray:
    """δ_a · I_a · k_a per member and agency, [M, A] (``p``: the agencies' parameters, by id)."""
    cols = []
    for a, aid in enumerate(tab.ids):
        eff = p[aid].detection * intensity[:, a]
        rel = tab.relation[a]
        if rel is not None:
            dep = p[aid].cooperation_dependence  # optional: no dependence when absent
            dep = np.zeros_like(eff) if dep is None else dep
            eff = eff * (1.0 - dep + dep * cooperation[rel])
        cols.append(eff)
    return np.stack(cols, axis=1)


def coverage(tab: AgencyTable, alloc: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Coverage c_n = min(1, R_a · α_n) per member and node, [M, N]."""
    has = tab.node_agency >= 0
    cap_node = np.where(has[None, :], capacity[:, np.maximum(tab.node_agency, 0)], 0.0)  # [M, N]
    return np.minimum(1.0, cap_node * alloc)


def seizure_probability(
    bk: Backend, tab: AgencyTable, dst: np.ndarray, cover: np.ndarray, eff: np.ndarray, control: np.ndarray
) -> np.ndarray:
    """Seizure probability per shipment, [M, (E+1)*C] with column e*C + c (null edge: 0).

    1 − (1 − base_e)·(1 − clip(c_n·eff_a·κ, 0, 1)) at the edge's head node n (``dst`` [E]).
    """
    return bk.seizure_probability(
        cover, eff, tab.agency_of, tab.inspects, tab.controls_apply, control, tab.base_detection, dst
    )


@dataclass(frozen=True)
class CoveragePlan:
    """A fixed inspection plan for one agency: coverage c_n ∈ [0, 1] per node (nodes not listed: 0).

    ``randomized=False``: the coverage is applied every month (a fractional coverage is a share of
    shipments inspected). ``randomized=True``: the coverage is a mixed strategy; each month every member
    draws a pure plan (nodes fully covered or not) with these marginals by systematic sampling.
    """

    coverage: dict[str, float]
    randomized: bool = False


def plan_arrays(
    tab: AgencyTable, net: Network, plans: dict[str, CoveragePlan], capacity: dict[str, np.ndarray]
) -> list[tuple[np.ndarray, np.ndarray, bool]]:
    """Validate plans; return (all the agency's node indices, coverage, randomized) per planned agency.

    ``capacity`` holds each member's capacity per agency: a plan may not use more than any member has.
    """
    from narcoflow.errors import NarcoFlowError

    out = []
    for aid, plan in plans.items():
        if aid not in tab.ids:
            raise NarcoFlowError(f"unknown agency '{aid}' (have: {', '.join(tab.ids)})", field="plan")
        a = tab.ids.index(aid)
        own = [n for i, n in enumerate(net.node_ids) if tab.node_agency[i] == a]
        for n, c in plan.coverage.items():
            if n not in own:
                raise NarcoFlowError(f"node '{n}' is not inspected by agency '{aid}'", field=f"plan.{aid}")
            if not 0.0 <= c <= 1.0:
                raise NarcoFlowError(f"coverage {c} of '{n}' is outside [0, 1]", field=f"plan.{aid}")
        nodes = [net.node_ids.index(n) for n in own]
        cov = [float(plan.coverage.get(n, 0.0)) for n in own]
        if sum(cov) > float(np.min(capacity[aid])) + 1e-9:
            raise NarcoFlowError(
                f"plan uses {sum(cov):.3g} node-coverages, more than the agency's capacity "
                f"{float(np.min(capacity[aid])):.3g}",
                field=f"plan.{aid}",
            )
        out.append((np.array(nodes, dtype=np.int64), np.array(cov), plan.randomized))
    return out


def systematic_draw(coverage: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Pure plans [M, n] (0/1) whose marginals equal ``coverage`` (systematic sampling, one u per row)."""
    edges = np.concatenate([[0.0], np.cumsum(coverage)])
    # node j is covered iff some k + u (k an integer) falls in (edges[j], edges[j+1]]
    return (np.floor(edges[None, 1:] - u[:, None]) - np.floor(edges[None, :-1] - u[:, None]) > 0).astype(
        float
    )


def learn_allocation(
    bk: Backend, tab: AgencyTable, alloc: np.ndarray, success: np.ndarray, rate: np.ndarray
) -> np.ndarray:
    """Shift each adaptive agency's allocation toward nodes where it seized (or destroyed) most.

    ``success`` is [M, N] kg; ``rate`` [M, A] learning rates. Agencies with no success keep theirs.
    """
    in_agency = tab.node_agency >= 0
    total = bk.scatter_sum(success[:, in_agency], tab.node_agency[in_agency], len(tab.ids))  # [M, A]
    a_of = np.maximum(tab.node_agency, 0)
    share = np.divide(success, total[:, a_of], out=np.zeros_like(success), where=total[:, a_of] > 0)
    eta = np.where(
        (total[:, a_of] > 0) & tab.adaptive[a_of][None, :] & in_agency[None, :], rate[:, a_of], 0.0
    )
    return (1.0 - eta) * alloc + eta * share


@dataclass
class Enforcement:
    """This month's enforcement, per member."""

    effectiveness: np.ndarray  # [M, A] δ·I·k per agency
    coverage: np.ndarray  # [M, N] c_n per node
    seizure_prob: np.ndarray  # [M, (E+1)*C] per shipment, column e*C + c


def step(
    lay: Layout,
    p: Any,
    st: State,
    bk: Backend,
    clock: Clock,
    planned: list[tuple[np.ndarray, np.ndarray, bool]],
) -> Enforcement:
    """The agencies this month (ODD §7.5): effectiveness from detection, intensity and cooperation;
    coverage from their capacity (growing at its trend) and allocation, or from a fixed plan (a
    randomized plan draws a pure plan per member); the seizure probability of every shipment."""
    ix, tab = lay.levels, lay.agencies
    coop = {r: st.levels.clipped(col) for r, col in ix.cooperation.items()}
    eff = effectiveness(tab, p.agencies, st.levels.values[:, ix.intensity], coop)
    k = p.derived
    cover = coverage(tab, st.alloc, k.agency_capacity * (1.0 + k.capacity_trend) ** clock.years)
    M = cover.shape[0]
    for nodes, cov, randomized in planned:
        if randomized:
            cover[:, nodes] = systematic_draw(cov, bk.uniform(np.empty((M, 1)))[:, 0])
        else:
            cover[:, nodes] = cov
    q = seizure_probability(bk, tab, lay.net.edge_dst, cover, eff, st.levels.clipped(ix.control))
    return Enforcement(effectiveness=eff, coverage=cover, seizure_prob=q)


def learn(
    lay: Layout, p: Any, st: State, bk: Backend, seized_node: np.ndarray, raid_success: np.ndarray
) -> None:
    """Adaptive agencies shift allocation toward their successes (ODD §7.10): kg seized at each node in
    final-product equivalents (input kg × recipe factor), plus what raids destroyed there."""
    success = (seized_node * p.derived.input_weight[:, :, None]).sum(axis=1) + raid_success
    st.alloc = learn_allocation(bk, lay.agencies, st.alloc, success, p.derived.agency_learning_rate)
