"""The Scenario page's policy start date: level levers change from that month, the others from the start."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import narcoflow
from narcoflow.app.runs import RunRequest, dated_policies, from_start, load_request_scenario, request_key

LEVERS = {"agencies.cbp_ofo.intensity": 3.0, "harm.naloxone_effect": 0.3}


def test_without_a_start_every_lever_applies_from_the_first_month(tmp_path: Path) -> None:
    sc = load_request_scenario(tmp_path, RunRequest("baseline", 2, 0, LEVERS))
    assert sc.agencies["cbp_ofo"].intensity.value == 3.0
    assert from_start(sc, LEVERS, None) == LEVERS


@pytest.mark.skipif(not dated_policies(), reason="needs dated policies (narcoflow.scenario.policy)")
def test_a_start_date_delays_the_level_levers(tmp_path: Path) -> None:
    req = RunRequest("baseline", 3, 0, LEVERS, policy_start="2026-01")
    sc = load_request_scenario(tmp_path, req)
    assert sc.agencies["cbp_ofo"].intensity.value == 1.0  # unchanged until the start month
    assert sc.harm.naloxone_effect.value == 0.3  # not a level: from the first month
    assert any(e.date == "2026-01" for e in sc.events.values() if e.description.startswith("levers set"))
    assert request_key(tmp_path, req) != request_key(tmp_path, RunRequest("baseline", 3, 0, LEVERS))
    only_level = {"agencies.cbp_ofo.intensity": 3.0}
    dated = load_request_scenario(tmp_path, RunRequest("baseline", 3, 0, only_level, policy_start="2026-01"))
    base = narcoflow.load_scenario("baseline")
    a = narcoflow.simulate(base, members=3, seed=0).dataset
    b = narcoflow.simulate(dated, members=3, seed=0).dataset
    before = slice(None, "2025-12-01")
    after = slice("2026-02-01", None)
    assert np.array_equal(a["seized_kg"].sel(month=before).values, b["seized_kg"].sel(month=before).values)
    assert not np.array_equal(a["seized_kg"].sel(month=after).values, b["seized_kg"].sel(month=after).values)
