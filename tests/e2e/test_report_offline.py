"""report.html opened offline in Chromium: the map and the Sankey render, nothing is fetched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import narcoflow
from narcoflow.report import write_report
from narcoflow.report.system import system_view


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sc = narcoflow.load_scenario("baseline", {"suppliers.count": 1000})
    res = narcoflow.simulate(sc, members=4, seed=3)
    path = tmp_path_factory.mktemp("report") / "report.html"
    return write_report(res.summary(), path, system=system_view(res, sc))


def test_map_and_sankey_render_offline(tab: Any, report: Path, artifacts: Path) -> None:
    page = tab.page
    page.goto(report.as_uri())
    page.wait_for_selector("#fig-system-map .main-svg")
    page.wait_for_selector("#fig-system-sankey .sankey")
    # the map: country outlines and this year's edges and nodes are drawn as SVG paths
    paths = page.locator("#fig-system-map .scatterlayer path").count()
    assert paths > 20
    outline = page.locator("#fig-system-map .scatterlayer .trace").first.locator("path.js-fill")
    assert outline.count() == 1 and len(outline.get_attribute("d") or "") > 1000
    nodes = page.locator("#fig-system-sankey .sankey-node").count()
    assert nodes > 20
    links = page.locator("#fig-system-sankey .sankey-link").count()
    assert links > 20
    # the year slider moves the map to another year: the node markers change size
    before = page.locator("#fig-system-map .scatterlayer .trace .point").evaluate_all(
        "els => els.map(e => e.getAttribute('d')).join('|')"
    )
    page.locator("#fig-system-map .slider-group .slider-rail-touch-rect").click(position={"x": 30, "y": 5})
    page.wait_for_timeout(500)
    after = page.locator("#fig-system-map .scatterlayer .trace .point").evaluate_all(
        "els => els.map(e => e.getAttribute('d')).join('|')"
    )
    assert after != before
    page.locator("#system").screenshot(path=str(artifacts / "report-system.png"))
    page.locator("#fig-system-map").screenshot(path=str(artifacts / "report-map.png"))
    page.locator("#fig-system-sankey").screenshot(path=str(artifacts / "report-sankey.png"))
    tab.assert_clean()
