"""``narcoflow explore`` end to end: identical outcomes on every executor, and resume after kill -9.

Real components only: the CLI in a subprocess, a real DuckDB file, worker processes, and a Dask
scheduler with workers on 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from narcoflow.execute.store import Store

SPEC = """\
scenario: baseline
vary: [uncertainties]
design: {method: lhs, n: 12, seed: 5}
policies: [status-quo, border-x2.yaml]
members: 2
outcomes: [deaths_t404_2025_2030]
"""
POLICY = """\
name: border-x2
description: Triple CBP OFO inspection intensity from January 2026
start: 2026-01
effects:
  - {type: scale_level, level: intensity.cbp_ofo, factor: 3}
"""


def nf(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m narcoflow ARGS`` in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "narcoflow", *args], capture_output=True, text=True, cwd=cwd, timeout=600
    )


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the spec and its policy file."""
    d = tmp_path_factory.mktemp("explore")
    (d / "spec.yaml").write_text(SPEC, encoding="utf-8")
    (d / "border-x2.yaml").write_text(POLICY, encoding="utf-8")
    (d / "kill.yaml").write_text(
        SPEC.replace("policies: [status-quo, border-x2.yaml]\n", ""), encoding="utf-8"
    )
    return d


def _outcomes(path: Path) -> pd.DataFrame:
    with Store.read(path) as st:
        return st.outcomes()


@pytest.fixture(scope="module")
def serial(work: Path) -> pd.DataFrame:
    """The reference: the serial executor, default batches."""
    r = nf("explore", "spec.yaml", "--executor", "serial", "--store", "serial.duckdb", cwd=work)
    assert r.returncode == 0, r.stderr
    return _outcomes(work / "serial.duckdb")


def test_serial_run_stores_every_experiment(work: Path, serial: pd.DataFrame) -> None:
    assert len(serial) == 12 * 2 * 2 * 1
    assert not serial.duplicated(["experiment_id", "member", "outcome"]).any()
    with Store.read(work / "serial.duckdb") as st:
        exp = st.experiments()
        runs = st.runs()
    assert list(exp.columns[:3]) == ["experiment_id", "design_point", "policy"]
    assert len(exp.columns) > 100 and set(exp["policy"]) == {"status-quo", "border-x2"}
    assert runs["finished"].notna().all() and runs["experiments"].tolist() == [24]
    # the policy acts from 2026 on: it changes 2025-2030 deaths on some design points, not on none
    wide = serial.merge(exp[["experiment_id", "design_point", "policy"]]).pivot_table(
        index=["design_point", "member"], columns="policy", values="value"
    )
    assert (wide["border-x2"] != wide["status-quo"]).any()


def test_processes_give_identical_outcomes(work: Path, serial: pd.DataFrame) -> None:
    r = nf("explore", "spec.yaml", "--executor", "processes", "--workers", "2", "--batch-size", "5",
           "--store", "proc.duckdb", cwd=work)  # fmt: skip
    assert r.returncode == 0, r.stderr
    pd.testing.assert_frame_equal(_outcomes(work / "proc.duckdb"), serial, check_exact=True)


def test_dask_local_cluster_gives_identical_outcomes(work: Path, serial: pd.DataFrame) -> None:
    r = nf("explore", "spec.yaml", "--executor", "dask", "--workers", "2", "--store", "dask.duckdb", cwd=work)
    assert r.returncode == 0, r.stderr
    assert "dask × 2" in r.stdout
    pd.testing.assert_frame_equal(_outcomes(work / "dask.duckdb"), serial, check_exact=True)


def test_dask_existing_scheduler_gives_identical_outcomes(work: Path, serial: pd.DataFrame) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        r = nf("explore", "spec.yaml", "--executor", "dask", "--scheduler", cluster.scheduler_address,
               "--batch-size", "3", "--store", "remote.duckdb", cwd=work)  # fmt: skip
    assert r.returncode == 0, r.stderr
    pd.testing.assert_frame_equal(_outcomes(work / "remote.duckdb"), serial, check_exact=True)


def test_unreachable_scheduler_fails_fast_and_clearly(work: Path) -> None:
    t0 = time.perf_counter()
    r = nf("explore", "spec.yaml", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9",
           "--store", "unreachable.duckdb", cwd=work)  # fmt: skip
    assert time.perf_counter() - t0 < 30
    assert r.returncode == 2, r.stderr
    assert "cannot reach the Dask scheduler" in r.stderr and "Traceback" not in r.stderr


def test_kill_9_then_resume_runs_exactly_the_missing(work: Path, serial: pd.DataFrame) -> None:
    store = work / "kill.duckdb"
    cmd = [
        sys.executable,
        "-m",
        "narcoflow",
        "explore",
        "kill.yaml",
        "--batch-size",
        "1",
        "--store",
        str(store),
    ]
    proc = subprocess.Popen(cmd, cwd=work, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("stored 3/12"):
            os.kill(proc.pid, signal.SIGKILL)
            break
    assert proc.wait(timeout=60) == -signal.SIGKILL
    partial = _outcomes(store)
    assert 3 <= partial["experiment_id"].nunique() < 12
    r = nf("explore", "kill.yaml", "--store", str(store), cwd=work)
    assert r.returncode == 2 and "--resume" in r.stderr  # an existing store is never silently reused
    r = nf("explore", "kill.yaml", "--resume", "--executor", "processes", "--workers", "2",
           "--store", str(store), cwd=work)  # fmt: skip
    assert r.returncode == 0, r.stderr
    done = _outcomes(store)
    assert len(done) == 12 * 2 * 1
    assert not done.duplicated(["experiment_id", "member", "outcome"]).any()
    # the status-quo experiments of the two-policy spec are ids 0..11: the same numbers, although
    # these ran one per batch, then in default batches on two worker processes
    pd.testing.assert_frame_equal(
        done, serial[serial["experiment_id"] < 12].reset_index(drop=True), check_exact=True
    )
    with Store.read(store) as st:
        runs = st.runs()
    assert runs["finished"].isna().tolist() == [True, False]
    assert runs["experiments"].iloc[1] == 12 - partial["experiment_id"].nunique()


def test_a_store_of_another_spec_is_refused(work: Path, serial: pd.DataFrame) -> None:
    other = work / "other.yaml"
    other.write_text(SPEC.replace("seed: 5", "seed: 6"), encoding="utf-8")
    r = nf("explore", "other.yaml", "--resume", "--store", "serial.duckdb", cwd=work)
    assert r.returncode == 2
    assert "serial.duckdb" in r.stderr and "made by another experiment spec" in r.stderr
    assert _outcomes(work / "serial.duckdb").equals(serial)
