"""The README's optimize commands run on the example files shipped in examples/."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from narcoflow.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _readme_commands(fragment: str) -> list[list[str]]:
    """README command lines containing ``fragment``, as argument lists (comments dropped)."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        cmd = line.split("#")[0].strip()
        if cmd.startswith("narcoflow ") and fragment in cmd:
            out.append(cmd.split()[1:])
    return out


def test_readme_maxflow_on_the_example_network(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    (args,) = _readme_commands("--instance examples/net.json")
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["status"] == "optimal" and out["objective"] < 75  # 75: the toy network's plain max flow


def test_readme_allocate_on_the_example_targets(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    (args,) = _readme_commands("--targets examples/targets.csv")
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "crossing_east" in r.stdout
    table = r.stdout.split("Coverage (most covered first)", 1)[1]  # not the summary's "seconds" row
    coverage = [float(x) for x in re.findall(r"│ \w+\s+│ ([\d.]+)\s+│", table)]
    assert coverage and abs(sum(coverage) - 3) < 1e-6
