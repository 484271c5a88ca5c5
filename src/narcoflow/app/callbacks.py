"""The dashboard's callbacks: scenario and levers, background runs, results, comparison, planning.

Callbacks only read and write the cache folder through :mod:`narcoflow.app.runs` and hand simulations
to the :class:`~narcoflow.app.jobs.JobManager`; none of them simulates in the web process.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from narcoflow.app import pages
from narcoflow.app.experiments import experiments_page, register_experiments
from narcoflow.app.jobs import JobManager
from narcoflow.app.runs import RunRequest, list_runs, load_request_scenario, save_upload
from narcoflow.errors import NarcoFlowError

__all__ = ["Settings", "register"]


@dataclass(frozen=True)
class Settings:
    """What the server was started with."""

    cache: Path
    store: str | None = None
    max_members: int = 200


def _run_label(req: RunRequest) -> str:
    changed = ", ".join(f"{k.split('.', 1)[-1]}={v:g}" for k, v in sorted(req.levers.items())) or "defaults"
    name = req.label or req.scenario
    start = f" from {req.policy_start}" if req.policy_start and req.levers else ""
    return f"{name}: {changed}{start} · {req.members} members · seed {req.seed}"


def _run_options(settings: Settings) -> list[dict[str, str]]:
    return [{"label": _run_label(req), "value": key} for key, req in list_runs(settings.cache)]


def _empty(text: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        template="plotly_white", height=320, xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"text": text, "showarrow": False, "font": {"size": 15, "color": "#5b6575"}}],
    )  # fmt: skip
    return fig


def _error(message: str) -> html.Pre:
    return html.Pre(message, className="located-error")


def _graph(fig: go.Figure, gid: str) -> dcc.Graph:
    return dcc.Graph(id=gid, figure=fig, config={"displaylogo": False})


def _progress(status: dict[str, Any]) -> list[Any]:
    done, total = status.get("done", 0), status.get("total", 0) or 1
    text = {"queued": "queued", "running": f"simulating: {done} of {total} months", "done": "done"}
    return [
        html.Progress(value=str(done), max=str(total)),
        html.Span(text.get(status["state"], status["state"]), className=f"state {status['state']}"),
    ]


def _submit(jobs: JobManager, req: RunRequest) -> tuple[Any, bool, Any]:
    """Hand a request to the jobs: (job key, poll disabled?, status) for the page, or its error."""
    try:
        key = jobs.submit(req)
    except NarcoFlowError as exc:
        return no_update, True, _error(exc.format())
    return key, False, _progress(jobs.status(key))


def _read(settings: Settings, key: str, name: str) -> Any:
    folder = settings.cache / "runs" / key
    if not key or not folder.is_dir() or "/" in key:
        return None
    path = folder / name
    return json.loads(path.read_text()) if path.is_file() else None


def register(app: Dash, jobs: JobManager, settings: Settings) -> None:
    """Attach every callback to ``app``."""
    _register_scenario(app, settings)
    _register_runs(app, jobs, settings)
    _register_results(app, settings)
    _register_compare(app, settings)
    _register_planning(app, jobs, settings)
    register_experiments(app, settings.store)


def _register_scenario(app: Dash, settings: Settings) -> None:
    from narcoflow.scenario import builtin_scenarios, parameter_table

    scenarios = builtin_scenarios()  # read once: parsing every built-in file per page view is slow

    @app.callback(
        Output("page", "children"),
        Input("url", "pathname"),
        State("scenario-source", "data"),
        State("last-run", "data"),
    )
    def route(path: str | None, source: dict[str, Any], last: str | None) -> Any:
        if path == "/results":
            runs = _run_options(settings)
            return pages.results_page(runs, last or (runs[0]["value"] if runs else None))
        if path == "/compare":
            return pages.compare_page(_run_options(settings))
        if path == "/planning":
            try:
                sc = load_request_scenario(settings.cache, RunRequest(source["scenario"], 1, 0))
                agencies = [a for a, ag in sc.agencies.items() if ag.action == "inspect"]
            except NarcoFlowError:
                agencies = []
            return pages.planning_page(agencies, settings.max_members)
        if path == "/experiments":
            return experiments_page(settings.store)
        return pages.scenario_page(scenarios, settings.max_members)

    @app.callback(
        Output("scenario-source", "data"),
        Output("upload-status", "children"),
        Input("scenario-name", "value"),
        Input("scenario-upload", "contents"),
        State("scenario-upload", "filename"),
        prevent_initial_call=True,
    )
    def choose(name: str, contents: str | None, filename: str | None) -> Any:
        if ctx.triggered_id == "scenario-upload" and contents:
            try:
                raw = base64.b64decode(contents.split(",", 1)[1], validate=False)
                scenario = save_upload(settings.cache, raw, filename or "upload.yaml")
            except NarcoFlowError as exc:
                return no_update, _error(exc.format())
            except (ValueError, IndexError):
                return no_update, _error(f"{filename}: not a file the page could read")
            return {"scenario": scenario, "label": filename}, html.P(f"Using {filename}.", className="ok")
        return {"scenario": name, "label": name}, ""

    @app.callback(
        Output("levers", "children"), Output("scenario-info", "children"), Input("scenario-source", "data")
    )
    def levers(source: dict[str, Any]) -> Any:
        try:
            sc = load_request_scenario(settings.cache, RunRequest(source["scenario"], 1, 0))
        except NarcoFlowError as exc:
            return [], _error(exc.format())
        table = parameter_table(sc)
        info = (
            f"{source.get('label')}: {len(sc.network.nodes)} nodes, {len(sc.organizations)} organizations, "
            f"{sc.calendar.months} months from {sc.calendar.start}, "
            f"{int((table['kind'] == 'lever').sum())} levers."
        )
        return pages.lever_controls(table), info


def _changed_levers(
    settings: Settings, scenario: str, ids: list[dict[str, str]], values: list[float]
) -> dict[str, float]:
    from narcoflow.scenario import parameter_table

    sc = load_request_scenario(settings.cache, RunRequest(scenario, 1, 0))
    default = parameter_table(sc).set_index("name")["value"]
    return {
        i["name"]: float(v)
        for i, v in zip(ids, values, strict=True)
        if v is not None and not np.isclose(float(v), float(default[i["name"]]), rtol=1e-9, atol=1e-12)
    }


def _register_runs(app: Dash, jobs: JobManager, settings: Settings) -> None:
    from narcoflow.report.html import deaths_figure

    @app.callback(
        Output("job-key", "data"),
        Output("poll", "disabled"),
        Output("job-status", "children"),
        Input("run-button", "n_clicks"),
        State("scenario-source", "data"),
        State({"type": "lever", "name": ALL}, "id"),
        State({"type": "lever", "name": ALL}, "value"),
        State("members", "value"),
        State("seed", "value"),
        State("policy-start", "value"),
        prevent_initial_call=True,
    )
    def run(
        _: int,
        source: dict[str, Any],
        ids: list[dict[str, str]],
        values: list[float],
        members: Any,
        seed: Any,
        start: str | None,
    ) -> Any:
        try:
            members, seed = int(members), int(seed)
        except (TypeError, ValueError):
            return no_update, True, _error("members and seed must be whole numbers")
        if not 1 <= members <= settings.max_members:
            return (
                no_update,
                True,
                _error(f"members: between 1 and {settings.max_members} (the server's cap)"),
            )
        if seed < 0:
            return no_update, True, _error("seed: must be >= 0")
        start = (start or "").strip() or None
        if start is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", start):
            return no_update, True, _error("policy start: a month as YYYY-MM, e.g. 2026-01")
        try:
            levers = _changed_levers(settings, source["scenario"], ids, values)
        except NarcoFlowError as exc:
            return no_update, True, _error(exc.format())
        label = source.get("label") or ""
        return _submit(
            jobs, RunRequest(source["scenario"], members, seed, levers, label=label, policy_start=start)
        )

    @app.callback(
        Output("job-status", "children", allow_duplicate=True),
        Output("poll", "disabled", allow_duplicate=True),
        Output("scenario-deaths", "figure"),
        Output("last-run", "data"),
        Input("poll", "n_intervals"),
        State("job-key", "data"),
        prevent_initial_call="initial_duplicate",
    )
    def poll(_: int | None, key: str | None) -> Any:
        if not key:
            return no_update, True, _empty("Press Run: the deaths of the run appear here."), no_update
        status = jobs.status(key)
        if status["state"] == "failed":
            return _error(status["message"]), True, no_update, no_update
        if status["state"] != "done":
            return _progress(status), False, no_update, no_update
        summary = _read(settings, key, "summary.json")
        fig = deaths_figure(summary) or _empty("No deaths in this run's summary.")
        done = [*_progress(status), " ", dcc.Link("See all results", href="/results")]
        return done, True, fig, key


def _register_results(app: Dash, settings: Settings) -> None:
    from narcoflow.report import figures as fg
    from narcoflow.report.html import deaths_figure, seizures_total_figure

    @app.callback(Output("results-body", "children"), Input("results-run", "value"))
    def results(key: str | None) -> Any:
        summary, view = _read(settings, key or "", "summary.json"), _read(settings, key or "", "system.json")
        if summary is None or view is None:
            return html.P("No finished run yet: run one on the Scenario page.", className="missing")
        figs = [
            ("results-deaths", deaths_figure(summary)),
            ("results-seizures", seizures_total_figure(summary)),
            ("results-map", fg.flow_map(view)),
            ("results-sankey", fg.mass_sankey(view)),
            ("results-supply", fg.supply_figure(view)),
            ("results-orgs", fg.organizations_figure(view)),
        ]
        events = html.Ol(
            [html.Li(f"{date}: {text}") for _, date, text, _ in fg.event_legend(view)], className="events"
        )
        return [_graph(f, gid) for gid, f in figs if f is not None] + [html.H3("Policy timeline"), events]

    @app.callback(
        Output("download", "data"),
        Input("download-summary-button", "n_clicks"),
        Input("download-csv-button", "n_clicks"),
        State("results-run", "value"),
        prevent_initial_call=True,
    )
    def download(_: int, __: int, key: str | None) -> Any:
        summary = _read(settings, key or "", "summary.json")
        if summary is None:
            return no_update
        if ctx.triggered_id == "download-summary-button":
            return {
                "content": json.dumps(summary, indent=1, sort_keys=True),
                "filename": f"summary-{key}.json",
            }
        return {"content": summary_csv(summary), "filename": f"summary-{key}.csv"}


def summary_csv(summary: dict[str, Any]) -> str:
    """The summary's banded series as one tidy CSV: series, period, component, mean, p05, p50, p95."""
    rows = []
    for series, by_period in summary.items():
        if not isinstance(by_period, dict):
            continue
        for period, entry in by_period.items():
            if not isinstance(entry, dict):
                continue
            parts = (
                {"": entry}
                if "p50" in entry
                else {k: v for k, v in entry.items() if isinstance(v, dict) and "p50" in v}
            )
            for component, stats in parts.items():
                rows.append(
                    {
                        "series": series,
                        "period": period,
                        "component": component,
                        **{k: stats.get(k) for k in ("mean", "p05", "p50", "p95")},
                    }
                )
    return pd.DataFrame(rows, columns=["series", "period", "component", "mean", "p05", "p50", "p95"]).to_csv(
        index=False
    )


def _yearly_members(settings: Settings, key: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Deaths and product delivered per calendar year, one column per member, and the dataset attrs."""
    from narcoflow.results import Results

    res = Results.from_netcdf(settings.cache / "runs" / key / "results.nc")
    deaths = res.deaths_by_year("final").to_pandas()
    delivered = res._by_year(res.dataset["delivered_kg"].astype(float)).to_pandas()
    return deaths.T, delivered.T, dict(res.dataset.attrs)


def _bands(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mean": frame.mean(axis=1),
            "p05": frame.quantile(0.05, axis=1),
            "p50": frame.median(axis=1),
            "p95": frame.quantile(0.95, axis=1),
        }
    )


def _register_compare(app: Dash, settings: Settings) -> None:
    from narcoflow.report.html import _layout, _model_traces

    @app.callback(
        Output("compare-body", "children"), Input("compare-a", "value"), Input("compare-b", "value")
    )
    def compare(a: str | None, b: str | None) -> Any:
        if (
            not a
            or not b
            or _read(settings, a, "summary.json") is None
            or _read(settings, b, "summary.json") is None
        ):
            return html.P("Choose two finished runs (run them on the Scenario page).", className="missing")
        (da, va, attrs_a), (db, vb, attrs_b) = _yearly_members(settings, a), _yearly_members(settings, b)
        common = [m for m in da.columns if m in db.columns]
        crn = attrs_a.get("seed") == attrs_b.get("seed") and bool(common)
        note = (
            f"{len(common)} common members, seed {attrs_a.get('seed')}: common random numbers."
            if crn
            else "Different seeds: the difference mixes the policy's effect with sampling noise."
        )
        out: list[Any] = [html.P(note, className="note", id="compare-note")]
        for what, fa, fb, fmt, gid in (
            ("Deaths (T40.4)", da, db, ",.0f", "compare-deaths"),
            ("Product delivered to markets, kg", va, vb, ",.0f", "compare-delivered"),
        ):
            side = go.Figure(
                _model_traces(_bands(fa), "A", "#1f5fa8", fmt, rank=10)
                + _model_traces(_bands(fb), "B", "#d9730d", fmt, rank=20)
            )
            _layout(side, f"{what} per calendar year: A and B", "Calendar year", what)
            cols = common if crn else None
            diff = (fb[cols] - fa[cols]) if cols else (fb.mean(axis=1) - fa.mean(axis=1)).to_frame()
            delta = go.Figure(_model_traces(_bands(diff), "B − A", "#8e44ad", fmt, rank=30))
            delta.add_hline(y=0, line={"color": "#5b6575", "width": 1})
            _layout(
                delta,
                f"{what}: difference B − A {'member by member' if cols else '(means)'}",
                "Calendar year",
                "B − A",
            )
            delta.update_yaxes(rangemode="normal")
            for fig in (side, delta):
                fig.update_xaxes(title_text=None)
            out += [html.Div([_graph(side, f"{gid}-side"), _graph(delta, f"{gid}-diff")], className="pair")]
        return out


def _register_planning(app: Dash, jobs: JobManager, settings: Settings) -> None:
    from narcoflow.report.evaluation import evaluation_figure

    @app.callback(
        Output("plan-output", "children"),
        Input("plan-maxflow", "n_clicks"),
        Input("plan-allocate", "n_clicks"),
        State("plan-agency", "value"),
        State("plan-budget", "value"),
        State("scenario-source", "data"),
        prevent_initial_call=True,
    )
    def plan(_: int, __: int, agency: str | None, budget: Any, source: dict[str, Any]) -> Any:
        try:
            budget = float(budget)
            if not budget >= 0:
                raise NarcoFlowError("must be >= 0", field="budget")
            sc = load_request_scenario(settings.cache, RunRequest(source["scenario"], 1, 0))
            if ctx.triggered_id == "plan-maxflow":
                return _maxflow_table(sc, budget)
            return _allocation_table(sc, agency, budget)
        except (TypeError, ValueError):
            return _error("budget: a number is needed")
        except NarcoFlowError as exc:
            return _error(exc.format())

    @app.callback(
        Output("plan-job-key", "data"),
        Output("plan-poll", "disabled"),
        Output("plan-job-status", "children"),
        Input("plan-evaluate", "n_clicks"),
        State("plan-agency", "value"),
        State("plan-members", "value"),
        State("scenario-source", "data"),
        prevent_initial_call=True,
    )
    def evaluate(_: int, agency: str | None, members: Any, source: dict[str, Any]) -> Any:
        try:
            members = int(members)
        except (TypeError, ValueError):
            return no_update, True, _error("members: a whole number is needed")
        if not 2 <= members <= settings.max_members:
            return no_update, True, _error(f"members: between 2 and {settings.max_members}")
        return _submit(jobs, RunRequest(source["scenario"], members, 0, kind="evaluate", agency=agency))

    @app.callback(
        Output("plan-job-status", "children", allow_duplicate=True),
        Output("plan-poll", "disabled", allow_duplicate=True),
        Output("plan-evaluation", "children"),
        Input("plan-poll", "n_intervals"),
        State("plan-job-key", "data"),
        prevent_initial_call=True,
    )
    def evaluation(_: int, key: str | None) -> Any:
        status = jobs.status(key or "")
        if status["state"] == "failed":
            return _error(status["message"]), True, no_update
        if status["state"] != "done":
            return _progress(status), False, no_update
        payload = _read(settings, key or "", "evaluation.json")
        return _progress(status), True, _graph(evaluation_figure(payload), "plan-evaluation-graph")


def _table(headers: list[str], rows: list[list[Any]], tid: str) -> html.Table:
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in headers])),
            html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows]),
        ],
        id=tid,
    )


def _maxflow_table(sc: Any, budget: float) -> list[Any]:
    from narcoflow.optimize.evaluate import scenario_interdiction
    from narcoflow.optimize.maxflow import solve_interdiction

    problem = scenario_interdiction(sc)
    result = solve_interdiction(problem, budget, time_limit=20.0)
    rows = [
        [str(i), str(j), f"{problem.cost[k]:g}"]
        for k, (i, j) in zip(result.interdicted_arcs, result.interdicted, strict=True)
    ]
    note = ""
    if not np.isfinite(result.objective):
        note = (
            " The scenario's edges have no capacities, so the flow stays unbounded until the budget "
            "cuts every route from the supplier regions to the markets."
        )
    summary = html.P(
        f"Max flow after interdiction: {result.objective:g} ({result.status}); "
        f"budget used {result.budget_used:g} of {budget:g}; {len(rows)} arcs interdicted.{note}",
        id="maxflow-summary",
    )
    return [summary, _table(["from", "to", "cost"], rows, "maxflow-arcs")] if rows else [summary]


def _allocation_table(sc: Any, agency: str | None, budget: float) -> list[Any]:
    from narcoflow.optimize.evaluate import agency_game
    from narcoflow.optimize.stackelberg import solve_allocation

    if agency is None:
        raise NarcoFlowError("choose an inspecting agency", field="agency")
    game, _, _ = agency_game(sc, agency)
    result = solve_allocation(game, budget)
    cov = result.coverage.sort_values(ascending=False, kind="stable")
    return [
        html.P(
            f"{agency}: {budget:g} coverage units over {game.n_targets} nodes ({result.method}); "
            f"attacked: {result.attacked}.",
            id="allocation-summary",
        ),
        _table(["node", "coverage"], [[str(t), f"{c:.3f}"] for t, c in cov.items()], "allocation-table"),
    ]
