"""Write the golden run (``golden.npz``) that ``tests/test_golden.py`` compares bit for bit.

Run only to re-pin the golden run after a change that is meant to alter the model's numbers
(then say so in the commit):

    python tests/golden/make_golden.py

Three runs of the built-in baseline (216 months each), every data variable of their datasets:
- ``posterior``: 3 members (0, 1, 2), seed 11, parameters drawn from the shipped posterior;
- ``plans``: 2 members (5, 9), seed 3, the scenario's values, a fixed plan for CBP OFO and a
  randomized one for the USBP (the planner's path through the engine);
- ``lone``: member 4 alone, seed 11, posterior (a batch of one member).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import narcoflow
from narcoflow.calibrate import scenario_posterior
from narcoflow.model.enforcement import CoveragePlan

GOLDEN = Path(__file__).with_name("golden.npz")


def golden_runs(backend: str | None = None) -> dict[str, narcoflow.Results]:
    """The three golden runs, by name (``backend``: force "numba" or "numpy")."""
    sc = narcoflow.load_scenario("baseline")
    post, _ = scenario_posterior(sc)
    members = np.array([0, 1, 2])
    plans = {
        "cbp_ofo": CoveragePlan({"poe_san_diego": 0.6, "poe_tucson": 0.3, "poe_laredo": 0.2}),
        "usbp": CoveragePlan({"bp_tucson": 0.5, "bp_rio_grande_valley": 0.4}, randomized=True),
    }
    return {
        "posterior": narcoflow.simulate(
            sc, members, seed=11, parameters=post.member_table(members, 11), backend=backend
        ),
        "plans": narcoflow.simulate(sc, np.array([5, 9]), seed=3, plans=plans, backend=backend),
        "lone": narcoflow.simulate(
            sc, np.array([4]), seed=11, parameters=post.member_table([4], 11), backend=backend
        ),
    }


def golden_arrays(runs: dict[str, narcoflow.Results]) -> dict[str, np.ndarray]:
    """Every data variable of every run, keyed ``run/variable``."""
    return {
        f"{name}/{var}": res.dataset[var].values
        for name, res in runs.items()
        for var in res.dataset.data_vars
    }


if __name__ == "__main__":
    arrays = golden_arrays(golden_runs())
    np.savez_compressed(GOLDEN, **arrays)
    print(f"wrote {GOLDEN} ({GOLDEN.stat().st_size / 1e6:.2f} MB, {len(arrays)} arrays)")
