"""Tests for the self-contained HTML report."""

from __future__ import annotations

import copy
import math
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from narcoflow.report import write_report
from narcoflow.report.html import SECTION_TITLES, deaths_figure

# Appears once at the top of the inlined plotly.js bundle, and nowhere else.
PLOTLYJS_MARKERS = ("window.PlotlyConfig", "* plotly.js v")


# --------------------------------------------------------------------------------------------
# A synthetic summary, built from formulas
# --------------------------------------------------------------------------------------------
def _stats(median: float, spread: float) -> dict[str, float]:
    """Stats of a lognormal-ish spread around ``median``: p05 = median/(1+s), p95 = median*(1+s)."""
    return {
        "mean": median * (1 + spread / 4),
        "p05": median / (1 + spread),
        "p50": median,
        "p95": median * (1 + spread),
    }


def _logistic(year: int, mid: float, rate: float) -> float:
    return 1 / (1 + math.exp(-rate * (year - mid)))


def make_summary(first: int = 2013, last: int = 2030) -> dict[str, Any]:
    """A summary with the documented shape, from smooth curves of the year."""
    years = range(first, last + 1)
    fiscal_years = range(first + 1, last + 1)
    deaths = {str(y): _stats(80_000 * _logistic(y, 2018.5, 0.8), 0.15) for y in years}
    opioid = {str(y): _stats(20_000 + 70_000 * _logistic(y, 2018.5, 0.8), 0.12) for y in years}

    def seizures(fy: int, scale: float) -> dict[str, dict[str, float]]:
        total = scale * math.exp(0.45 * (min(fy, 2023) - 2019))
        poe = 0.87 + 0.02 * math.sin(fy)
        return {
            "total": _stats(total, 0.3),
            "sw_ofo": _stats(total * poe, 0.3),
            "sw_usbp": _stats(total * (1 - poe), 0.4),
        }

    route = {str(y): _stats(0.2 + 0.6 * _logistic(y, 2020, 0.6), 0.1) for y in years}
    crossing = {}
    for y in years:
        poe = 0.9 - 0.01 * (y - first)
        crossing[str(y)] = {
            "port_of_entry": _stats(poe, 0.03),
            "between_ports": _stats(1 - poe, 0.2),
        }
    return {
        "scenario": "baseline",
        "scenario_hash": "ab12cd34ef56ab12cd34ef56",
        "seed": 0,
        "members": 100,
        "version": "0.1.0",
        "start": f"{first}-01",
        "end": f"{last}-12",
        "deaths_t404_by_year": deaths,
        "deaths_opioid_by_year": opioid,
        "cbp_fentanyl_lbs_by_fy": {str(fy): seizures(fy, 2_600.0) for fy in fiscal_years},
        "cbp_fentanyl_events_by_fy": {str(fy): seizures(fy, 400.0) for fy in fiscal_years},
        "precursor_route_share_by_year": route,
        "crossing_share_by_year": crossing,
        "mass_balance_max_rel_error": 3.1e-15,
    }


# --------------------------------------------------------------------------------------------
# Inspecting the written HTML
# --------------------------------------------------------------------------------------------
class _Markup(HTMLParser):
    """Collects tags with their attributes, and text outside <script> and <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._raw: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._raw = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw is None:
            self.text.append(data)


def _parse(text: str) -> _Markup:
    markup = _Markup()
    markup.feed(text)
    markup.close()
    return markup


def _without_plotlyjs(text: str) -> str:
    """The document with the inline plotly.js bundle cut out.

    The bundle itself holds URLs (map tiles, topojson on a CDN) that are only used by map
    traces, which the report does not draw; everything else must be free of them.
    """
    start = text.index(PLOTLYJS_MARKERS[1])
    end = text.index("</script>", start)
    return text[:start] + text[end:]


@pytest.fixture
def summary() -> dict[str, Any]:
    return make_summary()


@pytest.fixture
def report(tmp_path: Path, summary: dict[str, Any]) -> str:
    path = write_report(summary, tmp_path / "out" / "report.html")
    assert path == tmp_path / "out" / "report.html"
    assert path.is_file()
    return path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------
def test_report_is_written(report: str) -> None:
    assert report.startswith("<!DOCTYPE html>")
    assert report.rstrip().endswith("</html>")


def test_plotlyjs_inline_exactly_once(report: str) -> None:
    for marker in PLOTLYJS_MARKERS:
        assert report.count(marker) == 1, marker
    # Every figure is drawn: each has its own div and Plotly call.
    assert report.count("Plotly.newPlot(") == 5


def test_no_external_resources(report: str) -> None:
    markup = _parse(report)
    for tag, attrs in markup.tags:
        for name in ("src", "href"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), (tag, attrs)
        assert tag != "link", attrs
        if tag == "script":
            assert "src" not in attrs, attrs
    rest = _without_plotlyjs(report)
    assert 'src="http' not in rest
    assert 'href="http' not in rest
    assert "cdn" not in rest.lower()


def test_section_titles(report: str) -> None:
    text = " ".join(_parse(report).text)
    for title in SECTION_TITLES.values():
        assert title in text, title
    assert "Overdose deaths involving synthetic opioids (T40.4)" in text
    assert "CBP fentanyl seizures, Southwest border, by fiscal year" in text
    assert "Route shares over time" in text


def test_header(report: str, summary: dict[str, Any]) -> None:
    text = " ".join(_parse(report).text)
    assert "baseline" in text
    assert "3.10e-15" in text
    assert str(summary["members"]) in text
    assert summary["version"] in text


def test_record_figures_in_data(report: str) -> None:
    # 2022 T40.4 deaths (CDC final) in the figure data and formatted in the table.
    assert re.search(r"\b73838\b", report)
    assert "73,838" in report
    # The provisional 2024 count and the FY2024 press figure are marked as such.
    assert "provisional" in report
    assert re.search(r"\b48000\b", report)
    assert re.search(r"\b21148\b", report)
    assert "circle-open" in report


def test_key_figures_table(report: str, summary: dict[str, Any]) -> None:
    median_2020 = summary["deaths_t404_by_year"]["2020"]["p50"]
    assert f"{median_2020:,.0f}" in report
    assert f"{median_2020 / 56_516:.2f}" in report


def test_missing_crossing_shares(tmp_path: Path, summary: dict[str, Any]) -> None:
    del summary["crossing_share_by_year"]
    text = write_report(summary, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "crossing_share_by_year" in text  # the note naming what is missing
    assert "Route shares over time" in text
    assert "fig-crossing-shares" not in text
    assert text.count("Plotly.newPlot(") == 4
    assert text.count(PLOTLYJS_MARKERS[0]) == 1


def test_missing_everything_optional(tmp_path: Path) -> None:
    text = write_report({"scenario": "empty"}, tmp_path / "r.html").read_text(encoding="utf-8")
    for title in SECTION_TITLES.values():
        assert title in text
    assert "Plotly.newPlot(" not in text
    assert "73,838" in text  # the record still shows in the table


def test_first_figure_missing_still_embeds_plotlyjs(tmp_path: Path, summary: dict[str, Any]) -> None:
    del summary["deaths_t404_by_year"]
    text = write_report(summary, tmp_path / "r.html").read_text(encoding="utf-8")
    assert text.count(PLOTLYJS_MARKERS[0]) == 1
    assert text.count("Plotly.newPlot(") == 4


def test_nan_and_junk_values(tmp_path: Path, summary: dict[str, Any]) -> None:
    broken = copy.deepcopy(summary)
    broken["deaths_t404_by_year"]["2016"] = {"p05": math.nan, "p50": None, "p95": "x"}
    broken["deaths_t404_by_year"]["2017"]["p95"] = math.nan
    broken["deaths_t404_by_year"]["not-a-year"] = {"p50": 1.0}
    broken["cbp_fentanyl_lbs_by_fy"]["2020"] = None
    broken["cbp_fentanyl_lbs_by_fy"]["2021"] = {"total": _stats(1.0, 0.1)}  # no components
    broken["crossing_share_by_year"]["2014"] = "n/a"
    broken["mass_balance_max_rel_error"] = math.nan
    text = write_report(broken, tmp_path / "r.html").read_text(encoding="utf-8")
    assert text.count("Plotly.newPlot(") == 5
    assert "<td>2016</td><td>–</td><td>– – –</td><td>19,413</td>" in text
    assert "n/a" in text


def test_all_nan_section_is_skipped(summary: dict[str, Any]) -> None:
    summary["deaths_t404_by_year"] = {
        str(y): dict.fromkeys(("mean", "p05", "p50", "p95"), math.nan) for y in range(2013, 2031)
    }
    assert deaths_figure(summary) is None


def test_title_is_escaped(tmp_path: Path, summary: dict[str, Any]) -> None:
    summary["scenario"] = "<b>x</b>"
    text = write_report(summary, tmp_path / "r.html", title="A & B").read_text(encoding="utf-8")
    assert "<title>A &amp; B</title>" in text
    assert "&lt;b&gt;x&lt;/b&gt;" in text
