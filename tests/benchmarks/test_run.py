"""The benchmark suite runs end to end (--quick) and writes the figures the performance issue asks for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"


def test_quick_suite_writes_the_headline_figures(tmp_path: Path) -> None:
    pytest.importorskip("mesa")
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--no-calibrate", "--json", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "NarcoFlow / RNG floor" in proc.stdout
    figures = json.loads(out.read_text())
    for key in ("speedup_vs_mesa", "rng_floor_ratio", "peak_rss_gib_1000", "member_months_per_s_1000"):
        assert figures[key] > 0, key
    floor = figures["details"]["floor"]
    # one float32 uniform per firm and month at least, and binomial seizures were drawn
    assert floor["counts"]["uniform_float32"] >= 200 * 5000 * 36
    assert floor["counts"]["binomial"] > 0
    # the engine cannot be faster than drawing its own random numbers
    assert figures["rng_floor_ratio"] > 1.0
