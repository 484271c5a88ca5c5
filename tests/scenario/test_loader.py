"""Loading scenarios: built-ins, overrides, and every kind of bad input with FILE:LINE: field."""

from __future__ import annotations

from pathlib import Path

import pytest

import narcoflow
from narcoflow.errors import NarcoFlowError, ScenarioError
from narcoflow.scenario import builtin_scenarios, iter_params, load_scenario, parameter_table


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "broken.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_builtin_baseline_lists_and_loads(baseline: narcoflow.Scenario) -> None:
    assert "baseline" in builtin_scenarios()
    assert baseline.suppliers.count == 5000
    assert baseline.calendar.start == "2013-01" and baseline.calendar.months == 216
    assert {"sinaloa", "cjng"} <= set(baseline.organizations)
    assert len(baseline.events) == 18
    assert all(ev.enabled for ev in baseline.events.values())


def test_every_parameter_declares_unit_range_and_source(baseline: narcoflow.Scenario) -> None:
    params = iter_params(baseline)
    assert len(params) > 100
    for name, p in params.items():
        assert p.unit, name
        assert p.range[0] <= p.value <= p.range[1], name
        assert p.source, name
    table = parameter_table(baseline)
    assert set(table["kind"]) <= {"lever", "uncertainty", "fixed"}
    assert (table["kind"] == "lever").sum() >= 10


def test_override_sets_a_parameter_value() -> None:
    sc = load_scenario(
        "baseline", {"suppliers.willingness_mean": "-3.5", "events.sinaloa_war_2024.enabled": "false"}
    )
    assert sc.suppliers.willingness_mean.value == -3.5
    assert sc.events["sinaloa_war_2024"].enabled is False


def test_override_of_a_defaulted_field() -> None:
    sc = load_scenario("baseline", {"network.edges.0.capacity": 50})
    assert sc.network.edges[0].capacity == 50


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"suppliers.nonexistent": 1}, "suppliers.nonexistent"),
        ({"no.such.path": 1}, "no.such.path"),
        ({"regulator.scrutiny_share": 2.0}, "regulator.scrutiny_share"),
        ({"suppliers.count": "many"}, "suppliers.count"),
    ],
)
def test_bad_override_is_reported_against_set(overrides: dict, field: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline", overrides)
    assert err.value.file == "--set"
    assert err.value.field == field


def test_wrong_type_names_file_line_and_field(tmp_path: Path, baseline_text: str) -> None:
    text = baseline_text.replace("  count: 5000", "  count: many")
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    e = err.value
    assert (e.file, e.line, e.field) == (str(path), _line_of(text, "count: many"), "suppliers.count")
    assert "integer" in e.message


def test_unknown_field(tmp_path: Path, baseline_text: str) -> None:
    text = baseline_text.replace("  count: 5000", "  count: 5000\n  colour: red")
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.field == "suppliers.colour"
    assert err.value.line == _line_of(text, "colour: red")
    assert "unknown field" in err.value.message


def test_out_of_range_value(tmp_path: Path, baseline_text: str) -> None:
    old = "  scrutiny_share: {value: 0.05,"
    text = baseline_text.replace(old, "  scrutiny_share: {value: 1.7,")
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.field == "regulator.scrutiny_share"
    assert err.value.line == _line_of(text, "scrutiny_share: {value: 1.7")
    assert "outside its range" in err.value.message


def test_dangling_edge(tmp_path: Path, baseline_text: str) -> None:
    old = "    - {from: hub_mail_cn, to: mx_cdmx_air, mode: air, cost: 800}"
    assert old in baseline_text
    text = baseline_text.replace(old, "    - {from: hub_mail_cn, to: atlantis, mode: air, cost: 800}")
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.field.startswith("network.edges.")
    assert err.value.line == _line_of(text, "to: atlantis")
    assert "unknown node 'atlantis'" in err.value.message


def test_yaml_syntax_error(tmp_path: Path, baseline_text: str) -> None:
    text = baseline_text.replace("  count: 5000", "  count: [5000")
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.file == str(path)
    assert "YAML syntax error" in err.value.message
    assert err.value.line is not None and err.value.line >= _line_of(text, "count: [5000")


def test_unknown_scenario_name() -> None:
    with pytest.raises(NarcoFlowError, match="no scenario file or built-in"):
        load_scenario("no-such-scenario")


def test_error_format_is_file_line_field_message() -> None:
    e = ScenarioError("bad", file="a.yaml", line=3, field="x.y")
    assert e.format() == "a.yaml:3: x.y: bad"
