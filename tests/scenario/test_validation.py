"""Reproducers of issue 19: inputs that crashed, hung or were accepted though wrong are located errors.

Each case mutates the built-in baseline and expects a :class:`ScenarioError` naming the file, the line
of the fault and (where there is one) the dotted field.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from narcoflow.calibrate.posterior import Posterior
from narcoflow.errors import NarcoFlowError, ScenarioError
from narcoflow.scenario import load_scenario
from narcoflow.scenario.limits import MAX_DEPTH

LAUGHS = "\n".join(
    ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 8)]
)

# (name, old text, new text, expected field or None, fragment of the message, text on the error's line)
CASES = [
    ("deep nesting", "name: baseline", "name: baseline\nx: " + "[" * 500 + "]" * 500, None,
     f"nested more than {MAX_DEPTH} levels", "x: [[["),
    ("recursive alias", "name: baseline", "name: baseline\nx: &r [*r]", None, "recursive alias", "x: &r"),
    ("billion laughs", "name: baseline", "name: baseline\n" + LAUGHS, None, "alias bomb", "l5: &l5"),
    ("alias chain", "name: baseline",
     "name: baseline\n" + "\n".join(["c0: &c0 [1]"] + [f"c{i}: &c{i} [*c{i - 1}]" for i in range(1, 60)]),
     None, "aliases nest more than", "c40: &c40"),
    ("misspelt node kind", "cn_hubei: {kind: origin_region,", "cn_hubei: {kind: origin_regoin,",
     "network.nodes.cn_hubei.kind", "unknown node kind 'origin_regoin'", "cn_hubei: {kind: origin_regoin"),
    ("empty market regions",
     "  regions:\n    mkt_west: {demand_share: 0.24}\n    mkt_midwest: {demand_share: 0.21}\n"
     "    mkt_south: {demand_share: 0.38}\n    mkt_northeast: {demand_share: 0.17}\n", "  regions: {}\n",
     "market.regions", "at least 1 item", "  regions: {}"),
    ("duplicate key", "  count: 5000", "  count: 5000\n  count: 6000", "suppliers.count", "duplicate key",
     "  count: 6000"),
    ("NaN node detection", "cn_hubei: {kind: origin_region,",
     "cn_hubei: {kind: origin_region, detection: .nan,",
     "network.nodes.cn_hubei.detection", "finite number", "cn_hubei:"),
    ("infinite edge cost", "to: mx_cdmx_air, mode: air, cost: 800", "to: mx_cdmx_air, mode: air, cost: .inf",
     "network.edges.4.cost", "finite number", "cost: .inf"),
    ("infinite range", 'finished_share: {value: 0.1, unit: "1", range: [0.02, 0.3]',
     'finished_share: {value: 0.1, unit: "1", range: [0.02, .inf]', "suppliers.finished_share.range.1",
     "finite number", "range: [0.02, .inf]"),
    ("recipe input is its output", "  input: precursor", "  input: product", "recipe.input",
     "input is its output", "  input: product"),
    ("self-faction", "    faction_of: sinaloa\n    share: 0.5\n    territory: [lab_culiacan, lab_north",
     "    faction_of: chapitos\n    share: 0.5\n    territory: [lab_culiacan, lab_north",
     "organizations.chapitos.faction_of", "its own faction", "faction_of: chapitos"),
    ("faction shares sum to 0.2", "    share: 0.5\n    territory: [lab_culiacan, lab_sonora",
     "    share: 0.1\n    territory: [lab_culiacan, lab_sonora", "organizations.mayos.share", "sum to 0.6",
     "share: 0.1"),
    ("demand shares", "mkt_west: {demand_share: 0.24}", "mkt_west: {demand_share: 0.5}", "market.regions",
     "sum to 1", "  regions:"),
    ("event before the start", 'date: "2016-01"', 'date: "2012-01"', "events.chapo_recapture_2016.date",
     "outside the calendar 2013-01..2030-12", 'date: "2012-01"'),
    ("event after the end", 'date: "2016-01"', 'date: "2031-01"', "events.chapo_recapture_2016.date",
     "never happen", 'date: "2031-01"'),
    ("start 9999-12", 'calendar: {start: "2013-01"', 'calendar: {start: "9999-12"', "calendar",
     "within 1900-2200", "calendar:"),
    ("repeated calibration parameter", "    - harm.hazard_oud\n",
     "    - harm.hazard_oud\n    - harm.hazard_oud\n",
     "calibration.parameters.5", "listed twice", "    - harm.hazard_oud"),
    ("self-loop edge", "{from: hub_mail_cn, to: mx_cdmx_air,", "{from: hub_mail_cn, to: hub_mail_cn,",
     "network.edges.4.to", "to itself", "to: hub_mail_cn"),
    ("non-scalar key", "name: baseline", "name: baseline\n? [a, b]\n: 1", None, "a key must be a plain value",
     "? [a, b]"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "old", "new", "field", "fragment", "on_line"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_scenario_is_a_located_error(
    tmp_path: Path,
    baseline_text: str,
    name: str,
    old: str,
    new: str,
    field: str | None,
    fragment: str,
    on_line: str,
) -> None:
    assert old in baseline_text, name
    text = baseline_text.replace(old, new, 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    e = err.value
    assert e.file == str(path) and fragment in e.message, e.format()
    assert e.field == field, e.format()
    assert e.line is not None and on_line in text.splitlines()[e.line - 1], e.format()


def test_a_kind_changed_by_set_is_located_where_it_breaks_the_file(baseline_text: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline", {"network.nodes.cn_hubei.kind": "market"})
    e = err.value
    assert (e.file, e.field, e.message) == (
        "baseline.yaml",
        "suppliers.regions.cn_hubei",
        "node is not a source",
    )
    assert "cn_hubei" in baseline_text.splitlines()[e.line - 1]


def test_the_calendar_set_shorter_drops_events_without_error() -> None:
    """The file's events must lie in its calendar; a calendar shortened with --set may leave some out."""
    sc = load_scenario("baseline", {"calendar.start": "2017-01", "calendar.months": "36"})
    assert sc.calendar.start == "2017-01"


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"suppliers.count": "[1, 2"}, "suppliers.count", "not a YAML value"),
        ({"suppliers.count": "*nothing"}, "suppliers.count", "not a YAML value"),
        ({"network.nodes.cn_hubei.kind": "mystery"}, "network.nodes.cn_hubei.kind", "unknown node kind"),
        ({"suppliers.count": "[" * 100 + "]" * 100}, "suppliers.count", "nested more than"),
        ({"suppliers.count": "&a [" + ", ".join(["*a"] * 3) + "]"}, "suppliers.count", "recursive alias"),
        ({"regulator.scrutiny_share": ".nan"}, "regulator.scrutiny_share", "finite number"),
    ],
)
def test_bad_set_values_are_located_errors(overrides: dict, field: str, fragment: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline", overrides)
    assert err.value.file == "--set" and err.value.field.startswith(field) and fragment in err.value.message


def _posterior(tmp_path: Path, **change: object) -> Path:
    payload = {
        "format": "narcoflow-posterior/1",
        "names": ["harm.hazard_oud", "trafficking.growth_rate"],
        "weights": [0.5, 0.5],
        "particles": [[0.02, 0.1], [0.03, 0.12]],
        "meta": {},
    }
    p = tmp_path / "post.json"
    p.write_text(json.dumps(payload | change, indent=1).replace('"NaN"', "NaN"))
    return p


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"weights": ["NaN", 1.0]}, "weights", "finite"),
        ({"weights": [0.1, 0.1]}, "weights", "sum to 1"),
        ({"weights": [1.5, -0.5]}, "weights", "non-negative"),
        ({"particles": [[0.02, "NaN"], [0.03, 0.12]]}, "particles", "finite"),
        ({"particles": [[0.02], [0.03, 0.12]]}, "particles", "numbers only"),
        ({"names": ["harm.hazard_oud", "harm.hazard_oud"]}, "names", "listed twice"),
        ({"weights": [1.0]}, "particles", "1 rows"),
        ({"meta": []}, "meta", "mapping"),
    ],
)
def test_bad_posterior_is_a_located_error(tmp_path: Path, change: dict, field: str, fragment: str) -> None:
    path = _posterior(tmp_path, **change)
    with pytest.raises(NarcoFlowError) as err:
        Posterior.load(path)
    e = err.value
    assert e.file == str(path) and e.field == field and fragment in e.message, e.format()
    assert f'"{field}"' in path.read_text().splitlines()[e.line - 1]


def test_a_good_posterior_loads_and_an_unknown_parameter_is_named(tmp_path: Path, baseline) -> None:
    post = Posterior.load(_posterior(tmp_path))
    post.check(baseline)
    with pytest.raises(NarcoFlowError, match="not in the scenario"):
        Posterior.load(_posterior(tmp_path, names=["harm.hazard_oud", "no.such"])).check(baseline)


def _with_clique(baseline_text: str, n: int) -> str:
    """The baseline plus ``n`` transit nodes, all linked to each other, between a region and a market."""
    names = [f"t{i}" for i in range(n)]
    nodes = "".join(f"    {t}: {{kind: mail_hub, lat: 0, lon: 0}}\n" for t in names)
    text = baseline_text.replace("  nodes:\n", "  nodes:\n" + nodes, 1)
    edges = (
        f"    - {{from: cn_hubei, to: [{', '.join(names)}], mode: air, cost: 1}}\n"
        f"    - {{from: [{', '.join(names)}], to: [{', '.join(names)}], mode: air, cost: 1}}\n"
        f"    - {{from: [{', '.join(names)}], to: mkt_west, mode: air, cost: 1, commodities: [product]}}\n"
    )
    return text.replace("  edges:\n", "  edges:\n" + edges, 1)


def test_network_size_bounds(tmp_path: Path, baseline_text: str) -> None:
    """A 16-node clique made route enumeration take ~30 s; 6,000 nodes or 90,000 edges are refused."""
    path = tmp_path / "big.yaml"
    path.write_text(_with_clique(baseline_text, 8), encoding="utf-8")
    assert load_scenario(path).network.nodes["t7"].kind == "mail_hub"  # 190,782 routes: fine
    path.write_text(_with_clique(baseline_text, 16), encoding="utf-8")
    with pytest.raises(ScenarioError, match="too densely connected") as err:
        load_scenario(path)
    assert err.value.field == "network.edges" and err.value.line is not None
    nodes = "".join(f"    n{i}: {{kind: mail_hub, lat: 0, lon: 0}}\n" for i in range(5001))
    path.write_text(baseline_text.replace("  nodes:\n", "  nodes:\n" + nodes, 1), encoding="utf-8")
    with pytest.raises(ScenarioError, match="5,040 nodes: more than the 5,000") as err:
        load_scenario(path)
    many = ", ".join(f"n{i}" for i in range(300))
    text = baseline_text.replace(
        "  edges:\n", f"  edges:\n    - {{from: [{many}], to: [{many}], mode: air, cost: 1}}\n"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match="edges: more than the 50,000") as err:
        load_scenario(path)
    assert err.value.field == "network.edges"
