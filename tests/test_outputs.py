"""Outputs: checked before any computation, written atomically, netCDF4 so 64-bit seeds fit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import narcoflow.report
from narcoflow.cli import app
from narcoflow.errors import NarcoFlowError
from narcoflow.outputs import check_output_dir, check_output_file, staged_dir, write_text_atomic
from narcoflow.results import Results

runner = CliRunner()
FAST = ["--set", "calendar.start=2017-01", "--set", "calendar.months=36", "--set", "suppliers.count=500"]


def _run(out: Path, *extra: str) -> object:
    return runner.invoke(app, ["run", "--members", "4", "--out", str(out), "--no-posterior", *FAST, *extra])


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_seed_above_int32_is_written_and_read_back(tmp_path: Path) -> None:
    """Reproducer: --seed 2147483648 failed in the netCDF3 write and destroyed the good results.nc."""
    out = tmp_path / "o"
    assert _run(out).exit_code == 0
    r = _run(out, "--seed", "2147483648")
    assert r.exit_code == 0, r.output
    res = Results.from_netcdf(out / "results.nc")
    assert res.dataset.attrs["seed"] == 2147483648 and res.dataset.sizes["member"] == 4
    assert json.loads((out / "summary.json").read_text())["seed"] == 2147483648
    r = _run(out, "--seed", str(2**63))
    assert r.exit_code == 2  # beyond int64: refused by the option's bound before running


def test_a_failed_write_leaves_the_previous_output_intact(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "o"
    assert _run(out).exit_code == 0
    before = _snapshot(out)

    def broken_report(summary: dict, path: Path, **_: object) -> None:
        path.write_text("<html>half a rep")
        raise RuntimeError("disk full (forced)")

    monkeypatch.setattr(narcoflow.report, "write_report", broken_report)
    r = _run(out, "--seed", "5")
    assert r.exit_code != 0 and isinstance(r.exception, RuntimeError)
    assert _snapshot(out) == before  # summary.json and results.nc were written, but only in staging
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]  # no staging folder left behind


def test_a_failed_first_run_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("forced")

    monkeypatch.setattr(narcoflow.report, "write_report", broken)
    assert _run(tmp_path / "o").exit_code != 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "--out", "{file}/sub"], "{file}/sub: --out: cannot create a directory under the file"),
        (["run", "--out", "{file}"], "{file}: --out: exists and is not a directory"),
        (["run", "--out", "/proc/narcoflow-out"], "/proc/narcoflow-out: --out: cannot write here"),
        (["calibrate", "--quick", "--out", "{dir}"], "{dir}: --out: is a directory; give a file name"),
        (["forecast-check", "--quick", "--json", "{dir}"], "{dir}: --json: is a directory; give a file name"),
        (["source-compare", "--json", "{dir}"], "{dir}: --json: is a directory"),
        (
            ["optimize", "evaluate", "--agency", "cbp_ofo", "--out", "{file}"],
            "--out: exists and is not a dir",
        ),
        (
            ["optimize", "evaluate", "--agency", "cbp_ofo", "--window", "2020-13:2021-01"],
            "--window: '2020-13'",
        ),
        (["optimize", "evaluate", "--agency", "cbp_ofo", "--window", "2021-01:2020-01"], "is before"),
        (["run", "--members", "10000000"], "--members: 10,000,000 members of 'baseline'"),
        (["source-compare", "--members", "10000000"], "--members: 10,000,000 members of 'baseline'"),
        (["forecast-check", "--members", "10000000"], "--members: 10,000,000 members of 'baseline'"),
    ],
)
def test_bad_outputs_and_sizes_fail_before_any_computation(
    tmp_path: Path, args: list[str], fragment: str
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("keep me")
    a_dir = tmp_path / "a-dir"
    a_dir.mkdir()
    fill = {"{file}": str(a_file), "{dir}": str(a_dir)}
    args = [fill.get(a, a).replace("{file}", str(a_file)) for a in args]
    r = runner.invoke(app, args)
    assert r.exit_code == 2, r.output
    expected = fragment.replace("{file}", str(a_file)).replace("{dir}", str(a_dir))
    assert r.stderr.startswith("error: ") and expected in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) <= 2
    assert "simulat" not in r.stderr and "calibrating" not in r.stderr  # no progress bar: nothing ran
    assert a_file.read_text() == "keep me" and list(a_dir.iterdir()) == []


def test_output_checks_and_atomic_writes(tmp_path: Path) -> None:
    check_output_dir(tmp_path / "new" / "deeper")
    check_output_file(tmp_path / "new" / "file.json")
    assert not (tmp_path / "new").exists()  # checking creates nothing
    with pytest.raises(NarcoFlowError, match="is a directory"):
        check_output_file(tmp_path)
    target = tmp_path / "t.json"
    write_text_atomic(target, "good")
    with pytest.raises(RuntimeError), staged_dir(tmp_path / "d") as tmp:
        (tmp / "x").write_text("partial")
        raise RuntimeError("forced")
    assert not (tmp_path / "d").exists() and target.read_text() == "good"
    with staged_dir(tmp_path / "d") as tmp:
        (tmp / "x").write_text("complete")
    assert (tmp_path / "d" / "x").read_text() == "complete"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d", "t.json"]
