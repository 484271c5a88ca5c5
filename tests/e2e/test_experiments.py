"""The Experiments page in Chromium, on a small store made by ``narcoflow explore`` (when available)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_dashboard import start_dashboard

from narcoflow.app.experiments import available

pytestmark = pytest.mark.skipif(not available(), reason="needs the experiments store (narcoflow explore)")

SPEC = """\
scenario: baseline
vary:
  - {trafficking.route_dispersion: [5, 20]}
  - {trafficking.risk_memory: [0.1, 0.6]}
design: {method: sobol, n: 4, seed: 1}
policies: [status-quo, border.yaml]
members: 2
seed: 0
outcomes: [deaths_t404_2026_2030, violence_2027]
"""
POLICY = """\
name: border
start: 2026-01
effects:
  - {type: scale_level, level: intensity.cbp_ofo, factor: 3}
"""


@pytest.fixture(scope="module")
def store_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("experiments")
    (folder / "spec.yaml").write_text(SPEC)
    (folder / "border.yaml").write_text(POLICY)
    store = folder / "store.duckdb"
    run = subprocess.run(
        [sys.executable, "-m", "narcoflow", "explore", str(folder / "spec.yaml"), "--store", str(store)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    yield from start_dashboard(folder / "cache", "--store", str(store))


def test_experiments_page_draws_the_store(store_server: str, tab: Any, artifacts: Path) -> None:
    page = tab.page
    page.goto(store_server + "/experiments")
    page.wait_for_selector("#exp-compare .js-plotly-plot")
    page.wait_for_selector("#exp-indices .js-plotly-plot")
    page.wait_for_selector("#exp-prim .js-plotly-plot")
    boxes = page.evaluate(
        "() => document.querySelector('#exp-compare .js-plotly-plot').data"
        ".filter(t => t.type === 'box').length"
    )
    assert boxes == 2  # one per policy
    sobol = page.evaluate(
        "() => document.querySelector('#exp-indices .js-plotly-plot').data.map(t => t.y.length)"
    )
    assert sobol == [2, 2]  # S1 and ST for both parameters
    page.screenshot(path=str(artifacts / "dashboard-experiments-store.png"), full_page=True)
    tab.assert_clean()
