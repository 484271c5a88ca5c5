"""The reference backend: the month's hot steps in plain numpy (the test oracle and the fallback).

Every method here has a compiled twin in :mod:`narcoflow.model.compiled` that draws the same variates
from the same streams and does the same arithmetic in the same order, so the two backends give
bit-identical runs (``tests/model/test_kernels.py``, ``tests/test_golden.py``). The engine picks one
backend per run (:func:`narcoflow.model.backend.choose`); model code never branches on it.
"""

from __future__ import annotations

import numpy as np

from narcoflow.model import rng
from narcoflow.model.aggregate import segment_sum
from narcoflow.model.routes import Family, RouteChoice, Shipping


def group_softmax(util: np.ndarray, fam: Family) -> np.ndarray:
    """Multinomial-logit shares within each choice group; ``util`` is [M, P'] in family order."""
    mx = np.maximum.reduceat(util, fam.group_starts, axis=1)
    ex = np.exp(util - mx[:, fam.group_of])
    den = np.add.reduceat(ex, fam.group_starts, axis=1)
    return ex / den[:, fam.group_of]


def path_survival(risk: np.ndarray, fam: Family) -> np.ndarray:
    """Perceived probability that a shipment survives the whole path: Π (1 − r_edge)."""
    r = risk[:, fam.risk_cols]  # [M, P', K]
    return np.prod(1.0 - r, axis=2)


class ReferenceBackend:
    """The numpy implementation of the backend interface (:class:`narcoflow.model.backend.Backend`)."""

    name = "numpy"

    def __init__(self, gens: list[np.random.Generator]) -> None:
        self.gens = gens

    # ------------------------------------------------------------------ draws
    def uniform(self, out: np.ndarray) -> np.ndarray:
        """Fill ``out[i]`` with uniforms from member i's stream."""
        return rng.uniform(self.gens, out)

    def normal(self, out: np.ndarray) -> np.ndarray:
        """Fill ``out[i]`` with standard normals from member i's stream."""
        return rng.normal(self.gens, out)

    # ------------------------------------------------------------------ aggregation
    def scatter_sum(self, values: np.ndarray, index: np.ndarray, width: int) -> np.ndarray:
        """Sum the last-axis entries of ``values`` into ``width`` bins by ``index``, row by row."""
        out = np.zeros((*values.shape[:-1], width))
        np.add.at(out, (Ellipsis, index), values)
        return out

    def scatter_add(
        self, out: np.ndarray, values: np.ndarray, index: np.ndarray, rows: np.ndarray | None = None
    ) -> None:
        """``out += scatter_sum(values[:, rows], index, out.shape[1])``."""
        out += self.scatter_sum(values if rows is None else values[:, rows], index, out.shape[1])

    # ------------------------------------------------------------------ suppliers
    def partition_firms(
        self, bounds: np.ndarray, finished: np.ndarray, willingness: np.ndarray, capacity: np.ndarray, scale
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Order each member's firms region by region, those that cannot make the final product first
        (stably); return willingness, capacity, finished, capacity units and where the finished start."""
        R = bounds.size - 1
        region = np.repeat(np.arange(R), np.diff(bounds))
        key = (region[None, :] * 2 + finished).astype(np.int16 if 2 * R < 2**15 else np.int64)
        order = np.argsort(key, axis=1, kind="stable")  # a radix sort for small integer keys
        willingness = np.take_along_axis(willingness, order, axis=1)
        capacity = np.take_along_axis(capacity, order, axis=1)
        finished = np.take_along_axis(finished, order, axis=1)
        units = np.rint(capacity * scale).astype(np.int64)
        counts = np.diff(bounds)
        nonempty = np.flatnonzero(counts)
        not_fin = segment_sum((~finished).astype(np.int64), bounds[nonempty], nonempty, R)
        return willingness, capacity, finished, units, bounds[:-1][None, :] + not_fin

    def firm_step(self, firms, odds_in, odds_fin, resilience, catch_in, catch_fin):
        """One month of firm decisions (``suppliers.step_firms``): capacity offered per region, in units,
        of the input and the final product, and the counts of firms selling and shut."""
        u = rng.uniform(self.gens, firms.u).astype(np.float64)
        scr = firms.scrutinized
        odds = firms.odds.astype(np.float64)
        s8 = scr.astype(np.float64)
        d_in = 1.0 + odds * (odds_in[:, :1] + s8 * (odds_in[:, 1:] - odds_in[:, :1]))
        d_fin = 1.0 + odds * (odds_fin[:, :1] + s8 * (odds_fin[:, 1:] - odds_fin[:, :1]))
        active = firms.active
        sells_in = active & (u * d_in < 1.0)
        sells_fin = active & firms.finished & (u * d_fin < 1.0)
        sells = sells_in | sells_fin
        # detection given selling: u·d is uniform on [0, 1) when u·d < 1
        d = np.where(firms.finished, np.minimum(d_in, d_fin), d_in)
        catch = catch_in[:, None] + sells_fin * (catch_fin - catch_in)[:, None]
        caught = sells & scr & (u * d < catch)
        reentered = ~active & (u < resilience[:, None])
        firms.active = (active & ~caught) | reentered
        units = firms.capacity_units
        cap_in = firms.per_region(np.where(sells_in, units, 0))
        cap_fin = firms.per_region(np.where(sells_fin, units, 0))
        return cap_in, cap_fin, sells.sum(axis=1), caught.sum(axis=1)

    # ------------------------------------------------------------------ routes
    def route_choice(self, risk, fam: Family, cost, value, commodity, theta, lam, attract, expect=False):
        """Traffickers' route choice within each choice group (MODEL.md §3.4).

        Utility of a path: −θ·(cost + λ·value·(1 − survival))/value + attract, with survival =
        Π(1 − risk) over its edges, value that of its commodity (``value`` [M, C], ``commodity`` [P']),
        ``cost`` [P'], θ and λ [M]; attract = a[:, ia] + b[:, ib] for ``attract`` = (a, ia, b, ib), two
        per-member tables gathered to the paths (views with zero strides are fine). Shares are the
        softmax within each group; ``expect`` also returns the share-weighted cost and survival per group.
        """
        surv = path_survival(risk, fam)
        val = value[:, commodity]
        a, ia, b, ib = attract
        util = -theta[:, None] * (cost[None, :] + lam[:, None] * val * (1.0 - surv)) / val + (
            a[:, ia] + b[:, ib]
        )
        shares = group_softmax(util, fam)
        if not expect:
            return RouteChoice(shares, surv, None, None)
        e_cost = np.add.reduceat(shares * cost[None, :], fam.group_starts, axis=1)
        e_surv = np.add.reduceat(shares * surv, fam.group_starts, axis=1)
        return RouteChoice(shares, surv, e_cost, e_surv)

    def procure(self, order, org, commodity, org_commodity, s_in, source_col, avail) -> np.ndarray:
        """Inbound flows: the orders split over paths, scaled down where a source has too little."""
        x_in = order[:, org, commodity] * s_in
        demand_src = self.scatter_sum(x_in, source_col, avail.shape[1])  # [M, R*C]
        ratio = np.divide(avail, demand_src, out=np.ones_like(demand_src), where=demand_src > avail)
        x_in *= ratio[:, source_col]
        return x_in

    def dispatch(self, orgs, lab, shares, fam: Family, group_lab, group_bounds):
        """Outbound flows from the labs' stocks (and their made-from-input part); stocks reduced."""
        x_out = orgs.stock_final[:, lab] * shares
        made_out = orgs.stock_made[:, lab] * shares
        shipped_lab = np.add.reduceat(x_out, fam.group_starts, axis=1)
        orgs.stock_final[:, group_lab] -= shipped_lab
        orgs.stock_made[:, group_lab] -= np.add.reduceat(made_out, fam.group_starts, axis=1)
        np.maximum(orgs.stock_final, 0.0, out=orgs.stock_final)
        return x_out, made_out, shipped_lab

    def ship(self, fam: Family, flows, seize_prob, shipment_size, exposure, seized_exp, C, N, O, tracer=None):
        """Move ``flows`` [M, P'] along the family's paths with binomial seizures.

        Paths are walked position by position: at each position the flow of every (organization, edge,
        commodity) moves as ``ceil(kg / shipment size)`` shipments, each seized with the edge's
        probability (``seize_prob`` [M, (E+1)*C], column e*C + c; ``shipment_size`` [M, E+1] kg); the
        seized fraction then scales every path through that edge. ``flows`` is scaled in place and
        becomes ``Shipping.delivered``; ``tracer`` (same shape) is scaled alike. ``exposure`` and
        ``seized_exp`` ([M, O*(E+1)*C]) accumulate the kg shipped and seized per organization, edge and
        commodity, for the traffickers' risk learning.
        """
        y = flows
        sh = Shipping.start(flows, C, N, O)
        seized, events, arriving = sh.seized_by_node, sh.events_by_node, sh.flow_by_node
        for pos in fam.positions:
            Y = y[:, pos.perm]
            X = np.add.reduceat(Y, pos.starts, axis=1)  # [M, G]
            size = shipment_size[:, pos.edge]
            n = np.where(X > 0, np.ceil(X / size), 0).astype(np.int64)
            q = seize_prob[:, pos.edge * C + pos.commodity]
            S = rng.binomial(self.gens, n, q)
            frac = np.divide(S, n, out=np.zeros(S.shape), where=n > 0)
            keep = 1.0 - frac[:, pos.gidx]
            y[:, pos.perm] = Y * keep
            if tracer is not None:
                tracer[:, pos.perm] *= keep
            seized_g = X * frac
            exposure[:, pos.risk_col] += X
            seized_exp[:, pos.risk_col] += seized_g
            np.add.at(sh.seized_by_org, (slice(None), pos.org, pos.commodity), seized_g)
            np.add.at(sh.flow_by_org_node, (slice(None), pos.org, pos.node), X)
            for c in np.unique(pos.commodity):
                sel = pos.commodity == c
                nodes = pos.node[sel]
                seized[:, c] += self.scatter_sum(seized_g[:, sel], nodes, N)
                events[:, c] += self.scatter_sum(S[:, sel], nodes, N)
                arriving[:, c] += self.scatter_sum(X[:, sel], nodes, N)
        return sh

    # ------------------------------------------------------------------ enforcement
    def seizure_probability(self, cover, eff, agency_of, has, ctrl_applies, control, base, dst):
        """Seizure probability per shipment, [M, (E+1)*C] (``enforcement.seizure_probability``)."""
        M, C, E = cover.shape[0], control.shape[1], dst.size
        node_eff = np.where(has[None, :], cover * eff[:, agency_of], 0.0)  # [M, N]
        out = np.zeros((M, E + 1, C))
        for c in range(C):
            scale = np.where(ctrl_applies[None, :], control[:, c : c + 1], 1.0)  # [M, N]
            p_agency = (node_eff * scale)[:, dst]
            out[:, :-1, c] = 1.0 - (1.0 - base[None, :]) * (1.0 - np.clip(p_agency, 0.0, 1.0))
        return out.reshape(M, -1)

    def learn_risk(self, risk, risk0, exposure, seized, w, rho) -> None:
        """Perceived risk per (organization, edge, commodity), in place; exposure and seized reset to 0."""
        used = exposure > 0
        obs = np.divide(seized, exposure, out=np.zeros_like(exposure), where=used)
        w, rho = w[:, None], rho[:, None]
        risk[...] = np.where(used, (1.0 - w) * risk + w * obs, risk + rho * (risk0 - risk))
        exposure.fill(0.0)
        seized.fill(0.0)

    # ------------------------------------------------------------------ organizations
    def contest(self, node_org_flow: np.ndarray, territorial: np.ndarray) -> np.ndarray:
        """Contested share of territorial flow, Σ_n f_n (1 − HHI_n), [M] (``organizations.contest``)."""
        flow = node_org_flow[:, :, territorial]
        tot = flow.sum(axis=1)  # [M, N']
        share = np.divide(flow, tot[:, None, :], out=np.zeros_like(flow), where=tot[:, None, :] > 0)
        hhi = (share**2).sum(axis=1)
        grand = tot.sum(axis=1, keepdims=True)
        f = np.divide(tot, grand, out=np.zeros_like(tot), where=grand > 0)
        return (f * np.where(tot > 0, 1.0 - hhi, 0.0)).sum(axis=1)
