"""The dashboard in a real Chromium: levers, background runs, results, comparison, planning, uploads.

A real ``narcoflow dashboard`` process serves on a free loopback port with a fresh cache; the page's
network is cut off from everything but that server (see ``conftest.py``).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

RUN_TIMEOUT_MS = 180_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_dashboard(cache: Path, *options: str) -> Iterator[str]:
    """Run ``narcoflow dashboard`` on a free loopback port (members capped at 20) until the caller is done."""
    port = _free_port()
    cache.mkdir(parents=True, exist_ok=True)
    log = (cache / "server.log").open("w")
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "narcoflow", "dashboard", "--port", str(port), "--cache", str(cache)),
            *("--max-members", "20", "--workers", "2", "--job-timeout", "300", *options),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("the dashboard did not start: " + (cache / "server.log").read_text())
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A dashboard process on 127.0.0.1 with a fresh cache, stopped after the module."""
    yield from start_dashboard(tmp_path_factory.mktemp("dashboard-cache"))


def _median_at(page: Any, graph: str, year: int) -> float:
    """The plotted median of ``graph`` (a dcc.Graph id) at ``year``, read from the page's plotly data."""
    return page.evaluate(
        """([graph, year]) => {
            const el = document.querySelector('#' + graph + ' .js-plotly-plot');
            const tr = el.data.find(t => (t.name || '').endsWith('median'));
            return tr.y[tr.x.indexOf(year)];
        }""",
        [graph, year],
    )


def _run(page: Any) -> None:
    page.click("#run-button")
    page.wait_for_selector("#job-status .state.done", timeout=RUN_TIMEOUT_MS)
    page.wait_for_function("document.querySelector('#scenario-deaths .js-plotly-plot')?.data?.length > 1")


def _lever_input(page: Any, name: str) -> Any:
    return page.locator(f'.lever:has(.lever-name:text-is("{name}")) input[type=number]')


def test_lever_run_moves_the_chart_then_compare(server: str, tab: Any, artifacts: Path) -> None:
    page = tab.page
    page.goto(server + "/")
    page.wait_for_selector(".lever")
    assert page.locator(".lever").count() == 23  # every lever of the baseline, generated
    page.fill("#members", "4")
    _run(page)
    before = _median_at(page, "scenario-deaths", 2026)
    naloxone = _lever_input(page, "harm.naloxone_effect")
    naloxone.fill("0.5")
    naloxone.press("Enter")
    page.wait_for_timeout(300)
    page.click("#run-button")
    page.wait_for_function(
        "([v]) => { const el = document.querySelector('#scenario-deaths .js-plotly-plot');"
        " const tr = el && el.data && el.data.find(t => (t.name || '').endsWith('median'));"
        " return tr && tr.y[tr.x.indexOf(2026)] !== v; }",
        arg=[before],
        timeout=RUN_TIMEOUT_MS,
    )
    after = _median_at(page, "scenario-deaths", 2026)
    assert after < 0.95 * before  # ten times the naloxone effect: fewer deaths
    page.screenshot(path=str(artifacts / "dashboard-scenario.png"), full_page=True)

    page.click("#nav-compare")
    page.wait_for_selector("#compare-deaths-diff .js-plotly-plot")
    assert "common random numbers" in page.inner_text("#compare-note")
    diff = _median_at(page, "compare-deaths-diff", 2026)
    side_a = page.evaluate("() => document.querySelector('#compare-deaths-side .js-plotly-plot').data.length")
    assert side_a == 4  # A and B: a band and a median each
    assert diff < 0  # B (more naloxone) − A (defaults), member by member
    page.screenshot(path=str(artifacts / "dashboard-compare.png"), full_page=True)

    page.click("#nav-results")
    page.wait_for_selector("#results-map .js-plotly-plot")
    page.wait_for_selector("#results-sankey .sankey-node")
    assert page.locator("#results-map .scatterlayer path").count() > 20
    with page.expect_download() as dl:
        page.click("#download-csv-button")
    csv = Path(dl.value.path()).read_text()
    assert csv.startswith("series,period,component,mean,p05,p50,p95") and "deaths_t404_by_year" in csv
    page.screenshot(path=str(artifacts / "dashboard-results.png"), full_page=True)
    tab.assert_clean()


def test_broken_upload_shows_its_located_error(
    server: str, tab: Any, artifacts: Path, baseline_text: str
) -> None:
    page = tab.page
    page.goto(server + "/")
    page.wait_for_selector(".lever")
    broken = baseline_text.replace("  count: 5000\n", "  count: -5\n")
    line = broken.splitlines().index("  count: -5") + 1
    page.set_input_files(
        "#scenario-upload input[type=file]",
        files=[{"name": "broken.yaml", "mimeType": "text/yaml", "buffer": broken.encode()}],
    )
    error = page.wait_for_selector(".located-error")
    text = error.inner_text()
    assert text.startswith(f"broken.yaml:{line}: suppliers.count:"), text
    assert "greater than or equal to 1" in text
    page.screenshot(path=str(artifacts / "dashboard-upload-error.png"), full_page=True)
    # a good upload replaces the levers with its own
    good = baseline_text.replace("name: baseline", "name: uploaded")
    page.set_input_files(
        "#scenario-upload input[type=file]",
        files=[{"name": "mine.yaml", "mimeType": "text/yaml", "buffer": good.encode()}],
    )
    page.wait_for_selector("#upload-status .ok")
    page.wait_for_selector('#scenario-info:has-text("mine.yaml: 39 nodes")')
    tab.assert_clean()


def test_planning_page(server: str, tab: Any, artifacts: Path) -> None:
    page = tab.page
    page.goto(server + "/planning")
    page.wait_for_selector("#plan-allocate")
    page.click("#plan-allocate")
    page.wait_for_selector("#allocation-table tbody tr")
    assert page.locator("#allocation-table tbody tr").count() >= 4  # the agency's nodes
    page.click("#plan-maxflow")
    page.wait_for_selector("#maxflow-summary")
    assert "Max flow after interdiction" in page.inner_text("#maxflow-summary")
    page.fill("#plan-members", "2")
    page.click("#plan-evaluate")
    page.wait_for_selector("#plan-evaluation-graph .js-plotly-plot", timeout=RUN_TIMEOUT_MS)
    bars = page.evaluate("() => document.querySelector('#plan-evaluation-graph .js-plotly-plot').data.length")
    assert bars >= 4
    page.screenshot(path=str(artifacts / "dashboard-planning.png"), full_page=True)
    page.goto(server + "/experiments")
    page.wait_for_selector("main .missing")
    page.screenshot(path=str(artifacts / "dashboard-experiments.png"), full_page=True)
    tab.assert_clean()
