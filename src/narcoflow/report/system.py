"""The system view of a run: what the map, the Sankey and the panels of "The system" draw.

:func:`system_view` reduces a run's :class:`~narcoflow.results.Results` (and the scenario it ran) to a
plain, JSON-serializable dict: node arrivals and seizures per calendar year, the mass by stage per
year, the supply-side and organization series per month (median and 90% band over members), and the
dated events. The report and the dashboard draw their figures from this dict only
(:mod:`narcoflow.report.figures`), so a figure never needs the full dataset.

Masses are in final-product equivalents: kg of the recipe's input count as ``factor`` kg of product
(each member's own ``recipe.factor``), so every stage of the chain is on one scale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from narcoflow.report.flows import STAGES, edge_flows, sankey_links

if TYPE_CHECKING:
    from narcoflow.results import Results
    from narcoflow.scenario import Scenario

__all__ = ["STAGES", "node_stages", "system_view"]

_BAND = (5, 50, 95)


def node_stages(sc: Scenario) -> dict[str, str]:
    """The stage id of every node (``"source"`` for the supplier regions; see :data:`STAGES`).

    Read from the network, not from names: direct successors of the source nodes are origin ports and
    hubs; nodes downstream of a processing node are crossings (kinds in ``observables.crossing_kinds``)
    or inland; other upstream transit nodes are entries (in the market country: direct routes).
    """
    kinds = {k: v.role for k, v in sc.node_kinds.items()}
    nodes = sc.network.nodes
    succ: dict[str, set[str]] = {n: set() for n in nodes}
    for edge in sc.network.edges:
        for a, b in edge.pairs():
            succ[a].add(b)
    role = {n: kinds[node.kind] for n, node in nodes.items()}
    downstream: set[str] = set()
    todo = [n for n, r in role.items() if r == "processing"]
    while todo:
        for b in succ[todo.pop()]:
            if b not in downstream:
                downstream.add(b)
                todo.append(b)
    market_countries = {nodes[n].country for n, r in role.items() if r == "market"}
    first_hop = {b for n, r in role.items() if r == "source" for b in succ[n]}
    out: dict[str, str] = {}
    for n, r in role.items():
        if r in ("source", "market"):
            out[n] = r
        elif r == "processing":
            out[n] = "lab"
        elif n in downstream:
            out[n] = "crossing" if nodes[n].kind in sc.observables.crossing_kinds else "inland"
        elif n in first_hop:
            out[n] = "origin"
        else:
            out[n] = "direct" if nodes[n].country in market_countries else "entry"
    return out


def _bands(a: np.ndarray) -> dict[str, list[float]]:
    """p05/p50/p95 over the member axis (axis 0) of a [member, month] array, as lists."""
    p = np.percentile(np.asarray(a, dtype=np.float64), _BAND, axis=0)
    return {f"p{q:02d}": [round(float(x), 6) for x in row] for q, row in zip(_BAND, p, strict=True)}


def _yearly(a: np.ndarray, years: np.ndarray, keep: list[int]) -> np.ndarray:
    """Sum a [member, month, ...] array per calendar year: [member, year, ...] over ``keep`` years."""
    return np.stack([a[:, years == y].sum(axis=1) for y in keep], axis=1)


def _equivalents(res: Results, sc: Scenario) -> np.ndarray:
    """[member, commodity] weights turning kg of each commodity into final-product equivalents."""
    ds = res.dataset
    commodities = list(ds["commodity"].values)
    w = np.ones((ds.sizes["member"], len(commodities)))
    if sc.recipe is not None and sc.recipe.input in commodities:
        names = list(ds["parameter"].values)
        factor = ds["parameter_values"].values[:, names.index("recipe.factor")]
        w[:, commodities.index(sc.recipe.input)] = factor
    return w


def _events(sc: Scenario, months: list[str]) -> list[dict[str, Any]]:
    """The enabled events inside the run's ``months``, in date order: id, date, description, effect
    types, organizations, whether it is a leadership removal or fragmentation."""
    out = []
    for eid, ev in sorted(sc.events.items(), key=lambda kv: kv[1].date):
        if not ev.enabled or not months[0] <= ev.date <= months[-1]:
            continue
        types = [eff.type for eff in ev.effects]
        orgs = sorted({o for eff in ev.effects if (o := getattr(eff, "organization", None))})
        out.append(
            {
                "id": eid,
                "date": ev.date,
                "description": ev.description or eid,
                "types": types,
                "organizations": orgs,
                "leadership": any(t in ("leadership_removal", "fragmentation") for t in types),
            }
        )
    return out


def _series(res: Results, sc: Scenario) -> dict[str, Any]:
    """Monthly bands of the supply-side and organization outputs."""
    ds = res.dataset
    delivered = ds["delivered_kg"].values.astype(np.float64)
    made = ds["delivered_made_kg"].values.astype(np.float64)
    share = np.divide(made, delivered, out=np.full_like(made, np.nan), where=delivered > 0)
    share = np.where(np.isnan(share), 0.0, share)
    names = list(ds["parameter"].values)
    scrutiny = ds["parameter_values"].values[:, names.index("regulator.scrutiny_share")]
    months = ds.sizes["month"]
    scrutinized = np.repeat((scrutiny * sc.suppliers.count)[:, None], months, axis=1)
    orgs = [str(o) for o in ds["organization"].values]
    scale = ds["org_scale"].values.astype(np.float64)
    cohesion = ds["cohesion"].values.astype(np.float64)
    factions = [i for i, o in enumerate(orgs) if sc.organizations[o].faction_of]
    split = (scale[:, :, factions] > 0).any(axis=2).mean(axis=0) if factions else np.zeros(months)
    return {
        "firms_selling": _bands(ds["firms_selling"].values),
        "firms_shut": _bands(ds["firms_shut"].values),
        "firms_scrutinized": _bands(scrutinized),
        "precursor_route_share": _bands(share),
        "violence": _bands(ds["violence"].values),
        "org_scale": {o: _bands(scale[:, :, i]) for i, o in enumerate(orgs)},
        "cohesion": {o: _bands(cohesion[:, :, i]) for i, o in enumerate(orgs)},
        "split_share": [round(float(x), 6) for x in split],
    }


def _arrivals(res: Results, w: np.ndarray) -> np.ndarray:
    """[member, month, node] kg arriving, in final-product equivalents (all commodities when the run
    recorded ``arrivals_kg``; the final product alone for results made before it existed)."""
    ds = res.dataset
    if "arrivals_kg" in ds:
        return (ds["arrivals_kg"].values.astype(np.float64) * w[:, None, :, None]).sum(axis=2)
    return ds["flow_kg"].values.astype(np.float64)


def system_view(res: Results, sc: Scenario) -> dict[str, Any]:
    """The run reduced to what "The system" draws (JSON-serializable; see the module docstring).

    Keys: ``scenario``, ``members``, ``months`` ("YYYY-MM"), ``years`` (complete calendar years),
    ``nodes`` (id, name, kind, country, lat, lon, stage), ``edges`` ([from, to, mode]),
    ``crossing_kinds``; per year (string keys): ``node_flow`` and ``node_seized`` (median kg arriving
    at and seized at each node, final-product equivalents), ``edge_flow`` (kg on each edge, estimated
    from those medians: :func:`narcoflow.report.flows.edge_flows`), ``precursor_share_of_sold`` (median
    share of the firms' sales, in equivalents, that is the recipe's input) and ``sankey`` (links
    [source, target, kg] from the member means); ``series`` (monthly bands) and ``events``.
    """
    ds = res.dataset
    t = pd.DatetimeIndex(ds["month"].values)
    counts = pd.Series(t.year).value_counts()
    keep = sorted(int(y) for y, n in counts.items() if n == 12)
    years = np.asarray(t.year)
    w = _equivalents(res, sc)
    seized_y = _yearly(
        (ds["seized_kg"].values.astype(np.float64) * w[:, None, :, None]).sum(axis=2), years, keep
    )
    arrivals_y = _yearly(_arrivals(res, w), years, keep)  # [M, Y, N]
    sold_c = ds["sold_kg"].values.astype(np.float64) * w[:, None, :]
    sold_y = _yearly(sold_c.sum(axis=2), years, keep)  # [M, Y]
    destroyed = (ds["destroyed_kg"].values.astype(np.float64) * w[:, None, :]).sum(axis=2)
    destroyed_y = _yearly(destroyed, years, keep)
    node_ids = [str(n) for n in ds["node"].values]
    stages = node_stages(sc)
    stage = [stages[n] for n in node_ids]
    names = [sc.network.nodes[n].name or n for n in node_ids]
    total = sum(sc.suppliers.regions.values())
    region_share = {node_ids.index(r): s / total for r, s in sc.suppliers.regions.items()}
    edges = sorted({(a, b, e.mode) for e in sc.network.edges for a, b in e.pairs()})
    pairs = [(node_ids.index(a), node_ids.index(b)) for a, b, _ in edges]
    precursor_share = np.zeros_like(sold_y)
    if sc.recipe is not None:
        ci = list(ds["commodity"].values).index(sc.recipe.input)
        inp_y = _yearly(sold_c[:, :, ci], years, keep)
        precursor_share = np.divide(inp_y, sold_y, out=np.zeros_like(sold_y), where=sold_y > 0)
    node_flow, node_seized, edge_flow, sankey = {}, {}, {}, {}
    for j, y in enumerate(keep):
        arr_med, seized_med = np.median(arrivals_y[:, j], axis=0), np.median(seized_y[:, j], axis=0)
        node_flow[str(y)] = arr_med.round(4).tolist()
        node_seized[str(y)] = seized_med.round(4).tolist()
        edge_flow[str(y)] = edge_flows(stage, pairs, arr_med, seized_med, region_share).round(4).tolist()
        arr_mean, seized_mean = arrivals_y[:, j].mean(axis=0), seized_y[:, j].mean(axis=0)
        flows = edge_flows(stage, pairs, arr_mean, seized_mean, region_share)
        sankey[str(y)] = sankey_links(
            stage, names, pairs, flows, arr_mean, seized_mean, float(destroyed_y[:, j].mean())
        )
    return {
        "scenario": ds.attrs.get("scenario", sc.name),
        "members": int(ds.sizes["member"]),
        "months": list(t.strftime("%Y-%m")),
        "years": keep,
        "nodes": [
            {
                "id": n,
                "name": names[i],
                "kind": sc.network.nodes[n].kind,
                "country": sc.network.nodes[n].country,
                "lat": sc.network.nodes[n].lat,
                "lon": sc.network.nodes[n].lon,
                "stage": stage[i],
            }
            for i, n in enumerate(node_ids)
        ],
        "edges": [list(e) for e in edges],
        "crossing_kinds": list(sc.observables.crossing_kinds),
        "node_flow": node_flow,
        "node_seized": node_seized,
        "edge_flow": edge_flow,
        "precursor_share_of_sold": {
            str(y): round(float(np.median(precursor_share[:, j])), 6) for j, y in enumerate(keep)
        },
        "sankey": sankey,
        "series": _series(res, sc),
        "events": _events(sc, list(t.strftime("%Y-%m"))),
    }
