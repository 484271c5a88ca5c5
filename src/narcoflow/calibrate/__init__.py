"""Calibration to the public record, posteriors, and the hold-out forecast check.

``calibrate(scenario, until=2023)`` fits the parameters listed in the scenario's ``calibration`` section
(priors: their declared ranges) by ABC-SMC (:mod:`narcoflow.calibrate.abc`) against the record up to
``until`` (:mod:`narcoflow.calibrate.targets`), and reports convergence, the posterior and the fit of the
posterior predictive (MAPE of medians, share of observed points inside the 90% bands).
``forecast_check(scenario, until=2020)`` calibrates on data through ``until`` only and compares the
forecast of T40.4 deaths for the following years with what was observed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from narcoflow.calibrate.abc import ABCResult, Prior, abc_smc
from narcoflow.calibrate.posterior import Posterior
from narcoflow.calibrate.targets import Target, distances, record_targets, simulated
from narcoflow.data.record import CDC_DEATHS
from narcoflow.engine import simulate
from narcoflow.errors import NarcoFlowError
from narcoflow.results import Results
from narcoflow.scenario.loader import scenario_hash
from narcoflow.scenario.parameters import iter_params
from narcoflow.scenario.schema import Scenario, parse_month

__all__ = [
    "CalibrationResult",
    "Posterior",
    "calibrate",
    "fit_report",
    "forecast_check",
    "predictive",
    "scenario_posterior",
]

Progress = Callable[[int, int, str], None]


def truncated(scenario: Scenario, until: int) -> Scenario:
    """A copy of the scenario whose horizon ends in December of ``until``."""
    y0, m0 = parse_month(scenario.calendar.start)
    months = (until - y0) * 12 + (12 - m0 + 1)
    if months < 12:
        raise NarcoFlowError(f"--until {until} leaves less than a year after {scenario.calendar.start}")
    sc = scenario.model_copy(deep=True)
    sc.calendar.months = months
    sc._origin = scenario.origin
    sc._base_dir = scenario.base_dir
    return sc


def scenario_posterior(scenario: Scenario) -> tuple[Posterior, str] | None:
    """The posterior the scenario ships (its ``calibration.posterior`` file), if any, and its path."""
    if scenario.calibration is None or not scenario.calibration.posterior:
        return None
    from pathlib import Path

    path = Path(scenario.base_dir) / scenario.calibration.posterior
    if not path.is_file():
        raise NarcoFlowError(
            f"the scenario's posterior file {path} does not exist (use --no-posterior to run without it)",
            file=scenario.origin,
            field="calibration.posterior",
        )
    post = Posterior.load(path)
    post.check(scenario, file=str(path))
    return post, str(path)


def prior_of(scenario: Scenario) -> Prior:
    """Priors of the scenario's calibrated parameters, from their declared ranges."""
    if scenario.calibration is None or not scenario.calibration.parameters:
        raise NarcoFlowError(
            "the scenario declares no parameters to calibrate", field="calibration.parameters"
        )
    params = iter_params(scenario)
    names = list(scenario.calibration.parameters)
    lo = np.array([params[n].range[0] for n in names], dtype=float)
    hi = np.array([params[n].range[1] for n in names], dtype=float)
    log = np.array([n in scenario.calibration.log_scale for n in names])
    return Prior(names, lo, hi, log)


@dataclass
class CalibrationResult:
    """A calibration: the posterior, the ABC run's diagnostics and the fit of the posterior predictive."""

    posterior: Posterior
    abc: ABCResult
    fit: dict[str, Any]
    predictive: Results


def predictive(
    scenario: Scenario,
    posterior: Posterior,
    members: int,
    seed: int,
    exclude: set[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Results:
    """Run ``members`` members with parameters drawn from the posterior."""
    idx = np.arange(members)
    table = posterior.member_table(idx, seed, exclude=exclude)
    return simulate(scenario, members=idx, seed=seed, parameters=table, progress=progress)


def _band(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p05, p50, p95 = np.nanpercentile(x, [5, 50, 95], axis=0)
    return p05, p50, p95


def fit_report(res: Results, targets: list[Target]) -> dict[str, Any]:
    """Per-series fit of a (posterior-predictive) run: MAPE of the median, 90%-band coverage, and the
    acceptance figures (deaths MAPE 2015+, Southwest-border FY totals, ports-of-entry share)."""
    sim = simulated(res, targets)
    series: dict[str, Any] = {}
    inside_all, n_all = 0, 0
    for tg in targets:
        p05, p50, p95 = _band(sim[tg.name])
        inside = (tg.observed >= p05) & (tg.observed <= p95)
        rel = (p50 - tg.observed) / np.where(tg.observed != 0, tg.observed, np.nan)
        series[tg.name] = {
            "mape": float(np.nanmean(np.abs(rel))) if tg.log else None,
            "mean_abs_error": float(np.mean(np.abs(p50 - tg.observed))),
            "coverage_90": float(inside.mean()),
            "points": {
                lab: {"observed": float(o), "p05": float(a), "p50": float(b), "p95": float(c)}
                for lab, o, a, b, c in zip(tg.labels, tg.observed, p05, p50, p95, strict=True)
            },
        }
        inside_all += int(inside.sum())
        n_all += len(tg.observed)
    out: dict[str, Any] = {"series": series, "coverage_90_all": inside_all / max(n_all, 1)}
    d = series.get("deaths")
    if d is not None:
        errs = [abs(p["p50"] / p["observed"] - 1) for y, p in d["points"].items() if int(y) >= 2015]
        out["deaths_mape_2015_on"] = float(np.mean(errs)) if errs else None
    out.update(_component_fit(res, sim, targets))
    return out


def _component_fit(res: Results, sim: dict[str, np.ndarray], targets: list[Target]) -> dict[str, Any]:
    """The seizure record's components together: their total per fiscal year (``record.fy_total``) and
    the first one's share of it (``record.share``), median against the record."""
    weights = [t for t in targets if t.kind == "weight"]
    if len(weights) < 2 or any(t.labels != weights[0].labels for t in weights):
        return {}
    names = res.observables["record"]
    parts = [sim[t.name] for t in weights]
    tot_obs = sum(t.observed for t in weights)
    share_obs = weights[0].observed / tot_obs
    total = sum(parts)
    labels = weights[0].labels
    tot = np.median(total, axis=0)
    share = np.median(parts[0] / np.maximum(total, 1e-12), axis=0)
    return {
        names["fy_total"]: {
            fy: {"observed": float(o), "p50": float(m), "rel_error": float(m / o - 1)}
            for fy, o, m in zip(labels, tot_obs, tot, strict=True)
        },
        names["share"]: {
            fy: {"observed": float(o), "p50": float(m), "points": float(100 * (m - o))}
            for fy, o, m in zip(labels, share_obs, share, strict=True)
        },
    }


def calibrate(
    scenario: Scenario,
    *,
    until: int = 2023,
    budget: int = 144000,
    population: int = 1000,
    seed: int = 0,
    predictive_members: int = 200,
    cbp_monthly: pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> CalibrationResult:
    """Fit the scenario's calibrated parameters to the record through ``until`` by ABC-SMC.

    ``cbp_monthly`` replaces the shipped CBP figures (see :func:`record_targets`)."""
    if budget < population:
        raise NarcoFlowError(
            f"budget ({budget}) must be at least the population ({population})", field="budget"
        )
    targets = record_targets(until, cbp_monthly, scenario.observables.record)
    sc = truncated(scenario, until)
    prior = prior_of(scenario)

    def sim_distances(members: np.ndarray, table: pd.DataFrame) -> np.ndarray:
        res = simulate(sc, members=members, seed=seed, parameters=table)
        return distances(simulated(res, targets), targets)

    t0 = time.perf_counter()
    run = abc_smc(prior, sim_distances, population=population, budget=budget, seed=seed, progress=progress)
    seconds = time.perf_counter() - t0
    post = Posterior(run.names, run.particles, run.weights)
    pred = predictive(sc, post, predictive_members, seed)
    fit = fit_report(pred, targets)
    post.meta = {
        "scenario": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "until": until,
        "budget": budget,
        "population": population,
        "seed": seed,
        "simulations": run.simulations,
        "seconds": round(seconds, 1),
        "generations": [g.__dict__ for g in run.generations],
        "fit": {k: v for k, v in fit.items() if k != "series"}
        | {"series": {k: {m: s[m] for m in ("mape", "coverage_90")} for k, s in fit["series"].items()}},
    }
    return CalibrationResult(post, run, fit, pred)


def forecast_check(
    scenario: Scenario,
    *,
    until: int = 2020,
    through: int = 2024,
    budget: int = 144000,
    population: int = 1000,
    seed: int = 0,
    members: int = 200,
    progress: Progress | None = None,
) -> tuple[dict[str, dict[str, float]], CalibrationResult]:
    """Calibrate on the record through ``until``; forecast T40.4 deaths for ``until+1 .. through``.

    Events after ``until`` stay known inputs of the scenario. Returns {year: {p05, p50, p95, observed,
    rel_error, provisional}} and the calibration.
    """
    cal = calibrate(
        scenario, until=until, budget=budget, population=population, seed=seed, progress=progress,
        predictive_members=50,
    )  # fmt: skip
    sc = truncated(scenario, through)
    res = predictive(sc, cal.posterior, members, seed)
    deaths = res.deaths_by_year("final")
    out: dict[str, dict[str, float]] = {}
    for year in range(until + 1, through + 1):
        x = deaths.sel(year=year).values
        p05, p50, p95 = np.percentile(x, [5, 50, 95])
        rec = CDC_DEATHS.get(year)
        obs = float(rec.t404) if rec else float("nan")
        out[str(year)] = {
            "p05": float(p05),
            "p50": float(p50),
            "p95": float(p95),
            "observed": obs,
            "rel_error": float(p50 / obs - 1) if rec else float("nan"),
            "provisional": bool(rec.provisional) if rec else False,
        }
    return out, cal
