"""Figures of the analyses (plotly), written as self-contained HTML pages that work offline."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from narcoflow.explore.prim import PrimResult


def write_html(fig: go.Figure, path: str | Path) -> Path:
    """Write a figure as one HTML file with plotly.js embedded."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(path, include_plotlyjs=True, full_html=True)
    return path


def sobol_figure(indices: pd.DataFrame, outcome: str) -> go.Figure:
    """First-order and total indices per parameter, with their 95% confidence intervals."""
    df = indices.sort_values("ST", ascending=True)
    fig = go.Figure()
    for key, label in (("S1", "first order S1"), ("ST", "total ST")):
        fig.add_bar(
            y=df["parameter"],
            x=df[key],
            error_x={"type": "data", "array": df[f"{key}_conf"]},
            orientation="h",
            name=label,
        )
    fig.update_layout(
        title=f"Sobol indices of {outcome} (95% confidence intervals)",
        barmode="group",
        height=200 + 28 * len(df),
        xaxis_title="share of the outcome's variance",
    )
    return fig


def morris_figure(indices: pd.DataFrame, outcome: str) -> go.Figure:
    """μ* (mean absolute elementary effect) with its confidence interval, against σ."""
    df = indices.sort_values("mu_star", ascending=True)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("μ* with 95% interval", "σ against μ*"))
    fig.add_bar(
        y=df["parameter"], x=df["mu_star"], error_x={"type": "data", "array": df["mu_star_conf"]},
        orientation="h", name="μ*", row=1, col=1,
    )  # fmt: skip
    fig.add_scatter(
        x=df["mu_star"], y=df["sigma"], mode="markers+text", text=df["parameter"], textposition="top center",
        name="parameters", row=1, col=2,
    )  # fmt: skip
    fig.update_layout(title=f"Morris screening of {outcome}", height=260 + 28 * len(df), showlegend=False)
    return fig


def prim_figure(result: PrimResult, outcome: str, rule: str) -> go.Figure:
    """The peeling trajectory (coverage against density) and the last box's limits within the ranges."""
    tr = result.trajectory
    box = result.box()
    fig = make_subplots(rows=1, cols=2, subplot_titles=("peeling trajectory", "box (share of each range)"))
    marker = {
        "color": tr["res_dim"],
        "colorscale": "Viridis",
        "showscale": True,
        "colorbar": {"title": "dims"},
    }
    fig.add_scatter(
        x=tr["coverage"], y=tr["density"], mode="markers+lines", marker=marker,
        text=[f"step {i}: mass {m:.2f}" for i, m in enumerate(tr["mass"])], name="steps", row=1, col=1,
    )  # fmt: skip
    width = (box["range_high"] - box["range_low"]).where(lambda w: w > 0, 1.0)
    lo = (box["low"] - box["range_low"]) / width
    hi = (box["high"] - box["range_low"]) / width
    fig.add_bar(
        y=box["parameter"], x=hi - lo, base=lo, orientation="h", name="box",
        text=[f"{a:.3g}..{b:.3g}" for a, b in zip(box["low"], box["high"], strict=True)], row=1, col=2,
    )  # fmt: skip
    fig.update_xaxes(title_text="coverage", range=[0, 1.02], row=1, col=1)
    fig.update_yaxes(title_text="density", range=[0, 1.02], row=1, col=1)
    fig.update_xaxes(range=[0, 1], row=1, col=2)
    fig.update_layout(title=f"Scenario discovery: {outcome} {rule}", showlegend=False, height=480)
    return fig


def compare_figure(values: pd.DataFrame, table: pd.DataFrame, outcome: str, threshold: float) -> go.Figure:
    """The outcome per policy over the design points (box plots) and each policy's regret."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(outcome, "regret against the best policy"))
    for policy in table["policy"]:
        fig.add_box(y=values[policy], name=str(policy), row=1, col=1)
    fig.add_hline(y=threshold, line_dash="dot", annotation_text="satisficing threshold", row=1, col=1)
    fig.add_bar(x=table["policy"], y=table["regret_median"], name="median regret", row=1, col=2)
    fig.add_bar(x=table["policy"], y=table["regret_max"], name="max regret", row=1, col=2)
    fig.update_layout(title=f"Policies compared on {outcome}", height=480)
    return fig
