"""Enforcement agencies: coverage, seizure probabilities, lab raids and allocation learning (§3.5, §3.10).

An agency with capacity R (node-coverages) and allocation shares α_n over its nodes covers node n with
c_n = min(1, R·α_n). A shipment entering node n over edge e is seized with probability
1 − (1 − d_e)(1 − d_n)(1 − c_n·δ_a·I_a·k_a·κ_c), where δ is the agency's detection, I its intensity
level, k the cooperation factor 1 − dep + dep·level, and κ_c the commodity's control level for
agencies that enforce origin controls (1 otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from narcoflow.model import kernels
from narcoflow.model.aggregate import scatter_sum
from narcoflow.model.network import Network
from narcoflow.scenario.schema import Scenario


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
    return AgencyTable(
        ids=ids,
        node_agency=net.node_agency,
        onehot=onehot,
        raids=net.agency_raids,
        enforces_controls=np.array([ag.enforces_controls for ag in sc.agencies.values()]),
        adaptive=np.array([ag.plan == "adaptive" for ag in sc.agencies.values()]),
        relation=[ag.relation for ag in sc.agencies.values()],
        initial_alloc=alloc,
    )


def effectiveness(
    tab: AgencyTable, v: dict, intensity: np.ndarray, cooperation: dict[str, np.ndarray]
) -> np.ndarray:
    """δ_a · I_a · k_a per member and agency, [M, A]."""
    cols = []
    for a, aid in enumerate(tab.ids):
        eff = v[f"agencies.{aid}.detection"] * intensity[:, a]
        rel = tab.relation[a]
        if rel is not None:
            dep = v.get(f"agencies.{aid}.cooperation_dependence")
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
    net: Network,
    tab: AgencyTable,
    cover: np.ndarray,
    eff: np.ndarray,
    control: np.ndarray,
) -> np.ndarray:
    """Seizure probability per shipment, [M, (E+1)*C] with column e*C + c (null edge: 0)."""
    M = cover.shape[0]
    C = control.shape[1]
    has = (tab.node_agency >= 0) & ~tab.raids[np.maximum(tab.node_agency, 0)]
    a_of = np.maximum(tab.node_agency, 0)
    ctrl_applies = has & tab.enforces_controls[a_of]
    dst = net.edge_dst
    base = 1.0 - (1.0 - net.edge_detection[:-1]) * (1.0 - net.node_detection[dst])  # [E]
    if kernels.ENABLED:  # the same arithmetic, compiled
        out = np.empty((M, (net.n_edges + 1) * C))
        u = lambda x: np.asarray(x).astype(np.uint64)  # noqa: E731
        kernels.seizure_probability(
            np.ascontiguousarray(cover), np.ascontiguousarray(eff), u(a_of), has, ctrl_applies,
            np.ascontiguousarray(control), base, u(dst), out,
        )  # fmt: skip
        return out
    node_eff = np.where(has[None, :], cover * eff[:, a_of], 0.0)  # [M, N]
    out = np.zeros((M, net.n_edges + 1, C))
    for c in range(C):
        scale = np.where(ctrl_applies[None, :], control[:, c : c + 1], 1.0)  # [M, N]
        p_agency = (node_eff * scale)[:, dst]
        out[:, :-1, c] = 1.0 - (1.0 - base[None, :]) * (1.0 - np.clip(p_agency, 0.0, 1.0))
    return out.reshape(M, -1)


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
    tab: AgencyTable, alloc: np.ndarray, success: np.ndarray, rate: np.ndarray
) -> np.ndarray:
    """Shift each adaptive agency's allocation toward nodes where it seized (or destroyed) most.

    ``success`` is [M, N] kg; ``rate`` [M, A] learning rates. Agencies with no success keep theirs.
    """
    in_agency = tab.node_agency >= 0
    total = scatter_sum(success[:, in_agency], tab.node_agency[in_agency], len(tab.ids))  # [M, A]
    a_of = np.maximum(tab.node_agency, 0)
    share = np.divide(success, total[:, a_of], out=np.zeros_like(success), where=total[:, a_of] > 0)
    eta = np.where(
        (total[:, a_of] > 0) & tab.adaptive[a_of][None, :] & in_agency[None, :], rate[:, a_of], 0.0
    )
    return (1.0 - eta) * alloc + eta * share
