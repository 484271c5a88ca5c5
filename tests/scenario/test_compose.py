"""Scenario composition: ``extends:`` merges a child onto its parent, errors located in the right file."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import narcoflow
from narcoflow.errors import ScenarioError
from narcoflow.explore.members import choose_posterior, kept_parameters
from narcoflow.scenario import load_scenario
from narcoflow.scenario.compose import _merge

CHILD = """\
extends: baseline
description: Naloxone at 0.2 and CBP OFO at 2 node-coverages
harm:
  naloxone_effect: 0.2
agencies:
  cbp_ofo:
    capacity: {value: 2.0}
events:
  culiacanazo_2019: {enabled: false}
  sinaloa_war_2024: null
  extra_violence_2027:
    date: "2027-03"
    effects:
      - {type: violence, magnitude: {value: 1.0, unit: index, range: [0, 3]}}
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_child_gives_only_what_differs(tmp_path: Path, baseline: narcoflow.Scenario) -> None:
    sc = load_scenario(_write(tmp_path / "child.yaml", CHILD))
    assert sc.name == "child" and sc.extends == ("baseline.yaml",)
    assert sc.harm.naloxone_effect.value == 0.2
    assert sc.harm.naloxone_effect.range == baseline.harm.naloxone_effect.range  # the rest is inherited
    assert sc.agencies["cbp_ofo"].capacity.value == 2.0
    assert sc.events["culiacanazo_2019"].enabled is False
    assert "sinaloa_war_2024" not in sc.events and "extra_violence_2027" in sc.events
    assert len(sc.events) == len(baseline.events)
    assert sc.suppliers == baseline.suppliers
    assert set(sc.changed_parameters) == {
        "harm.naloxone_effect",
        "agencies.cbp_ofo.capacity",
        "events.extra_violence_2027.effects.0.magnitude",
    }


def test_parent_posterior_applies_except_changed_parameters(tmp_path: Path) -> None:
    sc = load_scenario(_write(tmp_path / "child.yaml", CHILD))
    post, path = choose_posterior(sc)
    assert post is not None and Path(path).name == "baseline.posterior.json"
    kept = kept_parameters(sc, post)
    assert kept == ["agencies.cbp_ofo.capacity"]
    table = post.member_table(np.arange(4), seed=0, exclude=set(kept))
    assert "agencies.cbp_ofo.capacity" not in table and "harm.hazard_oud" in table
    res = narcoflow.simulate(sc, members=np.arange(4), seed=0, parameters=table)
    cap = res.dataset["parameter_values"].sel(parameter="agencies.cbp_ofo.capacity").values
    assert (cap == 2.0).all()
    assert len(np.unique(res.dataset["parameter_values"].sel(parameter="harm.hazard_oud").values)) > 1


def test_error_in_child_names_child_file_and_line(tmp_path: Path) -> None:
    text = CHILD.replace("naloxone_effect: 0.2", "naloxone_effect: 7")
    path = _write(tmp_path / "child.yaml", text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert (err.value.file, err.value.line) == (str(path), 4)
    assert err.value.field == "harm.naloxone_effect" and "outside its range" in err.value.message


def test_error_in_parent_names_parent_file(tmp_path: Path, baseline_text: str) -> None:
    parent = _write(tmp_path / "base" / "parent.yaml", baseline_text.replace("  count: 5000", "  count: -5"))
    child = _write(tmp_path / "child.yaml", "extends: base/parent.yaml\nharm: {naloxone_effect: 0.2}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert err.value.file == str(parent) and err.value.field == "suppliers.count"
    assert err.value.line == next(
        i for i, s in enumerate(baseline_text.splitlines(), 1) if "  count: 5000" in s
    )


def test_grandchild_and_relative_paths(tmp_path: Path) -> None:
    _write(tmp_path / "a" / "child.yaml", CHILD)
    g = _write(tmp_path / "b" / "grand.yaml", "extends: ../a/child.yaml\nharm: {naloxone_effect: 0.25}\n")
    sc = load_scenario(g)
    assert sc.extends[0] == "baseline.yaml"
    assert Path(sc.extends[1]).resolve() == (tmp_path / "a" / "child.yaml").resolve()
    assert sc.harm.naloxone_effect.value == 0.25 and sc.agencies["cbp_ofo"].capacity.value == 2.0


def test_cycle_and_bad_parent_are_located(tmp_path: Path) -> None:
    _write(tmp_path / "a.yaml", "extends: b.yaml\n")
    _write(tmp_path / "b.yaml", "name: b\nextends: a.yaml\n")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.yaml")
    bad = _write(tmp_path / "c.yaml", "name: c\nextends: no-such-parent.yaml\n")
    with pytest.raises(ScenarioError, match="no scenario file"):
        load_scenario(bad)
    num = _write(tmp_path / "d.yaml", "name: d\nextends: 3\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(num)
    assert err.value.line == 2


def test_set_overrides_apply_on_top(tmp_path: Path) -> None:
    sc = load_scenario(_write(tmp_path / "child.yaml", CHILD), {"harm.naloxone_effect": 0.3})
    assert sc.harm.naloxone_effect.value == 0.3


_leaf = st.one_of(st.integers(-5, 5), st.text("ab", max_size=2), st.lists(st.integers(0, 3), max_size=2))
_tree = st.recursive(
    _leaf, lambda inner: st.dictionaries(st.sampled_from("pqrs"), inner, max_size=3), max_leaves=12
)


@given(
    st.dictionaries(st.sampled_from("pqrs"), _tree, max_size=4),
    st.dictionaries(st.sampled_from("pqrs"), st.one_of(_tree, st.none()), max_size=4),
)
def test_merge_keeps_the_parent_where_the_child_is_silent(parent: dict, child: dict) -> None:
    merged = copy.deepcopy(parent)
    origins: dict = {}
    _merge(merged, child, (), origins)
    for k, v in parent.items():
        if k not in child:
            assert merged[k] == v
    for k, v in child.items():
        if v is None:
            assert k not in merged
        elif not (isinstance(v, dict) and isinstance(parent.get(k), dict)):
            assert merged[k] == v
        else:
            assert set(merged[k]) >= {x for x, y in v.items() if y is not None}
