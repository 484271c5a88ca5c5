"""The ``optimize`` sub-app: JSON and table output, user errors (exit 2), one real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from narcoflow.optimize.cli import optimize_app

INTERDICTION = Path(__file__).resolve().parents[3] / "shared" / "data" / "interdiction"
HT1 = INTERDICTION / "data" / "HT" / "Modified_Network1.csv"
needs_data = pytest.mark.skipif(not HT1.exists(), reason=f"{HT1} not present")

runner = CliRunner()
NET = {
    "source": "s",
    "sink": "t",
    "arcs": [
        {"tail": "s", "head": "a", "capacity": 3, "cost": 1},
        {"tail": "s", "head": "b", "capacity": 2, "cost": 1},
        {"tail": "a", "head": "t", "capacity": 3, "cost": 2},
        {"tail": "b", "head": "t", "capacity": 4, "cost": 1},
    ],
}
HEADER = "target,defender_covered,defender_uncovered,attacker_covered,attacker_uncovered"


def run(*args: str) -> object:
    return runner.invoke(optimize_app, list(args))


@pytest.fixture
def net(tmp_path: Path) -> Path:
    p = tmp_path / "net.json"
    p.write_text(json.dumps(NET))
    return p


@pytest.fixture
def targets(tmp_path: Path) -> Path:
    p = tmp_path / "targets.csv"
    p.write_text(f"{HEADER}\na,0,-10,0,10\nb,0,-1,0,2\n")
    return p


def test_maxflow_json(net: Path) -> None:
    r = run("maxflow", "--instance", str(net), "--budget", "1", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"objective", "interdicted", "status", "gap", "seconds"}
    assert out["objective"] == 2 and out["interdicted"] == [["s", "a"]] and out["status"] == "optimal"
    assert out["gap"] == 0 and out["seconds"] >= 0


def test_maxflow_table(net: Path) -> None:
    r = run("maxflow", "--instance", str(net), "--budget", "1")
    assert r.exit_code == 0, r.output
    assert "max flow after interdiction" in r.stdout and "Interdicted arcs" in r.stdout


def test_maxflow_unreachable_sink_warns(tmp_path: Path) -> None:
    p = tmp_path / "cut.json"
    p.write_text(
        json.dumps(
            {
                "source": 1,
                "sink": 3,
                "arcs": [
                    {"tail": 1, "head": 2, "capacity": 1, "cost": 1},
                    {"tail": 3, "head": 1, "capacity": 1, "cost": 1},
                ],
            }
        )
    )
    r = run("maxflow", "--instance", str(p), "--budget", "1", "--json")
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert out["objective"] == 0 and "cannot be reached" in out["warning"]
    assert "warning:" in r.stderr


@needs_data
def test_maxflow_on_a_published_instance() -> None:
    r = run("maxflow", "--instance", str(HT1), "--budget", "24", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["objective"] == 11


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--budget", "-1"], "--budget: must be >= 0"),
        (["--budget", "1", "--time-limit", "0"], "--time-limit: must be a number of seconds > 0"),
        (["--budget", "1", "--time-limit", "inf"], "--time-limit: must be a number of seconds > 0"),
        (["--budget", "1", "--scenario", "baseline"], "--instance: give --instance FILE or --scenario NAME"),
    ],
)
def test_maxflow_bad_options(net: Path, args: list[str], fragment: str) -> None:
    r = run("maxflow", "--instance", str(net), *args)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith("error: ") and fragment in r.stderr


def test_maxflow_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"source": "s", "sink": "s", "arcs": [{"tail": "s", "head": "t", "capacity": 1, "cost": 1}]}'
    )
    r = run("maxflow", "--instance", str(bad), "--budget", "1", "--json")
    assert (
        r.exit_code == 2 and r.stderr.strip() == f"error: {bad}: sink: source and sink are the same node 's'"
    )
    broken = tmp_path / "broken.csv"
    broken.write_text("0,3\n0,1,1,1\n")
    r = run("maxflow", "--instance", str(broken), "--budget", "1")
    assert r.exit_code == 2 and f"error: {broken}:2: expected 8 values" in r.stderr
    r = run("maxflow", "--instance", str(tmp_path / "missing.json"), "--budget", "1")
    assert r.exit_code == 2 and "file not found" in r.stderr


def test_allocate_json(targets: Path) -> None:
    r = run("allocate", "--targets", str(targets), "--resources", "1", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"coverage", "defender_utility", "attacked", "seconds"}
    assert out["coverage"] == pytest.approx({"a": 5 / 6, "b": 1 / 6})
    assert out["attacked"] == "b" and out["defender_utility"] == pytest.approx(-5 / 6)


def test_allocate_quantal_and_table(targets: Path) -> None:
    r = run("allocate", "--targets", str(targets), "--resources", "1", "--qr-lambda", "0.5")
    assert r.exit_code == 0, r.output
    assert "quantal-response" in r.stdout and "most likely" in r.stdout
    r = run("allocate", "--targets", str(targets), "--resources", "1", "--qr-lambda", "0.5", "--json")
    assert json.loads(r.stdout)["attacked"] in {"a", "b"}


def test_allocate_several_types(tmp_path: Path) -> None:
    p = tmp_path / "types.csv"
    p.write_text(
        f"{HEADER},type,type_weight\na,0,-10,0,10,x,1\nb,0,-1,0,2,x,1\na,0,-1,0,1,y,1\nb,0,-8,0,9,y,1\n"
    )
    r = run("allocate", "--targets", str(p), "--resources", "1", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out["attacked"]) == {"x", "y"} and sum(out["coverage"].values()) <= 1 + 1e-9
    r = run("allocate", "--targets", str(p), "--resources", "1")
    assert "attacked by x" in r.stdout and "dobss-milp" in r.stdout


def test_allocate_full_coverage(targets: Path) -> None:
    r = run("allocate", "--targets", str(targets), "--resources", "5", "--json")
    assert json.loads(r.stdout)["coverage"] == {"a": 1.0, "b": 1.0}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--resources", "-1"], "--resources: must be a finite number >= 0"),
        (["--resources", "1", "--qr-lambda", "-2"], "--qr-lambda: must be >= 0"),
        (["--resources", "1", "--time-limit", "-3"], "--time-limit: must be a number of seconds > 0"),
    ],
)
def test_allocate_bad_options(targets: Path, args: list[str], fragment: str) -> None:
    r = run("allocate", "--targets", str(targets), *args)
    assert r.exit_code == 2 and fragment in r.stderr and r.stdout == ""


def test_allocate_bad_payoffs(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(f"{HEADER}\na,0,-10,0,10\nb,0,-1,3,2\n")
    r = run("allocate", "--targets", str(p), "--resources", "1")
    assert r.exit_code == 2
    assert r.stderr.startswith(f"error: {p}:3: attacker_uncovered: attacker_uncovered (2) must exceed")


def test_sub_app_mounts_under_a_parent() -> None:
    parent = typer.Typer()
    parent.add_typer(optimize_app, name="optimize")

    @parent.command()
    def other() -> None:
        """A second command so that typer keeps subcommand names."""

    r = runner.invoke(parent, ["optimize", "--help"])
    assert r.exit_code == 0 and "maxflow" in r.stdout and "allocate" in r.stdout


def test_real_subprocess_prints_clean_json(net: Path) -> None:
    code = "from narcoflow.optimize.cli import optimize_app; optimize_app()"
    p = subprocess.run(
        [sys.executable, "-c", code, "maxflow", "--instance", str(net), "--budget", "2", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)  # the whole of stdout is one JSON object
    assert out["objective"] == 0 and len(out["interdicted"]) == 2 and ["s", "a"] in out["interdicted"]
    bad = subprocess.run(
        [sys.executable, "-c", code, "maxflow", "--instance", str(net), "--budget", "-3"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error: --budget: must be >= 0")


@pytest.mark.parametrize("budget", ["0", "2", "6"])
def test_maxflow_of_a_scenario_prints_its_table(budget: str) -> None:
    """README: ``optimize maxflow --scenario ... --budget 6`` crashed (AttributeError) in table mode."""
    r = run("maxflow", "--scenario", "baseline", "--budget", budget)
    assert r.exit_code == 0, r.output
    assert "Max-flow interdiction: scenario baseline" in r.stdout and "Traceback" not in r.output


@pytest.mark.parametrize("command", ["maxflow", "allocate"])
def test_every_solver_command_has_a_time_limit(command: str) -> None:
    r = run(command, "--help")
    assert r.exit_code == 0 and "--time-limit" in r.stdout


def test_time_limit_before_any_plan(tmp_path: Path) -> None:
    """A limit too short for any plan: maxflow reports no interdiction (status time_limit); the
    several-type allocation, which has no plan to print, is a located user error."""
    r = run(
        "maxflow",
        "--instance",
        str(_layered_instance(tmp_path, 400)),
        "--budget",
        "5",
        "--json",
        "--time-limit",
        "1e-6",
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["status"] == "time_limit" and out["interdicted"] == [] and out["objective"] > 0
    p = tmp_path / "types.csv"
    rows = [f"t{t},{t % 7},-{1 + t % 5},-{1 + t % 3},{t % 9},a{k},0.5" for k in range(2) for t in range(30)]
    p.write_text(f"{HEADER},type,type_weight\n" + "\n".join(rows) + "\n")
    r = run("allocate", "--targets", str(p), "--resources", "3", "--time-limit", "1e-6")
    assert r.exit_code == 2 and r.stderr.startswith("error: --time-limit: ") and r.stdout == ""


def _layered_instance(tmp_path: Path, n: int) -> Path:
    arcs = [
        {"tail": i, "head": j, "capacity": 1 + (i * 7 + j) % 9, "cost": 1 + (i + j) % 3}
        for i in range(n)
        for j in (i + 1, i + 2, i + 5)
        if j < n
    ]
    p = tmp_path / "layered.json"
    p.write_text(json.dumps({"source": 0, "sink": n - 1, "arcs": arcs}))
    return p


def test_numbers_highs_reads_as_infinite_are_refused(tmp_path: Path) -> None:
    """Found by the fuzz suite: a payoff of 1e20 crashed the DOBSS MILP ("Model error"); a capacity of
    1e300 made a finite max flow "unbounded"."""
    game = tmp_path / "game.csv"
    game.write_text(
        f"{HEADER},type,type_weight\na,99999999999999999999,-10,0,10,x,0.6\nb,0,-1,0,2,x,0.6\n"
        "a,1,-5,-1,4,y,0.4\nb,0,-2,0,3,y,0.4\n"
    )
    r = run("allocate", "--targets", str(game), "--resources", "1")
    assert r.exit_code == 2 and r.stderr.startswith(f"error: {game}:2: defender_covered: payoffs must lie")
    net = tmp_path / "net.json"
    net.write_text(json.dumps({**NET, "arcs": [{**NET["arcs"][0], "capacity": 1e300}, *NET["arcs"][1:]]}))
    r = run("maxflow", "--instance", str(net), "--budget", "1")
    assert r.exit_code == 2 and "arcs[0].capacity: capacity must be >= 0 and at most 1e+15" in r.stderr
