"""Plotly figures of the system, shared by the HTML report and the dashboard.

Each builder takes the dict made by :func:`narcoflow.report.system.system_view` and returns a
``plotly.graph_objects.Figure``: the flow map (:func:`flow_map`), the mass Sankey by stage
(:func:`mass_sankey`), the supply side (:func:`supply_figure`) and the organizations
(:func:`organizations_figure`). Every monthly series carries the policy timeline (numbered dotted
lines; :func:`event_legend` lists the numbers).

The map draws country outlines itself, as filled scatter traces on plain longitude/latitude axes,
from Natural Earth's public-domain 1:110m outlines shipped with the package (``outlines/``), so it
renders offline: no tile server, no topojson from a CDN.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from narcoflow.report.html import _model_traces, _rgba

__all__ = [
    "KIND_COLOURS",
    "event_legend",
    "flow_map",
    "mass_sankey",
    "organizations_figure",
    "supply_figure",
]

KIND_COLOURS: Mapping[str, str] = {
    "origin_region": "#8e44ad",
    "origin_port": "#6c5ce7",
    "mail_hub": "#a06cd5",
    "mx_entry": "#16a085",
    "lab_area": "#7f4f24",
    "port_of_entry": "#d9730d",
    "between_ports": "#2e8b57",
    "checkpoint": "#5b6575",
    "coastal_interior": "#c0392b",
    "market": "#1f5fa8",
}
"""Marker colour of each node kind of the baseline; other kinds get a grey."""

_EDGE_COLOURS = {"port_of_entry": "#d9730d", "between_ports": "#2e8b57", "coastal_interior": "#c0392b"}
_EDGE_OTHER = "#7a8aa0"
_SEIZED = "#b23a1e"
_ORG_COLOURS = ("#1f5fa8", "#d9730d", "#2e8b57", "#8e44ad", "#c0392b", "#7f8c8d")
_WIDTHS = (1.0, 2.0, 3.5, 5.5, 8.0)
_WINDOW = {"x": [95.0, 295.0], "y": [8.0, 52.0]}


@cache
def _outline_xy() -> tuple[list[float | None], list[float | None]]:
    """Country outlines as one None-separated polyline (longitude shifted to [0, 360))."""
    text = resources.files("narcoflow.report").joinpath("outlines/ne_110m_countries.json").read_text()
    xs: list[float | None] = []
    ys: list[float | None] = []
    for country in json.loads(text)["countries"]:
        for ring in country["rings"]:
            xs.extend([p[0] for p in ring] + [None])
            ys.extend([p[1] for p in ring] + [None])
    return xs, ys


def _edge_flows(view: Mapping[str, Any], year: str) -> list[tuple[int, int, float]]:
    """(from index, to index, kg) of every edge in ``year`` (estimated: ``view["edge_flow"]``)."""
    index = {n["id"]: i for i, n in enumerate(view["nodes"])}
    return [
        (index[a], index[b], kg) for (a, b, _), kg in zip(view["edges"], view["edge_flow"][year], strict=True)
    ]


def _map_year_traces(view: Mapping[str, Any], year: str) -> list[go.Scatter]:
    """Edges (by colour and width class), node markers and seizure marks of one year."""
    nodes = view["nodes"]
    x = [n["lon"] % 360.0 for n in nodes]
    y = [n["lat"] for n in nodes]
    flows = _edge_flows(view, year)
    top = max((kg for *_, kg in flows), default=0.0)
    groups: dict[tuple[str, int], tuple[list[Any], list[Any]]] = {}
    for u, v, kg in flows:
        if top <= 0 or kg <= top * 1e-3:
            continue
        k = min(int(len(_WIDTHS) * kg / top), len(_WIDTHS) - 1)
        colour = _EDGE_COLOURS.get(nodes[v]["kind"], _EDGE_OTHER)
        xs, ys = groups.setdefault((colour, k), ([], []))
        xs.extend([x[u], x[v], None])
        ys.extend([y[u], y[v], None])
    traces: list[go.Scatter] = [
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"color": colour, "width": _WIDTHS[k]},
            opacity=0.75,
            hoverinfo="skip",
            showlegend=False,
            name=f"edges {year}",
        )
        for (colour, k), (xs, ys) in sorted(groups.items())
    ]
    flow = view["node_flow"][year]
    seized = view["node_seized"][year]
    biggest = max(max(flow, default=0.0), 1e-9)
    traces.append(
        go.Scatter(
            x=x,
            y=y,
            mode="markers",
            marker={
                "size": [6 + 22 * math.sqrt(max(f, 0.0) / biggest) for f in flow],
                "color": [KIND_COLOURS.get(n["kind"], "#888888") for n in nodes],
                "line": {"width": 1, "color": "#ffffff"},
            },
            customdata=[[n["name"], n["kind"], f, s] for n, f, s in zip(nodes, flow, seized, strict=True)],
            hovertemplate="<b>%{customdata[0]}</b> (%{customdata[1]})<br>arriving: %{customdata[2]:,.0f} kg"
            "<br>seized: %{customdata[3]:,.0f} kg (final-product equivalents)<extra></extra>",
            showlegend=False,
            name=f"nodes {year}",
        )
    )
    mark = [i for i, s in enumerate(seized) if s > 0]
    top_s = max((seized[i] for i in mark), default=1.0)
    traces.append(
        go.Scatter(
            x=[x[i] for i in mark],
            y=[y[i] for i in mark],
            mode="markers",
            marker={
                "symbol": "x-thin",
                "size": [7 + 16 * math.sqrt(seized[i] / top_s) for i in mark],
                "line": {"width": 2.5, "color": _SEIZED},
            },
            hoverinfo="skip",
            showlegend=False,
            name=f"seizures {year}",
        )
    )
    return traces


def _map_note(view: Mapping[str, Any], year: str) -> dict[str, Any]:
    share = view.get("precursor_share_of_sold", {}).get(year)
    text = f"{year}: median kg in final-product equivalents (precursor × recipe factor), edges estimated"
    if share is not None:
        text += f"; {share:.0%} of the firms' sales is precursor"
    return {
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "x": 0.0,
        "y": 1.0,
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 12, "color": "#5b6575"},
        "align": "left",
    }


def flow_map(view: Mapping[str, Any], year: int | str | None = None, slider: bool = True) -> go.Figure:
    """The network on a map: nodes sized by product arriving, edges by estimated flow, seizures marked.

    Crossing kinds are coloured (ports of entry orange, between ports green, mail red). With
    ``slider`` every year is in the figure and a slider picks it; otherwise only ``year`` (default:
    the last complete year up to 2023, or the last year).
    """
    years = [str(y) for y in view["years"]]
    chosen = _default_year(years) if year is None else str(year)
    shown = years if slider else [chosen]
    fig = _map_canvas()
    fixed = len(fig.data)
    spans: list[tuple[int, int]] = []
    for y in shown:
        start = len(fig.data)
        for trace in _map_year_traces(view, y):
            trace.visible = y == chosen
            fig.add_trace(trace)
        spans.append((start, len(fig.data)))
    if slider and len(shown) > 1:
        fig.update_layout(sliders=[_year_slider(view, shown, chosen, spans, fixed, len(fig.data))])
    fig.update_layout(
        template="plotly_white",
        height=560,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        annotations=[_map_note(view, chosen)],
        legend={"orientation": "h", "y": -0.02, "yanchor": "top", "x": 0},
        plot_bgcolor="#f7fbff",
    )
    fig.update_xaxes(range=_WINDOW["x"], visible=False, fixedrange=False)
    fig.update_yaxes(
        range=_WINDOW["y"], visible=False, scaleanchor="x", scaleratio=1.0 / math.cos(math.radians(30))
    )
    return fig


def _map_canvas() -> go.Figure:
    """The country outlines and the legend entries of the edge colours and the seizure mark."""
    ox, oy = _outline_xy()
    fig = go.Figure(
        go.Scatter(
            x=ox,
            y=oy,
            mode="lines",
            fill="toself",
            fillcolor="#eceff3",
            line={"color": "#b5bdc9", "width": 0.8},
            hoverinfo="skip",
            showlegend=False,
            name="countries",
        )
    )
    for label, colour in (
        ("to ports of entry", _EDGE_COLOURS["port_of_entry"]),
        ("between ports", _EDGE_COLOURS["between_ports"]),
        ("mail and express", _EDGE_COLOURS["coastal_interior"]),
        ("other legs", _EDGE_OTHER),
    ):
        fig.add_trace(
            go.Scatter(x=[None], y=[None], mode="lines", line={"color": colour, "width": 4}, name=label)
        )
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name="seizures",
            marker={"symbol": "x-thin", "size": 12, "line": {"width": 2.5, "color": _SEIZED}},
        )
    )
    return fig


def _year_slider(
    view: Mapping[str, Any],
    shown: list[str],
    chosen: str,
    spans: list[tuple[int, int]],
    fixed: int,
    n_traces: int,
) -> dict[str, Any]:
    """A slider step per year: the first ``fixed`` traces always visible, then only the year's traces
    (``spans``: their index range per year), with the year's note."""
    steps = []
    for y, (a, b) in zip(shown, spans, strict=True):
        visible = [True] * fixed + [a <= i < b for i in range(fixed, n_traces)]
        steps.append(
            {
                "label": y,
                "method": "update",
                "args": [{"visible": visible}, {"annotations": [_map_note(view, y)]}],
            }
        )
    return {
        "active": shown.index(chosen),
        "steps": steps,
        "currentvalue": {"prefix": "Year: "},
        "pad": {"t": 30},
    }


def _default_year(years: Sequence[str]) -> str:
    upto = [y for y in years if int(y) <= 2023]
    return (upto or list(years))[-1]


_EXIT_COLOURS = {
    "Seized": _SEIZED,
    "Destroyed": "#5a3d2b",
    "Consumed": "#1f5fa8",
    "Held": "#9aa5b4",
    "Drawn": "#9aa5b4",
}


def _sankey_trace(links: list[list[Any]], visible: bool) -> go.Sankey:
    labels: list[str] = []
    for a, b, _ in links:
        for name in (a, b):
            if name not in labels:
                labels.append(name)
    colours = [
        next((c for k, c in _EXIT_COLOURS.items() if name.startswith(k)), "#5b6575") for name in labels
    ]
    return go.Sankey(
        visible=visible,
        arrangement="snap",
        valueformat=",.0f",
        valuesuffix=" kg",
        node={"label": labels, "color": colours, "pad": 12, "thickness": 14, "line": {"width": 0}},
        link={
            "source": [labels.index(a) for a, _, _ in links],
            "target": [labels.index(b) for _, b, _ in links],
            "value": [kg for *_, kg in links],
            "color": [_rgba(colours[labels.index(b)], 0.28) for _, b, _ in links],
        },
    )


def mass_sankey(view: Mapping[str, Any], year: int | str | None = None, selector: bool = True) -> go.Figure:
    """Mass by stage in one year, in final-product equivalents (member means, kg).

    Firms by region → origin ports and hubs → entries → labs → each crossing → inland → markets, with
    seizures, lab raids and consumption as exits. With ``selector`` a dropdown switches the year.
    """
    years = [str(y) for y in view["years"]]
    chosen = _default_year(years) if year is None else str(year)
    shown = years if selector else [chosen]
    fig = go.Figure([_sankey_trace(view["sankey"][y], y == chosen) for y in shown])
    if selector and len(shown) > 1:
        buttons = [
            {
                "label": y,
                "method": "update",
                "args": [{"visible": [z == y for z in shown]}, {"title.text": _sankey_title(view, y)}],
            }
            for y in shown
        ]
        fig.update_layout(
            updatemenus=[
                {"buttons": buttons, "active": shown.index(chosen), "x": 1.0, "xanchor": "right", "y": 1.12}
            ]
        )
    fig.update_layout(
        title={"text": _sankey_title(view, chosen), "x": 0.01},
        height=620,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        font={"size": 12},
    )
    return fig


def _sankey_title(view: Mapping[str, Any], year: str) -> str:
    return f"Mass by stage in {year}: kg of final-product equivalents, mean of {view['members']} members"


def _months(view: Mapping[str, Any]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([f"{m}-01" for m in view["months"]])


def _band_frame(view: Mapping[str, Any], bands: Mapping[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame({k: bands[k] for k in ("p05", "p50", "p95")}, index=_months(view))


def _series_traces(
    view: Mapping[str, Any], bands: Mapping[str, list[float]], name: str, colour: str, fmt: str, rank: int
) -> list[go.Scatter]:
    return _model_traces(
        _band_frame(view, bands), name, colour, fmt, rank=rank, x_hover="%{x|%b %Y}", markers=False
    )


def add_timeline(fig: go.Figure, view: Mapping[str, Any], rows: int) -> None:
    """Mark every event of ``view["events"]`` on each of the ``rows`` stacked time axes.

    A dotted line per event (red for leadership removals and fragmentation), its number at the top
    (numbers alternate in height so that close dates stay legible) and the event's text on hover.
    """
    events = view["events"]
    for row in range(1, rows + 1):
        suffix = "" if row == 1 else str(row)
        for i, ev in enumerate(events, start=1):
            colour = _SEIZED if ev["leadership"] else "#8a94a6"
            x = f"{ev['date']}-01"
            fig.add_shape(
                type="line",
                x0=x,
                x1=x,
                y0=0,
                y1=1,
                xref=f"x{suffix}",
                yref=f"y{suffix} domain",
                line={"color": colour, "width": 1, "dash": "dot"},
                layer="below",
            )
            fig.add_annotation(
                x=x,
                y=1.0 if i % 2 else 0.9,
                xref=f"x{suffix}",
                yref=f"y{suffix} domain",
                text=str(i),
                showarrow=False,
                font={"size": 9, "color": colour},
                bgcolor="rgba(255,255,255,0.8)",
                hovertext=f"{ev['date']}: {ev['description']}",
            )


def event_legend(view: Mapping[str, Any]) -> list[tuple[int, str, str, bool]]:
    """The numbered events as (number, date, description, is a leadership event)."""
    return [
        (i, ev["date"], ev["description"], ev["leadership"]) for i, ev in enumerate(view["events"], start=1)
    ]


def _stacked(titles: Sequence[str], height: int) -> go.Figure:
    fig = make_subplots(
        rows=len(titles), cols=1, shared_xaxes=True, subplot_titles=list(titles), vertical_spacing=0.07
    )
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 70, "r": 20, "t": 40, "b": 40},
        hovermode="closest",
        legend={"orientation": "h", "y": -0.06, "yanchor": "top", "x": 0},
        font={"size": 12},
    )
    for ann in fig.layout.annotations:
        ann.update(x=0.0, xanchor="left", font={"size": 13})
    return fig


def supply_figure(view: Mapping[str, Any]) -> go.Figure:
    """The supply side per month: firms selling and scrutinized, firms shut, the precursor-route share."""
    s = view["series"]
    fig = _stacked(
        (
            "Chinese firms selling illicitly, and firms scrutinized (share × firms)",
            "Firms shut by the regulator this month",
            "Share of product reaching markets that was made from precursor in Mexican labs",
        ),
        820,
    )
    for row, key, name, colour, fmt in (
        (1, "firms_selling", "Firms selling", "#8e44ad", ",.0f"),
        (1, "firms_scrutinized", "Firms scrutinized", "#5b6575", ",.0f"),
        (2, "firms_shut", "Firms shut", _SEIZED, ",.0f"),
        (3, "precursor_route_share", "Precursor-route share", "#7f4f24", ".0%"),
    ):
        for trace in _series_traces(view, s[key], name, colour, fmt, 10 * row):
            fig.add_trace(trace, row=row, col=1)
    fig.update_yaxes(rangemode="tozero", separatethousands=True)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], row=3, col=1)
    add_timeline(fig, view, 3)
    return fig


def organizations_figure(view: Mapping[str, Any]) -> go.Figure:
    """The organizations per month: scale, cohesion, members in which one has split, violence."""
    s = view["series"]
    fig = _stacked(
        (
            "Scale of each trafficking organization (kg/month it can move)",
            "Cohesion (1 = intact; falls after a leadership removal, recovers with a half-life)",
            "Share of members in which the organization has split into factions",
            "Violence index",
        ),
        1000,
    )
    for k, org in enumerate(s["org_scale"]):
        colour = _ORG_COLOURS[k % len(_ORG_COLOURS)]
        if max(s["org_scale"][org]["p95"], default=0.0) > 0:
            for trace in _series_traces(view, s["org_scale"][org], org, colour, ",.0f", 10 + 2 * k):
                fig.add_trace(trace, row=1, col=1)
        active = [
            c for c, sc in zip(s["cohesion"][org]["p50"], s["org_scale"][org]["p95"], strict=True) if sc > 0
        ]
        if active:
            fig.add_trace(
                go.Scatter(
                    x=_months(view),
                    y=s["cohesion"][org]["p50"],
                    mode="lines",
                    line={"color": colour, "width": 2},
                    name=f"{org}: cohesion (median)",
                    legendgroup=org,
                    showlegend=False,
                    hovertemplate="%{x|%b %Y}: %{y:.2f}<extra>" + org + "</extra>",
                ),
                row=2,
                col=1,
            )
    fig.add_trace(
        go.Scatter(
            x=_months(view),
            y=s["split_share"],
            mode="lines",
            line={"color": "#c0392b", "width": 2},
            name="members split",
            hovertemplate="%{x|%b %Y}: %{y:.0%}<extra>split</extra>",
        ),
        row=3,
        col=1,
    )
    for trace in _series_traces(view, s["violence"], "Violence index", "#c0392b", ".2f", 90):
        fig.add_trace(trace, row=4, col=1)
    fig.update_yaxes(rangemode="tozero", separatethousands=True)
    fig.update_yaxes(range=[0, 1.05], row=2, col=1)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], row=3, col=1)
    add_timeline(fig, view, 4)
    return fig
