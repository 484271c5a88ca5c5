"""The dashboard's pages (Dash layouts): Scenario, Results, Compare, Planning, Experiments.

Controls are generated from the scenario's declared levers (name, unit, range, default), never
hard-coded; component ids are what the callbacks (:mod:`narcoflow.app.callbacks`) and the browser
tests use.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from narcoflow.app.runs import MAX_UPLOAD_BYTES

__all__ = [
    "PAGES",
    "compare_page",
    "lever_controls",
    "planning_page",
    "results_page",
    "scenario_page",
]

PAGES = (
    ("/", "Scenario"),
    ("/results", "Results"),
    ("/compare", "Compare"),
    ("/planning", "Planning"),
    ("/experiments", "Experiments"),
)
"""(path, title) of each page, in the navigation's order."""


def shell() -> html.Div:
    """The frame of every page: title, navigation, the page's content, shared stores."""
    return html.Div(
        [
            dcc.Location(id="url"),
            dcc.Store(
                id="scenario-source",
                storage_type="session",
                data={"scenario": "baseline", "label": "baseline"},
            ),
            dcc.Store(id="last-run", storage_type="session"),
            html.Header(
                [
                    html.H1("NarcoFlow"),
                    html.Nav(
                        [dcc.Link(title, href=path, id=f"nav-{title.lower()}") for path, title in PAGES]
                    ),
                ]
            ),
            html.Main(id="page"),
        ]
    )


def _lever_label(row: Any) -> html.Label:
    unit = "" if row.unit == "1" else f" ({row.unit})"
    return html.Label(
        [
            html.Span(row.name, className="lever-name"),
            html.Span(f"{unit} range {row.low:g}–{row.high:g}", className="lever-meta"),
        ],
        title=row.description or row.source,
    )


def lever_controls(table: Any) -> list[html.Div]:
    """One slider per lever of a parameter table (:func:`narcoflow.scenario.parameter_table`)."""
    out = []
    for row in table[table["kind"] == "lever"].itertuples():
        step = (row.high - row.low) / 100 if row.high > row.low else 1
        out.append(
            html.Div(
                [
                    _lever_label(row),
                    dcc.Slider(
                        id={"type": "lever", "name": row.name},
                        min=row.low,
                        max=row.high,
                        step=step,
                        value=row.value,
                        marks=None,
                        tooltip={"placement": "bottom", "always_visible": False},
                        updatemode="mouseup",
                    ),
                ],
                className="lever",
                **{"data-default": str(row.value)},
            )
        )
    return out


def _whole_number(component_id: str, label: str, low: int, high: int, value: int) -> html.Div:
    """A labelled number box for a whole number in [low, high]."""
    box = dcc.Input(id=component_id, type="number", min=low, max=high, step=1, value=min(value, high))
    return html.Div([html.Label(label), box], className="field")


def _policy_start() -> html.Div:
    """The policy start month: levers that start a level (an agency's intensity, cooperation, a
    commodity's control) change from it; the others from the first month. Hidden without dated policies."""
    from narcoflow.app.runs import dated_policies

    box = dcc.Input(id="policy-start", type="text", placeholder="YYYY-MM (optional)", debounce=True)
    label = html.Label(
        "Policy start", title="Intensity, cooperation and control levers change from this month"
    )
    return html.Div([label, box], className="field", style=None if dated_policies() else {"display": "none"})


def scenario_page(scenarios: dict[str, str], max_members: int) -> html.Div:
    """Choose a built-in scenario or upload one, set levers, members and seed, run."""
    return html.Div(
        [
            html.H2("Scenario"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label("Built-in scenario"),
                            dcc.Dropdown(
                                id="scenario-name",
                                options=[
                                    {"label": f"{k} — {v[:90]}", "value": k} for k, v in scenarios.items()
                                ],
                                value="baseline",
                                clearable=False,
                            ),
                        ],
                        className="field wide",
                    ),
                    dcc.Upload(
                        id="scenario-upload",
                        children=html.Div(["or drop a scenario YAML here (at most 1 MiB)"]),
                        max_size=MAX_UPLOAD_BYTES,
                        accept=".yaml,.yml,text/yaml",
                        className="upload",
                    ),
                ],
                className="row",
            ),
            html.Div(id="upload-status"),
            html.P(id="scenario-info", className="note"),
            html.H3("Levers"),
            html.P(
                "Every lever the scenario declares, with its unit and range; a lever left at its "
                "default keeps the scenario's value (for the built-in baseline: each member's calibrated "
                "draw).",
                className="note",
            ),
            html.Div(id="levers", className="levers"),
            html.Div(
                [
                    _whole_number("members", f"Members (1–{max_members})", 1, max_members, 20),
                    html.Div(
                        [html.Label("Seed"), dcc.Input(id="seed", type="number", min=0, step=1, value=0)],
                        className="field",
                    ),
                    _policy_start(),
                    html.Button("Run", id="run-button", n_clicks=0, className="primary"),
                ],
                className="row",
            ),
            html.Div(id="job-status", className="job"),
            dcc.Interval(id="poll", interval=400, disabled=True),
            dcc.Store(id="job-key"),
            dcc.Graph(id="scenario-deaths", config={"displaylogo": False}),
        ]
    )


def _run_picker(component_id: str, label: str, runs: list[dict[str, str]], value: str | None) -> html.Div:
    return html.Div(
        [html.Label(label), dcc.Dropdown(id=component_id, options=runs, value=value)], className="field wide"
    )


def results_page(runs: list[dict[str, str]], chosen: str | None) -> html.Div:
    """A finished run's figures, and its summary.json and CSV for download."""
    return html.Div(
        [
            html.H2("Results"),
            html.Div(
                [
                    _run_picker("results-run", "Run", runs, chosen),
                    html.Button("summary.json", id="download-summary-button", n_clicks=0),
                    html.Button("CSV", id="download-csv-button", n_clicks=0),
                    dcc.Download(id="download"),
                ],
                className="row",
            ),
            html.Div(id="results-body"),
        ]
    )


def compare_page(runs: list[dict[str, str]]) -> html.Div:
    """Two runs side by side and their member-by-member difference."""
    a = runs[1]["value"] if len(runs) > 1 else None
    b = runs[0]["value"] if runs else None
    return html.Div(
        [
            html.H2("Compare"),
            html.P(
                "Runs with the same seed and members share their random numbers (common random numbers): "
                "each member's difference isolates the policy's effect. Bands: 5th–95th percentile "
                "over members.",
                className="note",
            ),
            html.Div(
                [_run_picker("compare-a", "Run A", runs, a), _run_picker("compare-b", "Run B", runs, b)],
                className="row",
            ),
            html.Div(id="compare-body"),
        ]
    )


def planning_page(agencies: list[str], max_members: int) -> html.Div:
    """Interdiction planning for an agency and budget, and the adaptive test of the plans."""
    return html.Div(
        [
            html.H2("Planning"),
            html.P(
                "For the scenario chosen on the Scenario page: the exact max-flow interdiction of its "
                "network within a budget (edges' interdiction costs), the Stackelberg allocation of an "
                "inspecting agency's coverage, and the adaptive test (plans simulated against traffickers "
                "who learn; a background job).",
                className="note",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label("Agency (inspecting)"),
                            dcc.Dropdown(
                                id="plan-agency",
                                options=agencies,
                                value=agencies[0] if agencies else None,
                                clearable=False,
                            ),
                        ],
                        className="field",
                    ),
                    html.Div(
                        [
                            html.Label("Budget / coverage units"),
                            dcc.Input(id="plan-budget", type="number", min=0, step=0.5, value=2),
                        ],
                        className="field",
                    ),
                    _whole_number(
                        "plan-members", f"Members (adaptive test, ≤ {max_members})", 2, max_members, 10
                    ),
                ],
                className="row",
            ),
            html.Div(
                [
                    html.Button("Max-flow interdiction", id="plan-maxflow", n_clicks=0),
                    html.Button("Allocate coverage", id="plan-allocate", n_clicks=0),
                    html.Button("Adaptive evaluation", id="plan-evaluate", n_clicks=0, className="primary"),
                ],
                className="row",
            ),
            html.Div(id="plan-output"),
            html.Div(id="plan-job-status", className="job"),
            dcc.Interval(id="plan-poll", interval=500, disabled=True),
            dcc.Store(id="plan-job-key"),
            html.Div(id="plan-evaluation"),
        ]
    )
