"""The EMA Workbench adapter, run by EMA Workbench's own perform_experiments."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

import narcoflow
import narcoflow.ema
from narcoflow.scenario import parameter_table


def test_perform_experiments_on_the_adapter(baseline: narcoflow.Scenario) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import SequentialEvaluator, perform_experiments

        model = narcoflow.ema.model(baseline, outcomes=["deaths_t404_2025_2030", "violence_2026"], members=2)
        table = parameter_table(baseline).query("low < high and kind != 'fixed'")
        assert {u.name for u in model.uncertainties} == {
            narcoflow.ema.ema_name(n) for n in table.query("kind == 'uncertainty'")["name"]
        }
        assert len(model.levers) == (table["kind"] == "lever").sum()
        with SequentialEvaluator(model) as evaluator:
            experiments, outcomes = perform_experiments(model, scenarios=3, policies=2, evaluator=evaluator)
    assert len(experiments) == 6
    deaths = outcomes["deaths_t404_2025_2030"]
    assert deaths.shape == (6,) and np.isfinite(deaths).sum() > 1
    # the numbers are NarcoFlow's: each experiment again, directly (NaN where the run fails its checks)
    for i in range(6):
        row = experiments.iloc[i]
        values = {n: float(row[narcoflow.ema.ema_name(n)]) for n in table["name"]}
        params = pd.DataFrame([values, values], index=[0, 1])
        try:
            res = narcoflow.simulate(baseline, members=np.arange(2), seed=0, parameters=params)
        except narcoflow.SimulationError:
            assert np.isnan(deaths[i])
            continue
        direct = res.deaths_by_year("final").sel(year=slice(2025, 2030)).sum("year").values.mean()
        np.testing.assert_allclose(deaths[i], direct, rtol=1e-6)
