"""What the analysis scripts share: the built-in baseline, its shipped posterior and the record."""

from __future__ import annotations

import narcoflow
from narcoflow.calibrate import scenario_posterior
from narcoflow.calibrate.posterior import Posterior
from narcoflow.calibrate.targets import Target, record_targets


def shipped() -> tuple[narcoflow.Scenario, Posterior, list[Target]]:
    """The baseline scenario, the posterior it ships and the calibration targets through 2023."""
    sc = narcoflow.load_scenario("baseline")
    found = scenario_posterior(sc)
    if found is None:
        raise SystemExit("the baseline scenario ships no posterior")
    return sc, found[0], record_targets(2023, names=sc.observables.record)
