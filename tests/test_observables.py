"""The record's names come from the scenario's ``observables.record``, not from the code."""

from __future__ import annotations

import numpy as np
import pytest

import narcoflow
from narcoflow.calibrate import fit_report
from narcoflow.calibrate.targets import record_targets, simulated

SHORT = {"calendar.start": "2018-01", "calendar.months": 72, "suppliers.count": 400}


@pytest.fixture(scope="module")
def renamed() -> narcoflow.Results:
    sc = narcoflow.load_scenario("baseline", SHORT)
    rec = sc.observables.record.model_copy(
        update={
            "deaths": "observed",
            "seizures": "border",
            "monthly": "monthly_record",
            "components": {"OFO": "sw_total", "USBP": "sw_usbp"},
            "fy_total": "fy_sum",
            "share": "first_share",
            "share_of_groups": None,
        }
    )
    sc.observables.record = rec
    return narcoflow.simulate(sc, members=3, seed=2)


def test_summary_keys_follow_the_record_names(renamed: narcoflow.Results) -> None:
    s = renamed.summary()
    assert "deaths_observed_by_year" in s and "deaths_t404_by_year" not in s
    assert "border_lbs_by_fy" in s and "border_events_by_fy" in s
    assert set(s["monthly_record_monthly_lbs"]["2020-06"]) == {"sw_total", "sw_usbp"}
    assert not any(k.endswith("_share_by_fy") for k in s)


def test_calibration_maps_components_to_the_declared_groups(renamed: narcoflow.Results) -> None:
    targets = record_targets(2023, names=narcoflow.load_scenario("baseline").observables.record)
    sim = simulated(renamed, [t for t in targets if t.name == "ofo_lbs"])
    total = renamed.seizures_by_fiscal_year("sw_total").sel(year=[2019, 2020, 2021, 2022, 2023]).values
    np.testing.assert_array_equal(sim["ofo_lbs"], total)  # OFO is compared with sw_total here
    fit = fit_report(renamed, [t for t in targets if t.kind in ("weight", "share")])
    assert {"fy_sum", "first_share"} <= set(fit)


def test_unknown_groups_in_the_record_are_located_errors() -> None:
    with pytest.raises(narcoflow.NarcoFlowError, match="unknown seizure group 'sw_nowhere'"):
        narcoflow.load_scenario("baseline", {"observables.record.components.OFO": "sw_nowhere"})
