"""The population model's secular trends: naloxone scale-up and the initiation trend."""

from __future__ import annotations

import numpy as np

from narcoflow.model.harm import initial_stocks, naloxone_share, step_harm
from narcoflow.model.params import group
from narcoflow.scenario.schema import Harm

M = 3


def _values(**extra: float):
    base = {
        "harm.population": 265e6,
        "harm.use_initial": 4e6,
        "harm.oud_initial": 2e6,
        "harm.treated_initial": 0.4e6,
        "harm.remission_initial": 1e6,
        "harm.initiation_rate": 0.0015,
        "harm.progression_rate": 0.05,
        "harm.cessation_rate": 0.05,
        "harm.treatment_entry_rate": 0.2,
        "harm.treatment_capacity_start": 0.45e6,
        "harm.treatment_capacity_growth": 0.04,
        "harm.dropout_rate": 0.4,
        "harm.completion_rate": 0.5,
        "harm.relapse_rate": 0.1,
        "harm.hazard_use": 0.001,
        "harm.hazard_oud": 0.008,
        "harm.hazard_treated": 0.002,
        "harm.hazard_remission": 0.002,
        "harm.relative_risk_final": 4.0,
        "harm.naloxone_effect": 0.05,
        "harm.background_deaths": 2500.0,
    }
    base.update(extra)
    return group(Harm, {k.removeprefix("harm."): np.full(M, v, dtype=float) for k, v in base.items()})


def test_naloxone_is_constant_without_scale_up() -> None:
    v = _values()
    np.testing.assert_allclose(naloxone_share(0.0, v), 0.05)
    np.testing.assert_allclose(naloxone_share(10.0, v), 0.05)


def test_naloxone_scale_up_approaches_its_ceiling() -> None:
    v = _values(**{"harm.naloxone_ceiling": 0.35, "harm.naloxone_growth": 0.3})
    e = np.array([naloxone_share(y, v)[0] for y in (0.0, 1.0, 5.0, 50.0)])
    np.testing.assert_allclose(e[0], 0.05)
    assert np.all(np.diff(e) > 0)
    np.testing.assert_allclose(e[-1], 0.35, atol=1e-6)
    np.testing.assert_allclose(e[2], 0.35 - 0.30 * np.exp(-1.5))
    # a ceiling below the starting effect never lowers it
    low = _values(**{"harm.naloxone_ceiling": 0.01, "harm.naloxone_growth": 0.3})
    np.testing.assert_allclose(naloxone_share(5.0, low), 0.05)


def test_scale_up_lowers_deaths_and_initiation_trend_lowers_initiation() -> None:
    phi, vol = np.full(M, 0.5), np.ones(M)

    def month(years: float, **extra: float) -> tuple[float, np.ndarray]:
        v = _values(**extra)
        stocks = initial_stocks(v)
        hm = step_harm(stocks, phi, vol, years, v)
        return float(hm.deaths_final[0]), stocks

    d0, s0 = month(8.0)
    d1, _ = month(8.0, **{"harm.naloxone_ceiling": 0.35, "harm.naloxone_growth": 0.3})
    assert d1 < d0
    _, s_trend = month(8.0, **{"harm.initiation_trend": -0.1})
    _, s_flat = month(8.0, **{"harm.initiation_trend": 0.0})
    np.testing.assert_allclose(s_flat, s0)
    started = s_trend[0, 1] - s0[0, 1]  # fewer initiates: the "use" stock gains less
    np.testing.assert_allclose(started, -0.0015 / 12 * (1 - 0.9**8) * s0[0, 0], rtol=1e-3)
