"""The run's outputs, declared once: name, dimensions, unit, dtype, and what each month records.

:data:`OUTPUTS` is the one list of outputs. The :class:`Recorder` fills them month by month from a
:class:`Month` (the month's step results and the state), :class:`narcoflow.results.Results` labels
them with these dimensions and units, and the report reads the units from the dataset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from narcoflow.model.enforcement import Enforcement
    from narcoflow.model.harm import HarmMonth
    from narcoflow.model.labs import LabsMonth
    from narcoflow.model.layout import Layout
    from narcoflow.model.market import MarketArrivals
    from narcoflow.model.procurement import Procurement
    from narcoflow.model.routes import Shipping
    from narcoflow.model.shipping import Outbound
    from narcoflow.model.state import State
    from narcoflow.model.suppliers import SupplyMonth


@dataclass
class Month:
    """What one month produced: every step's result, and the state after it."""

    state: State
    supply: SupplyMonth
    enforcement: Enforcement
    procurement: Procurement
    inbound: Shipping
    labs: LabsMonth
    outbound: Outbound
    seized: np.ndarray  # [M, C, N] kg seized by commodity and node
    market: MarketArrivals
    harm: HarmMonth
    violence: np.ndarray  # [M]
    balance_error: np.ndarray  # [M]


@dataclass(frozen=True)
class Output:
    """One output: its name, dimensions after (member, month), unit, dtype, and its value in a month."""

    name: str
    dims: tuple[str, ...]  # dimensions after ("member", "month")
    unit: str
    dtype: type
    take: Callable[[Month, Layout], np.ndarray]


def _order_share(m: Month, lay: Layout) -> np.ndarray:
    want, s_fin = m.procurement.want, m.procurement.finished_share
    tot = want.sum(axis=1)
    return np.divide((want * s_fin).sum(axis=1), tot, out=np.zeros(tot.size), where=tot > 0)


def _sold(m: Month, lay: Layout) -> np.ndarray:
    got = m.procurement.bought
    out = np.zeros((got.shape[0], len(lay.net.commodity_ids)))
    np.add.at(out, (slice(None), lay.inb.group_commodity), got)
    return out


def _flow(m: Month, lay: Layout) -> np.ndarray:
    fin = lay.net.final
    return m.inbound.flow_by_node[:, fin] + m.outbound.shipping.flow_by_node[:, fin]


def _arrivals(m: Month, lay: Layout) -> np.ndarray:
    return m.inbound.flow_by_node + m.outbound.shipping.flow_by_node


def _events(m: Month, lay: Layout) -> np.ndarray:
    return m.inbound.events_by_node + m.outbound.shipping.events_by_node


F32, F64 = np.float32, np.float64

#: every output of a run, in the order the dataset lists them
OUTPUTS: tuple[Output, ...] = (
    Output("deaths_final", (), "deaths/month (observed category: final product involved, incl. background)",
           F32, lambda m, lay: m.harm.deaths_final),
    Output("deaths_total", (), "deaths/month (all modelled opioid overdose deaths)", F32,
           lambda m, lay: m.harm.deaths_total),
    Output("delivered_kg", (), "kg/month of the final product reaching markets", F32,
           lambda m, lay: m.market.delivered.sum(axis=1)),
    Output("delivered_made_kg", (), "kg/month reaching markets that was made from the recipe input", F32,
           lambda m, lay: m.market.delivered_made.sum(axis=1)),
    Output("final_order_share", (), "share of desired throughput ordered as finished product", F32,
           _order_share),
    Output("phi", (), "share of the illicit opioid supply that is the final product", F32,
           lambda m, lay: m.market.outcome.phi),
    Output("price", (), "USD/kg", F32, lambda m, lay: m.market.outcome.price),
    Output("purity", (), "share", F32, lambda m, lay: m.market.outcome.purity),
    Output("violence", (), "index", F32, lambda m, lay: m.violence),
    Output("lab_capacity_kg", (), "kg input/month", F32,
           lambda m, lay: m.state.orgs.lab_capacity.sum(axis=1)),
    Output("firms_selling", (), "firms", F32, lambda m, lay: m.supply.selling),
    Output("firms_shut", (), "firms/month", F32, lambda m, lay: m.supply.shut),
    Output("mass_balance_error", (), "relative error of the mass ledgers", F64,
           lambda m, lay: m.balance_error),
    Output("seized_kg", ("commodity", "node"), "kg/month", F32, lambda m, lay: m.seized),
    Output("seizure_events", ("commodity", "node"), "events/month", F32, _events),
    Output("flow_kg", ("node",), "kg/month of the final product arriving at the node", F32, _flow),
    Output("arrivals_kg", ("commodity", "node"),
           "kg/month of each commodity arriving at the node (before seizure there)", F32, _arrivals),
    Output("available_kg", ("commodity",), "kg/month offered by the firms", F32,
           lambda m, lay: m.procurement.available),
    Output("sold_kg", ("commodity",), "kg/month bought from the firms", F32, _sold),
    Output("destroyed_kg", ("commodity",), "kg/month destroyed by raids", F32,
           lambda m, lay: m.labs.destroyed),
    Output("population", ("stock",), "persons", F32, lambda m, lay: m.state.population),
    Output("cohesion", ("organization",), "share (1 = intact)", F32, lambda m, lay: m.state.orgs.cohesion),
    Output("org_scale", ("organization",), "kg/month of final product wanted", F32,
           lambda m, lay: m.state.orgs.scale),
    Output("levels", ("level",), "level (see Scenario.level_names)", F32,
           lambda m, lay: m.state.levels.values),
    Output("coverage", ("node",), "share of shipments inspected (or of the lab area raided)", F32,
           lambda m, lay: m.enforcement.coverage),
    Output("agency_effectiveness", ("agency",),
           "at full coverage: seized share of a shipment (inspecting agencies) or monthly raid probability "
           "(raiding agencies) = detection × intensity × cooperation factor, before any origin control level",
           F32, lambda m, lay: m.enforcement.effectiveness),
)  # fmt: skip

#: output name -> its declaration
BY_NAME: dict[str, Output] = {o.name: o for o in OUTPUTS}


def dimension_sizes(lay: Layout, members: int) -> dict[str, int]:
    """The length of every output dimension for a run of ``members`` members on ``lay``."""
    from narcoflow.model.harm import STOCKS

    net = lay.net
    return {
        "member": members,
        "month": lay.scenario.calendar.months,
        "commodity": len(net.commodity_ids),
        "node": len(net.node_ids),
        "organization": len(net.org_ids),
        "stock": len(STOCKS),
        "level": len(lay.levels.names),
        "agency": len(lay.agencies.ids),
    }


def dimension_labels(lay: Layout) -> dict[str, list[str]]:
    """The labels along every output dimension after (member, month)."""
    from narcoflow.model.harm import STOCKS

    net = lay.net
    return {
        "commodity": list(net.commodity_ids),
        "node": list(net.node_ids),
        "organization": list(net.org_ids),
        "stock": list(STOCKS),
        "level": list(lay.levels.names),
        "agency": list(lay.agencies.ids),
    }


class Recorder:
    """Allocates every output for a batch and records each month into it."""

    def __init__(self, lay: Layout, members: int) -> None:
        self.lay = lay
        size = dimension_sizes(lay, members)
        self.arrays: dict[str, np.ndarray] = {
            o.name: np.zeros((members, size["month"], *(size[d] for d in o.dims)), dtype=o.dtype)
            for o in OUTPUTS
        }

    def record(self, t: int, month: Month) -> None:
        """Store month ``t``'s value of every output."""
        for o in OUTPUTS:
            self.arrays[o.name][:, t] = o.take(month, self.lay)
