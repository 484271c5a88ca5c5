"""The backend of a run: compiled kernels or the numpy reference, chosen once per run.

The month's hot steps — drawing, the firms' decisions, route choice, procurement, dispatch, shipping
with binomial seizures, seizure probabilities, risk learning, the contest term and scatter-adds — are
the methods of a backend. Two implement them with bit-identical results:

- :class:`~narcoflow.model.compiled.CompiledBackend` (numba; draws through each member's PCG64 state);
- :class:`~narcoflow.model.reference.ReferenceBackend` (numpy; the test oracle and the fallback).

:func:`choose` picks the compiled one when numba is enabled and the PCG64 state layout check passes
(:func:`narcoflow.model.kernels.available`), else the reference — never a mix of the two.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from narcoflow.model import kernels
from narcoflow.model.routes import Family, RouteChoice, Shipping


class Backend(Protocol):
    """What the model's steps ask of a backend (see :mod:`narcoflow.model.reference` for each)."""

    name: str
    gens: list[np.random.Generator]

    def uniform(self, out: np.ndarray) -> np.ndarray: ...

    def normal(self, out: np.ndarray) -> np.ndarray: ...

    def scatter_sum(self, values: np.ndarray, index: np.ndarray, width: int) -> np.ndarray: ...

    def scatter_add(
        self, out: np.ndarray, values: np.ndarray, index: np.ndarray, rows: np.ndarray | None = None
    ) -> None: ...

    def partition_firms(self, bounds, finished, willingness, capacity, scale) -> tuple: ...

    def firm_step(self, firms, odds_in, odds_fin, resilience, catch_in, catch_fin) -> tuple: ...

    def route_choice(
        self, risk, fam: Family, cost, value, commodity, theta, lam, attract, expect: bool = False
    ) -> RouteChoice: ...

    def procure(self, order, org, commodity, org_commodity, s_in, source_col, avail) -> np.ndarray: ...

    def dispatch(self, orgs, lab, shares, fam: Family, group_lab, group_bounds) -> tuple: ...

    def ship(
        self, fam: Family, flows, seize_prob, shipment_size, exposure, seized_exp, C, N, O, tracer=None
    ) -> Shipping: ...

    def seizure_probability(
        self, cover, eff, agency_of, has, ctrl_applies, control, base, dst
    ) -> np.ndarray: ...

    def learn_risk(self, risk, risk0, exposure, seized, w, rho) -> None: ...

    def contest(self, node_org_flow: np.ndarray, territorial: np.ndarray) -> np.ndarray: ...


def choose(gens: list[np.random.Generator], name: str | None = None) -> Backend:
    """The run's backend over the members' generators: ``name`` ("numba" or "numpy"), or the compiled
    one where :func:`narcoflow.model.kernels.available` says it can run, else the numpy reference."""
    from narcoflow.model.compiled import CompiledBackend
    from narcoflow.model.reference import ReferenceBackend

    if name is None:
        name = "numba" if kernels.available() else "numpy"
    if name == "numba":
        if not kernels.available():
            raise RuntimeError("the compiled backend cannot run here (see narcoflow.model.kernels.available)")
        return CompiledBackend(gens)
    if name == "numpy":
        return ReferenceBackend(gens)
    raise ValueError(f"unknown backend {name!r} (have: numba, numpy)")
