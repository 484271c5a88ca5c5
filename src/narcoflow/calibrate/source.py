"""Comparison with the SOURCE opioid model's 2022–2032 policy projections.

SOURCE (Lim et al., PNAS 2022; Stringfellow et al., Science Advances 2022) projects US opioid overdose
deaths from 2022 to 2032 and the deaths averted by 20% policy changes. Two of its levers have a
counterpart in NarcoFlow's harm module, and :func:`compare_with_source` runs them against the
baseline with common random numbers:

- *fentanyl overdose risk −20%*: a ``ramp_level`` event on ``harm.final_risk`` (×0.8 over 36 months
  from 2022-01);
- *naloxone +20%*: a ``ramp_level`` event on ``harm.naloxone`` (×1.2 over 36 months from 2022-01), i.e.
  naloxone's availability is scaled by 1.2: the share of overdose deaths that survive naloxone goes
  from (1 − e) to (1 − e)^1.2 (for a small share e averted, about e × 1.2 averted).

The levers are scenario overrides that add one event each (:data:`LEVERS`, :meth:`Lever.overrides`),
usable with :func:`narcoflow.load_scenario` or ``narcoflow run --set``. Every run's horizon is extended
to December 2032. Deaths averted are summed over SOURCE's window: SOURCE's "2022–2032" figures are the
integral of its annual death rate from 2022.0 to 2032.0 (ten years, verified against
``X8_polprojann.tab``), which is calendar years 2022–2031 here; the eleven calendar years 2022–2032
are reported beside it. Differences are explained in ``docs/source-comparison.md``; nothing here is
tuned to match.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from narcoflow.calibrate.posterior import Posterior
from narcoflow.errors import NarcoFlowError, ScenarioError
from narcoflow.scenario.loader import apply_overrides, scenario_hash
from narcoflow.scenario.schema import Scenario, parse_month

__all__ = [
    "FIRST_YEAR",
    "HORIZON_END",
    "LAST_YEAR",
    "LEVERS",
    "SOURCE_ALL_STRATEGIES",
    "SOURCE_BASELINE",
    "SOURCE_FENTANYL_RISK",
    "SOURCE_NALOXONE",
    "Lever",
    "SourceBaseline",
    "SourceFigure",
    "compare_with_source",
    "horizon_overrides",
    "source_command",
    "source_scenario",
]

# --------------------------------------------------------------------------------------------
# SOURCE's published figures
# --------------------------------------------------------------------------------------------
_SOURCE_REF = (
    "SOURCE model (FDA): Lim TY, Stringfellow EJ, Stafford CA, et al., 'Modeling the evolution of the "
    "US opioid crisis for national policy development', PNAS 119(23):e2115714119 (2022); Stringfellow "
    "EJ, Lim TY, Humphreys K, et al., 'Reducing opioid use disorder and overdose deaths in the United "
    "States: A dynamic modeling analysis', Science Advances 8(25):eabm8147 (2022); published fit and "
    "2022-2032 policy projections X8_polprojann.tab (expected-value rows, 'Total overdose deaths')"
)


@dataclass(frozen=True, slots=True)
class SourceBaseline:
    """SOURCE's 2022–2032 baseline projection of opioid overdose deaths (expected value).

    ``deaths`` is the integral of the annual death rate from 2022.0 to 2032.0 (trapezoid rule over
    the quarterly rows of ``X8_polprojann.tab``); ``rate_2022`` and ``rate_2032`` are the annual rates
    at the start and end of the window.
    """

    deaths: int
    rate_2022: int
    rate_2032: int
    source: str


@dataclass(frozen=True, slots=True)
class SourceFigure:
    """Deaths averted 2022–2032 by one SOURCE policy scenario (a 20% change, 3-year linear phase-in).

    ``scenario`` is the scenario's name in ``X8_polprojann.tab``; ``percent`` is the published share
    of the baseline's deaths (one decimal).
    """

    key: str
    scenario: str
    description: str
    averted: int
    percent: float
    source: str

    @property
    def share(self) -> float:
        """Deaths averted as a share of SOURCE's baseline (unrounded)."""
        return self.averted / SOURCE_BASELINE.deaths


SOURCE_BASELINE = SourceBaseline(deaths=541_164, rate_2022=63_296, rate_2032=44_571, source=_SOURCE_REF)
SOURCE_FENTANYL_RISK = SourceFigure(
    "fentanyl_risk", "Fent OD Risk", "fentanyl overdose risk -20%", 61_580, 11.4, _SOURCE_REF
)
SOURCE_NALOXONE = SourceFigure("naloxone", "Nx Kits", "naloxone +20%", 14_499, 2.7, _SOURCE_REF)
SOURCE_ALL_STRATEGIES = SourceFigure(
    "all_strategies", "Package", "all strategies combined", 117_847, 21.8, _SOURCE_REF
)

# --------------------------------------------------------------------------------------------
# NarcoFlow's levers
# --------------------------------------------------------------------------------------------
FIRST_YEAR = 2022  # first calendar year of SOURCE's window
LAST_YEAR = 2031  # last calendar year of SOURCE's window (2022.0 to 2032.0)
HORIZON_END = "2032-12"  # every run is extended to here (calendar 2032 is reported beside)


@dataclass(frozen=True, slots=True)
class Lever:
    """A SOURCE-like policy lever: one ``ramp_level`` event added to a scenario."""

    key: str
    event_id: str
    level: str
    factor: float
    factor_range: tuple[float, float]
    months: int
    date: str
    description: str
    source_figure: SourceFigure

    def event(self) -> dict[str, Any]:
        """The event as scenario data (the mapping a YAML file would hold under ``events``)."""
        return {
            "date": self.date,
            "description": self.description,
            "source": f"SOURCE comparison: {self.source_figure.scenario} ({self.source_figure.description})",
            "effects": [
                {
                    "type": "ramp_level",
                    "level": self.level,
                    "months": self.months,
                    "factor": {
                        "value": self.factor,
                        "unit": "1",
                        "range": list(self.factor_range),
                        "kind": "lever",
                        "source": "SOURCE comparison lever (Lim et al., PNAS 2022): a 20% change",
                        "description": f"Multiplier of {self.level} reached after {self.months} months",
                    },
                }
            ],
        }

    def overrides(self) -> dict[str, Any]:
        """``{dotted path: value}`` overrides that add the lever's event to a scenario."""
        return {f"events.{self.event_id}": self.event()}


LEVERS: dict[str, Lever] = {
    "fentanyl_risk": Lever(
        key="fentanyl_risk",
        event_id="source_fentanyl_risk",
        level="harm.final_risk",
        factor=0.8,
        factor_range=(0.5, 1.0),
        months=36,
        date="2022-01",
        description="SOURCE lever: fentanyl overdose risk -20% from 2022, 3-year linear ramp",
        source_figure=SOURCE_FENTANYL_RISK,
    ),
    "naloxone": Lever(
        key="naloxone",
        event_id="source_naloxone",
        level="harm.naloxone",
        factor=1.2,
        factor_range=(1.0, 2.0),
        months=36,
        date="2022-01",
        description="SOURCE lever: naloxone +20% (naloxone availability x1.2) from 2022, 3-year linear ramp",
        source_figure=SOURCE_NALOXONE,
    ),
}

OUTCOMES = {"all_opioid": "total", "t404": "final"}  # outcome -> Results.deaths_by_year(which)
_OUTCOME_LABELS = {"all_opioid": "all opioid", "t404": "T40.4"}
_LEVER_LABELS = {"fentanyl_risk": "fentanyl risk −20%", "naloxone": "naloxone +20%"}


def horizon_overrides(scenario: Scenario, end: str = HORIZON_END) -> dict[str, Any]:
    """The ``calendar.months`` override that runs the scenario through ``end`` (never shortens it)."""
    y0, m0 = parse_month(scenario.calendar.start)
    y1, m1 = parse_month(end)
    if (y0, m0) > (FIRST_YEAR, 1):
        raise NarcoFlowError(
            f"the scenario starts after {FIRST_YEAR}-01; the SOURCE comparison needs {FIRST_YEAR}-2032",
            field="calendar.start",
        )
    months = (y1 - y0) * 12 + (m1 - m0) + 1
    return {"calendar.months": max(months, scenario.calendar.months)}


def source_scenario(scenario: Scenario, lever: str | None = None) -> Scenario:
    """A copy of ``scenario`` run through December 2032, with the named lever's event added.

    ``lever`` is a key of :data:`LEVERS`, or None for the baseline (horizon only). The copy is built
    with the same override mechanism as ``--set`` and validated like a scenario file.
    """
    overrides = horizon_overrides(scenario)
    if lever is not None:
        if lever not in LEVERS:
            raise NarcoFlowError(f"unknown lever '{lever}' (have: {', '.join(LEVERS)})", field="lever")
        lv = LEVERS[lever]
        if lv.event_id in scenario.events:
            raise NarcoFlowError(
                "the scenario already has an event with the lever's id", field=f"events.{lv.event_id}"
            )
        overrides |= lv.overrides()
    data = scenario.model_dump(by_alias=True)
    apply_overrides(data, overrides)
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise ScenarioError(
            first["msg"], file=scenario.origin or None, field=".".join(map(str, first["loc"]))
        ) from None
    refs = sc.reference_errors()
    if refs:
        raise ScenarioError(refs[0][1], file=scenario.origin or None, field=refs[0][0])
    sc._base_dir = scenario.base_dir
    sc._origin = scenario.origin
    return sc


# --------------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------------
def _window_sum(res: Any, which: str, first: int, last: int) -> np.ndarray:
    """Deaths per member summed over calendar years first..last."""
    by_year = res.deaths_by_year(which)
    years = [int(y) for y in by_year["year"].values]
    missing = [y for y in range(first, last + 1) if y not in years]
    if missing:
        raise NarcoFlowError(f"the run does not cover the years {missing}", field="calendar.months")
    return by_year.sel(year=list(range(first, last + 1))).sum("year").values.astype(np.float64)


def _level_at(res: Any, level: str, month: str) -> np.ndarray:
    """A level's value per member in a given month (first day)."""
    da = res.dataset["levels"].sel(level=level, month=np.datetime64(f"{month}-01"))
    return da.values.astype(np.float64)


def _yearly(da: Any) -> dict[str, float]:
    """{year: value} of a DataArray over ``year``."""
    return {str(int(y)): float(v) for y, v in zip(da["year"].values, da.values, strict=True)}


def _lever_row(key: str, outcome: str, which: str, runs: dict[str | None, Any]) -> dict[str, Any]:
    """One (lever, outcome) row of :func:`compare_with_source` from the baseline and lever runs."""
    lv = LEVERS[key]
    fig = lv.source_figure
    end_month = f"{LAST_YEAR}-12"
    level_ratio = _level_at(runs[key], lv.level, end_month) / _level_at(runs[None], lv.level, end_month)
    base = _window_sum(runs[None], which, FIRST_YEAR, LAST_YEAR)
    averted = base - _window_sum(runs[key], which, FIRST_YEAR, LAST_YEAR)
    pct = 100.0 * averted / np.where(base > 0, base, np.nan)
    base_cal = _window_sum(runs[None], which, FIRST_YEAR, 2032)
    averted_cal = base_cal - _window_sum(runs[key], which, FIRST_YEAR, 2032)
    a05, a50, a95 = np.percentile(averted, [5, 50, 95])
    p05, p50, p95 = np.nanpercentile(pct, [5, 50, 95])
    return {
        "lever": key,
        "lever_description": fig.description,
        "outcome": outcome,
        "baseline_p50": float(np.median(base)),
        "averted_p50": float(a50),
        "averted_p05": float(a05),
        "averted_p95": float(a95),
        "pct_p50": float(p50),
        "pct_p05": float(p05),
        "pct_p95": float(p95),
        "source_scenario": fig.scenario,
        "source_baseline": SOURCE_BASELINE.deaths,
        "source_averted": fig.averted,
        "source_pct": fig.percent,
        "ratio": float(a50 / fig.averted),
        "ratio_pct": float(p50 / (100.0 * fig.share)),
        "averted_p50_2022_2032_calendar": float(np.median(averted_cal)),
        "pct_p50_2022_2032_calendar": float(
            np.nanmedian(100.0 * averted_cal / np.where(base_cal > 0, base_cal, np.nan))
        ),
        "level": lv.level,
        "level_target": lv.factor,
        "level_ratio_end": float(np.median(level_ratio)),
    }


def _by_year(runs: dict[str | None, Any], levers: tuple[str, ...]) -> dict[str, Any]:
    """Per outcome: the baseline's median deaths and each lever's median % averted, per calendar year."""
    by_year: dict[str, Any] = {}
    for outcome, which in OUTCOMES.items():
        base_y = runs[None].deaths_by_year(which).sel(year=list(range(FIRST_YEAR, 2033)))
        entry: dict[str, Any] = {"baseline_p50": _yearly(base_y.median("member"))}
        for key in levers:
            pct_y = 100.0 * (base_y - runs[key].deaths_by_year(which).sel(year=base_y["year"])) / base_y
            entry[f"{key}_pct_p50"] = _yearly(pct_y.median("member"))
        by_year[outcome] = entry
    return by_year


def _check_request(members: int, seed: int, levers: tuple[str, ...]) -> None:
    if isinstance(members, bool) or not isinstance(members, int | np.integer) or members < 1:
        raise NarcoFlowError("members must be a positive integer", field="members")
    if seed < 0:
        raise NarcoFlowError("seed must be non-negative", field="seed")
    unknown = [k for k in levers if k not in LEVERS]
    if unknown or not levers:
        raise NarcoFlowError(f"unknown levers {unknown} (have: {', '.join(LEVERS)})", field="levers")


def compare_with_source(
    scenario: Scenario,
    members: int,
    seed: int,
    posterior: Posterior | None = None,
    *,
    use_scenario_posterior: bool = True,
    levers: tuple[str, ...] = ("fentanyl_risk", "naloxone"),
) -> pd.DataFrame:
    """Deaths averted by the SOURCE-like levers against the baseline, next to SOURCE's figures.

    Baseline and levers run with common random numbers: the same seed, the same members and the same
    per-member parameters. These come from ``posterior`` (a :class:`~narcoflow.calibrate.Posterior`)
    if given, else from the posterior the scenario ships (unless ``use_scenario_posterior`` is False),
    else the scenario's point values. Each member's deaths averted = baseline − lever, summed over
    calendar years 2022–2031 (SOURCE's 2022.0–2032.0 window); the 2022–2032 calendar-year sum is
    reported beside it.

    Returns one row per (lever, outcome), outcome ``all_opioid`` (``deaths_total``) or ``t404``
    (``deaths_final``), with columns: NarcoFlow baseline deaths (median), deaths averted (median, 5th
    and 95th percentile over members), the same as % of the member's baseline, SOURCE's baseline,
    deaths averted and %, the ratios NarcoFlow/SOURCE of deaths averted and of %, and the lever's
    level relative to the baseline's at the end of the window. ``attrs`` holds the run's metadata
    (scenario hash, posterior, window) and ``by_year``: per outcome, the baseline's median deaths and
    each lever's median % averted per calendar year 2022–2032.
    SOURCE's figures are for all opioid overdose deaths; T40.4 rows compare against the same figures.
    """
    from narcoflow.calibrate import scenario_posterior
    from narcoflow.engine import simulate

    _check_request(members, seed, levers)
    post_file: str | None = None
    if posterior is not None:
        posterior.check(scenario)
        post_file = "given"
    elif use_scenario_posterior:
        found = scenario_posterior(scenario)
        if found is not None:
            posterior, post_file = found
    idx = np.arange(int(members))
    table = None if posterior is None else posterior.member_table(idx, seed)
    base_sc = source_scenario(scenario)
    runs: dict[str | None, Any] = {None: simulate(base_sc, members=idx, seed=seed, parameters=table)}
    for key in levers:
        runs[key] = simulate(source_scenario(scenario, key), members=idx, seed=seed, parameters=table)
    df = pd.DataFrame(
        [_lever_row(k, outcome, which, runs) for k in levers for outcome, which in OUTCOMES.items()]
    )
    df.attrs = {
        "scenario": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "members": int(members),
        "seed": int(seed),
        "posterior": post_file,
        "window": f"{FIRST_YEAR}-01..{LAST_YEAR}-12 (SOURCE: integral 2022.0-2032.0)",
        "horizon": f"{base_sc.calendar.start}..{HORIZON_END} ({base_sc.calendar.months} months)",
        "by_year": _by_year(runs, levers),
        "source_baseline": asdict(SOURCE_BASELINE),
        "source_figures": {f.key: asdict(f) for f in (SOURCE_FENTANYL_RISK, SOURCE_NALOXONE)}
        | {"all_strategies": asdict(SOURCE_ALL_STRATEGIES)},
    }
    return df


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------
def _table(df: pd.DataFrame) -> Any:
    """The comparison as a rich table."""
    from rich.table import Table

    meta = df.attrs
    params = f"posterior {meta['posterior']}" if meta.get("posterior") else "point values (no posterior)"
    table = Table(
        title=(
            f"Deaths averted {FIRST_YEAR}–{LAST_YEAR} (SOURCE's 2022–2032 window) vs baseline — "
            f"{meta['scenario']} ({meta['scenario_hash']}), {meta['members']} members, seed {meta['seed']}, "
            f"{params}"
        ),
    )
    table.add_column("lever", no_wrap=True)
    table.add_column("deaths", no_wrap=True)
    table.add_column("baseline", justify="right")
    table.add_column("averted p50 [p05–p95]", justify="right", no_wrap=True)
    table.add_column("% of baseline", justify="right", no_wrap=True)
    table.add_column("SOURCE averted (%)", justify="right")
    table.add_column("ratio averted, %", justify="right")
    table.add_column("level at end", justify="right")
    for r in df.itertuples():
        table.add_row(
            _LEVER_LABELS.get(str(r.lever), str(r.lever)),
            _OUTCOME_LABELS[str(r.outcome)],
            f"{r.baseline_p50:,.0f}",
            f"{r.averted_p50:,.0f} [{r.averted_p05:,.0f}–{r.averted_p95:,.0f}]",
            f"{r.pct_p50:.2f}% [{r.pct_p05:.2f}–{r.pct_p95:.2f}]",
            f"{r.source_averted:,} ({r.source_pct:.1f}%)",
            f"{r.ratio:.2f}, {r.ratio_pct:.2f}",
            f"×{r.level_ratio_end:.3f} (×{r.level_target:g})",
        )
    cal = "; ".join(
        f"{_LEVER_LABELS.get(str(r.lever), str(r.lever))}, {_OUTCOME_LABELS[str(r.outcome)]}: "
        f"{r.averted_p50_2022_2032_calendar:,.0f} ({r.pct_p50_2022_2032_calendar:.2f}%)"
        for r in df.itertuples()
    )
    table.caption = (
        f"SOURCE (Lim et al. PNAS 2022; Stringfellow et al. Sci Adv 2022): baseline "
        f"{SOURCE_BASELINE.deaths:,} opioid overdose deaths 2022.0–2032.0 (all opioids; T40.4 rows are "
        f"compared with the same figures); all strategies {SOURCE_ALL_STRATEGIES.averted:,} "
        f"({SOURCE_ALL_STRATEGIES.percent}%). Ratios: NarcoFlow p50 / SOURCE, of deaths averted and of %. "
        f"Level at end: the lever run's level / the baseline's in {LAST_YEAR}-12 (intended). "
        f"Calendar 2022–2032 (11 years), p50: {cal}."
    )
    return table


def source_command(
    scenario: str = "baseline",
    members: int = 100,
    seed: int = 0,
    json_path: str | Path | None = None,
    no_posterior: bool = False,
    *,
    console: Any | None = None,
) -> pd.DataFrame:
    """``narcoflow source-compare``: print deaths averted by the SOURCE-like levers next to SOURCE's.

    Loads ``scenario`` (built-in name or file), runs :func:`compare_with_source` with the scenario's
    posterior unless ``no_posterior``, prints a table and, with ``json_path``, writes it as JSON.
    Raises :class:`~narcoflow.errors.NarcoFlowError` on user errors (before writing anything).
    """
    from rich.console import Console

    from narcoflow.scenario.loader import load_scenario

    if isinstance(members, bool) or not isinstance(members, int) or members < 1:
        raise NarcoFlowError("must be a positive integer", file="--members")
    if seed < 0:
        raise NarcoFlowError("must be non-negative", file="--seed")
    path = None if json_path is None else Path(json_path)
    if path is not None:
        if path.is_dir():
            raise NarcoFlowError("is a directory", file=str(path))
        if not path.parent.is_dir():
            raise NarcoFlowError("directory does not exist", file=str(path.parent))
    out = console if console is not None else Console(width=None if sys.stdout.isatty() else 150)
    sc = load_scenario(scenario)
    status = Console(stderr=True).status(f"simulating {sc.name}, baseline and {len(LEVERS)} levers")
    with status:
        df = compare_with_source(sc, members, seed, use_scenario_posterior=not no_posterior)
    out.print(_table(df))
    if path is not None:
        payload = {"meta": df.attrs, "rows": df.to_dict(orient="records")}
        try:
            path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        except OSError as exc:
            raise NarcoFlowError(f"cannot write: {exc}", file=str(path)) from None
        out.print(f"wrote {path}")
    return df
