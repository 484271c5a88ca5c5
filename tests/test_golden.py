"""The golden run: every output of three fixed baseline runs, compared bit for bit with
``tests/golden/golden.npz`` (made by ``tests/golden/make_golden.py``).

A refactor of the engine must keep this green; a change meant to alter the model's numbers re-pins
the file (and says so in its commit).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from narcoflow.model import kernels

_spec = importlib.util.spec_from_file_location("make_golden", Path(__file__).parent / "golden/make_golden.py")
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)


@pytest.fixture(scope="module")
def pinned() -> dict[str, np.ndarray]:
    with np.load(make_golden.GOLDEN) as f:
        return {k: f[k] for k in f.files}


BACKENDS = [
    "numpy",
    pytest.param("numba", marks=pytest.mark.skipif(not kernels.available(), reason="no numba")),
]


@pytest.fixture(scope="module", params=BACKENDS)
def current(request) -> dict[str, np.ndarray]:
    """The golden runs now, with each backend (the compiled kernels and the numpy reference)."""
    return make_golden.golden_arrays(make_golden.golden_runs(backend=request.param))


def test_every_pinned_output_is_still_produced(pinned, current):
    missing = sorted(set(pinned) - set(current))
    assert not missing, f"outputs no longer produced: {missing}"


@pytest.mark.parametrize("run", ["posterior", "plans", "lone"])
def test_outputs_bit_identical(pinned, current, run):
    keys = sorted(k for k in pinned if k.startswith(f"{run}/"))
    assert len(keys) > 20
    differ = []
    for k in keys:
        a, b = pinned[k], current[k]
        if a.dtype != b.dtype or a.shape != b.shape or a.tobytes() != b.tobytes():
            differ.append(k)
    assert not differ, f"outputs differ from the golden run: {differ}"
