"""Games built from a scenario: the regulator over all 5,000 firms, and an agency over its nodes."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import narcoflow
from narcoflow.optimize.allocation import origami
from narcoflow.optimize.evaluate import agency_game, firms_game
from narcoflow.optimize.stackelberg import multiple_lps


def test_firms_game_has_every_firm_and_the_scrutiny_budget(baseline: narcoflow.Scenario) -> None:
    game, resources = firms_game(baseline)
    assert game.n_targets == 5000
    assert resources == pytest.approx(0.05 * 5000)
    res = origami(game, resources)
    assert res.coverage.sum() <= resources + 1e-6
    # the most valuable firms are the ones covered
    value = game.attacker_uncovered[0]
    top = np.argsort(-value)[:50]
    assert res.coverage.to_numpy()[top].mean() > res.coverage.to_numpy().mean()


def test_agency_game_matches_the_lp_method(baseline: narcoflow.Scenario) -> None:
    game, resources, delta = agency_game(baseline, "mx_ports")
    assert set(game.targets) == {"mx_manzanillo", "mx_lazaro_cardenas", "mx_mazatlan", "mx_cdmx_air"}
    assert all(0 < d <= 1 for d in delta.values())
    assert origami(game, resources).defender_utility == pytest.approx(
        multiple_lps(game, resources).defender_utility, abs=1e-7
    )


def test_agency_game_rejects_unknown_and_raiding_agencies(baseline: narcoflow.Scenario) -> None:
    with pytest.raises(narcoflow.NarcoFlowError, match="unknown agency"):
        agency_game(baseline, "fbi")
    with pytest.raises(narcoflow.NarcoFlowError, match="inspecting agency"):
        agency_game(baseline, "mx_raids")


def test_cli_allocate_from_the_scenario() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "narcoflow", "optimize", "allocate", "--from", "firms", "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert len(out["coverage"]) == 5000 and out["attacked"].startswith("firm_")
    r = subprocess.run(
        [sys.executable, "-m", "narcoflow", "optimize", "allocate"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 2 and "--targets" in r.stderr


def test_scenario_network_as_an_interdiction_problem() -> None:
    from narcoflow.optimize.evaluate import scenario_interdiction
    from narcoflow.optimize.maxflow import solve_interdiction

    caps = {"network.edges.3.capacity": 500, "network.edges.4.capacity": 100, "network.edges.5.capacity": 50}
    problem = scenario_interdiction(narcoflow.load_scenario("baseline", caps))
    values = [solve_interdiction(problem, b).objective for b in (0, 1, 3, 12)]
    # 12 sea lanes of 500 kg, the air lane 100 and the direct mail lane 50 leave China
    assert values[0] == pytest.approx(12 * 500 + 100 + 50)
    assert values == sorted(values, reverse=True) and values[-1] == 0
    assert solve_interdiction(problem, 1).status == "optimal"
    # without declared capacities the flow is unbounded unless every path can be cut
    with pytest.warns(UserWarning):
        unbounded = solve_interdiction(scenario_interdiction(narcoflow.load_scenario("baseline")), 2)
    assert unbounded.status == "unbounded"
