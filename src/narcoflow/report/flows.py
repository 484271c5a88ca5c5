"""Flows along the network's edges, and the mass by stage, from what the engine records per node.

The engine records what arrives at each node (``arrivals_kg``, by commodity) and what is seized there,
not the flow on each edge. :func:`edge_flows` estimates the edge flows by iterative proportional fitting
(IPF): the flows into each node add up to its arrivals, and the flows out of each transit node add up
to its arrivals less its seizures (what it passed on). :func:`sankey_links` turns one year's node
figures and edge flows into the links of the mass Sankey.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["STAGES", "edge_flows", "sankey_links"]

STAGES: Mapping[str, str] = {
    "origin": "Origin ports and hubs",
    "entry": "Entries to the processing country",
    "direct": "Direct to the market country",
    "lab": "Labs",
    "crossing": "Crossings",
    "inland": "Inland (checkpoints)",
    "market": "Markets",
}
"""Stage of a node in the chain, by stage id (``narcoflow.report.system.node_stages``)."""

_PASS_ON = ("origin", "entry", "direct", "crossing", "inland")  # transit stages: out = arrivals − seized


def edge_flows(
    stage: Sequence[str],
    edges: Sequence[tuple[int, int]],
    arrivals: np.ndarray,
    seized: np.ndarray,
    region_share: Mapping[int, float],
    iterations: int = 60,
) -> np.ndarray:
    """Estimated kg on each edge (u, v): IPF from the node totals (see the module docstring).

    Edges out of the supplier regions start in proportion to the regions' share of firms. The last
    step matches the arrivals, so the flows into a node always add up to what arrived there.
    """
    src = np.array([u for u, _ in edges], dtype=np.int64)
    dst = np.array([v for _, v in edges], dtype=np.int64)
    n = len(stage)
    x = np.array([region_share.get(u, 0.0) if stage[u] == "source" else 1.0 for u in src], dtype=float)
    into = np.asarray(arrivals, dtype=float)
    out = np.maximum(into - np.asarray(seized, dtype=float), 0.0)
    constrained = np.array([stage[u] in _PASS_ON for u in src])
    for _ in range(iterations):
        x *= _ratio(into, np.bincount(dst, x, n))[dst]
        ratio = _ratio(out, np.bincount(src, x, n))[src]
        x = np.where(constrained, x * ratio, x)
    x *= _ratio(into, np.bincount(dst, x, n))[dst]
    return x


def _ratio(target: np.ndarray, current: np.ndarray) -> np.ndarray:
    return np.divide(target, current, out=np.zeros_like(target), where=current > 0)


def sankey_links(
    stage: Sequence[str],
    names: Sequence[str],
    edges: Sequence[tuple[int, int]],
    flows: np.ndarray,
    arrivals: np.ndarray,
    seized: np.ndarray,
    destroyed: float,
) -> list[list[Any]]:
    """Links [source label, target label, kg] of one year's mass by stage.

    Supplier regions → each origin port or hub → each entry (or direct route) → the labs → each
    crossing → inland → each market, with seizures at every stage, lab raids, what the labs held back
    (or drew from stock) and what reached the markets as exits. ``flows`` are :func:`edge_flows`.
    """
    links: list[list[Any]] = []

    def link(a: str, b: str, kg: float) -> None:
        if kg > 1e-9:
            links.append([a, b, float(kg)])

    label = {"lab": STAGES["lab"], "inland": STAGES["inland"]}

    def name(i: int) -> str:
        return label.get(stage[i], names[i])

    exits = {
        "origin": "Seized at origin",
        "entry": "Seized on entry",
        "direct": "Seized at mail and express facilities",
        "crossing": "Seized at the border",
        "inland": "Seized inland",
    }
    between: dict[tuple[str, str], float] = {}
    for (u, v), kg in zip(edges, flows, strict=True):
        if stage[u] == "lab":
            continue  # the labs' outflow is what arrived at the crossings (below)
        key = (f"Firms: {names[u]}" if stage[u] == "source" else name(u), name(v))
        between[key] = between.get(key, 0.0) + float(kg)
    for (a, b), kg in between.items():
        if a != b:
            link(a, b, kg)
    for s, exit_ in exits.items():
        for i in (i for i, x in enumerate(stage) if x == s):
            link(name(i), exit_, seized[i])
    into_labs = sum(arrivals[i] for i, s in enumerate(stage) if s == "lab")
    out_labs = sum(arrivals[i] for i, s in enumerate(stage) if s == "crossing")
    for i in (i for i, s in enumerate(stage) if s == "crossing"):
        link(STAGES["lab"], names[i], arrivals[i])
    link(STAGES["lab"], "Destroyed in lab raids", destroyed)
    held = into_labs - destroyed - out_labs
    link(STAGES["lab"], "Held in lab stock or in transit", held)
    link("Drawn from lab stock", STAGES["lab"], -held)
    for i in (i for i, s in enumerate(stage) if s == "market"):
        link(names[i], "Consumed or held in market stock", arrivals[i])
    return links
