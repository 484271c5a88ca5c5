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

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from narcoflow.results import Results
    from narcoflow.scenario import Scenario

__all__ = ["STAGES", "system_view"]

STAGES: Mapping[str, str] = {
    "origin": "Origin ports and hubs",
    "entry": "Entries to the processing country",
    "direct": "Direct to the market country",
    "lab": "Labs",
    "crossing": "Crossings",
    "inland": "Inland (checkpoints)",
    "market": "Markets",
}
"""Stage of a node in the chain, by stage id (see :func:`node_stages`)."""

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


def _sankey_links(
    stage: list[str],
    names: list[str],
    sold: np.ndarray,
    seized: np.ndarray,
    flow: np.ndarray,
    destroyed: np.ndarray,
    region_share: Mapping[int, float],
) -> list[list[Any]]:
    """Links [source label, target label, kg] of one year; arrays are member means of that year.

    ``sold`` and ``destroyed`` are totals (final-product equivalents), ``seized`` and ``flow`` per node.
    """
    at = {s: [i for i, x in enumerate(stage) if x == s] for s in (*STAGES, "source")}
    links: list[list[Any]] = []

    def link(a: str, b: str, kg: float) -> None:
        if kg > 1e-9:
            links.append([a, b, float(kg)])

    origin, entry, lab = STAGES["origin"], STAGES["entry"], STAGES["lab"]
    for i, share in region_share.items():
        link(f"Firms: {names[i]}", origin, sold * share)
    link(origin, "Seized at origin", seized[at["origin"]].sum())
    direct = 0.0
    for i in at["direct"]:
        link(origin, names[i], flow[i])
        direct += flow[i]
    into_entries = sold - seized[at["origin"]].sum() - direct
    link(origin, entry, into_entries)
    link(entry, "Seized on entry", seized[at["entry"]].sum())
    into_labs = into_entries - seized[at["entry"]].sum()
    link(entry, lab, into_labs)
    link(lab, "Destroyed in lab raids", destroyed)
    out_labs = flow[at["crossing"]].sum()
    held = into_labs - destroyed - out_labs
    link(lab, "Held in lab stock or in transit", held)
    link("Drawn from lab stock", lab, -held)
    has_inland = bool(at["inland"])
    for i in at["crossing"]:
        link(lab, names[i], flow[i])
        link(names[i], "Seized at the border", seized[i])
        if has_inland:
            link(names[i], STAGES["inland"], flow[i] - seized[i])
    if has_inland:
        link(STAGES["inland"], "Seized inland", seized[at["inland"]].sum())
    inland_out = sum(flow[i] - seized[i] for i in at["crossing"]) - seized[at["inland"]].sum()
    direct_out = {i: flow[i] - seized[i] for i in at["direct"]}
    for i in at["direct"]:
        link(names[i], "Seized at mail and express facilities", seized[i])
    total_out = inland_out + sum(direct_out.values())
    for q in at["market"]:
        for i, kg in direct_out.items():
            link(names[i], names[q], flow[q] * kg / total_out if total_out > 0 else 0.0)
        if has_inland:
            link(STAGES["inland"], names[q], flow[q] * inland_out / total_out if total_out > 0 else 0.0)
        else:
            for i in at["crossing"]:
                share = (flow[i] - seized[i]) / total_out if total_out > 0 else 0.0
                link(names[i], names[q], flow[q] * share)
        link(names[q], "Consumed or held in market stock", flow[q])
    return links


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


def system_view(res: Results, sc: Scenario) -> dict[str, Any]:
    """The run reduced to what "The system" draws (JSON-serializable; see the module docstring).

    Keys: ``scenario``, ``members``, ``months`` ("YYYY-MM"), ``years`` (complete calendar years),
    ``nodes`` (id, name, kind, country, lat, lon, stage), ``edges`` ([from, to, mode]),
    ``crossing_kinds``, ``node_flow`` and ``node_seized`` ({year: median kg per node}: final product
    arriving; seizures of all commodities in final-product equivalents), ``precursor_share_of_sold``
    ({year: median share of the sold mass that is the recipe's input}), ``sankey`` ({year: links
    [source, target, kg], member means}), ``series`` (monthly bands) and ``events``.
    """
    ds = res.dataset
    t = pd.DatetimeIndex(ds["month"].values)
    counts = pd.Series(t.year).value_counts()
    keep = sorted(int(y) for y, n in counts.items() if n == 12)
    years = np.asarray(t.year)
    w = _equivalents(res, sc)
    seized_eq = (ds["seized_kg"].values.astype(np.float64) * w[:, None, :, None]).sum(axis=2)
    sold_eq_c = ds["sold_kg"].values.astype(np.float64) * w[:, None, :]
    flow_y = _yearly(ds["flow_kg"].values.astype(np.float64), years, keep)  # [M, Y, N]
    seized_y = _yearly(seized_eq, years, keep)
    sold_y = _yearly(sold_eq_c.sum(axis=2), years, keep)  # [M, Y]
    destroyed_y = _yearly(
        (ds["destroyed_kg"].values.astype(np.float64) * w[:, None, :]).sum(axis=2), years, keep
    )
    node_ids = [str(n) for n in ds["node"].values]
    stages = node_stages(sc)
    names = [sc.network.nodes[n].name or n for n in node_ids]
    region_share = {node_ids.index(r): s for r, s in sc.suppliers.regions.items()}
    total = sum(region_share.values())
    region_share = {i: s / total for i, s in region_share.items()}
    stage = [stages[n] for n in node_ids]
    precursor_share = np.zeros_like(sold_y)
    if sc.recipe is not None:
        ci = list(ds["commodity"].values).index(sc.recipe.input)
        inp_y = _yearly(sold_eq_c[:, :, ci], years, keep)
        precursor_share = np.divide(inp_y, sold_y, out=np.zeros_like(sold_y), where=sold_y > 0)
    edges = sorted({(a, b, e.mode) for e in sc.network.edges for a, b in e.pairs()})
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
        "node_flow": {str(y): np.median(flow_y[:, j], axis=0).round(4).tolist() for j, y in enumerate(keep)},
        "node_seized": {
            str(y): np.median(seized_y[:, j], axis=0).round(4).tolist() for j, y in enumerate(keep)
        },
        "precursor_share_of_sold": {
            str(y): round(float(np.median(precursor_share[:, j])), 6) for j, y in enumerate(keep)
        },
        "sankey": {
            str(y): _sankey_links(
                stage,
                names,
                float(sold_y[:, j].mean()),
                seized_y[:, j].mean(axis=0),
                flow_y[:, j].mean(axis=0),
                float(destroyed_y[:, j].mean()),
                region_share,
            )
            for j, y in enumerate(keep)
        },
        "series": _series(res, sc),
        "events": _events(sc, list(t.strftime("%Y-%m"))),
    }
