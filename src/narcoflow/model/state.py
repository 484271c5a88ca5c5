"""The state a run carries from month to month, all arrays with a leading member axis, updated in place.

:class:`State` gathers the firms (:mod:`~narcoflow.model.suppliers`), the organizations
(:mod:`~narcoflow.model.organizations`), the agencies' allocation, the time-varying :class:`Levels`
(with their ramps), the :class:`Transit` ring buffers, the market stocks, the population stocks, the
traffickers' perceived :class:`Risk`, the mass :class:`~narcoflow.model.ledger.Ledger`, and the two
memories of procurement (the demand premium and the fill rate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from narcoflow.model.harm import initial_stocks
from narcoflow.model.layout import Layout, TransitIndex
from narcoflow.model.ledger import Ledger
from narcoflow.model.organizations import Orgs, init_orgs
from narcoflow.model.suppliers import Firms, init_firms


@dataclass
class Levels:
    """The time-varying levels [M, K] (columns: :class:`~narcoflow.model.layout.LevelIndex`) and the
    ramps in progress. A ramp multiplies its level by 1 + (factor − 1)·progress, so ramps and other
    changes on one level compose multiplicatively."""

    values: np.ndarray  # [M, K]
    ramps: list[tuple[int, np.ndarray, int, int]] = field(
        default_factory=list
    )  # (column, factor, start, months)

    def ramp(self, column: int, factor: np.ndarray, t: int, months: int) -> None:
        """Start a ramp of ``column`` toward ``factor`` over ``months`` months from month ``t``."""
        self.ramps.append((column, factor, t, months))

    def advance(self, t: int) -> None:
        """Apply month ``t``'s step of every ramp in progress; drop the ramps that are complete."""
        for col, f, t0, n in self.ramps:
            before = 1.0 + (f - 1.0) * min(1.0, (t - t0) / n)
            now = 1.0 + (f - 1.0) * min(1.0, (t - t0 + 1) / n)
            self.values[:, col] *= now / before
        self.ramps = [r for r in self.ramps if t - r[2] + 1 < r[3]]

    def clipped(self, columns: np.ndarray | int) -> np.ndarray:
        """Levels clipped to [0, 1] (cooperation, control)."""
        return np.clip(self.values[:, columns], 0.0, 1.0)


def initial_levels(lay: Layout, p: Any, M: int) -> Levels:
    """Levels at the start: control, cooperation and intensity from their parameters; the harm
    multipliers and the shipment-size levels at 1."""
    ix, net = lay.levels, lay.net
    values = np.zeros((M, len(ix.names)))
    for c, col in zip(net.commodity_ids, ix.control, strict=True):
        values[:, col] = p.commodities[c].control
    for r, col in ix.cooperation.items():
        values[:, col] = p.cooperation[r]
    for a, col in zip(lay.agencies.ids, ix.intensity, strict=True):
        values[:, col] = p.agencies[a].intensity
    values[:, [ix.hazard, ix.final_risk, ix.naloxone]] = 1.0
    values[:, ix.shipment] = 1.0
    return Levels(values)


@dataclass
class Transit:
    """Shipments on their way, in ring buffers of D monthly slots (``layout.TransitIndex``).

    ``labs`` [M, D·L·2]: kg bound for each lab pair (recipe input, final product); ``markets`` and
    ``made`` [M, D·Q]: final product bound for each market, and the part of it made from the input.
    """

    index: TransitIndex
    labs: np.ndarray
    markets: np.ndarray
    made: np.ndarray
    L: int
    Q: int

    @property
    def to_labs(self) -> np.ndarray:
        """A view [M, D, 2, L] of the lab-bound shipments (what a fragmentation hands to factions)."""
        M, D = self.labs.shape[0], self.index.slots
        return self.labs.reshape(M, D, self.L, 2).transpose(0, 1, 3, 2)

    def put_inbound(self, bk: Any, slot: int, delivered: np.ndarray) -> None:
        """Inbound deliveries [M, P_in] leave for their lab or market (arriving after their delay)."""
        ix = self.index
        bk.scatter_add(self.labs, delivered, ix.in_lab_cols[slot], ix.in_lab_rows)
        bk.scatter_add(self.markets, delivered, ix.in_mkt_cols[slot], ix.in_mkt_rows)

    def put_outbound(self, bk: Any, slot: int, delivered: np.ndarray, made: np.ndarray) -> None:
        """Outbound deliveries [M, P_out] (and their made-from-input part) leave for the markets."""
        cols = self.index.out_cols[slot]
        bk.scatter_add(self.markets, delivered, cols)
        bk.scatter_add(self.made, made, cols)

    def take_labs(self, slot: int) -> np.ndarray:
        """What reaches the labs this month, [M, L, 2] (the slot is emptied)."""
        w = self.L * 2
        arr = self.labs[:, slot * w : (slot + 1) * w].reshape(-1, self.L, 2).copy()
        self.labs[:, slot * w : (slot + 1) * w] = 0.0
        return arr

    def take_markets(self, slot: int) -> tuple[np.ndarray, np.ndarray]:
        """What reaches the markets this month, [M, Q], and the part of it made from the input."""
        q = self.Q
        arrivals = self.markets[:, slot * q : (slot + 1) * q].copy()
        made = self.made[:, slot * q : (slot + 1) * q].copy()
        self.markets[:, slot * q : (slot + 1) * q] = 0.0
        self.made[:, slot * q : (slot + 1) * q] = 0.0
        return arrivals, made

    def totals(self) -> tuple[np.ndarray, np.ndarray]:
        """kg in transit per member: the recipe input, and the final product (to labs and markets)."""
        # (contiguous [member, n] copies: a reduction over several axes may be ordered differently
        # when a batch has one member, which would change the last bit)
        M, D = self.labs.shape[0], self.index.slots
        tr = self.labs.reshape(M, D * self.L, 2)
        t_in = np.ascontiguousarray(tr[:, :, 0]).sum(axis=1)
        t_fin = np.ascontiguousarray(tr[:, :, 1]).sum(axis=1) + self.markets.sum(axis=1)
        return t_in, t_fin


@dataclass
class Risk:
    """Traffickers' perceived seizure risk per (organization, edge, commodity), [M, O·(E+1)·C].

    It starts, in the first month, at that month's true seizure probabilities (the prior), and learns
    from the kg each organization ships (``exposure``) and loses (``seized``) on each edge.
    """

    values: np.ndarray | None = None
    prior: np.ndarray | None = None
    exposure: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    seized: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def start(self, seize_prob: np.ndarray, n_orgs: int) -> None:
        """In the first month, every organization's perceived risk is the true seizure probability."""
        if self.values is None:
            self.values = np.tile(seize_prob, (1, n_orgs))
            self.prior = self.values.copy()

    def learn(self, bk: Any, memory: np.ndarray, prior_weight: np.ndarray) -> None:
        """Where kg were shipped: risk ← (1 − w)·risk + w·seized/shipped; elsewhere it drifts back to the
        prior at rate ρ (NarcoLogic's rule). The month's exposure and seized kg are then reset."""
        bk.learn_risk(self.values, self.prior, self.exposure, self.seized, memory, prior_weight)


@dataclass
class State:
    """Everything a run carries across months (see the module docstring)."""

    firms: Firms
    orgs: Orgs
    alloc: np.ndarray  # [M, N] agencies' allocation shares over their nodes
    levels: Levels
    transit: Transit
    market_stock: np.ndarray  # [M, Q] kg
    population: np.ndarray  # [M, 5] persons by stock (harm.STOCKS)
    risk: Risk
    ledger: Ledger
    premium: np.ndarray  # [M, C] log(1 + ordered / available) last month: the firms' demand premium
    fill: np.ndarray  # [M, O, C] smoothed share of orders the suppliers could fill
    purity_prev: np.ndarray | None = None  # [M] last month's purity (None in the first month)


def initial_state(lay: Layout, p: Any, bk: Any) -> State:
    """The state at the start of a run (draws the members' firms from their streams)."""
    net = lay.net
    M = len(bk.gens)
    C, O, L, Q = len(net.commodity_ids), len(net.org_ids), len(net.lab_org), len(net.markets)
    D, E1 = lay.transit.slots, net.n_edges + 1
    levels = initial_levels(lay, p, M)
    firms = init_firms(bk, lay.scenario.suppliers.count, lay.region_share, p.suppliers)
    return State(
        firms=firms,
        orgs=init_orgs(net, p.organizations, M),
        alloc=np.tile(lay.agencies.initial_alloc, (M, 1)),
        levels=levels,
        transit=Transit(
            lay.transit, np.zeros((M, D * L * 2)), np.zeros((M, D * Q)), np.zeros((M, D * Q)), L, Q
        ),
        market_stock=np.zeros((M, Q)),
        population=initial_stocks(p.harm),
        risk=Risk(exposure=np.zeros((M, O * E1 * C)), seized=np.zeros((M, O * E1 * C))),
        ledger=Ledger.zeros(M),
        premium=np.zeros((M, C)),
        fill=np.ones((M, O, C)),
    )
