"""Tests for the self-contained HTML report."""

from __future__ import annotations

import copy
import math
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest

from narcoflow.data.cbp_monthly import sw_fentanyl_fiscal_year_totals, sw_fentanyl_monthly_table
from narcoflow.data.record import CBP_FENTANYL_LBS, NFLIS_FENTANYL_SHARE
from narcoflow.report import write_report
from narcoflow.report.html import (
    SECTION_TITLES,
    deaths_figure,
    fit_fiscal_year_figure,
    fit_monthly_figure,
    fit_nflis_figure,
    fit_poe_share_figure,
    provisional_deaths_note,
)

# Appears once at the top of the inlined plotly.js bundle, and nowhere else.
PLOTLYJS_MARKERS = ("window.PlotlyConfig", "* plotly.js v")
# Figures of the full synthetic summary: 5 in the original sections, 6 in the fit section.
N_FIGURES = 11
FIT_FIGURES = {
    "fig-fit-fy-lbs": "cbp_fentanyl_lbs_by_fy",
    "fig-fit-fy-events": "cbp_fentanyl_events_by_fy",
    "fig-fit-monthly": "cbp_monthly_lbs",
    "fig-fit-quarterly": "cbp_quarterly_lbs",
    "fig-fit-poe-share": "cbp_sw_poe_share_by_fy",
    "fig-fit-nflis": "phi_by_year",
}


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

    def monthly(when: pd.Timestamp, months: int) -> dict[str, dict[str, float]]:
        total = months * 2_600.0 / 12 * math.exp(0.45 * (when.year + when.month / 12 - 2019.5))
        return {"sw_ofo": _stats(0.88 * total, 0.35), "sw_usbp": _stats(0.12 * total, 0.6)}

    month_index = pd.date_range(f"{first}-01", f"{last}-12", freq="MS")
    quarter_ends = [m for m in month_index[2:] if m.month in (3, 6, 9, 12)]
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
        "phi_by_year": {str(y): _stats(0.9 * _logistic(y, 2019, 0.5), 0.05) for y in years},
        "cbp_monthly_lbs": {m.strftime("%Y-%m"): monthly(m, 1) for m in month_index},
        "cbp_quarterly_lbs": {m.strftime("%Y-%m"): monthly(m, 3) for m in quarter_ends},
        "cbp_sw_poe_share_by_fy": {str(fy): _stats(0.87 + 0.02 * math.sin(fy), 0.03) for fy in fiscal_years},
        "posterior": {
            "file": "baseline.posterior.json",
            "until": 2023,
            "budget": 20_000,
            "simulations": 12_345,
            "parameters": ["trafficking.growth_rate", "organizations.sinaloa.initial_scale"],
        },
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
    assert report.count("Plotly.newPlot(") == N_FIGURES


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
    assert text.count("Plotly.newPlot(") == N_FIGURES - 1
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
    assert text.count("Plotly.newPlot(") == N_FIGURES - 1


def test_nan_and_junk_values(tmp_path: Path, summary: dict[str, Any]) -> None:
    broken = copy.deepcopy(summary)
    broken["deaths_t404_by_year"]["2016"] = {"p05": math.nan, "p50": None, "p95": "x"}
    broken["deaths_t404_by_year"]["2017"]["p95"] = math.nan
    broken["deaths_t404_by_year"]["not-a-year"] = {"p50": 1.0}
    broken["cbp_fentanyl_lbs_by_fy"]["2020"] = None
    broken["cbp_fentanyl_lbs_by_fy"]["2021"] = {"total": _stats(1.0, 0.1)}  # no components
    broken["crossing_share_by_year"]["2014"] = "n/a"
    broken["mass_balance_max_rel_error"] = math.nan
    broken["cbp_monthly_lbs"]["2020-01"] = {"sw_ofo": "x", "sw_usbp": None}
    broken["cbp_monthly_lbs"]["2020-13"] = broken["cbp_monthly_lbs"]["2020-02"]
    broken["cbp_monthly_lbs"]["not-a-month"] = broken["cbp_monthly_lbs"]["2020-02"]
    broken["phi_by_year"]["2015"]["p50"] = None
    broken["cbp_sw_poe_share_by_fy"]["2020"] = "n/a"
    broken["posterior"] = {"until": "junk", "simulations": "many"}
    text = write_report(broken, tmp_path / "r.html").read_text(encoding="utf-8")
    assert text.count("Plotly.newPlot(") == N_FIGURES
    assert "Parameters drawn from the posterior (calibration period not recorded)." in text
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


# --------------------------------------------------------------------------------------------
# Fit to the calibration record
# --------------------------------------------------------------------------------------------
def _traces(fig: go.Figure, name_part: str) -> list[Any]:
    return [t for t in fig.data if name_part in (t.name or "")]


def _one(fig: go.Figure, name: str) -> Any:
    found = [t for t in fig.data if t.name == name]
    assert len(found) == 1, [t.name for t in fig.data]
    return found[0]


def test_fit_section(report: str) -> None:
    text = " ".join(_parse(report).text)
    assert "Fit to the calibration record" in text
    for div_id in FIT_FIGURES:
        assert f'id="{div_id}"' in report, div_id
    # Sections in order, the fit section after the seizures.
    order = [report.index(f'<section id="{sid}"') for sid in ("deaths", "seizures", "fit", "routes", "table")]
    assert order == sorted(order)
    # The sources of the monthly CBP figures and NFLIS are listed.
    assert "fentanylfy19fy23.csv" in text
    assert "NFLIS" in text


def test_calibration_line(tmp_path: Path, summary: dict[str, Any]) -> None:
    calibrated = "Parameters drawn from the posterior calibrated through 2023 (12,345 simulations)."
    text = " ".join(_parse(write_report(summary, tmp_path / "a.html").read_text(encoding="utf-8")).text)
    assert text.count(calibrated) == 2  # in the header and in the fit section
    assert "baseline.posterior.json" in text
    assert "2 calibrated parameters" in text

    summary["posterior"] = None
    text = " ".join(_parse(write_report(summary, tmp_path / "b.html").read_text(encoding="utf-8")).text)
    assert text.count("Uncalibrated: parameters at the scenario's values.") == 2
    assert "posterior calibrated" not in text

    del summary["posterior"]
    text = write_report(summary, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "Calibration: not recorded in the summary." in text


def test_fit_fiscal_year_lbs(summary: dict[str, Any]) -> None:
    fig = fit_fiscal_year_figure(summary)
    assert fig is not None
    for key, short in (("sw_ofo", "OFO"), ("sw_usbp", "USBP")):
        median = _one(fig, f"Model, {short}: median")
        # Shown over the record's span (FY2019-FY2023) padded by two years.
        assert list(median.x) == list(range(2017, 2026))
        assert list(median.y) == [summary["cbp_fentanyl_lbs_by_fy"][str(fy)][key]["p50"] for fy in median.x]
        band = _one(fig, f"Model, {short}: 90% band (p05–p95)")
        assert band.fill == "toself"
        assert max(band.y) == max(summary["cbp_fentanyl_lbs_by_fy"][str(fy)][key]["p95"] for fy in median.x)
        record = _one(fig, f"CBP record, {short}")
        assert list(record.x) == [2019, 2020, 2021, 2022, 2023]
        assert not _traces(fig, "not fitted")  # calibrated through 2023: every point was fitted
    ofo = dict(zip(_one(fig, "CBP record, OFO").x, _one(fig, "CBP record, OFO").y, strict=True))
    usbp = dict(zip(_one(fig, "CBP record, USBP").x, _one(fig, "CBP record, USBP").y, strict=True))
    for fy in range(2019, 2024):
        assert ofo[fy] == CBP_FENTANYL_LBS[fy].southwest_poe_lbs
        assert ofo[fy] + usbp[fy] == pytest.approx(CBP_FENTANYL_LBS[fy].southwest_lbs)


def test_fit_fiscal_year_events(summary: dict[str, Any]) -> None:
    fig = fit_fiscal_year_figure(summary, events=True)
    assert fig is not None
    for component, short in (("OFO", "OFO"), ("USBP", "USBP")):
        record = _one(fig, f"CBP record, {short}")
        expected = sw_fentanyl_fiscal_year_totals("events", component)
        assert dict(zip(record.x, record.y, strict=True)) == {int(k): float(v) for k, v in expected.items()}
    median = _one(fig, "Model, USBP: median")
    assert median.y[0] == summary["cbp_fentanyl_events_by_fy"]["2017"]["sw_usbp"]["p50"]
    assert fig.layout.yaxis.title.text == "Seizure events"


def test_fit_held_out_points_are_hollow(summary: dict[str, Any]) -> None:
    summary["posterior"]["until"] = 2021
    fig = fit_fiscal_year_figure(summary)
    assert fig is not None
    assert list(_one(fig, "CBP record, OFO").x) == [2019, 2020, 2021]
    held = _one(fig, "CBP record, OFO, after 2021: not fitted")
    assert list(held.x) == [2022, 2023]
    assert held.marker.symbol == "circle-open"
    monthly = fit_monthly_figure(summary)
    assert monthly is not None
    held = _one(monthly, "CBP record, USBP, after 2021: not fitted")
    assert min(held.x) == pd.Timestamp("2021-10-01")  # October 2021 is in FY2022
    nflis = fit_nflis_figure(summary)
    assert nflis is not None
    assert list(_one(nflis, "NFLIS fentanyl share").x) == list(range(2013, 2021))


def test_fit_monthly(summary: dict[str, Any]) -> None:
    fig = fit_monthly_figure(summary)
    assert fig is not None
    table = sw_fentanyl_monthly_table("lbs")
    record = _one(fig, "CBP record, OFO")
    assert len(record.x) == 60
    assert record.y[0] == table["OFO"].iloc[0] == 137.63
    median = _one(fig, "Model, USBP: median")
    assert median.mode == "lines"
    # The record's span (Oct 2018-Sep 2023) padded by twelve months.
    assert pd.Timestamp(median.x[0]) == pd.Timestamp("2017-10-01")
    assert pd.Timestamp(median.x[-1]) == pd.Timestamp("2024-09-01")
    assert median.y[0] == summary["cbp_monthly_lbs"]["2017-10"]["sw_usbp"]["p50"]


def test_fit_quarterly(summary: dict[str, Any]) -> None:
    fig = fit_monthly_figure(summary, quarterly=True)
    assert fig is not None
    table = sw_fentanyl_monthly_table("lbs")
    record = _one(fig, "CBP record, OFO")
    assert len(record.x) == 20  # fiscal quarters FY2019-FY2023
    assert pd.Timestamp(record.x[0]) == pd.Timestamp("2018-12-01")
    assert record.y[0] == pytest.approx(table["OFO"].iloc[:3].sum())
    assert sum(record.y) == pytest.approx(table["OFO"].sum())
    median = _one(fig, "Model, OFO: median")
    assert median.y[0] == summary["cbp_quarterly_lbs"]["2017-12"]["sw_ofo"]["p50"]


def test_fit_nflis(summary: dict[str, Any]) -> None:
    fig = fit_nflis_figure(summary)
    assert fig is not None
    median = _one(fig, "Model φ (yearly mean): median")
    # The record's span (2013-2021) padded by two years, where the model has data (from 2013).
    assert list(median.x) == list(range(2013, 2024))
    assert list(median.y) == [summary["phi_by_year"][str(y)]["p50"] for y in median.x]
    record = _one(fig, "NFLIS fentanyl share")
    assert dict(zip(record.x, record.y, strict=True)) == {
        y: r.share for y, r in NFLIS_FENTANYL_SHARE.items() if not r.partial_year
    }
    partial = _one(fig, "NFLIS, partial year")
    assert list(partial.x) == [2021]
    assert partial.marker.symbol == "circle-open"
    assert fig.layout.yaxis.tickformat == ".0%"


def test_fit_poe_share(summary: dict[str, Any]) -> None:
    fig = fit_poe_share_figure(summary)
    assert fig is not None
    median = _one(fig, "Model share: median")
    # The record's span (FY2019-FY2023) padded by two fiscal years.
    assert list(median.x) == list(range(2017, 2026))
    assert list(median.y) == [summary["cbp_sw_poe_share_by_fy"][str(fy)]["p50"] for fy in median.x]
    record = _one(fig, "CBP record")
    assert list(record.x) == [2019, 2020, 2021, 2022, 2023]
    assert record.y[1] == pytest.approx(3771 / 4558)  # CBP FY2020: 3,771 of 4,558 lb at the ports
    assert fig.layout.yaxis.tickformat == ".0%"
    assert fig.layout.yaxis.rangemode == "normal"  # zoomed to the data, not from zero
    summary["posterior"]["until"] = 2021
    fig = fit_poe_share_figure(summary)
    assert fig is not None
    held = _one(fig, "CBP record, after 2021: not fitted")
    assert list(held.x) == [2022, 2023]
    assert held.marker.symbol == "circle-open"


def test_fit_one_component_missing(summary: dict[str, Any]) -> None:
    for entry in summary["cbp_monthly_lbs"].values():
        del entry["sw_usbp"]
    fig = fit_monthly_figure(summary)
    assert fig is not None
    titles = [a.text for a in fig.layout.annotations]
    assert "Border Patrol (USBP: between ports and checkpoints): no model data" in titles
    assert not _traces(fig, "Model, USBP")
    assert _traces(fig, "CBP record, USBP")  # the record is still shown


@pytest.mark.parametrize(("div_id", "key"), sorted(FIT_FIGURES.items()))
def test_fit_missing_key(tmp_path: Path, summary: dict[str, Any], div_id: str, key: str) -> None:
    del summary[key]
    text = write_report(summary, tmp_path / "r.html").read_text(encoding="utf-8")
    assert f'id="{div_id}"' not in text
    assert f"Not shown: the summary has no usable {key}" in text
    assert "Fit to the calibration record" in text
    expected = N_FIGURES - 1 - (key == "cbp_fentanyl_lbs_by_fy") * 2  # also both seizures figures
    assert text.count("Plotly.newPlot(") == expected
    assert text.count(PLOTLYJS_MARKERS[0]) == 1


def test_fit_figures_none_without_data() -> None:
    empty: dict[str, Any] = {"cbp_monthly_lbs": {"2020-01": {"sw_ofo": None}}, "phi_by_year": "x"}
    assert fit_fiscal_year_figure(empty) is None
    assert fit_fiscal_year_figure(empty, events=True) is None
    assert fit_monthly_figure(empty) is None
    assert fit_monthly_figure(empty, quarterly=True) is None
    assert fit_nflis_figure(empty) is None
    assert fit_poe_share_figure(empty) is None
    assert fit_poe_share_figure({"cbp_sw_poe_share_by_fy": {"2040": _stats(0.9, 0.1)}}) is None
    # Model data only outside the record's span is not drawn either.
    far = {"phi_by_year": {"2040": _stats(0.5, 0.1)}}
    assert fit_nflis_figure(far) is None


def test_poe_share_rows(report: str, summary: dict[str, Any]) -> None:
    assert "Share of Southwest-border fentanyl weight seized at ports of entry" in report
    for fy in range(2019, 2024):
        r = CBP_FENTANYL_LBS[fy]
        stats = summary["cbp_sw_poe_share_by_fy"][str(fy)]
        row = (
            f"<td>FY{fy}</td><td>{stats['p50']:.1%}</td>"
            f"<td>{stats['p05']:.1%} – {stats['p95']:.1%}</td>"
            f"<td>{r.southwest_poe_lbs / r.southwest_lbs:.1%}</td>"
        )
        assert row in report, row
    assert "<td>FY2020</td><td>87.1%</td>" in report  # 0.87 + 0.02 sin(2020)
    assert "<td>82.7%</td>" in report  # CBP FY2020: 3,771 of 4,558 lb


def test_poe_share_fallback_ratio_of_medians(tmp_path: Path, summary: dict[str, Any]) -> None:
    del summary["cbp_sw_poe_share_by_fy"]
    text = write_report(summary, tmp_path / "r.html").read_text(encoding="utf-8")
    lbs = summary["cbp_fentanyl_lbs_by_fy"]["2021"]
    ratio = lbs["sw_ofo"]["p50"] / lbs["total"]["p50"]
    assert f"<td>FY2021</td><td>{ratio:.1%}</td><td>– – –</td>" in text
    assert "ratio of the medians" in text


def test_provisional_deaths_note(summary: dict[str, Any], tmp_path: Path) -> None:
    # The synthetic 2024 median is 80,000 * logistic(5.5 * 0.8) = 79,023, against CDC's 48,000.
    summary["deaths_t404_by_year"]["2024"] = _stats(72_000.0, 0.6)  # band 45,000-115,200
    note = provisional_deaths_note(summary)
    assert "2024 (provisional, never fitted): model median 72,000 [90% band 45,000–115,200]" in note
    assert "against CDC's 48,000, +50%; the count lies inside the band." in note
    assert "no mechanism for the steep fall" in note
    assert note in write_report(summary, tmp_path / "r.html").read_text(encoding="utf-8")
    summary["deaths_t404_by_year"]["2024"] = _stats(50_000.0, 0.01)  # close, and a narrow band
    note = provisional_deaths_note(summary)
    assert "+4%; the count lies outside the band." in note
    assert "no mechanism" not in note
    summary["deaths_t404_by_year"] = {str(y): _stats(1000.0, 0.1) for y in range(2013, 2024)}
    assert provisional_deaths_note(summary) == ""  # the run ends before the provisional year
