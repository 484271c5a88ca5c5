"""The Experiments page: browse a store made by ``narcoflow explore`` (the server's ``--store``).

Outcome distributions per policy (with regret), Sobol or Morris indices (by the store's design) and PRIM
boxes for a threshold, drawn with :mod:`narcoflow.explore.figures` from
:mod:`narcoflow.explore.analyses`. The store is the file the server was started with; the page never
takes a path from the browser. Reading and analysing a store is quick and done in the web process; it
runs no simulation.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

from dash import Dash, Input, Output, State, dcc, html

from narcoflow.errors import NarcoFlowError

__all__ = ["available", "experiments_page", "register_experiments"]


def available() -> bool:
    """Whether this NarcoFlow has the experiments store and its analyses."""
    try:
        return importlib.util.find_spec("narcoflow.explore.analyses") is not None
    except ModuleNotFoundError:  # no narcoflow.explore package at all
        return False


def _meta(store: str) -> dict[str, Any]:
    from narcoflow.execute.store import Store

    with Store.read(store) as s:
        meta = s.meta()
        design = s.spec().get("design", {})
    return {
        "outcomes": json.loads(meta["outcomes"]),
        "policies": json.loads(meta["policies"]),
        "method": design.get("method"),
    }


def experiments_page(store: str | None) -> html.Div:
    """Choose an outcome and a policy; see distributions, indices and PRIM boxes."""
    title = html.H2("Experiments")
    if not available():
        return html.Div([title, _missing("this NarcoFlow has no experiments store (narcoflow explore)")])
    if not store:
        return html.Div(
            [title, _missing("start the dashboard with --store PATH (a store made by narcoflow explore)")]
        )
    if not Path(store).is_file():
        return html.Div([title, _missing(f"the store {store} does not exist")])
    try:
        meta = _meta(store)
    except NarcoFlowError as exc:
        return html.Div([title, html.Pre(exc.format(), className="located-error")])
    outcomes, policies = meta["outcomes"], meta["policies"]
    return html.Div(
        [
            title,
            html.P(
                f"{store}: {len(policies)} policies, design {meta['method']}.",
                className="note",
                id="exp-info",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label("Outcome"),
                            dcc.Dropdown(
                                id="exp-outcome", options=outcomes, value=outcomes[0], clearable=False
                            ),
                        ],
                        className="field wide",
                    ),
                    html.Div(
                        [
                            html.Label("Policy (indices, PRIM)"),
                            dcc.Dropdown(
                                id="exp-policy", options=policies, value=policies[0], clearable=False
                            ),
                        ],
                        className="field",
                    ),
                    html.Div(
                        [
                            html.Label("PRIM threshold (default: median)"),
                            dcc.Input(id="exp-threshold", type="number"),
                        ],
                        className="field",
                    ),
                    html.Div(
                        [
                            html.Label("Cases of interest"),
                            dcc.Dropdown(
                                id="exp-direction", options=["above", "below"], value="above", clearable=False
                            ),
                        ],
                        className="field",
                    ),
                ],
                className="row",
            ),
            html.Div(id="exp-body"),
        ]
    )


def _missing(text: str) -> html.P:
    return html.P(f"Browsing experiments needs a store: {text}.", className="missing")


def _figures(store: str, outcome: str, policy: str, threshold: Any, direction: str) -> list[Any]:
    from narcoflow.execute.store import Store
    from narcoflow.explore import analyses
    from narcoflow.explore import figures as xf

    out: list[Any] = []
    with Store.read(store) as s:
        view = analyses.outcome_per_experiment(s, outcome)
        values = view.table.pivot(index="design_point", columns="policy", values="y")
        table, thr = analyses.compare_policies(s, outcome)
        out.append(dcc.Graph(id="exp-compare", figure=xf.compare_figure(values, table, outcome, thr)))
        method = view.spec.get("design", {}).get("method")
        try:
            if method == "sobol":
                out.append(
                    dcc.Graph(
                        id="exp-indices",
                        figure=xf.sobol_figure(analyses.sobol_indices(s, outcome, policy), outcome),
                    )
                )
            elif method == "morris":
                out.append(
                    dcc.Graph(
                        id="exp-indices",
                        figure=xf.morris_figure(analyses.morris_indices(s, outcome, policy), outcome),
                    )
                )
            else:
                out.append(
                    html.P(
                        f"Sensitivity indices need a Sobol or Morris design; this one is {method}.",
                        className="note",
                    )
                )
        except NarcoFlowError as exc:
            out.append(html.Pre(exc.format(), className="located-error"))
        rows = view.table[view.table["policy"] == policy]["y"]
        level = float(rows.median()) if threshold is None else float(threshold)
        try:
            result, share = analyses.discover(s, outcome, level, direction, policy)
            rule = f"{direction} {level:.4g} ({share:.0%} of the experiments)"
            out.append(dcc.Graph(id="exp-prim", figure=xf.prim_figure(result, outcome, rule)))
        except NarcoFlowError as exc:
            out.append(html.Pre(exc.format(), className="located-error"))
    return out


def register_experiments(app: Dash, store: str | None) -> None:
    """The page's one callback (only when a store can be read)."""

    @app.callback(
        Output("exp-body", "children"),
        Input("exp-outcome", "value"),
        Input("exp-policy", "value"),
        Input("exp-threshold", "value"),
        Input("exp-direction", "value"),
        State("url", "pathname"),
    )
    def body(outcome: str, policy: str, threshold: Any, direction: str, _: str) -> Any:
        if not store or not available():
            return []
        try:
            return _figures(store, outcome, policy, threshold, direction)
        except NarcoFlowError as exc:
            return html.Pre(exc.format(), className="located-error")
