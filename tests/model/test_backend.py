"""One backend per run: the compiled kernels, or the numpy reference when they cannot run — never a mix."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from narcoflow.model import kernels, rng
from narcoflow.model.backend import choose

_spec = importlib.util.spec_from_file_location(
    "make_golden", Path(__file__).parents[1] / "golden/make_golden.py"
)
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)

#: every compiled entry point the engine's backend calls
KERNELS = [
    "partition_firms", "firm_step", "route_utility", "route_shares", "procure", "dispatch", "ship_kernel",
    "seizure_probability", "learn_risk", "contest", "scatter_sum", "scatter_add", "uniform_rows_float32",
    "uniform_rows_float64", "binomial_rows", "fill_float32",
]  # fmt: skip


def test_default_backend_follows_the_layout_check() -> None:
    gens = rng.member_generators(0, range(2))
    assert choose(gens).name == ("numba" if kernels.available() else "numpy")
    assert choose(gens, "numpy").name == "numpy"
    with pytest.raises(ValueError, match="unknown backend"):
        choose(gens, "fortran")


def test_a_failed_layout_check_runs_the_reference_alone(monkeypatch) -> None:
    """When the PCG64 state layout check fails, the whole run takes the numpy reference: no compiled
    kernel is called (each is replaced by one that raises), and the run is the golden run, bit for bit."""
    monkeypatch.setattr(kernels, "_layout_ok", False)
    monkeypatch.setattr(kernels, "ENABLED", True)
    assert not kernels.available()
    assert choose(rng.member_generators(0, range(2))).name == "numpy"
    with pytest.raises(RuntimeError, match="cannot run here"):
        choose(rng.member_generators(0, range(2)), "numba")

    def boom(*args, **kwargs):
        raise AssertionError("a compiled kernel was called on the reference path")

    for name in KERNELS:
        monkeypatch.setattr(kernels, name, boom)
    current = make_golden.golden_arrays(make_golden.golden_runs())
    with np.load(make_golden.GOLDEN) as pinned:
        differ = [k for k in pinned.files if pinned[k].tobytes() != current[k].tobytes()]
    assert not differ
