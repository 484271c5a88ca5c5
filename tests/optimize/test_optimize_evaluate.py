"""The adaptive test: plans for an agency run through the simulator side by side."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import narcoflow
from narcoflow.optimize.evaluate import PLANS, evaluate_plans

SHORT = {"calendar.start": "2019-01", "calendar.months": 36, "suppliers.count": 600}


def test_evaluate_plans_side_by_side() -> None:
    sc = narcoflow.load_scenario("baseline", SHORT)
    ev = evaluate_plans(sc, "cbp_ofo", members=4, seed=1)
    assert list(ev.table.index) == list(PLANS)
    for plan in ("optimal", "uniform", "randomized"):
        cov = np.array(list(ev.coverage[plan].values()))
        assert cov.sum() <= sc.agencies["cbp_ofo"].capacity.value + 1e-9
        assert 0 < ev.table.loc[plan, "promised_share"] < 1
    assert np.isnan(ev.table.loc["status-quo", "promised_share"])
    for plan in PLANS:
        row = ev.table.loc[plan]
        for key in ("seized_kg", "seized_share", "delivered_kg", "deaths"):
            assert row[key]["p05"] <= row[key]["p50"] <= row[key]["p95"]
    # the fixed plans are applied: coverage in the run equals the plan
    ds = ev.results["uniform"].dataset
    got = ds["coverage"].sel(node=list(ev.coverage["uniform"])).isel(member=0, month=5).values
    np.testing.assert_allclose(got, list(ev.coverage["uniform"].values()), rtol=1e-6)


def test_evaluate_rejects_bad_plan_and_agency() -> None:
    sc = narcoflow.load_scenario("baseline", SHORT)
    with pytest.raises(narcoflow.NarcoFlowError, match="unknown plan"):
        evaluate_plans(sc, "cbp_ofo", plans=("best",), members=2)
    with pytest.raises(narcoflow.NarcoFlowError, match="unknown agency"):
        evaluate_plans(sc, "nobody", members=2)


def test_cli_evaluate_prints_the_table_and_writes_the_report(tmp_path: Path) -> None:
    args = ["optimize", "evaluate", "--agency", "cbp_ofo", "--members", "3", "--out", str(tmp_path)]
    for k, v in SHORT.items():
        args += ["--set", f"{k}={v}"]
    r = subprocess.run(
        [sys.executable, "-m", "narcoflow", *args], capture_output=True, text=True, timeout=600
    )
    assert r.returncode == 0, r.stderr
    assert "static promise" in r.stdout and "randomized" in r.stdout
    payload = json.loads((tmp_path / "evaluation.json").read_text())
    assert set(payload["plans"]) == set(PLANS)
    assert "plotly" in (tmp_path / "evaluation.html").read_text()
