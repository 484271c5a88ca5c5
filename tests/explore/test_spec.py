"""Experiment specs: resolution, and bad specs refused before any experiment runs (located, exit 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import narcoflow
from narcoflow.errors import NarcoFlowError
from narcoflow.explore import ExperimentSpec, load_experiment, resolve

SPEC = """\
scenario: baseline
vary:
  - agencies.cbp_ofo.capacity
  - {regulator.scrutiny_share: [0.0, 0.5]}
design: {method: lhs, n: 6, seed: 1}
policies: [status-quo, border.yaml]
members: 3
outcomes: [deaths_t404_2025_2030, violence_2026]
"""
POLICY = (
    "name: border\nstart: 2026-01\neffects:\n  - {type: scale_level, level: intensity.cbp_ofo, factor: 3}\n"
)


def _files(tmp_path: Path, spec: str = SPEC, policy: str = POLICY) -> Path:
    (tmp_path / "border.yaml").write_text(policy, encoding="utf-8")
    path = tmp_path / "spec.yaml"
    path.write_text(spec, encoding="utf-8")
    return path


def test_spec_resolves_design_policies_and_posterior(tmp_path: Path) -> None:
    exp = load_experiment(_files(tmp_path))
    assert exp.names == ["agencies.cbp_ofo.capacity", "regulator.scrutiny_share"]
    assert exp.bounds == [(0.0, 4.0), (0.0, 0.5)]
    assert exp.design.shape == (6, 2) and exp.policies == ["status-quo", "border"]
    assert exp.n_experiments == 12 and exp.outcome_names == ["deaths_t404_2025_2030", "violence_2026"]
    table = exp.table()
    assert table["experiment_id"].tolist() == list(range(12))
    assert (table["design_point"] == np.tile(np.arange(6), 2)).all()
    # the varied capacity is calibrated: members take it from the design, the rest from the posterior
    batch = exp.batches(4)[0]
    members = exp.model.member_table(batch)
    assert (members["agencies.cbp_ofo.capacity"].to_numpy() == np.repeat(batch.values[:, 0], 3)).all()
    assert "harm.hazard_oud" in members and members.index.tolist() == list(range(12))
    assert len(exp.batches(4)) == 4 and exp.batch_size() == 3  # at least 4 batches per worker


def test_spec_built_in_python_is_the_same_experiment(tmp_path: Path) -> None:
    _files(tmp_path)
    spec = ExperimentSpec(
        vary=["agencies.cbp_ofo.capacity", {"regulator.scrutiny_share": (0.0, 0.5)}],
        design={"method": "lhs", "n": 6, "seed": 1},
        policies=["status-quo", "border.yaml"],
        members=3,
        outcomes=["deaths_t404_2025_2030", "violence_2026"],
    )
    a, b = resolve(spec, tmp_path), load_experiment(tmp_path / "spec.yaml")
    assert a.fingerprint() == b.fingerprint()
    assert resolve(spec.model_copy(update={"seed": 1}), tmp_path).fingerprint() != a.fingerprint()


def _line(text: str, needle: str) -> int:
    return next(i for i, s in enumerate(text.splitlines(), 1) if needle in s)


BAD = [
    ("agencies.cbp_ofo.capacity", "agencies.cbp_ofo.capacityy", "agencies.cbp_ofo.capacityy", "vary.0",
     "unknown parameter"),
    ("[0.0, 0.5]", "[0.0, 1.5]", "regulator.scrutiny_share", "vary.1", "not inside"),
    ("violence_2026", "violence_2026_bogus", "violence_2026_bogus", "outcomes.1", "unknown outcome"),
    ("violence_2026", "violence_2035", "violence_2035", "outcomes.1", "not inside the calendar"),
    ("n: 6,", "n: 0,", "design:", "design.n", "greater than 0"),
    ("n: 6,", "n: -3,", "design:", "design.n", "greater than 0"),
    ("members: 3", "members: 0", "members:", "members", "greater than or equal to 1"),
    ("method: lhs", "method: halton", "design:", "design.method", "Input should be"),
    ("border.yaml]", "nowhere.yaml]", "policies:", "policies.1", "no policy file"),
    ("seed: 1}", "seed: 1}\ncolour: red", "colour", "colour", "unknown field"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "needle", "field", "message"), BAD)
def test_bad_spec_is_located(
    tmp_path: Path, old: str, new: str, needle: str, field: str, message: str
) -> None:
    text = SPEC.replace(old, new)
    path = _files(tmp_path, text)
    with pytest.raises(NarcoFlowError) as err:
        load_experiment(path)
    assert (err.value.file, err.value.field) == (str(path), field)
    assert err.value.line == _line(text, needle)
    assert message in err.value.message


def test_unknown_policy_level_is_located_in_the_policy(tmp_path: Path) -> None:
    path = _files(tmp_path, policy=POLICY.replace("intensity.cbp_ofo", "intensity.nobody"))
    with pytest.raises(NarcoFlowError) as err:
        load_experiment(path)
    assert (err.value.file, err.value.line) == (str(tmp_path / "border.yaml"), 4)
    assert "unknown level 'intensity.nobody'" in err.value.message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("agencies.cbp_ofo.capacity", "agencies.cbp_ofo.capacityy", "vary.0: unknown parameter"),
        ("n: 6,", "n: 0,", "design.n: Input should be greater than 0"),
        ("violence_2026", "violence_2026_bogus", "outcomes.1: unknown outcome"),
        ("[0.0, 0.5]", "[0.0, 1.5]", "vary.1: range [0, 1.5] is not inside"),
    ],
)
def test_cli_refuses_bad_specs_before_running(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = _files(tmp_path, SPEC.replace(old, new))
    r = subprocess.run(
        [sys.executable, "-m", "narcoflow", "explore", str(path), "--store", str(tmp_path / "s.duckdb")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    assert f"error: {path}:" in r.stderr and message in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 2
    assert not (tmp_path / "s.duckdb").exists()


def test_csv_design_is_checked_row_by_row(tmp_path: Path) -> None:
    csv = tmp_path / "points.csv"
    csv.write_text("regulator.scrutiny_share,agencies.cbp_ofo.capacity\n0.1,1\n0.2,9\n", encoding="utf-8")
    text = SPEC.replace("{method: lhs, n: 6, seed: 1}", "{method: csv, file: points.csv}")
    with pytest.raises(NarcoFlowError) as err:
        load_experiment(_files(tmp_path, text))
    assert (err.value.file, err.value.line, err.value.field) == (str(csv), 3, "agencies.cbp_ofo.capacity")
    csv.write_text("regulator.scrutiny_share,agencies.cbp_ofo.capacity\n0.1,1\n0.2,3\n", encoding="utf-8")
    exp = load_experiment(tmp_path / "spec.yaml")
    assert exp.design.to_numpy().tolist() == [[1.0, 0.1], [3.0, 0.2]]


def test_vary_keywords_take_every_declared_range(baseline: narcoflow.Scenario) -> None:
    spec = {"vary": ["levers"], "design": {"method": "lhs", "n": 4}, "outcomes": ["violence_2026"]}
    exp = resolve(spec)
    levers = narcoflow.scenario.parameter_table(baseline).query("kind == 'lever' and low < high")
    assert exp.names == levers["name"].tolist()
    lo, hi = np.array(exp.bounds).T
    assert (exp.design.to_numpy() >= lo).all() and (exp.design.to_numpy() <= hi).all()


def test_the_shipped_example_spec_resolves() -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "explore" / "spec.yaml"
    exp = load_experiment(example)
    assert exp.policies == ["status-quo", "border-x3", "china-coop"] and exp.n_experiments == 120
