"""The system view of a run and the figures drawn from it (map, Sankey, supply side, organizations)."""

from __future__ import annotations

import itertools
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
from narcoflow.report.flows import STAGES, edge_flows, sankey_links
from narcoflow.report.system import node_stages, system_view


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
    assert "Manzanillo" in targets and "Shanghai (Yangshan)" in targets  # ports and entries, node by node


def _chain(layers: list[int]) -> tuple[list[str], list[tuple[int, int]], list[list[int]]]:
    """A layered network: every node of a layer linked to every node of the next."""
    kinds = ["source", "origin", "entry", "lab", "crossing", "market"]
    stage, index = [], []
    for kind, n in zip(kinds, layers, strict=True):
        index.append(list(range(len(stage), len(stage) + n)))
        stage += [kind] * n
    edges = [(u, v) for a, b in itertools.pairwise(index) for u in a for v in b]
    return stage, edges, index


@settings(max_examples=60, deadline=None)
@given(
    layers=st.tuples(*(st.integers(1, 3) for _ in range(6))),
    data=st.data(),
)
def test_edge_flows_match_consistent_node_totals(layers: tuple[int, ...], data: st.DataObject) -> None:
    """With node totals that add up stage by stage, the estimated edges reproduce every total: what
    arrives at each node, and what each transit node passes on; the Sankey then balances at every node."""
    stage, edges, index = _chain(list(layers))
    weights = st.floats(0.05, 1.0)
    arrivals, seized = np.zeros(len(stage)), np.zeros(len(stage))
    total = data.draw(st.floats(10.0, 1e5))
    for layer in index[1:]:
        split = np.array(data.draw(st.lists(weights, min_size=len(layer), max_size=len(layer))))
        arrivals[layer] = total * split / split.sum()
        if stage[layer[0]] in ("origin", "entry", "crossing"):
            seized[layer] = arrivals[layer] * np.array(
                data.draw(st.lists(st.floats(0.0, 0.5), min_size=len(layer), max_size=len(layer)))
            )
        total = float(arrivals[layer].sum() - seized[layer].sum())
    share = {u: 1.0 / len(index[0]) for u in index[0]}
    x = edge_flows(stage, edges, arrivals, seized, share, iterations=400)
    src, dst = np.array(edges).T
    into = np.bincount(dst, x, len(stage))
    out = np.bincount(src, x, len(stage))
    for i, s in enumerate(stage):
        if s != "source":
            assert into[i] == pytest.approx(arrivals[i], rel=1e-9, abs=1e-9)
        if s in ("origin", "entry", "crossing"):
            assert out[i] == pytest.approx(arrivals[i] - seized[i], rel=1e-6, abs=1e-6)
    links = sankey_links(stage, [f"n{i}" for i in range(len(stage))], edges, x, arrivals, seized, 0.0)
    assert all(kg > 0 for *_, kg in links)
    for name, (inflow, outflow) in _balance(links).items():
        if inflow > 0 and outflow > 0:
            assert outflow == pytest.approx(inflow, rel=1e-6, abs=1e-6), name


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


def test_edge_flows_add_up_to_each_arrival(view: dict[str, Any]) -> None:
    flows = fg._edge_flows(view, "2022")
    into: dict[int, float] = defaultdict(float)
    for _, v, kg in flows:
        into[v] += kg
    for v, kg in into.items():
        assert kg == pytest.approx(view["node_flow"]["2022"][v], rel=1e-6, abs=1e-3)
    # the Pacific legs carry the precursor (in final-product equivalents) after 2019
    ids = [n["id"] for n in view["nodes"]]
    sea = [kg for u, v, kg in flows if ids[u] == "port_shanghai" and ids[v].startswith("mx_")]
    assert sum(sea) > 0.2 * view["node_flow"]["2022"][ids.index("port_shanghai")]


def test_arrivals_output_agrees_with_flow(baseline_run: narcoflow.Results) -> None:
    """``arrivals_kg`` records every commodity; its final product is ``flow_kg``, bit for bit."""
    ds = baseline_run.dataset
    final = ds["arrivals_kg"].sel(commodity=ds.attrs["final_commodity"]).values
    assert final.tobytes() == ds["flow_kg"].values.tobytes()
    precursor = ds["arrivals_kg"].sel(commodity="precursor", node="mx_manzanillo").values
    assert precursor.sum() > 0 and ds["flow_kg"].sel(node="lab_culiacan").values.sum() > 0


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
