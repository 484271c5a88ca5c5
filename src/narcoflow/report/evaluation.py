"""The adaptive test's report: plans side by side (one self-contained HTML file, plotly embedded)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

_METRICS = (
    ("seized_kg", "Seized at the agency's nodes (kg)"),
    ("seized_share", "Seized share at its nodes"),
    ("delivered_kg", "Delivered to US markets (kg)"),
    ("deaths", "Deaths (observed category)"),
)


def evaluation_figure(payload: dict[str, Any]) -> go.Figure:
    """Bars (median) with 90% whiskers per plan for each outcome, and the static promise as markers."""
    plans = list(payload["plans"])
    fig = make_subplots(rows=1, cols=len(_METRICS), subplot_titles=[t for _, t in _METRICS])
    for i, (key, _) in enumerate(_METRICS, start=1):
        rows = [payload["plans"][p][key] for p in plans]
        med = [r["p50"] for r in rows]
        fig.add_trace(
            go.Bar(
                x=plans,
                y=med,
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [r["p95"] - r["p50"] for r in rows],
                    "arrayminus": [r["p50"] - r["p05"] for r in rows],
                },
                marker_color="#1f77b4",
                name="simulated (median, 90% band)",
                showlegend=i == 1,
            ),
            row=1,
            col=i,
        )
        if key == "seized_share":
            promise = [payload["plans"][p].get("promised_share") for p in plans]
            fig.add_trace(
                go.Scatter(
                    x=plans,
                    y=[None if v is None or v != v else v for v in promise],
                    mode="markers",
                    marker={"symbol": "diamond", "size": 12, "color": "#d62728"},
                    name="static model's promise",
                ),
                row=1,
                col=i,
            )
    fig.update_layout(height=420, margin={"t": 60, "b": 40}, legend={"orientation": "h", "y": -0.15})
    return fig


def coverage_figure(payload: dict[str, Any]) -> go.Figure:
    """Coverage per node under each plan (status quo: mean over months and members)."""
    fig = go.Figure()
    for plan, cov in payload["coverage"].items():
        fig.add_trace(go.Bar(x=list(cov), y=list(cov.values()), name=plan))
    fig.update_layout(barmode="group", height=360, yaxis_title="coverage", margin={"t": 30})
    return fig


def write_evaluation_report(payload: dict[str, Any], path: Path) -> Path:
    """Write the evaluation as one self-contained HTML file."""
    first = evaluation_figure(payload).to_html(full_html=False, include_plotlyjs=True)
    second = coverage_figure(payload).to_html(full_html=False, include_plotlyjs=False)
    esc = html.escape
    lo, hi = payload["window"]
    static = payload["static"]
    body = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>NarcoFlow — inspection plans for {esc(payload["agency"])}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;color:#222}}
.note{{color:#555}}</style></head><body>
<h1>Inspection plans for {esc(payload["agency"])} — scenario {esc(payload["scenario"])}</h1>
<p class="note">{payload["members"]} members per plan, seed {payload["seed"]} (common random numbers),
months {esc(lo)}..{esc(hi)}. Static model: {esc(payload["attacker"])}; its defender utility
{static["defender_utility"]:.4f} (minus the share delivered), attacked target {esc(str(static["attacked"]))}.
The red diamonds are what the static game promises if traffickers best-respond to the plan; the bars are
what the adaptive simulation produced (traffickers learn risk per edge and re-route; the status-quo agency
learns too).</p>
<h2>Outcomes</h2>{first}
<h2>Coverage</h2>{second}
</body></html>
"""
    path.write_text(body, encoding="utf-8")
    return path
