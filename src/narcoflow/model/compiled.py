"""The compiled backend: the month's hot steps as numba kernels (:mod:`narcoflow.model.kernels`).

Each method does what its twin in :mod:`narcoflow.model.reference` does — the same variates from the
same streams, the same arithmetic in the same order — through one kernel call over all members. The
kernels draw from each member's PCG64 through its state address, so this backend is only chosen when
:func:`narcoflow.model.kernels.available` has checked that layout (:func:`narcoflow.model.backend.choose`).
"""

from __future__ import annotations

import numpy as np

from narcoflow.model import kernels, rng
from narcoflow.model.routes import Family, RouteChoice, Shipping


def _u64(x: np.ndarray) -> np.ndarray:
    """``x`` as unsigned indices (no copy when it already is): the kernels then skip negative-index checks."""
    return np.asarray(x, dtype=np.uint64)


def _u8(x: np.ndarray) -> np.ndarray:
    return x.view(np.uint8)


class CompiledBackend:
    """The numba implementation of the backend interface (:class:`narcoflow.model.backend.Backend`)."""

    name = "numba"

    def __init__(self, gens: list[np.random.Generator]) -> None:
        self.gens = gens
        self.states = kernels.state_addresses(gens)  # valid while ``gens`` live

    # ------------------------------------------------------------------ draws
    def uniform(self, out: np.ndarray) -> np.ndarray:
        """Fill ``out[i]`` with uniforms from member i's stream (compiled for C-contiguous [M, n])."""
        return rng.uniform(self.gens, out, self.states)

    def normal(self, out: np.ndarray) -> np.ndarray:
        """Fill ``out[i]`` with standard normals from member i's stream."""
        return rng.normal(self.gens, out)

    # ------------------------------------------------------------------ aggregation
    def scatter_sum(self, values: np.ndarray, index: np.ndarray, width: int) -> np.ndarray:
        """Sum the last-axis entries of ``values`` into ``width`` bins by ``index``, row by row."""
        out = np.zeros((*values.shape[:-1], width))
        if values.ndim == 2 and values.shape[0] > 0:
            kernels.scatter_sum(values, np.asarray(index, dtype=np.int64), out)
        else:
            np.add.at(out, (Ellipsis, index), values)
        return out

    def scatter_add(
        self, out: np.ndarray, values: np.ndarray, index: np.ndarray, rows: np.ndarray | None = None
    ) -> None:
        """``out += scatter_sum(values[:, rows], index, out.shape[1])`` without the temporaries."""
        r = np.arange(values.shape[1]) if rows is None else rows
        kernels.scatter_add(values, _u64(r), _u64(index), out)

    # ------------------------------------------------------------------ suppliers
    def partition_firms(self, bounds, finished, willingness, capacity, scale):
        """See :meth:`narcoflow.model.reference.ReferenceBackend.partition_firms`."""
        M, F = finished.shape
        w2, c2, f2 = np.empty_like(willingness), np.empty_like(capacity), np.empty_like(finished)
        units = np.empty((M, F), dtype=np.int64)
        fstart = np.empty((M, bounds.size - 1), dtype=np.int64)
        kernels.partition_firms(
            bounds, _u8(finished), willingness, capacity, scale, w2, c2, _u8(f2), units, fstart
        )
        return w2, c2, f2, units, fstart

    def firm_step(self, firms, odds_in, odds_fin, resilience, catch_in, catch_fin):
        """See :meth:`narcoflow.model.reference.ReferenceBackend.firm_step`."""
        M, R = firms.odds.shape[0], firms.bounds.size - 1
        cap_in = np.zeros((M, R), dtype=np.int64)
        cap_fin = np.zeros((M, R), dtype=np.int64)
        selling = np.zeros(M, dtype=np.int64)
        shut = np.zeros(M, dtype=np.int64)
        kernels.firm_step(
            self.states, firms.odds, firms.capacity_units, firms.finished_start, _u8(firms.active),
            _u8(firms.scrutinized), firms.bounds, odds_in, odds_fin, resilience, catch_in, catch_fin,
            cap_in, cap_fin, selling, shut, np.empty(firms.odds.shape[1], dtype=np.float32),
        )  # fmt: skip
        if (log := rng.active_log()) is not None:
            log.add("uniform_float32", firms.u.size)
        return cap_in, cap_fin, selling, shut

    # ------------------------------------------------------------------ routes
    def route_choice(self, risk, fam: Family, cost, value, commodity, theta, lam, attract, expect=False):
        """Route choice in two compiled passes around numpy's exp (``routes.route_choice``)."""
        M, P = risk.shape[0], fam.paths.size
        surv, z = np.empty((M, P)), np.empty((M, P))
        a, ia, b, ib = attract
        kernels.route_utility(
            risk, fam.risk_cols_t, cost, value, _u64(commodity), theta, lam, a, _u64(ia), b, _u64(ib),
            fam.bounds, surv, z,
        )  # fmt: skip
        np.exp(z, out=z)
        shares = np.empty((M, P))
        G = fam.group_starts.size
        e_cost = np.empty((M, G)) if expect else np.empty((0, 0))
        e_surv = np.empty((M, G)) if expect else np.empty((0, 0))
        kernels.route_shares(z, fam.bounds, cost, surv, shares, e_cost, e_surv, expect, np.empty(P))
        return RouteChoice(shares, surv, e_cost if expect else None, e_surv if expect else None)

    def procure(self, order, org, commodity, org_commodity, s_in, source_col, avail) -> np.ndarray:
        """See :meth:`narcoflow.model.reference.ReferenceBackend.procure`."""
        M = order.shape[0]
        x_in = np.empty_like(s_in)
        kernels.procure(
            order.reshape(M, -1), org_commodity, s_in, _u64(source_col), avail, x_in, np.empty(avail.shape)
        )
        return x_in

    def dispatch(self, orgs, lab, shares, fam: Family, group_lab, group_bounds):
        """See :meth:`narcoflow.model.reference.ReferenceBackend.dispatch`."""
        x_out, made_out = np.empty_like(shares), np.empty_like(shares)
        shipped_lab = np.empty((shares.shape[0], group_lab.size))
        kernels.dispatch(
            orgs.stock_final, orgs.stock_made, _u64(lab), shares, group_bounds, _u64(group_lab),
            x_out, made_out, shipped_lab,
        )  # fmt: skip
        return x_out, made_out, shipped_lab

    def ship(self, fam: Family, flows, seize_prob, shipment_size, exposure, seized_exp, C, N, O, tracer=None):
        """See :meth:`narcoflow.model.reference.ReferenceBackend.ship`."""
        M = flows.shape[0]
        sh = Shipping.start(flows, C, N, O)
        fl = fam.flat
        log = rng.active_log()
        shape = (M, fl.lo.size) if log is not None else (0, 0)  # each draw's (n, p), for the log only
        draw_n, draw_p = np.zeros(shape, dtype=np.int64), np.zeros(shape)
        kernels.ship_kernel(
            self.states, flows, flows if tracer is None else tracer, tracer is not None, fl.lo, fl.hi,
            fl.perm, fl.edge, fl.col, fl.risk_col, fl.node, fl.commodity, fl.org,
            seize_prob, shipment_size, exposure, seized_exp, sh.seized_by_node, sh.events_by_node,
            sh.flow_by_node, sh.seized_by_org, sh.flow_by_org_node, draw_n, draw_p,
        )  # fmt: skip
        if log is not None:
            log.binomials(draw_n, draw_p)
        return sh

    # ------------------------------------------------------------------ enforcement
    def seizure_probability(self, cover, eff, agency_of, has, ctrl_applies, control, base, dst):
        """See :meth:`narcoflow.model.reference.ReferenceBackend.seizure_probability`."""
        out = np.empty((cover.shape[0], (dst.size + 1) * control.shape[1]))
        kernels.seizure_probability(
            np.ascontiguousarray(cover), np.ascontiguousarray(eff), _u64(agency_of), has, ctrl_applies,
            np.ascontiguousarray(control), base, _u64(dst), out,
        )  # fmt: skip
        return out

    def learn_risk(self, risk, risk0, exposure, seized, w, rho) -> None:
        """See :meth:`narcoflow.model.reference.ReferenceBackend.learn_risk`."""
        kernels.learn_risk(risk, risk0, exposure, seized, w, rho)

    # ------------------------------------------------------------------ organizations
    def contest(self, node_org_flow: np.ndarray, territorial: np.ndarray) -> np.ndarray:
        """See :meth:`narcoflow.model.reference.ReferenceBackend.contest`."""
        out = np.empty(node_org_flow.shape[0])
        kernels.contest(np.ascontiguousarray(node_org_flow), _u64(np.flatnonzero(territorial)), out)
        return out
