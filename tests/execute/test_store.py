"""The DuckDB store: transactions per batch, resume after an interruption, duplicates refused, Parquet
series with orphans removed, and a store belonging to one experiment."""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import narcoflow
from narcoflow.errors import NarcoFlowError, SimulationError
from narcoflow.execute import Store, run_experiment
from narcoflow.execute.serial import SerialExecutor
from narcoflow.explore import function_experiment, resolve
from narcoflow.explore.models import SimulationModel, member_indices


def square(p: pd.DataFrame, members: np.ndarray, seed: int, policy: str) -> dict[str, np.ndarray]:
    """Two outcomes that identify the member: x² + member index, and the member index."""
    return {"y": p["x"].to_numpy() ** 2 + members, "k": members.astype(float)}


def _experiment(n: int = 10, seed: int = 0) -> narcoflow.explore.Experiment:
    return function_experiment(
        square,
        {"x": (0.0, 1.0)},
        ["y", "k"],
        {"method": "lhs", "n": n, "seed": seed},
        members=3,
        policies=["a", "b"],
    )


class InterruptAfter(SerialExecutor):
    """A serial executor whose user presses Ctrl-C after ``k`` batches."""

    def __init__(self, k: int) -> None:
        super().__init__()
        self.k = k

    def run(self, model, batches):  # type: ignore[no-untyped-def]
        for i, result in enumerate(super().run(model, batches)):
            if i == self.k:
                raise KeyboardInterrupt
            yield result


def test_interrupted_run_resumes_exactly(tmp_path: Path) -> None:
    exp, path = _experiment(), tmp_path / "s.duckdb"
    with pytest.raises(KeyboardInterrupt):
        run_experiment(exp, path, InterruptAfter(3), batch_size=2)
    with Store.read(path) as store:
        assert store.done().tolist() == [0, 1, 2, 3, 4, 5]  # three batches of two, each wholly stored
        assert store.runs()["finished"].isna().all()
    summary = run_experiment(exp, path, resume=True, batch_size=3)
    assert (summary.before, summary.ran, summary.total) == (6, 14, 20)
    with Store.read(path) as store:
        out = store.outcomes()
    assert len(out) == 20 * 3 * 2 and not out.duplicated(["experiment_id", "member", "outcome"]).any()
    k = out[out["outcome"] == "k"]
    d = k["experiment_id"].to_numpy() % 10
    assert (k["value"].to_numpy() == member_indices(np.arange(10), 3)[d * 3 + k["member"].to_numpy()]).all()
    again = run_experiment(exp, path, resume=True)
    assert again.ran == 0 and again.before == 20


@settings(max_examples=10, deadline=None)
@given(size=st.integers(1, 25), stop=st.integers(0, 5))
def test_outcomes_do_not_depend_on_batching_or_interruptions(tmp_path_factory, size: int, stop: int) -> None:  # type: ignore[no-untyped-def]
    exp = _experiment(n=12)
    ref_path = tmp_path_factory.mktemp("ref") / "s.duckdb"
    run_experiment(exp, ref_path, batch_size=24)
    path = tmp_path_factory.mktemp("cut") / "s.duckdb"
    with contextlib.suppress(KeyboardInterrupt):
        run_experiment(exp, path, InterruptAfter(stop), batch_size=size)
    run_experiment(exp, path, resume=True, batch_size=max(1, size // 2))
    with Store.read(ref_path) as a, Store.read(path) as b:
        pd.testing.assert_frame_equal(a.outcomes(), b.outcomes(), check_exact=True)


def test_duplicates_are_refused_by_the_store(tmp_path: Path) -> None:
    exp, path = _experiment(), tmp_path / "s.duckdb"
    run_experiment(exp, path)
    with Store.open(path, exp) as store:
        result = exp.model.run(exp.batches(2)[0])
        with pytest.raises(duckdb.ConstraintException):
            store.write(result, exp.outcome_names)
        assert len(store.outcomes()) == 20 * 3 * 2  # the failed batch left nothing behind


def test_store_refuses_another_experiment_and_reuse(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    run_experiment(_experiment(seed=0), path)
    with pytest.raises(NarcoFlowError, match="another experiment spec"):
        run_experiment(_experiment(seed=1), path, resume=True)
    with pytest.raises(NarcoFlowError, match="--resume"):
        run_experiment(_experiment(seed=0), path)
    with pytest.raises(NarcoFlowError, match="no such store"):
        Store.read(tmp_path / "nothing.duckdb")
    (tmp_path / "junk.duckdb").write_bytes(b"not a database")
    with pytest.raises(NarcoFlowError, match="cannot open the store"):
        Store.read(tmp_path / "junk.duckdb")


def test_series_are_stored_as_parquet_and_orphans_removed(tmp_path: Path) -> None:
    spec = {
        "vary": [{"agencies.cbp_ofo.capacity": [0.5, 3.0]}],
        "design": {"method": "lhs", "n": 3, "seed": 2},
        "members": 2,
        "outcomes": ["deaths_t404_2026"],
        "series": ["deaths_final", "violence"],
        "posterior": False,
    }
    exp, path = resolve(spec), tmp_path / "s.duckdb"
    with pytest.raises(KeyboardInterrupt):
        run_experiment(exp, path, InterruptAfter(1), batch_size=1)
    with Store.read(path) as store:
        orphan = store.series_dir / "batch-000000001-deadbeef.parquet"
    orphan.write_bytes(b"half a file")
    run_experiment(exp, path, resume=True, batch_size=2)
    assert not orphan.exists()
    with Store.read(path) as store:
        series = store.series()
        files = sorted(p.name for p in store.series_dir.iterdir())
    assert len(files) == 2 and len(series) == 3 * 2 * 216
    assert list(series.columns) == ["experiment_id", "member", "month", "deaths_final", "violence"]
    params = pd.DataFrame({"agencies.cbp_ofo.capacity": np.repeat(exp.design.iloc[:, 0].to_numpy(), 2)})
    params.index = member_indices(np.arange(3), 2)
    res = narcoflow.simulate(
        exp.model.scenarios[0], members=params.index.to_numpy(), seed=0, parameters=params
    )
    expect = res.dataset["deaths_final"].values.reshape(-1)
    np.testing.assert_array_equal(series["deaths_final"].to_numpy(), expect)


class FailingModel(SimulationModel):
    """The simulation, except that any batch holding experiment 5 fails its checks (as a run at extreme
    parameter values can: a NaN or a negative quantity)."""

    def _simulate(self, batch):  # type: ignore[no-untyped-def]
        if 5 in batch.experiments:
            raise SimulationError("member 11, 2024-07: delivered_kg is negative (-1)")
        return super()._simulate(batch)


def test_a_failing_experiment_is_isolated_and_stored_as_failed(tmp_path: Path) -> None:
    spec = {"vary": [{"agencies.cbp_ofo.capacity": [0.5, 3.0]}], "design": {"method": "lhs", "n": 8},
            "members": 2, "outcomes": ["deaths_t404_2026"], "posterior": False}  # fmt: skip
    exp = resolve(spec)
    good = exp.model.run(exp.batches(8)[0])
    exp.model = FailingModel(**vars(exp.model))
    result = exp.model.run(exp.batches(8)[0])
    assert result.failures == {5: "member 11, 2024-07: delivered_kg is negative (-1)"}
    order = np.argsort(result.experiment_id * 10 + result.member, kind="stable")
    values = result.values[order]
    assert np.isnan(values[10:12]).all()
    np.testing.assert_array_equal(
        np.delete(values, [10, 11], axis=0), np.delete(good.values, [10, 11], axis=0)
    )
    run_experiment(exp, tmp_path / "s.duckdb", batch_size=3)
    with Store.read(tmp_path / "s.duckdb") as store:
        assert store.failures()["experiment_id"].tolist() == [5]
        out = store.outcomes()
    assert len(out) == 16 and out["value"].isna().sum() == 2
    again = run_experiment(exp, tmp_path / "s.duckdb", resume=True)
    assert again.ran == 0  # a failure is a result: the same inputs fail the same way
