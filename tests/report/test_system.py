"""The system view of a run and the figures drawn from it (map, Sankey, supply side, organizations)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_html import _without_plotlyjs

import narcoflow
from narcoflow.report import figures as fg
from narcoflow.report import write_report
from narcoflow.report.system import STAGES, _sankey_links, node_stages, system_view


@pytest.fixture(scope="module")
def view(baseline: narcoflow.Scenario, baseline_run: narcoflow.Results) -> dict[str, Any]:
    return system_view(baseline_run, baseline)


def _balance(links: list[list[Any]]) -> dict[str, tuple[float, float]]:
    """(inflow, outflow) of every Sankey node."""
    io: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for a, b, kg in links:
        io[a][1] += kg
        io[b][0] += kg
    return {k: (v[0], v[1]) for k, v in io.items()}


def test_view_is_json_and_covers_the_calendar(view: dict[str, Any], baseline_run: narcoflow.Results) -> None:
    again = json.loads(json.dumps(view))
    assert again == view
    assert view["years"] == list(range(2013, 2031))
    assert len(view["months"]) == baseline_run.dataset.sizes["month"]
    assert len(view["series"]["firms_selling"]["p50"]) == len(view["months"])
    assert [n["id"] for n in view["nodes"]] == list(baseline_run.dataset["node"].values)


def test_node_stages_follow_the_network(baseline: narcoflow.Scenario) -> None:
    stages = node_stages(baseline)
    assert stages["cn_hubei"] == "source"
    assert stages["port_hong_kong"] == "origin" and stages["hub_mail_cn"] == "origin"
    assert stages["mx_manzanillo"] == "entry" and stages["mx_cdmx_air"] == "entry"
    assert stages["us_mail_facilities"] == "direct"
    assert stages["lab_culiacan"] == "lab"
    assert stages["poe_laredo"] == "crossing" and stages["bp_yuma"] == "crossing"
    assert stages["cp_texas"] == "inland"
    assert stages["mkt_south"] == "market"


def test_node_flow_is_the_median_yearly_arrival(
    view: dict[str, Any], baseline_run: narcoflow.Results
) -> None:
    ds = baseline_run.dataset
    t = pd.DatetimeIndex(ds["month"].values)
    node = list(ds["node"].values).index("poe_san_diego")
    per_member = ds["flow_kg"].values[:, t.year == 2021, node].astype(float).sum(axis=1)
    assert view["node_flow"]["2021"][node] == pytest.approx(np.median(per_member), rel=1e-6)


def test_sankey_conserves_mass_at_every_stage(view: dict[str, Any]) -> None:
    """Inflow equals outflow at every node that is neither a source nor an exit, every year."""
    for year, links in view["sankey"].items():
        for name, (inflow, outflow) in _balance(links).items():
            if inflow > 0 and outflow > 0:
                assert outflow == pytest.approx(inflow, rel=1e-3, abs=1e-3), (year, name)


def test_sankey_sources_are_the_firms_sales(view: dict[str, Any], baseline_run: narcoflow.Results) -> None:
    """The firms' links add up to what they sold, precursor counted as product (× recipe factor)."""
    ds = baseline_run.dataset
    t = pd.DatetimeIndex(ds["month"].values)
    factor = ds["parameter_values"].sel(parameter="recipe.factor").values
    sold = ds["sold_kg"].values[:, t.year == 2022].astype(float).sum(axis=1)  # [member, commodity]
    commodities = list(ds["commodity"].values)
    eq = sold[:, commodities.index("precursor")] * factor + sold[:, commodities.index("product")]
    firms = sum(kg for a, _, kg in view["sankey"]["2022"] if a.startswith("Firms: "))
    assert firms == pytest.approx(eq.mean(), rel=1e-6)
    # after the 2019 class scheduling, nearly all of it is precursor
    assert view["precursor_share_of_sold"]["2022"] > 0.9


def test_sankey_shows_seizures_raids_and_consumption(view: dict[str, Any]) -> None:
    targets = {b for _, b, _ in view["sankey"]["2022"]}
    for exit_ in ("Seized at the border", "Seized on entry", "Destroyed in lab raids"):
        assert exit_ in targets
    assert "Consumed or held in market stock" in targets
    assert STAGES["lab"] in targets and "Laredo field office" in targets


@settings(max_examples=60, deadline=None)
@given(
    sold=st.floats(10.0, 1e6),
    fractions=st.lists(st.floats(0.0, 1.0), min_size=8, max_size=8),
    destroyed_share=st.floats(0.0, 0.5),
    through_share=st.floats(0.0, 1.5),
)
def test_sankey_links_balance_for_any_year(
    sold: float, fractions: list[float], destroyed_share: float, through_share: float
) -> None:
    """Whatever the numbers, the early stages balance and the labs take stock up or down."""
    stage = ["source", "source", "origin", "direct", "entry", "lab", "crossing", "crossing", "market"]
    names = [f"n{i}" for i in range(len(stage))]
    seized = np.zeros(len(stage))
    flow = np.zeros(len(stage))
    seized[2] = sold * 0.2 * fractions[0]
    flow[3] = sold * 0.2 * fractions[1]
    seized[3] = flow[3] * fractions[2]
    seized[4] = sold * 0.2 * fractions[3]
    into_labs = sold - seized[2] - flow[3] - seized[4]
    flow[6] = into_labs * through_share * fractions[4]
    flow[7] = into_labs * through_share * (1 - fractions[4])
    seized[6], seized[7] = flow[6] * fractions[5], flow[7] * fractions[6]
    flow[8] = flow[6] + flow[7] - seized[6] - seized[7] + flow[3] - seized[3]
    links = _sankey_links(stage, names, sold, seized, flow, into_labs * destroyed_share, {0: 0.4, 1: 0.6})
    assert all(kg > 0 for *_, kg in links)
    balance = _balance(links)
    for name in (STAGES["origin"], STAGES["entry"], STAGES["lab"], "n6", "n7", "n8"):
        if name in balance and balance[name][1] > 0:
            assert balance[name][1] == pytest.approx(balance[name][0], rel=1e-9, abs=1e-6), name


def test_events_inside_the_run(baseline: narcoflow.Scenario) -> None:
    short = narcoflow.load_scenario("baseline", {"calendar.months": 60})
    res = narcoflow.simulate(short, members=2, seed=0)
    events = system_view(res, short)["events"]
    assert events and all("2013-01" <= e["date"] <= "2017-12" for e in events)
    assert events[0]["id"] == "chapo_recapture_2016"
    assert events[0]["leadership"] is True


def test_flow_map_is_offline_and_has_a_year_slider(view: dict[str, Any]) -> None:
    fig = fg.flow_map(view)
    assert {t.type for t in fig.data} == {"scatter"}  # no geo, mapbox or tile layers
    layout = fig.to_plotly_json()["layout"]
    assert not {"geo", "mapbox", "map"} & set(layout)
    assert [s["label"] for s in layout["sliders"][0]["steps"]] == [str(y) for y in view["years"]]
    outline = fig.data[0]
    assert outline.name == "countries" and len(outline.x) > 1000
    # one year visible at a time: the nodes trace of the chosen year only
    visible_nodes = [t for t in fig.data if (t.name or "").startswith("nodes ") and t.visible]
    assert [t.name for t in visible_nodes] == ["nodes 2023"]
    assert "http" not in fig.to_json()


def test_flow_map_marks_seizures_where_they_happen(view: dict[str, Any]) -> None:
    fig = fg.flow_map(view, 2022, slider=False)
    seizures = next(t for t in fig.data if t.name == "seizures 2022")
    ids = [n["id"] for n in view["nodes"]]
    where = {
        (n["lon"] % 360, n["lat"])
        for n, s in zip(view["nodes"], view["node_seized"]["2022"], strict=True)
        if s > 0
    }
    assert set(zip(seizures.x, seizures.y, strict=True)) == where
    assert view["node_seized"]["2022"][ids.index("poe_san_diego")] > 0


def test_edge_flows_split_each_arrival(view: dict[str, Any]) -> None:
    flows = fg._edge_flows(view, "2022")
    into: dict[int, float] = defaultdict(float)
    for _, v, kg in flows:
        into[v] += kg
    for v, kg in into.items():
        assert kg == pytest.approx(view["node_flow"]["2022"][v], rel=1e-9, abs=1e-9)


def test_sankey_year_selector(view: dict[str, Any]) -> None:
    fig = fg.mass_sankey(view)
    assert len(fig.data) == len(view["years"]) and all(t.type == "sankey" for t in fig.data)
    assert [t.visible for t in fig.data].count(True) == 1
    one = fg.mass_sankey(view, 2020, selector=False)
    assert len(one.data) == 1 and "2020" in one.layout.title.text


def test_time_series_carry_the_timeline(view: dict[str, Any]) -> None:
    n = len(view["events"])
    for fig, rows in ((fg.supply_figure(view), 3), (fg.organizations_figure(view), 4)):
        lines = [s for s in fig.layout.shapes if s.type == "line"]
        assert len(lines) == n * rows
        numbers = [a.text for a in fig.layout.annotations if a.hovertext]
        assert numbers.count("1") == rows and numbers.count(str(n)) == rows
    legend = fg.event_legend(view)
    assert len(legend) == n and legend[0][0] == 1


def test_report_has_the_system_section(
    tmp_path: Path, view: dict[str, Any], baseline_run: narcoflow.Results
) -> None:
    path = write_report(baseline_run.summary(), tmp_path / "report.html", system=view)
    html = path.read_text()
    for div in ("fig-system-map", "fig-system-sankey", "fig-system-supply", "fig-system-orgs"):
        assert f'id="{div}"' in html
    assert html.count("* plotly.js v") == 1
    assert '<section id="system"><h2>The system</h2>' in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", _without_plotlyjs(html))
    assert "China controls all fentanyl-related substances" in html  # the events table


def test_report_without_a_system_view_says_so(tmp_path: Path, baseline_run: narcoflow.Results) -> None:
    html = write_report(baseline_run.summary(), tmp_path / "r.html").read_text()
    assert "Not shown: the summary has no usable system view" in html
    assert "fig-system-map" not in html
