"""The command's user errors are plain text (never rich markup), and small newcomer checks."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

import narcoflow
from narcoflow.cli import app

runner = CliRunner()


def test_error_on_line_100_prints_the_line_number_not_an_emoji(tmp_path: Path, baseline_text: str) -> None:
    lines = baseline_text.splitlines()
    assert "to: mx_cdmx_air, mode: air" in lines[98]
    lines[98] = lines[98].replace("to: mx_cdmx_air", "to: atlantis")
    path = tmp_path / "draft [final].yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["validate", str(path)])
    assert r.exit_code == 2
    assert r.stderr == f"error: {path}:99: network.edges.4.to: unknown node 'atlantis'\n"
    lines[98] = lines[99]  # the bad edge moves to line 100 (":100:" is rich's emoji code for U+1F4AF)
    lines[99] = "    - {from: hub_mail_cn, to: atlantis, mode: air, cost: 800}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["validate", str(path)])
    assert r.exit_code == 2
    assert r.stderr == f"error: {path}:100: network.edges.4.to: unknown node 'atlantis'\n"


def test_markup_in_a_set_option_is_printed_as_written() -> None:
    r = runner.invoke(app, ["validate", "baseline", "--set", "[/foo]=1"])
    assert r.exit_code == 2, r.output
    assert r.stderr == "error: --set: [/foo]: unknown field (not part of the scenario schema)\n"
    assert r.exception is None or isinstance(r.exception, SystemExit)


def test_ok_line_keeps_a_bracketed_file_name(tmp_path: Path, baseline_text: str) -> None:
    path = tmp_path / "draft [final].yaml"
    path.write_text(baseline_text, encoding="utf-8")
    r = runner.invoke(app, ["validate", str(path)])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"ok {path}: scenario 'baseline'")


def test_version() -> None:
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout == f"narcoflow {narcoflow.__version__}\n"


def test_params_kind_must_be_known() -> None:
    r = runner.invoke(app, ["params", "--kind", "bogus"])
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == "error: --kind: must be one of lever, uncertainty, fixed, got 'bogus'\n"
    r = runner.invoke(app, ["params", "--kind", "lever"])
    assert r.exit_code == 0 and "scrutiny_share" in r.stdout and "uncertainty" not in r.stdout
