"""The dashboard's job layer without a browser: uploads, cache keys, background processes, time-outs."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from narcoflow.app.callbacks import summary_csv
from narcoflow.app.jobs import JobManager
from narcoflow.app.runs import MAX_UPLOAD_BYTES, RunRequest, list_runs, request_key, save_upload
from narcoflow.errors import ScenarioError


def _wait(jobs: JobManager, key: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = jobs.status(key)
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"job {key} still {jobs.status(key)}")


@pytest.fixture
def short_upload(tmp_path: Path, baseline_text: str) -> str:
    """The baseline with 1,000 firms kept as an upload; it names a posterior file it may not open."""
    text = baseline_text.replace("  count: 5000\n", "  count: 1000\n")
    text = text.replace("posterior: baseline.posterior.json", "posterior: /etc/passwd")
    return save_upload(tmp_path, text.encode(), "short.yaml")


def test_upload_errors_are_located_in_the_uploaded_file(tmp_path: Path, baseline_text: str) -> None:
    broken = baseline_text.replace("  count: 5000\n", "  count: many\n")
    with pytest.raises(ScenarioError) as err:
        save_upload(tmp_path, broken.encode(), "../../etc/my scenario.yaml")
    line = broken.splitlines().index("  count: many") + 1
    assert err.value.format().startswith(f"my_scenario.yaml:{line}: suppliers.count:")
    assert not list((tmp_path / "uploads").glob("*.yaml"))  # a bad upload is not kept
    with pytest.raises(ScenarioError, match="larger than 1024 KiB"):
        save_upload(tmp_path, b"#" * (MAX_UPLOAD_BYTES + 1), "big.yaml")
    with pytest.raises(ScenarioError, match="YAML syntax error"):
        save_upload(tmp_path, b"name: [unclosed\n", "bad.yaml")
    with pytest.raises(ScenarioError, match="unknown upload"):
        request_key(tmp_path, RunRequest("upload:../../etc/passwd", 2, 0))


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ("extends: ../../secret.yaml\n", "extends"),
        ("extends: [baseline, /etc/passwd]\n", "extends.1"),
        ("policies: [status-quo, ../policy.yaml]\n", "policies.1"),
    ],
)
def test_an_upload_names_no_file(tmp_path: Path, baseline_text: str, extra: str, field: str) -> None:
    text = baseline_text + extra
    with pytest.raises(ScenarioError) as err:
        save_upload(tmp_path, text.encode(), "mine.yaml")
    line = len(baseline_text.splitlines()) + 1
    assert err.value.format().startswith(f"mine.yaml:{line}: {field}: an uploaded scenario may")
    assert not (tmp_path / "uploads").exists() or not list((tmp_path / "uploads").iterdir())


def test_same_request_runs_once_and_lands_in_the_cache(tmp_path: Path, short_upload: str) -> None:
    jobs = JobManager(tmp_path, workers=2, timeout=300)
    try:
        req = RunRequest(short_upload, members=3, seed=1, levers={"harm.naloxone_effect": 0.3})
        key = jobs.submit(req)
        assert jobs.submit(req) == key and jobs.busy() == 1  # queued once
        status = _wait(jobs, key)
        assert status["state"] == "done", status
        assert status["done"] == status["total"] == 216
        folder = tmp_path / "runs" / key
        summary = json.loads((folder / "summary.json").read_text())
        assert summary["members"] == 3 and summary["posterior"] is None  # an upload opens no posterior
        view = json.loads((folder / "system.json").read_text())
        assert view["months"][0] == "2013-01" and len(view["months"]) == 216
        mtime = (folder / "summary.json").stat().st_mtime
        deadline = time.monotonic() + 10
        while jobs.busy() and time.monotonic() < deadline:  # the finished process is reaped
            time.sleep(0.1)
        assert jobs.submit(req) == key and jobs.busy() == 0  # cached: not run again
        assert (folder / "summary.json").stat().st_mtime == mtime
        other = jobs.submit(RunRequest(short_upload, members=3, seed=2, levers={"harm.naloxone_effect": 0.3}))
        assert other != key
        assert _wait(jobs, other)["state"] == "done"
        assert [k for k, _ in list_runs(tmp_path)] == [other, key]  # newest first
        csv = summary_csv(summary)
        assert csv.splitlines()[0] == "series,period,component,mean,p05,p50,p95"
        assert "cbp_fentanyl_lbs_by_fy,2020,sw_ofo," in csv
    finally:
        jobs.shutdown()


def test_failures_and_time_outs_are_reported(tmp_path: Path, short_upload: str) -> None:
    jobs = JobManager(tmp_path, workers=1, timeout=300)
    try:
        bad = jobs.submit(RunRequest(short_upload, members=2, seed=0, kind="evaluate", agency="mx_raids"))
        status = _wait(jobs, bad)
        assert status["state"] == "failed" and "inspecting agency" in status["message"]
    finally:
        jobs.shutdown()
    slow = JobManager(tmp_path, workers=1, timeout=1.0)
    try:
        key = slow.submit(RunRequest("baseline", members=200, seed=0))
        status = _wait(slow, key, timeout=60)
        assert status["state"] == "failed" and status["message"] == "timed out after 1 s"
        # a failed request may be asked again: it is queued afresh
        assert slow.submit(RunRequest("baseline", members=200, seed=0)) == key
        assert slow.status(key)["state"] in ("queued", "running")
    finally:
        slow.shutdown()


def test_key_depends_on_levers_members_and_seed(tmp_path: Path) -> None:
    base = RunRequest("baseline", members=4, seed=0)
    keys = {
        request_key(tmp_path, base),
        request_key(tmp_path, RunRequest("baseline", members=5, seed=0)),
        request_key(tmp_path, RunRequest("baseline", members=4, seed=1)),
        request_key(
            tmp_path, RunRequest("baseline", members=4, seed=0, levers={"cooperation.us_china": 0.9})
        ),
    }
    assert len(keys) == 4
    assert request_key(tmp_path, RunRequest("baseline", members=4, seed=0, label="x")) == request_key(
        tmp_path, base
    )
    with pytest.raises(ScenarioError, match="outside its range"):
        request_key(tmp_path, RunRequest("baseline", 4, 0, levers={"cooperation.us_china": 2.0}))
