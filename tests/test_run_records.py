"""What a newcomer trips on: a run records its --set overrides and posterior, shows them in the report
(without local paths), labels a --quick posterior a smoke test, and prints every year in 80 columns."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

import narcoflow
from narcoflow.cli import _summary_table, app

runner = CliRunner()
FAST = ["--set", "calendar.start=2017-01", "--set", "calendar.months=48", "--set", "suppliers.count=500"]
BUILTIN = Path(narcoflow.__file__).parent / "scenario" / "builtin"


def _run(out: Path, *extra: str) -> dict:
    r = runner.invoke(app, ["run", "--members", "3", "--out", str(out), *FAST, *extra])
    assert r.exit_code == 0, r.output
    return json.loads((out / "summary.json").read_text())


def test_overrides_and_the_shipped_posterior_are_recorded_without_local_paths(tmp_path: Path) -> None:
    summary = _run(tmp_path / "o", "--set", "agencies.cbp_ofo.capacity=3")
    assert summary["overrides"] == {
        "calendar.start": "2017-01",
        "calendar.months": "48",
        "suppliers.count": "500",
        "agencies.cbp_ofo.capacity": "3",
    }
    post = summary["posterior"]
    assert post["file"] == "baseline.posterior.json" and post["until"] == 2023 and post["quick"] is False
    html = (tmp_path / "o" / "report.html").read_text()
    assert "agencies.cbp_ofo.capacity = 3" in html and "calibration ok" in html
    for local in (str(Path.home()), str(tmp_path), str(BUILTIN)):
        assert local not in html, local


def test_a_quick_posterior_is_labelled_a_smoke_test(tmp_path: Path) -> None:
    post = tmp_path / "quick.json"
    payload = {
        "format": "narcoflow-posterior/1",
        "names": ["harm.hazard_oud"],
        "weights": [0.5, 0.5],
        "particles": [[0.02], [0.03]],
        "meta": {"until": 2023, "budget": 240, "command": "narcoflow calibrate --quick --out quick.json"},
    }
    post.write_text(json.dumps(payload))
    summary = _run(tmp_path / "o", "--posterior", str(post))
    assert summary["posterior"]["quick"] is True and summary["posterior"]["file"] == str(post)
    html = (tmp_path / "o" / "report.html").read_text()
    assert "Smoke-test posterior" in html and "calibration ok" not in html
    assert str(tmp_path) not in html  # only the file's name is shown
    table = " ".join(_render(_summary_table(summary)).split())
    assert "smoke-test posterior" in table and "calibrated through" not in table


def _render(table: object) -> str:
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(table)
    return console.export_text()


def test_the_printed_table_fits_80_columns_and_skips_no_year(tmp_path: Path) -> None:
    summary = _run(tmp_path / "o", "--no-posterior")
    text = _render(_summary_table(summary))
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80
    years = re.findall(r"^(\d{4}) ", text, re.M)
    assert years == ["2017", "2018", "2019", "2020"]  # every complete calendar year of the run


def test_a_copied_baseline_names_its_posterior(tmp_path: Path, baseline_text: str) -> None:
    copy = tmp_path / "my-scenario.yaml"
    copy.write_text(baseline_text, encoding="utf-8")
    r = runner.invoke(app, ["run", "--scenario", str(copy), "--members", "2", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "baseline.posterior.json" in r.stderr and "--no-posterior" in r.stderr
    assert not (tmp_path / "o").exists()
    shutil.copy(BUILTIN / "baseline.posterior.json", tmp_path)  # next to the copy, it is found
    summary = _run(tmp_path / "o", "--scenario", str(copy))
    assert summary["posterior"]["file"] == "baseline.posterior.json"
