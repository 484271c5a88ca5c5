"""Calibration of the baseline end to end (quick budget), posteriors, and the CLI commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import narcoflow
from narcoflow.calibrate import Posterior, calibrate, scenario_posterior
from narcoflow.calibrate.targets import record_targets


def nf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "narcoflow", *args], capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def quick(baseline: narcoflow.Scenario):
    return calibrate(baseline, until=2023, budget=150, population=40, seed=4, predictive_members=20)


def test_record_targets_respect_until() -> None:
    t2020 = {t.name: t for t in record_targets(2020)}
    assert t2020["deaths"].labels[-1] == "2020"
    assert t2020["ofo_lbs"].labels == ["2019", "2020"]
    assert t2020["nflis"].labels[-1] == "2020"
    t2023 = {t.name: t for t in record_targets(2023)}
    assert t2023["ofo_lbs"].labels[-1] == "2023"
    assert t2023["deaths"].observed[-1] == 72776


def test_quick_calibration_is_reproducible(quick, baseline: narcoflow.Scenario) -> None:
    again = calibrate(baseline, until=2023, budget=150, population=40, seed=4, predictive_members=20)
    np.testing.assert_array_equal(quick.posterior.particles, again.posterior.particles)
    np.testing.assert_array_equal(quick.posterior.weights, again.posterior.weights)
    assert quick.posterior.names == baseline.calibration.parameters
    assert quick.abc.simulations <= 150
    assert 0.0 <= quick.fit["coverage_90_all"] <= 1.0
    assert set(quick.fit["sw_fy_total"]) == {"2019", "2020", "2021", "2022", "2023"}


def test_posterior_roundtrip_and_member_draws(quick, tmp_path: Path, baseline) -> None:
    path = quick.posterior.save(tmp_path / "p.json")
    post = Posterior.load(path)
    post.check(baseline, file=str(path))
    np.testing.assert_allclose(post.particles, quick.posterior.particles)
    a = post.member_table(np.arange(10), seed=3)
    b = post.member_table(np.arange(5, 10), seed=3)
    np.testing.assert_array_equal(a.loc[5:9].to_numpy(), b.to_numpy())  # member k's draw depends on k only
    assert set(a.columns) == set(post.names)
    c = post.member_table(np.arange(3), seed=3, exclude={"harm.hazard_oud"})
    assert "harm.hazard_oud" not in c.columns


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("not json", "not JSON: Expecting value"),
        ('{"format": "other"}', "not a NarcoFlow posterior"),
        ('{"format": "narcoflow-posterior/1", "names": ["x"], "weights": [1], "particles": [[1]]}', None),
    ],
)
def test_bad_posterior_files(tmp_path: Path, baseline, content: str, match: str | None) -> None:
    p = tmp_path / "bad.json"
    p.write_text(content)
    with pytest.raises(narcoflow.NarcoFlowError) as err:
        Posterior.load(p).check(baseline, file=str(p))
    assert err.value.file == str(p)
    if match:
        assert match in err.value.message


def test_cli_calibrate_quick_then_run_with_posterior(tmp_path: Path) -> None:
    post = tmp_path / "post.json"
    r = nf("calibrate", "--quick", "--out", str(post), "--seed", "1")
    assert r.returncode == 0, r.stderr
    assert "ABC-SMC convergence" in r.stdout and "Fit of the posterior predictive" in r.stdout
    meta = json.loads(post.read_text())["meta"]
    assert meta["until"] == 2023 and meta["simulations"] <= 240
    out = tmp_path / "run"
    r = nf(
        "run",
        "--members",
        "5",
        "--posterior",
        str(post),
        "--out",
        str(out),
        "--set",
        "calendar.months=96",
        "--set",
        "harm.hazard_oud=0.01",
    )
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["posterior"]["file"] == str(post)
    ds = narcoflow.Results.from_netcdf(out / "results.nc").dataset
    pv = ds["parameter_values"]
    assert np.all(pv.sel(parameter="harm.hazard_oud").values == 0.01)  # --set wins over the posterior
    drawn = pv.sel(parameter="trafficking.growth_rate").values
    particles = np.array(json.loads(post.read_text())["particles"])
    names = json.loads(post.read_text())["names"]
    assert np.isin(drawn, particles[:, names.index("trafficking.growth_rate")]).all()  # drawn from it


def test_cli_forecast_check_quick(tmp_path: Path) -> None:
    path = tmp_path / "fc.json"
    r = nf("forecast-check", "--until", "2020", "--quick", "--json", str(path))
    assert r.returncode == 0, r.stderr
    table = json.loads(path.read_text())
    assert list(table) == ["2021", "2022", "2023", "2024"]
    for row in table.values():
        assert {"p05", "p50", "p95", "observed", "rel_error"} <= set(row)
        assert row["p05"] <= row["p50"] <= row["p95"]
    assert table["2024"]["observed"] == 48000
    assert "--quick spent 240 simulations: a smoke test" in " ".join(r.stdout.split())


def test_bad_posterior_on_the_command_line(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text("{")
    r = nf("run", "--posterior", str(p), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and str(p) in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()


def test_builtin_posterior_is_found_when_shipped(baseline) -> None:
    found = scenario_posterior(baseline)
    if baseline.calibration.posterior is None:
        assert found is None
    else:
        assert found is not None and found[0].names


HEADER = ",".join(
    ["FY", "Month (abbv)", "Component", "Region", "Land Filter", "Area of Responsibility", "Drug Type",
     "Count of Event", "Sum Qty (lbs)"]
)  # fmt: skip
ROW = "2021,JAN,Office of Field Operations,Southwest Border,Land Only,SAN DIEGO FIELD OFFICE,Fentanyl,3,12.5"


@pytest.mark.parametrize(
    ("text", "column"),
    [
        (HEADER.replace(",Sum Qty (lbs)", "") + "\n" + ROW.rsplit(",", 1)[0] + "\n", "Sum Qty (lbs)"),
        (HEADER + "\n" + ROW.replace(",12.5", ",twelve") + "\n", "Sum Qty (lbs)"),
        ("", None),
    ],
)
def test_bad_cbp_file_exits_2_naming_file_and_column(tmp_path: Path, text: str, column: str | None) -> None:
    bad = tmp_path / "cbp.csv"
    bad.write_text(text)
    r = nf("calibrate", "--quick", "--cbp-csv", str(bad), "--out", str(tmp_path / "p.json"))
    assert r.returncode == 2, r.stderr
    assert str(bad) in r.stderr and "Traceback" not in r.stderr
    if column:
        assert column in r.stderr
    assert not (tmp_path / "p.json").exists()


def test_calibrate_with_users_own_cbp_files(tmp_path: Path) -> None:
    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "cbp"
    if not shared.is_dir():
        pytest.skip("shared data not present")
    out = tmp_path / "p.json"
    r = nf("calibrate", "--quick", "--budget", "60", "--population", "20", "--out", str(out),
           "--cbp-csv", str(shared / "nationwide-drugs-fy19-fy22.csv"),
           "--cbp-csv", str(shared / "nationwide-drugs-fy20-fy23.csv"))  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert out.exists()
    assert "--quick spent 60 simulations: a smoke test" in " ".join(r.stdout.split())


def test_command_line_and_api_share_their_defaults() -> None:
    """`narcoflow calibrate` / `forecast-check` and the functions they call default to the same budget,
    population and seed (the CLI spells its defaults out for --help; this keeps the two from drifting)."""
    import inspect

    from narcoflow import cli
    from narcoflow.calibrate import forecast_check

    for command, function in ((cli.calibrate, calibrate), (cli.forecast_check, forecast_check)):
        shown, used = inspect.signature(command).parameters, inspect.signature(function).parameters
        for name in ("budget", "population", "seed", "until"):
            assert shown[name].default == used[name].default, (command.__name__, name)
