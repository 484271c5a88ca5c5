"""The compiled kernels draw exactly what numpy would, and give the results of the numpy path."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import narcoflow
from narcoflow.model import kernels, rng

needs_numba = pytest.mark.skipif(not kernels.ENABLED, reason="numba not available")


@needs_numba
@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_max=st.sampled_from([5, 60, 2_000, 200_000]),
    p_scale=st.sampled_from([0.001, 0.05, 0.5, 1.0]),
)
def test_binomial_is_numpys_draw_for_draw(seed: int, n_max: int, p_scale: float) -> None:
    """Inversion and BTPE, p on both sides of 1/2: the same variates as Generator.binomial."""
    src = np.random.default_rng(seed)
    n = src.integers(0, n_max, size=(3, 40))
    p = np.clip(src.random((3, 40)) * p_scale, 0.0, 1.0)
    p[:, ::7] = 1.0 - p[:, ::7]
    ours = rng.member_generators(seed % 1000, range(3))
    ref = rng.member_generators(seed % 1000, range(3))
    out = np.zeros_like(n)
    kernels.binomial_rows(kernels.state_addresses(ours), n, p, out)
    expected = np.array([g.binomial(n[i], p[i]) for i, g in enumerate(ref)])
    expected[n == 0] = 0
    assert np.array_equal(out, expected)
    # and the streams are left in the same place
    assert [g.random() for g in ours] == [g.random() for g in ref]


@needs_numba
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**63), before=st.integers(0, 5), n=st.integers(0, 200))
def test_fill_float32_is_numpys_draw_for_draw(seed: int, before: int, n: int) -> None:
    """The inlined PCG64 gives Generator.random(dtype=float32)'s numbers and leaves the same state,
    whatever half of a 64-bit output is buffered before (``before`` odd) and however many are drawn."""
    ours, ref = np.random.default_rng(seed), np.random.default_rng(seed)
    ours.random(before, dtype=np.float32)
    ref.random(before, dtype=np.float32)
    got = np.empty(n, dtype=np.float32)
    kernels.fill_float32(kernels.state_addresses([ours])[0], got)
    assert np.array_equal(got, ref.random(n, dtype=np.float32))
    assert ours.bit_generator.state == ref.bit_generator.state
    assert ours.random(3).tolist() == ref.random(3).tolist()


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_rows_kernel_draws_what_the_generators_draw(dtype) -> None:
    """rng.uniform with state addresses (compiled fill) = the per-member Generator.random loop."""
    ours, ref = rng.member_generators(4, range(5)), rng.member_generators(4, range(5))
    a = rng.uniform(ours, np.empty((5, 33), dtype=dtype), kernels.state_addresses(ours))
    b = rng.uniform(ref, np.empty((5, 33), dtype=dtype))
    assert np.array_equal(a, b)
    assert [g.bit_generator.state for g in ours] == [g.bit_generator.state for g in ref]


@needs_numba
@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 1100), seed=st.integers(0, 2**32 - 1))
def test_sums_follow_numpys_order(n: int, seed: int) -> None:
    """The kernels' sums are NumPy's, bit for bit: pairwise as ``ndarray.sum`` (blocks of 128 and the
    split above), and first-element-plus-pairwise as ``np.add.reduceat``."""
    src = np.random.default_rng(seed)
    x = src.random(n) * 10.0 ** src.uniform(-6, 6, n)
    assert kernels._pairwise(x, 0, n) == x.sum()
    assert kernels._segment_sum(x, 0, n) == np.add.reduceat(x[None, :], np.array([0]), axis=1)[0, 0]


def test_available_checks_the_state_layout() -> None:
    """The one-off check draws with both and finds them equal here (else the engine runs numpy)."""
    assert kernels.available() == kernels.ENABLED


def test_draw_log_counts_every_firm_uniform(baseline: narcoflow.Scenario) -> None:
    """One float32 uniform per firm and month (plus the yearly scrutiny draws) and every binomial."""
    sc = baseline.model_copy(update={"calendar": baseline.calendar.model_copy(update={"months": 14})})
    M, F = 3, baseline.suppliers.count
    seen: list[int] = []
    with rng.recording() as log:
        log.on_binomial = lambda n, p: seen.append(int(np.count_nonzero(n)))
        narcoflow.simulate(sc, members=M, seed=1)
    scrutiny_draws = 2  # January of the start year (t = 0) and of the next
    init_draws = 1  # which firms can make the final product
    assert log.counts["uniform_float32"] == M * F * (14 + scrutiny_draws + init_draws)
    assert log.counts["normal_float32"] == M * 2 * F
    assert log.counts["binomial"] == sum(seen) > 0


def _run_outputs(env_numba: str, path: str) -> None:
    code = (
        "import json, numpy as np, narcoflow\n"
        "sc = narcoflow.load_scenario('baseline')\n"
        "r = narcoflow.simulate(sc, members=12, seed=5)\n"
        "ds = r.dataset\n"
        f"np.savez({path!r}, **{{k: ds[k].values for k in ds.data_vars}})\n"
        "from narcoflow.model import kernels\n"
        "print(json.dumps(kernels.ENABLED))\n"
    )
    env = dict(os.environ, NARCOFLOW_NUMBA=env_numba)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == (env_numba == "1")


@needs_numba
def test_compiled_and_numpy_paths_give_the_same_run(tmp_path) -> None:
    """Same streams, same arithmetic, same summation order: every output of a whole baseline run (216
    months, through the leadership removals and fragmentations) is equal, the float64 mass-balance
    error included — a difference in the last bit of any flow would show there."""
    a, b, c = (str(tmp_path / f"{k}.npz") for k in ("numba", "numpy", "numba-cached"))
    _run_outputs("1", a)
    _run_outputs("0", b)
    _run_outputs("1", c)  # a second process loads the kernels from numba's on-disk cache
    x, y, z = np.load(a), np.load(b), np.load(c)
    assert x.files == y.files == z.files
    for k in x.files:
        assert np.array_equal(x[k], y[k]), k
        assert np.array_equal(x[k], z[k]), k
