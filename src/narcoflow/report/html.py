"""A self-contained HTML report of an ensemble run, set against the public record.

The report is one HTML file that works offline: plotly.js is embedded inline once, and nothing
is fetched from the network. It is built from the run *summary* (a plain dict, see
:func:`write_report`) and the figures in :mod:`narcoflow.data.record`.

Examples
--------
>>> from pathlib import Path
>>> from narcoflow.report.html import write_report
>>> write_report(summary, Path("report.html"))  # doctest: +SKIP
PosixPath('report.html')
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping
from numbers import Real
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from narcoflow.data.cbp_monthly import SOURCE as CBP_MONTHLY_SOURCE
from narcoflow.data.cbp_monthly import sw_fentanyl_fiscal_year_totals, sw_fentanyl_monthly_table
from narcoflow.data.record import (
    CBP_FENTANYL_LBS,
    CBP_SW_POE_SHARE_RANGE,
    CDC_DEATHS,
    NFLIS_FENTANYL_SHARE,
)

__all__ = [
    "SECTION_TITLES",
    "crossing_shares_figure",
    "deaths_figure",
    "fit_fiscal_year_figure",
    "fit_monthly_figure",
    "fit_nflis_figure",
    "fit_poe_share_figure",
    "precursor_route_share_figure",
    "provisional_deaths_note",
    "seizures_by_component_figure",
    "seizures_total_figure",
    "write_report",
]

SECTION_TITLES: Mapping[str, str] = {
    "system": "The system",
    "deaths": "Overdose deaths involving synthetic opioids (T40.4)",
    "seizures": "CBP fentanyl seizures, Southwest border, by fiscal year",
    "fit": "Fit to the calibration record",
    "routes": "Route shares over time",
    "table": "Key figures",
}
"""The title of each report section, by section id."""

_STATS = ("mean", "p05", "p50", "p95")
_MODEL = "#1f5fa8"
_RECORD = "#222222"
_PORTS = "#d9730d"
_BETWEEN = "#2e8b57"
_KIND_COLOURS = {"port_of_entry": _PORTS, "between_ports": _BETWEEN}
_EXTRA_COLOURS = ("#8e44ad", "#c0392b", "#7f8c8d", "#16a085")
_FIG_HEIGHT = 420
_KEY_YEARS = range(2016, 2024)

_CSS = """
:root { --ink: #1d2430; --muted: #5b6575; --line: #dde2ea; --accent: #1f5fa8; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f6f9; color: var(--ink);
  font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 20px 48px; }
header { background: #fff; border: 1px solid var(--line); border-top: 4px solid var(--accent);
  border-radius: 6px; padding: 18px 24px; margin-bottom: 20px; }
h1 { font-size: 24px; margin: 0 0 4px; }
.subtitle { color: var(--muted); margin: 0 0 14px; }
dl.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr));
  gap: 10px 18px; margin: 0; }
dl.meta div { border-left: 3px solid var(--line); padding-left: 10px; }
dl.meta dt { color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: .04em; }
dl.meta dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.ok { color: #2e7d32; } .warn { color: #b26a00; }
p.calibration { margin: 0 0 14px; padding: 6px 12px; border-radius: 4px; font-weight: 600; }
p.calibration.ok { background: #eaf5eb; } p.calibration.warn { background: #fff6e5; }
p.calibration small { color: var(--muted); font-weight: 400; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px;
  padding: 16px 24px 20px; margin-bottom: 20px; }
h2 { font-size: 19px; margin: 0 0 6px; }
h3 { font-size: 15px; margin: 18px 0 4px; color: var(--muted); }
p.note { color: var(--muted); margin: 0 0 8px; font-size: 14px; }
p.missing { color: #8a5300; background: #fff6e5; border-left: 3px solid #f0a020;
  padding: 8px 12px; margin: 8px 0; font-size: 14px; }
.figure { width: 100%; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 4px; font-size: 14px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f0f3f7; font-weight: 600; }
tbody tr:hover { background: #fafbfd; }
td.out { color: #b23a1e; font-weight: 600; }
footer { color: var(--muted); font-size: 12.5px; }
footer li { margin-bottom: 4px; }
"""


# --------------------------------------------------------------------------------------------
# Reading the summary
# --------------------------------------------------------------------------------------------
def _number(value: Any) -> float:
    """``value`` as a float, NaN when it is missing or not a number."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def _year(key: Any) -> int | None:
    """A year from a summary key such as ``"2019"`` or ``"FY2019"``; None if not a year."""
    text = str(key).strip().upper().removeprefix("FY")
    return int(text) if text.isdigit() else None


def _month(key: Any) -> pd.Timestamp | None:
    """The first day of the month from a summary key such as ``"2019-10"``; None if not a month."""
    text = str(key).strip()
    if len(text) != 7 or text[4] != "-" or not (text[:4].isdigit() and text[5:].isdigit()):
        return None
    if not 1 <= int(text[5:]) <= 12:
        return None
    return pd.Timestamp(f"{text}-01")


def _stats_frame(
    by_year: Any,
    pick: Callable[[Any], Any] | None = None,
    index: Callable[[Any], Any] = _year,
) -> pd.DataFrame:
    """A DataFrame (index year, columns mean/p05/p50/p95) from ``{"2019": stats, ...}``.

    ``pick`` selects the stats dict from each value (e.g. one component of a seizure entry).
    ``index`` turns a key into the index value (a year by default; :func:`_month` for months).
    Entries that are not mappings or whose key is not a year are skipped; values that are not
    numbers become NaN. The frame is empty when nothing usable is found.
    """
    rows: dict[Any, dict[str, float]] = {}
    if isinstance(by_year, Mapping):
        for key, value in by_year.items():
            at = index(key)
            stats = pick(value) if pick is not None and isinstance(value, Mapping) else value
            if at is None or not isinstance(stats, Mapping):
                continue
            rows[at] = {name: _number(stats.get(name)) for name in _STATS}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(_STATS), dtype=float)
    return frame.sort_index().rename_axis("month" if index is _month else "year")


def _component(name: str) -> Callable[[Any], Any]:
    return lambda entry: entry.get(name)


def _southwest(entry: Any) -> Any:
    """The Southwest-border total: the ``sw_total`` group, else ports of entry plus between ports."""
    if entry.get("sw_total") is not None:
        return entry["sw_total"]
    ofo, usbp = entry.get("sw_ofo"), entry.get("sw_usbp")
    if isinstance(ofo, Mapping) and isinstance(usbp, Mapping):
        # Sums of percentiles are not percentiles of sums; used only when sw_total is absent.
        return {k: ofo[k] + usbp[k] for k in ofo if k in usbp}
    return entry.get("total")


def _has_data(frame: pd.DataFrame) -> bool:
    return not frame.empty and bool(frame[["p05", "p50", "p95"]].notna().to_numpy().any())


_UNRECORDED = object()


def _posterior(summary: Mapping[str, Any]) -> Any:
    """The summary's ``posterior`` entry: a mapping, None (uncalibrated), or ``_UNRECORDED``."""
    post = summary.get("posterior", _UNRECORDED)
    return post if post is None or isinstance(post, Mapping) else _UNRECORDED


def _calibrated_until(summary: Mapping[str, Any]) -> int | None:
    """The last (fiscal) year the run's posterior was calibrated on; None if unknown or uncalibrated."""
    post = _posterior(summary)
    return _year(post.get("until")) if isinstance(post, Mapping) else None


def _calibration_line(summary: Mapping[str, Any]) -> str:
    """One line of HTML saying whether the run's parameters come from a calibrated posterior."""
    post = _posterior(summary)
    if post is _UNRECORDED:
        return '<p class="calibration warn">Calibration: not recorded in the summary.</p>'
    if post is None:
        return '<p class="calibration warn">Uncalibrated: parameters at the scenario\'s values.</p>'
    if post.get("quick"):
        shown = html.escape(Path(str(post.get("file") or "posterior")).name)
        return (
            '<p class="calibration warn">Smoke-test posterior: parameters drawn from '
            f"{shown}, made by <code>narcoflow calibrate --quick</code>; a test of the pipeline, not a "
            "calibration: its fit says nothing about the model.</p>"
        )
    until = _calibrated_until(summary)
    text = "Parameters drawn from the posterior"
    text += f" calibrated through {until}" if until is not None else " (calibration period not recorded)"
    simulations = _number(post.get("simulations"))
    if not math.isnan(simulations):
        text += f" ({simulations:,.0f} simulations)"
    details = []
    if post.get("file"):
        details.append(f"file {Path(str(post['file'])).name}")  # no local paths in a shared report
    names = post.get("parameters")
    if isinstance(names, list | tuple) and names:
        details.append(f"{len(names)} calibrated parameters")
    small = f" <small>{html.escape('; '.join(details))}</small>" if details else ""
    return f'<p class="calibration ok">{html.escape(text)}.{small}</p>'


# --------------------------------------------------------------------------------------------
# Traces and figures
# --------------------------------------------------------------------------------------------
def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _model_traces(
    frame: pd.DataFrame,
    name: str,
    colour: str,
    value_format: str,
    group: str | None = None,
    rank: int = 100,
    x_hover: str = "%{x}",
    markers: bool = True,
) -> list[go.Scatter]:
    """A filled p05-p95 band and a median line for one stats frame.

    ``rank`` orders the legend: the median gets ``rank``, its band ``rank + 1``. ``x_hover`` is
    the hover text of the x value (e.g. ``"%{x|%b %Y}"`` for months); ``markers`` marks each
    point of the median line (off for dense monthly lines, which would look like record points).
    """
    group = group or name
    traces: list[go.Scatter] = []
    band = frame[["p05", "p95"]].dropna()
    if not band.empty:
        xs = [*band.index, *band.index[::-1]]
        ys = [*band["p95"], *band["p05"][::-1]]
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                mode="lines",
                line={"width": 0},
                fillcolor=_rgba(colour, 0.18),
                hoverinfo="skip",
                legendgroup=group,
                name=f"{name}: 90% band (p05–p95)",
                legendrank=rank + 1,
            )
        )
    median = frame["p50"].dropna()
    if not median.empty:
        traces.append(
            go.Scatter(
                x=list(median.index),
                y=list(median),
                mode="lines+markers" if markers else "lines",
                line={"color": colour, "width": 2.5},
                marker={"size": 5},
                legendgroup=group,
                legendrank=rank,
                name=f"{name}: median",
                customdata=frame.loc[median.index, ["p05", "p95"]],
                hovertemplate=(
                    f"{x_hover}: %{{y:{value_format}}} (90%: %{{customdata[0]:{value_format}}}"
                    f"–%{{customdata[1]:{value_format}}})<extra>{name}</extra>"
                ),
            )
        )
    return traces


def _record_trace(
    points: Mapping[int, float],
    name: str,
    colour: str,
    value_format: str,
    hollow: bool = False,
    label: str | None = None,
    symbol: str = "circle",
    rank: int = 500,
    x_hover: str = "%{x}",
) -> go.Scatter:
    """Markers for figures from the public record; hollow ones for provisional or press."""
    return go.Scatter(
        x=list(points),
        y=list(points.values()),
        mode="markers+text" if label else "markers",
        text=[label] * len(points) if label else None,
        textposition="top center",
        textfont={"size": 11, "color": colour},
        marker={
            "symbol": f"{symbol}-open" if hollow else symbol,
            "size": 10 if hollow else 9,
            "color": colour,
            "line": {"width": 2, "color": colour},
        },
        name=name,
        hovertemplate=f"{x_hover}: %{{y:{value_format}}}<extra>{name}</extra>",
        legendrank=rank + (1 if hollow else 0),
    )


def _layout(fig: go.Figure, title: str, xaxis: str, yaxis: str, percent: bool = False) -> None:
    fig.update_layout(
        template="plotly_white",
        height=_FIG_HEIGHT,
        title={"text": title, "x": 0.01},
        margin={"l": 70, "r": 20, "t": 50, "b": 90},
        hovermode="closest",
        legend={"orientation": "h", "yanchor": "top", "y": -0.16, "xanchor": "left", "x": 0},
        font={"size": 13},
    )
    years = [x for trace in fig.data for x in (trace.x or ()) if isinstance(x, Real)]
    if years:
        fig.update_xaxes(range=[min(years) - 0.5, max(years) + 0.5])
    fig.update_xaxes(title_text=xaxis, dtick=1)
    fig.update_yaxes(title_text=yaxis, rangemode="tozero", separatethousands=True)
    if percent:
        fig.update_yaxes(tickformat=".0%", range=[0, 1.02])


def deaths_figure(summary: Mapping[str, Any]) -> go.Figure | None:
    """Model T40.4 deaths per calendar year (median and 90% band) against the CDC record.

    Returns None when the summary holds no usable ``deaths_t404_by_year``.
    """
    frame = _stats_frame(summary.get("deaths_t404_by_year"))
    if not _has_data(frame):
        return None
    fig = go.Figure(_model_traces(frame, "Model", _MODEL, ",.0f"))
    final = {y: r.t404 for y, r in CDC_DEATHS.items() if not r.provisional}
    provisional = {y: r.t404 for y, r in CDC_DEATHS.items() if r.provisional}
    fig.add_trace(_record_trace(final, "CDC record (final, NVSS)", _RECORD, ",.0f"))
    if provisional:
        fig.add_trace(
            _record_trace(
                provisional,
                "CDC provisional (VSRR)",
                _RECORD,
                ",.0f",
                hollow=True,
                label="provisional",
            )
        )
    _layout(fig, "Deaths per calendar year", "Calendar year", "Deaths")
    return fig


_HOLDOUT_GOAL = 0.25  # the hold-out goal of the calibration issue: |2024 error| <= 25%


def provisional_deaths_note(summary: Mapping[str, Any]) -> str:
    """A sentence per provisional CDC year the run covers: model median and band against the count.

    Provisional counts are never fitted, so these are out-of-sample checks; empty when the run does
    not reach a provisional year.
    """
    frame = _stats_frame(summary.get("deaths_t404_by_year"))
    parts, worst, years = [], 0.0, []
    for year, r in sorted(CDC_DEATHS.items()):
        if not r.provisional or year not in frame.index or math.isnan(_number(frame.at[year, "p50"])):
            continue
        p05, p50, p95 = (_number(frame.at[year, k]) for k in ("p05", "p50", "p95"))
        inside = "inside" if p05 <= r.t404 <= p95 else "outside"
        worst = max(worst, abs(p50 / r.t404 - 1))
        years.append(str(year))
        parts.append(
            f"{year} (provisional, never fitted): model median {p50:,.0f} [90% band {p05:,.0f}–{p95:,.0f}] "
            f"against CDC's {r.t404:,}, {100 * (p50 / r.t404 - 1):+.0f}%; the count lies {inside} the band."
        )
    if not parts:
        return ""
    if worst > _HOLDOUT_GOAL:
        parts.append(
            f"The model has no mechanism for the steep fall CDC reports for {', '.join(years)}; read its "
            "projections with that in mind (docs/calibration.md, hold-out)."
        )
    return '<p class="note"><strong>Out of sample.</strong> ' + " ".join(parts) + "</p>"


def seizures_total_figure(summary: Mapping[str, Any]) -> go.Figure | None:
    """Model Southwest-border fentanyl seizures (lb, total) against CBP's record, by FY."""
    frame = _stats_frame(summary.get("cbp_fentanyl_lbs_by_fy"), _southwest)
    if not _has_data(frame):
        return None
    fig = go.Figure(_model_traces(frame, "Model, Southwest border", _MODEL, ",.0f"))
    csv = {fy: r.southwest_lbs for fy, r in CBP_FENTANYL_LBS.items() if not r.press_release}
    press = {fy: r.southwest_lbs for fy, r in CBP_FENTANYL_LBS.items() if r.press_release}
    fig.add_trace(_record_trace(csv, "CBP record (public CSV)", _RECORD, ",.0f"))
    if press:
        fig.add_trace(
            _record_trace(
                press,
                "CBP press releases (approx.)",
                _RECORD,
                ",.0f",
                hollow=True,
                label="press release",
            )
        )
    _layout(fig, "Total seized, Southwest border", "Fiscal year (Oct–Sep)", "Fentanyl seized (lb)")
    return fig


def seizures_by_component_figure(summary: Mapping[str, Any]) -> go.Figure | None:
    """Model seizures at ports of entry (``sw_ofo``) and by Border Patrol (``sw_usbp``), by FY.

    Each is drawn as a median with its 90% band, with CBP's record for each component.
    Returns None when neither component is present.
    """
    by_fy = summary.get("cbp_fentanyl_lbs_by_fy")
    parts = [
        ("sw_ofo", "Ports of entry (OFO)", _PORTS, "circle"),
        ("sw_usbp", "Border Patrol (USBP: between ports and checkpoints)", _BETWEEN, "diamond"),
    ]
    fig = go.Figure()
    drawn = False
    for rank, (key, name, colour, symbol) in enumerate(parts, start=1):
        frame = _stats_frame(by_fy, _component(key))
        if not _has_data(frame):
            continue
        drawn = True
        label = f"Model {name.split(' (')[0].lower()}"
        fig.add_traces(_model_traces(frame, label, colour, ",.0f", group=key, rank=100 * rank))
        if key == "sw_ofo":
            record = {
                fy: r.southwest_poe_lbs
                for fy, r in CBP_FENTANYL_LBS.items()
                if r.southwest_poe_lbs is not None
            }
        else:
            record = {
                fy: r.southwest_between_ports_lbs
                for fy, r in CBP_FENTANYL_LBS.items()
                if r.southwest_between_ports_lbs is not None
            }
        fig.add_trace(
            _record_trace(record, f"CBP record: {name}", colour, ",.0f", symbol=symbol, rank=100 * rank + 2)
        )
    if not drawn:
        return None
    _layout(fig, "Ports of entry vs Border Patrol", "Fiscal year (Oct–Sep)", "Fentanyl seized (lb)")
    return fig


def precursor_route_share_figure(summary: Mapping[str, Any]) -> go.Figure | None:
    """Model precursor-route share per calendar year (median and 90% band)."""
    frame = _stats_frame(summary.get("precursor_route_share_by_year"))
    if not _has_data(frame):
        return None
    fig = go.Figure(_model_traces(frame, "Precursor-route share", _MODEL, ".1%"))
    _layout(fig, "Precursor-route share", "Calendar year", "Share", percent=True)
    return fig


def crossing_shares_figure(summary: Mapping[str, Any]) -> go.Figure | None:
    """Shares of Southwest-border crossing flow by crossing kind per calendar year.

    CBP's range for the share of *seized weight* taken at ports of entry (FY2019-FY2023) is
    shown as a reference band; it describes seizures, not flow.
    """
    by_year = summary.get("crossing_share_by_year")
    if not isinstance(by_year, Mapping):
        return None
    kinds: list[str] = []
    for entry in by_year.values():
        if isinstance(entry, Mapping):
            kinds.extend(str(k) for k in entry if str(k) not in kinds)
    fig = go.Figure()
    extra = iter(_EXTRA_COLOURS * 4)
    drawn = False
    for kind in kinds:
        frame = _stats_frame(by_year, _component(kind))
        if not _has_data(frame):
            continue
        drawn = True
        colour = _KIND_COLOURS.get(kind) or next(extra, "#555555")
        label = kind.replace("_", " ").capitalize()
        fig.add_traces(_model_traces(frame, label, colour, ".1%", group=kind))
    if not drawn:
        return None
    low, high = CBP_SW_POE_SHARE_RANGE
    first, last = (
        min(CBP_FENTANYL_LBS),
        max(fy for fy, r in CBP_FENTANYL_LBS.items() if r.southwest_poe_lbs is not None),
    )
    fig.add_shape(
        type="rect",
        xref="x",
        yref="y",
        x0=first - 0.5,
        x1=last + 0.5,
        y0=low,
        y1=high,
        fillcolor=_rgba(_PORTS, 0.10),
        line={"width": 1, "dash": "dot", "color": _PORTS},
        layer="below",
    )
    fig.add_annotation(
        x=first - 0.5,
        y=high,
        xref="x",
        yref="y",
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
        font={"size": 11, "color": _PORTS},
        text=(f"CBP: share of SW seized weight taken at ports, FY{first}–FY{last} (seizures, not flow)"),
    )
    _layout(
        fig,
        "Southwest-border crossing flow by crossing kind",
        "Calendar year",
        "Share",
        percent=True,
    )
    return fig


# --------------------------------------------------------------------------------------------
# Fit to the calibration record
# --------------------------------------------------------------------------------------------
_COMPONENTS = (
    ("sw_ofo", "OFO", "Ports of entry (OFO)", _PORTS, "circle"),
    ("sw_usbp", "USBP", "Border Patrol (USBP: between ports and checkpoints)", _BETWEEN, "diamond"),
)
_CBP_COMPONENT = {"sw_ofo": "OFO", "sw_usbp": "USBP"}
_FIT_PAD_YEARS = 2
_FIT_PAD_MONTHS = 12
_PAIR_HEIGHT = 470


def _fiscal_year(month: pd.Timestamp) -> int:
    """The federal fiscal year (October to September) of a month."""
    return month.year + (1 if month.month >= 10 else 0)


def _fy_record(component: str, events: bool) -> dict[int, float]:
    """CBP's Southwest-border record per fiscal year for one component, lb or events."""
    if events:
        totals = sw_fentanyl_fiscal_year_totals("events", _CBP_COMPONENT[component])
        return {int(fy): float(v) for fy, v in totals.items()}
    out = {}
    for fy, r in CBP_FENTANYL_LBS.items():
        value = r.southwest_poe_lbs if component == "sw_ofo" else r.southwest_between_ports_lbs
        if value is not None:
            out[fy] = float(value)
    return out


def _monthly_record(component: str, quarterly: bool) -> dict[pd.Timestamp, float]:
    """CBP's monthly lb for one component; with ``quarterly`` the 3-month sums the calibration fits.

    The sums cover fiscal quarters and are labelled by their last month, as in
    :func:`narcoflow.calibrate.targets.record_targets`.
    """
    series = sw_fentanyl_monthly_table("lbs")[_CBP_COMPONENT[component]].sort_index()
    if quarterly:
        series = series.rolling(3).sum().iloc[2::3]
    return {pd.Timestamp(m): float(v) for m, v in series.items()}


def _split(
    points: Mapping[Any, float], until: int | None, year_of: Callable[[Any], int]
) -> tuple[dict[Any, float], dict[Any, float]]:
    """Record points the calibration fitted (year up to ``until``) and those after it."""
    if until is None:
        return dict(points), {}
    fitted = {x: v for x, v in points.items() if year_of(x) <= until}
    return fitted, {x: v for x, v in points.items() if x not in fitted}


def _window(frame: pd.DataFrame, low: Any, high: Any) -> pd.DataFrame:
    """The rows of ``frame`` with ``low <= index <= high``."""
    if frame.empty:
        return frame
    return frame[(frame.index >= low) & (frame.index <= high)]


def _pair_figure(
    title: str,
    by_key: Any,
    records: Mapping[str, Mapping[Any, float]],
    until: int | None,
    yaxis: str,
    value_format: str,
    monthly: bool,
) -> go.Figure | None:
    """Ports of entry (left) and Border Patrol (right): model median and 90% band against the record.

    ``by_key`` is the summary entry (``{key: {"sw_ofo": stats, "sw_usbp": stats}}``) with years
    or, with ``monthly``, months as keys. The model is shown over the record's span padded by
    two years (twelve months); record points after ``until`` are drawn hollow as not fitted.
    Returns None when neither component has model data.
    """
    frames, spans = _pair_frames(by_key, records, monthly)
    if not any(_has_data(f) for f in frames.values()):
        return None
    titles = [
        name if _has_data(frames[key]) else f"{name}: no model data" for key, _, name, *_ in _COMPONENTS
    ]
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.09)
    for col, component in enumerate(_COMPONENTS, start=1):
        key = component[0]
        _pair_panel(fig, col, component, frames[key], records[key], spans[key], until, value_format, monthly)
    _pair_layout(fig, title, yaxis, monthly)
    return fig


def _pair_frames(
    by_key: Any, records: Mapping[str, Mapping[Any, float]], monthly: bool
) -> tuple[dict[str, pd.DataFrame], dict[str, tuple[Any, Any]]]:
    """Per component, the model's stats over the record's span padded by two years (twelve months),
    and that span."""
    index = _month if monthly else _year
    frames, spans = {}, {}
    for key, *_ in _COMPONENTS:
        points = records[key]
        if monthly:
            pad = pd.DateOffset(months=_FIT_PAD_MONTHS)
            low, high = min(points) - pad, max(points) + pad
        else:
            low, high = min(points) - _FIT_PAD_YEARS, max(points) + _FIT_PAD_YEARS
        frames[key] = _window(_stats_frame(by_key, _component(key), index), low, high)
        spans[key] = (low, high)
    return frames, spans


def _pair_panel(
    fig: go.Figure,
    col: int,
    component: tuple[str, str, str, str, str],
    frame: pd.DataFrame,
    points: Mapping[Any, float],
    span: tuple[Any, Any],
    until: int | None,
    value_format: str,
    monthly: bool,
) -> None:
    """One component's panel: the model's median and band, the record (hollow after ``until``: not
    fitted), and the x range of the span."""
    key, short, _, colour, symbol = component
    x_hover = "%{x|%b %Y}" if monthly else "FY%{x}"
    rank = 100 * col
    for trace in _model_traces(
        frame,
        f"Model, {short}",
        colour,
        value_format,
        group=key,
        rank=rank,
        x_hover=x_hover,
        markers=not monthly,
    ):
        fig.add_trace(trace, row=1, col=col)
    fitted, held = _split(points, until, _fiscal_year if monthly else int)
    for part, hollow, suffix in ((fitted, False, ""), (held, True, f", after {until}: not fitted")):
        if part:
            name = f"CBP record, {short}{suffix}"
            trace = _record_trace(
                part,
                name,
                colour,
                value_format,
                hollow=hollow,
                symbol=symbol,
                rank=rank + 2,
                x_hover=x_hover,
            )
            trace.legendgroup = key
            if monthly:
                trace.marker.size = 7 if hollow else 6
            fig.add_trace(trace, row=1, col=col)
    low, high = span
    if monthly:
        half = pd.Timedelta(days=16)
        fig.update_xaxes(range=[low - half, high + half], dtick="M12", tickformat="%Y", row=1, col=col)
    else:
        fig.update_xaxes(range=[low - 0.5, high + 0.5], dtick=1, row=1, col=col)


def _pair_layout(fig: go.Figure, title: str, yaxis: str, monthly: bool) -> None:
    """Title, legend below the panels, axis titles and formats of a pair figure."""
    fig.update_layout(
        template="plotly_white",
        height=_PAIR_HEIGHT,
        title={"text": title, "x": 0.01},
        margin={"l": 70, "r": 20, "t": 70, "b": 120},
        hovermode="closest",
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -0.22,
            "xanchor": "left",
            "x": 0,
            "groupclick": "toggleitem",
        },
        font={"size": 13},
    )
    fig.update_annotations(font={"size": 13})
    fig.update_xaxes(title_text="Month" if monthly else "Fiscal year (Oct–Sep)")
    fig.update_yaxes(title_text=yaxis, rangemode="tozero", separatethousands=True, tickformat=",")


def fit_fiscal_year_figure(summary: Mapping[str, Any], events: bool = False) -> go.Figure | None:
    """Model seizures per fiscal year against CBP's record, ports of entry and Border Patrol.

    Weight in lb (``cbp_fentanyl_lbs_by_fy``) or, with ``events``, seizure event counts
    (``cbp_fentanyl_events_by_fy``), each with the model median and 90% band. Returns None when
    the summary has neither component.
    """
    key = "cbp_fentanyl_events_by_fy" if events else "cbp_fentanyl_lbs_by_fy"
    records = {k: _fy_record(k, events) for k, *_ in _COMPONENTS}
    title = "Seizure events per fiscal year" if events else "Fentanyl seized per fiscal year"
    return _pair_figure(
        title,
        summary.get(key),
        records,
        _calibrated_until(summary),
        "Seizure events" if events else "Fentanyl seized (lb)",
        ",.0f",
        monthly=False,
    )


def fit_monthly_figure(summary: Mapping[str, Any], quarterly: bool = False) -> go.Figure | None:
    """Model fentanyl seized per month (lb) against CBP's monthly record, FY2019-FY2023.

    With ``quarterly``, the 3-month sums over fiscal quarters the calibration compares
    (``cbp_quarterly_lbs``); otherwise single months (``cbp_monthly_lbs``). Returns None when the
    summary has neither component.
    """
    key = "cbp_quarterly_lbs" if quarterly else "cbp_monthly_lbs"
    records = {k: _monthly_record(k, quarterly) for k, *_ in _COMPONENTS}
    title = (
        "Fentanyl seized per fiscal quarter (3-month sums, as calibrated)"
        if quarterly
        else "Fentanyl seized per month"
    )
    return _pair_figure(
        title,
        summary.get(key),
        records,
        _calibrated_until(summary),
        "Fentanyl seized (lb)",
        ",.0f",
        monthly=True,
    )


def _yearly_fit_figure(
    summary: Mapping[str, Any],
    key: str,
    span: Mapping[int, Any],
    points: Mapping[int, float],
    model: str,
    colour: str,
    record: str,
) -> go.Figure | None:
    """A yearly share from ``summary[key]`` (median and band over ``span``'s years, padded) against
    record ``points``; points after the calibration window are hollow. None without model data."""
    low, high = min(span) - _FIT_PAD_YEARS, max(span) + _FIT_PAD_YEARS
    frame = _window(_stats_frame(summary.get(key)), low, high)
    if not _has_data(frame):
        return None
    fig = go.Figure(_model_traces(frame, model, colour, ".1%"))
    until = _calibrated_until(summary)
    fitted, held = _split(points, until, int)
    fig.add_trace(_record_trace(fitted, record, _RECORD, ".1%"))
    if held:
        name = f"{record}, after {until}: not fitted"
        fig.add_trace(_record_trace(held, name, _RECORD, ".1%", hollow=True))
    return fig


def _poe_share_record() -> dict[int, float]:
    """CBP's share of Southwest-border fentanyl weight seized at ports of entry, per fiscal year."""
    return {
        fy: r.southwest_poe_lbs / r.southwest_lbs
        for fy, r in CBP_FENTANYL_LBS.items()
        if r.southwest_poe_lbs is not None and r.southwest_lbs
    }


def fit_poe_share_figure(summary: Mapping[str, Any]) -> go.Figure | None:
    """The model's ports-of-entry share of Southwest-border seized weight against CBP's, per FY.

    The model share is ``cbp_sw_poe_share_by_fy`` (member by member ``sw_ofo / sw_total``, so the
    band is the members' spread, as the calibration measures it). The y axis is zoomed to the data:
    the shares lie between about 0.7 and 1. Returns None without ``cbp_sw_poe_share_by_fy``.
    """
    record = _poe_share_record()
    fig = _yearly_fit_figure(
        summary, "cbp_sw_poe_share_by_fy", record, record, "Model share", _PORTS, "CBP record"
    )
    if fig is None:
        return None
    _layout(
        fig,
        "Share of Southwest-border fentanyl weight seized at ports of entry",
        "Fiscal year (Oct–Sep)",
        "Share",
    )
    fig.update_yaxes(tickformat=".0%", rangemode="normal")
    return fig


def fit_nflis_figure(summary: Mapping[str, Any]) -> go.Figure | None:
    """The model's penetration φ (yearly mean, ``phi_by_year``) against NFLIS's fentanyl share.

    NFLIS counts laboratory reports, not supply, so the share is a proxy for φ. The partial year
    2021 and years after the calibration are drawn hollow. Returns None without ``phi_by_year``.
    """
    points = {y: r.share for y, r in NFLIS_FENTANYL_SHARE.items() if not r.partial_year}
    model = "Model φ (yearly mean)"
    fig = _yearly_fit_figure(
        summary, "phi_by_year", NFLIS_FENTANYL_SHARE, points, model, _MODEL, "NFLIS fentanyl share"
    )
    if fig is None:
        return None
    partial = {y: r.share for y, r in NFLIS_FENTANYL_SHARE.items() if r.partial_year}
    if partial:
        fig.add_trace(
            _record_trace(partial, "NFLIS, partial year", _RECORD, ".1%", hollow=True, label="partial year")
        )
    _layout(
        fig,
        "Fentanyl share: NFLIS reports against the model's penetration φ",
        "Calendar year",
        "Share",
        percent=True,
    )
    return fig


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------
def _fmt(value: Any, spec: str = ",.0f") -> str:
    number = _number(value)
    return "–" if math.isnan(number) else format(number, spec)


def _missing(what: str) -> str:
    return f'<p class="missing">Not shown: the summary has no usable {html.escape(what)}.</p>'


class _Figures:
    """Renders figures to HTML divs, embedding plotly.js inline with the first one only."""

    def __init__(self) -> None:
        self.plotlyjs_done = False

    def div(self, fig: go.Figure, div_id: str) -> str:
        out = fig.to_html(
            full_html=False,
            include_plotlyjs=not self.plotlyjs_done,
            div_id=div_id,
            default_width="100%",
            default_height=f"{fig.layout.height or _FIG_HEIGHT}px",
            config={"displaylogo": False, "responsive": True},
        )
        self.plotlyjs_done = True
        return f'<div class="figure">{out}</div>'

    def show(self, fig: go.Figure | None, div_id: str, what: str) -> str:
        """The figure's div, or a note that the summary lacks ``what`` when there is no figure."""
        return _missing(what) if fig is None else self.div(fig, div_id)


def _header(summary: Mapping[str, Any], title: str) -> str:
    err = _number(summary.get("mass_balance_max_rel_error"))
    if math.isnan(err):
        err_html = '<span class="warn">n/a</span>'
    else:
        css = "ok" if abs(err) < 1e-9 else "warn"
        err_html = f'<span class="{css}">{err:.2e}</span>'
    period = f"{summary.get('start', '?')} to {summary.get('end', '?')}"
    items = [
        ("Scenario", html.escape(str(summary.get("scenario", "unknown")))),
        ("Seed", html.escape(str(summary.get("seed", "–")))),
        ("Members", html.escape(str(summary.get("members", "–")))),
        ("Version", html.escape(str(summary.get("version", "–")))),
        ("Period", html.escape(period)),
        ("Mass balance, max rel. error", err_html),
        ("Scenario hash", html.escape(str(summary.get("scenario_hash", "–"))[:16])),
    ]
    meta = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in items)
    return (
        f"<header><h1>{html.escape(title)}</h1>"
        '<p class="subtitle">NarcoFlow ensemble run against the public record. Bands are the '
        "5th–95th percentiles across members; lines are medians.</p>"
        f"{_calibration_line(summary)}{_overrides_line(summary)}"
        f'<dl class="meta">{meta}</dl></header>'
    )


def _overrides_line(summary: Mapping[str, Any]) -> str:
    """The run's --set overrides, one line (nothing when there were none)."""
    overrides = summary.get("overrides")
    if not isinstance(overrides, Mapping) or not overrides:
        return ""
    items = "; ".join(f"{k} = {v}" for k, v in overrides.items())
    return f'<p class="calibration warn">Changed with --set: <code>{html.escape(items)}</code></p>'


def _section(section_id: str, intro: str, body: Iterable[str]) -> str:
    return (
        f'<section id="{section_id}"><h2>{html.escape(SECTION_TITLES[section_id])}</h2>'
        f'<p class="note">{intro}</p>{"".join(body)}</section>'
    )


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _comparison_rows(
    frame: pd.DataFrame, record: Mapping[int, float], label: str, spec: str = ",.0f"
) -> list[list[str]]:
    """Table rows of model median and band against the record, ratio in red when outside the band."""
    rows = []
    for year, observed in record.items():
        stats = frame.loc[year] if year in frame.index else pd.Series(dtype=float)
        p05, p50, p95 = (_number(stats.get(k)) for k in ("p05", "p50", "p95"))
        ratio = p50 / observed if observed else math.nan
        outside = not (math.isnan(p05) or math.isnan(p95)) and not p05 <= observed <= p95
        rows.append(
            [
                f"<td>{label}{year}</td>",
                f"<td>{_fmt(p50, spec)}</td>",
                f"<td>{_fmt(p05, spec)} – {_fmt(p95, spec)}</td>",
                f"<td>{_fmt(observed, spec)}</td>",
                f'<td class="{"out" if outside else ""}">{_fmt(ratio, ".2f")}</td>',
            ]
        )
    return rows


def _key_figures(summary: Mapping[str, Any]) -> str:
    headers = ["Year", "Model median", "Model 90% band", "Record", "Model / record"]
    deaths = _stats_frame(summary.get("deaths_t404_by_year"))
    record = {y: float(CDC_DEATHS[y].t404) for y in _KEY_YEARS if y in CDC_DEATHS}
    parts = ["<h3>T40.4 deaths, calendar years 2016–2023 (CDC final)</h3>"]
    parts.append(_table(headers, _comparison_rows(deaths, record, "")))
    lbs = _stats_frame(summary.get("cbp_fentanyl_lbs_by_fy"), _southwest)
    cbp = {fy: float(r.southwest_lbs) for fy, r in CBP_FENTANYL_LBS.items() if not r.press_release}
    parts.append("<h3>Fentanyl seized at the Southwest border, lb (CBP public CSV)</h3>")
    parts.append(_table(headers, _comparison_rows(lbs, cbp, "FY")))
    parts.append(_poe_share_table(summary, headers))
    parts.append('<p class="note">Ratios in red: the record lies outside the model 90% band.</p>')
    return "".join(parts)


def _poe_share_table(summary: Mapping[str, Any], headers: list[str]) -> str:
    """Share of Southwest-border seized weight taken at ports of entry, model against CBP, per FY.

    The model share is ``cbp_sw_poe_share_by_fy`` (member-wise ``sw_ofo / sw_total``); without
    it, the ratio of the medians of ``sw_ofo`` and ``sw_total``, with no band.
    """
    record = _poe_share_record()
    frame = _stats_frame(summary.get("cbp_sw_poe_share_by_fy"))
    note = ""
    if not _has_data(frame):
        lbs = summary.get("cbp_fentanyl_lbs_by_fy")
        ofo = _stats_frame(lbs, _component("sw_ofo"))["p50"]
        total = _stats_frame(lbs, _southwest)["p50"]
        ratio = (ofo / total.where(total > 0)).dropna()
        frame = pd.DataFrame({"p50": ratio}).reindex(columns=list(_STATS))
        note = (
            '<p class="note">The summary has no member-wise share (cbp_sw_poe_share_by_fy): '
            "model column is the ratio of the medians, without a band.</p>"
        )
    return (
        "<h3>Share of Southwest-border fentanyl weight seized at ports of entry (CBP public CSV)</h3>"
        + _table(headers, _comparison_rows(frame, record, "FY", ".1%"))
        + note
    )


def _sources() -> str:
    seen: list[str] = []
    entries = (
        *CDC_DEATHS.values(),
        *CBP_FENTANYL_LBS.values(),
        CBP_SW_POE_SHARE_RANGE,
        *NFLIS_FENTANYL_SHARE.values(),
    )
    for source in (*(entry.source for entry in entries), CBP_MONTHLY_SOURCE):
        if source not in seen:
            seen.append(source)
    items = "".join(f"<li>{html.escape(s)}</li>" for s in seen)
    return f"<footer><strong>Sources of the record</strong><ul>{items}</ul></footer>"


def _system_section(system: Mapping[str, Any], figures: _Figures) -> str:
    """The "The system" section: map, Sankey, supply side, organizations and the numbered events."""
    from narcoflow.report import figures as fg

    rows = [
        [
            f"<td>{i}</td>",
            f"<td>{html.escape(date)}</td>",
            f'<td class="{"out" if leadership else ""}" style="text-align:left">{html.escape(text)}</td>',
        ]
        for i, date, text, leadership in fg.event_legend(system)
    ]
    events = _table(["No.", "Month", "Event (red: leadership removal or fragmentation)"], rows)
    return _section(
        "system",
        f"What the {system['members']} members simulate, from the Chinese firms to the US markets, in "
        "final-product equivalents (kg of precursor times the recipe factor). The map shows what arrives "
        "at each node (median kg per year; a slider picks the year), the flow along the network's legs, "
        "the crossing kinds in colour and seizures as crosses. The Sankey follows one year's mass stage "
        "by stage (member means), with seizures, lab raids and consumption as exits. The model records "
        "what arrives at and is seized at each node, not the flow on each leg: leg flows, and the firms' "
        "sales by region, are estimated from those node totals by iterative proportional fitting. Below, "
        "the supply side and the trafficking organizations by month (median and 90% band), with the "
        "policy timeline numbered on every series.",
        [
            figures.div(fg.flow_map(system), "fig-system-map"),
            figures.div(fg.mass_sankey(system), "fig-system-sankey"),
            "<h3>Supply side</h3>",
            figures.div(fg.supply_figure(system), "fig-system-supply"),
            "<h3>Organizations</h3>",
            figures.div(fg.organizations_figure(system), "fig-system-orgs"),
            "<h3>Policy timeline</h3>",
            events,
        ],
    )


def write_report(
    summary: Mapping[str, Any],
    path: Path,
    title: str | None = None,
    system: Mapping[str, Any] | None = None,
) -> Path:
    """Write a self-contained HTML report of a run summary and return its path.

    The file embeds plotly.js inline once and fetches nothing, so it opens offline. Sections
    whose data are missing from the summary are replaced by a short note.

    Parameters
    ----------
    summary : the run summary. Years and fiscal years are string keys; each *stats* is a dict
        ``{"mean", "p05", "p50", "p95"}`` of floats (NaN allowed)::

            {"scenario", "scenario_hash", "seed", "members", "version", "start", "end",
             "deaths_t404_by_year": {"2013": stats, ...},
             "cbp_fentanyl_lbs_by_fy": {"2019": {"total": stats, "sw_ofo": stats,
                                                 "sw_usbp": stats}, ...},
             "cbp_fentanyl_events_by_fy": {"2019": {"sw_ofo": stats, "sw_usbp": stats}, ...},
             "cbp_sw_poe_share_by_fy": {"2019": stats, ...},
             "cbp_monthly_lbs": {"2018-10": {"sw_ofo": stats, "sw_usbp": stats}, ...},
             "cbp_quarterly_lbs": {"2018-12": {"sw_ofo": stats, "sw_usbp": stats}, ...},
             "phi_by_year": {"2013": stats, ...},
             "precursor_route_share_by_year": {"2013": stats, ...},
             "crossing_share_by_year": {"2013": {"port_of_entry": stats,
                                                 "between_ports": stats}, ...},
             "mass_balance_max_rel_error": float,
             "posterior": None or {"file", "until", "budget", "simulations", "parameters"}}

        ``posterior`` None means the parameters are the scenario's own values; a missing
        ``posterior`` is reported as not recorded.

    path : where to write the file; parent folders are created.
    title : page title; defaults to ``"NarcoFlow report: <scenario>"``.
    system : the run's system view (:func:`narcoflow.report.system.system_view`); when given, the
        report opens with "The system": the flow map, the mass Sankey, the supply side and the
        organizations, with the policy timeline.

    Returns
    -------
    The path written.
    """
    path = Path(path)
    title = title or f"NarcoFlow report: {summary.get('scenario', 'unknown scenario')}"
    figures = _Figures()
    sections = [
        _system_section(system, figures)
        if system is not None
        else _section(
            "system", "The map, the mass Sankey and the panels of the system.", [_missing("system view")]
        ),
        _deaths_section(summary, figures),
        _seizures_section(summary, figures),
        _fit_section(summary, figures),
        _routes_section(summary, figures),
        _section(
            "table",
            "Model medians set against the record for the years with final figures.",
            [_key_figures(summary)],
        ),
    ]
    document = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{_header(summary, title)}\n" + "\n".join(sections) + f"\n{_sources()}\n"
        "</main>\n</body>\n</html>\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    return path


def _deaths_section(summary: Mapping[str, Any], figures: _Figures) -> str:
    """Deaths by calendar year against CDC's counts, with the note on the provisional count."""
    return _section(
        "deaths",
        "Model deaths involving synthetic opioids other than methadone, by calendar year, "
        "against CDC counts: final NVSS counts as filled markers, the provisional 2024 "
        "count (VSRR) as a hollow marker. Final and provisional counts are not one series.",
        [
            figures.show(deaths_figure(summary), "fig-deaths", "deaths_t404_by_year"),
            provisional_deaths_note(summary),
        ],
    )


def _seizures_section(summary: Mapping[str, Any], figures: _Figures) -> str:
    """CBP's Southwest-border seizures by fiscal year: the total, and by component."""
    return _section(
        "seizures",
        "Model fentanyl seized by CBP at the Southwest border by federal fiscal year "
        "(October–September), against CBP's public seizure statistics (FY2019–FY2023; "
        "FY2024 from press releases, hollow). Ports of entry are CBP's Office of Field "
        "Operations (OFO); U.S. Border Patrol (USBP) seizes between the ports and at its interior "
        "checkpoints, which also stop loads that came through a port.",
        [
            figures.show(
                seizures_total_figure(summary),
                "fig-seizures-total",
                "cbp_fentanyl_lbs_by_fy (sw_total)",
            ),
            figures.show(
                seizures_by_component_figure(summary),
                "fig-seizures-component",
                "cbp_fentanyl_lbs_by_fy (sw_ofo / sw_usbp)",
            ),
        ],
    )


def _fit_section(summary: Mapping[str, Any], figures: _Figures) -> str:
    """The series the calibration compares, each against the record."""
    return _section(
        "fit",
        "The series the calibration compares with the model "
        "(<code>narcoflow.calibrate.targets</code>), each as the model median and 90% band against "
        "the record, over the record's span: CBP's Southwest-border fentanyl seizures at ports of "
        "entry (OFO) and by Border Patrol (USBP) by fiscal year, in pounds and in seizure events; the "
        "same pounds by month and as the 3-month sums the calibration fits; the share of that weight "
        "seized at ports of entry (per member, so its band is the members' spread); and the fentanyl "
        "share of NFLIS laboratory reports against the model's penetration φ (a proxy: reports, not "
        'supply). T40.4 deaths, the first series, are in <a href="#deaths">the first section</a>. '
        "Hollow markers are record points the calibration did not fit.",
        [
            _calibration_line(summary),
            figures.show(
                fit_fiscal_year_figure(summary),
                "fig-fit-fy-lbs",
                "cbp_fentanyl_lbs_by_fy (sw_ofo / sw_usbp)",
            ),
            figures.show(
                fit_fiscal_year_figure(summary, events=True),
                "fig-fit-fy-events",
                "cbp_fentanyl_events_by_fy (sw_ofo / sw_usbp)",
            ),
            figures.show(fit_monthly_figure(summary), "fig-fit-monthly", "cbp_monthly_lbs"),
            figures.show(
                fit_monthly_figure(summary, quarterly=True), "fig-fit-quarterly", "cbp_quarterly_lbs"
            ),
            figures.show(fit_poe_share_figure(summary), "fig-fit-poe-share", "cbp_sw_poe_share_by_fy"),
            figures.show(fit_nflis_figure(summary), "fig-fit-nflis", "phi_by_year"),
        ],
    )


def _routes_section(summary: Mapping[str, Any], figures: _Figures) -> str:
    """The precursor-route share and the split of crossing flow between crossing kinds."""
    return _section(
        "routes",
        "How the modelled supply is routed: the precursor-route share, and how crossing "
        "flow at the Southwest border splits between crossing kinds.",
        [
            figures.show(
                precursor_route_share_figure(summary),
                "fig-precursor-route",
                "precursor_route_share_by_year",
            ),
            figures.show(crossing_shares_figure(summary), "fig-crossing-shares", "crossing_share_by_year"),
        ],
    )
