"""Agency plans: fixed and randomized coverage, and their validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import narcoflow
from narcoflow.model.enforcement import CoveragePlan, systematic_draw

POES = ["poe_san_diego", "poe_tucson", "poe_el_paso", "poe_laredo"]
SHORT = {"calendar.months": 24, "calendar.start": "2019-01", "suppliers.count": 500}


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8), st.integers(0, 2**32 - 1))
def test_systematic_draw_has_the_plan_as_marginals(cov: list[float], seed: int) -> None:
    c = np.array(cov)
    u = np.random.default_rng(seed).random(20000)
    d = systematic_draw(c, u)
    assert set(np.unique(d)) <= {0.0, 1.0}
    # every pure plan uses floor or ceil of the total coverage
    assert d.sum(axis=1).min() >= np.floor(c.sum() + 1e-9) - 1e-9
    assert d.sum(axis=1).max() <= np.ceil(c.sum() - 1e-9) + 1e-9
    np.testing.assert_allclose(d.mean(axis=0), c, atol=0.02)


def test_fixed_plan_sets_coverage() -> None:
    sc = narcoflow.load_scenario("baseline", SHORT)
    plan = {"cbp_ofo": CoveragePlan(dict(zip(POES, [0.5, 0.3, 0.2, 0.2], strict=True)))}
    ds = narcoflow.simulate(sc, members=3, seed=0, plans=plan).dataset
    cov = ds["coverage"].sel(node=POES).values
    np.testing.assert_allclose(cov, np.broadcast_to([0.5, 0.3, 0.2, 0.2], cov.shape), rtol=1e-6)


def test_randomized_plan_draws_pure_plans_per_member() -> None:
    sc = narcoflow.load_scenario("baseline", SHORT)
    plan = {"cbp_ofo": CoveragePlan(dict(zip(POES, [0.3] * 4, strict=True)), randomized=True)}
    ds = narcoflow.simulate(sc, members=4, seed=0, plans=plan).dataset
    cov = ds["coverage"].sel(node=POES).values
    assert set(np.unique(cov)) <= {0.0, 1.0}
    assert set(np.unique(cov.sum(axis=2))) <= {1.0, 2.0}  # floor or ceil of 1.2 nodes
    np.testing.assert_allclose(cov.mean(axis=(0, 1)), 0.3, atol=0.12)
    assert ds["mass_balance_error"].max() <= 1e-9


@pytest.mark.parametrize(
    ("plan", "match"),
    [
        ({"nobody": CoveragePlan({})}, "unknown agency"),
        ({"cbp_ofo": CoveragePlan({"bp_yuma": 0.5})}, "not inspected by"),
        ({"cbp_ofo": CoveragePlan({"poe_tucson": 1.5})}, "outside"),
        ({"cbp_ofo": CoveragePlan(dict.fromkeys(POES, 1.0))}, "more than the agency's capacity"),
    ],
)
def test_bad_plans_are_user_errors(plan: dict, match: str) -> None:
    sc = narcoflow.load_scenario("baseline", SHORT)
    with pytest.raises(narcoflow.NarcoFlowError, match=match):
        narcoflow.simulate(sc, members=2, plans=plan)
