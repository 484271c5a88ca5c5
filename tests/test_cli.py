"""The ``narcoflow`` command, run as a real subprocess: outputs, determinism and user errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr

from narcoflow.results import Results

FAST = ["--set", "calendar.start=2017-01", "--set", "calendar.months=84", "--set", "suppliers.count=1000"]


def nf(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m narcoflow ARGS``."""
    return subprocess.run(
        [sys.executable, "-m", "narcoflow", *args], capture_output=True, text=True, cwd=cwd, timeout=600
    )


def test_scenarios_lists_baseline() -> None:
    r = nf("scenarios")
    assert r.returncode == 0
    assert "baseline" in r.stdout and "5,000" in r.stdout


def test_validate_ok() -> None:
    r = nf("validate", "baseline")
    assert r.returncode == 0, r.stderr
    assert "ok" in r.stdout and "parameters" in r.stdout


def test_run_writes_the_three_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = nf("run", "--members", "4", "--seed", "1", "--out", str(out), *FAST)
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "summary.json").read_text())
    for key in (
        "scenario",
        "seed",
        "members",
        "version",
        "deaths_t404_by_year",
        "cbp_fentanyl_lbs_by_fy",
        "precursor_route_share_by_year",
        "mass_balance_max_rel_error",
    ):
        assert key in summary, key
    assert summary["members"] == 4 and summary["seed"] == 1
    assert set(summary["deaths_t404_by_year"]["2020"]) == {"mean", "p05", "p50", "p95"}
    assert set(summary["cbp_fentanyl_lbs_by_fy"]["2020"]) >= {"total", "sw_ofo", "sw_usbp"}
    assert summary["mass_balance_max_rel_error"] <= 1e-9
    res = Results.from_netcdf(out / "results.nc")
    assert res.dataset.sizes["member"] == 4 and res.dataset.sizes["month"] == 84
    html = (out / "report.html").read_text()
    assert '<script src="http' not in html and "T40.4" in html
    assert "months" in r.stderr  # the progress bar
    assert "deaths p50" in r.stdout and "T40.4" in r.stdout  # the summary table


def test_same_seed_gives_identical_outputs(tmp_path: Path) -> None:
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        r = nf("run", "--members", "20", "--seed", "7", "--out", str(out), *FAST)
        assert r.returncode == 0, r.stderr
        runs.append(out)
    assert (runs[0] / "summary.json").read_bytes() == (runs[1] / "summary.json").read_bytes()
    a = xr.load_dataset(runs[0] / "results.nc", engine="h5netcdf")
    b = xr.load_dataset(runs[1] / "results.nc", engine="h5netcdf")
    xr.testing.assert_identical(a, b)


ERROR = re.compile(r"^error: (?P<file>[^:]+):(?P<line>\d+): (?P<field>[\w.]+): .+", re.M)


def _broken(tmp_path: Path, text: str, old: str, new: str) -> Path:
    assert old in text
    p = tmp_path / "bad.yaml"
    p.write_text(text.replace(old, new), encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("  count: 5000", "  count: many", "suppliers.count"),  # wrong type
        ("  count: 5000", "  count: 5000\n  colour: red", "suppliers.colour"),  # unknown field
        ("  scrutiny_share: {value: 0.05,", "  scrutiny_share: {value: 1.7,", "regulator.scrutiny_share"),
        ("to: mx_cdmx_air, mode: air", "to: atlantis, mode: air", "network.edges.4.to"),  # dangling edge
    ],
)
def test_bad_scenario_exits_2_with_location_and_no_output(
    tmp_path: Path, baseline_text: str, old: str, new: str, field: str
) -> None:
    path = _broken(tmp_path, baseline_text, old, new)
    for cmd in (["validate", str(path)], ["run", "--scenario", str(path), "--out", str(tmp_path / "o")]):
        r = nf(*cmd)
        assert r.returncode == 2, r.stderr
        m = ERROR.search(r.stderr)
        assert m, r.stderr
        assert m["file"] == str(path) and m["field"] == field
        assert "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) <= 2
    assert not (tmp_path / "o").exists()


def test_yaml_syntax_error_exits_2(tmp_path: Path, baseline_text: str) -> None:
    path = _broken(tmp_path, baseline_text, "  count: 5000", "  count: [5000")
    r = nf("run", "--scenario", str(path), "--out", str(tmp_path / "o"))
    assert r.returncode == 2
    assert re.search(rf"^error: {re.escape(str(path))}:\d+: YAML syntax error", r.stderr, re.M), r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "setting", ["no.such.path=1", "suppliers.count=-5", "regulator.scrutiny_share=3", "justtext"]
)
def test_bad_set_exits_2(tmp_path: Path, setting: str) -> None:
    r = nf("run", "--set", setting, "--out", str(tmp_path / "o"))
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("error: --set: "), r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()


def test_unknown_scenario_exits_2(tmp_path: Path) -> None:
    r = nf("run", "--scenario", "nowhere.yaml", "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "nowhere.yaml" in r.stderr
    assert not (tmp_path / "o").exists()
