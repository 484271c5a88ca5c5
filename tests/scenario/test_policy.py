"""Dated policies: compiled to scenario events, applied from their month, errors located in the policy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import narcoflow
from narcoflow.errors import ScenarioError
from narcoflow.scenario import load_scenario
from narcoflow.scenario.policy import STATUS_QUO, apply_policy, load_policy, policy_events

BORDER = """\
name: border-x2
description: Triple CBP OFO inspection intensity from January 2026
start: 2026-01
effects:
  - {type: scale_level, level: intensity.cbp_ofo, factor: 3}
  - {type: set, parameter: cooperation.us_china, value: 1.0, start: 2026-07}
  - {type: ramp_level, level: harm.naloxone, factor: {value: 2, range: [1, 3]}, months: 12}
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _month(res: narcoflow.Results, ym: str) -> int:
    return int(np.flatnonzero(res.dataset["month"].values == np.datetime64(f"{ym}-01"))[0])


def test_policy_changes_levels_from_its_month_only(tmp_path: Path, baseline: narcoflow.Scenario) -> None:
    policy = load_policy(_write(tmp_path / "border.yaml", BORDER))
    sc = apply_policy(baseline, policy)
    assert set(sc.events) - set(baseline.events) == {"policy_border_x2_2026_01", "policy_border_x2_2026_07"}
    assert "events.policy_border_x2_2026_01.effects.1.factor" in narcoflow.scenario.iter_params(sc)
    a = narcoflow.simulate(baseline, members=2, seed=4)
    b = narcoflow.simulate(sc, members=2, seed=4)
    t = _month(a, "2026-01")
    la, lb = (r.dataset["levels"] for r in (a, b))
    assert np.array_equal(a.dataset["deaths_final"].values[:, :t], b.dataset["deaths_final"].values[:, :t])
    assert np.array_equal(la.values[:, :t], lb.values[:, :t])
    ofo = lb.sel(level="intensity.cbp_ofo").values / la.sel(level="intensity.cbp_ofo").values
    assert np.allclose(ofo[:, t:], 3.0, rtol=1e-6)
    t7 = _month(a, "2026-07")
    coop = lb.sel(level="cooperation.us_china").values
    assert (coop[:, t7:] == 1.0).all() and (coop[:, t7 - 1] < 1.0).all()
    nal = lb.sel(level="harm.naloxone").values / la.sel(level="harm.naloxone").values
    assert np.allclose(nal[:, t + 11 :], 2.0, rtol=1e-6) and 1.0 < nal[0, t + 5] < 2.0


def test_status_quo_is_no_change(baseline: narcoflow.Scenario) -> None:
    sc = apply_policy(baseline, load_policy(STATUS_QUO))
    assert sc.events == baseline.events


def test_scenario_lists_policies_inline_and_by_file(tmp_path: Path) -> None:
    _write(tmp_path / "border.yaml", BORDER)
    text = (
        "extends: baseline\npolicies:\n  - border.yaml\n  - name: coop\n    start: 2027-01\n"
        "    effects: [{type: set_level, level: cooperation.us_mexico, value: 0.9}]\n"
    )
    sc = load_scenario(_write(tmp_path / "s.yaml", text))
    assert {"policy_border_x2_2026_01", "policy_coop"} <= set(sc.events)
    bad = text.replace("cooperation.us_mexico", "cooperation.us_canada")
    with pytest.raises(ScenarioError) as err:
        load_scenario(_write(tmp_path / "s.yaml", bad))
    assert (err.value.file, err.value.line) == (str(tmp_path / "s.yaml"), 6)
    assert "unknown level 'cooperation.us_canada'" in err.value.message


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("level: intensity.cbp_ofo", "level: intensity.dea", 5, "unknown level 'intensity.dea'"),
        ("parameter: cooperation.us_china", "parameter: agencies.cbp_ofo.capacity", 6, "is not a level"),
        ("parameter: cooperation.us_china", "parameter: agencies.nope", 6, "unknown parameter"),
        ("start: 2026-01", "start: 2031-01", 3, "outside the scenario's calendar"),
        ("start: 2026-07}", "start: 2012-07}", 6, "outside the scenario's calendar"),
        ("factor: 3}", "factor: 3, until: 2025-01}", 5, "is not after the start"),
        ("factor: {value: 2,", "factor: {value: 5,", 7, "outside its range"),
        ("months: 12}", "months: 12, colour: red}", 7, "unknown field"),
        ("start: 2026-01\n", "", 4, "no start month"),
        ("factor: 3}", "factor: -1, until: 2027-01}", 5, "must stay above 0"),
    ],
)
def test_bad_policy_is_located(tmp_path: Path, old: str, new: str, line: int, message: str) -> None:
    assert old in BORDER
    path = _write(tmp_path / "p.yaml", BORDER.replace(old, new))
    with pytest.raises(ScenarioError) as err:
        apply_policy(load_scenario("baseline"), load_policy(path))
    assert err.value.file == str(path)
    assert err.value.line == line, err.value
    assert message in err.value.message


def test_policy_events_group_effects_by_start(baseline: narcoflow.Scenario, tmp_path: Path) -> None:
    policy = load_policy(_write(tmp_path / "border.yaml", BORDER))
    events = policy_events(policy, baseline)
    assert [ev.date for ev, _ in events.values()] == ["2026-01", "2026-07"]
    assert [idx for _, idx in events.values()] == [[0, 2], [1]]


def test_run_policy_from_the_cli(tmp_path: Path) -> None:
    good = _write(tmp_path / "border.yaml", BORDER)
    cmd = [sys.executable, "-m", "narcoflow", "run", "--members", "2", "--no-posterior"]
    r = subprocess.run(
        [*cmd, "--out", str(tmp_path / "o"), "--policy", str(good)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    res = narcoflow.Results.from_netcdf(tmp_path / "o" / "results.nc")
    assert res.dataset["levels"].sel(level="cooperation.us_china").values[:, -1].tolist() == [1.0, 1.0]
    bad = _write(tmp_path / "bad.yaml", BORDER.replace("intensity.cbp_ofo", "intensity.dea"))
    r = subprocess.run(
        [*cmd, "--out", str(tmp_path / "b"), "--policy", str(bad)], capture_output=True, text=True
    )
    assert r.returncode == 2
    assert f"{bad}:5: effects.0.level:" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "b").exists()
