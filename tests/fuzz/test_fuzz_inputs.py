"""Fuzz every input format: a mutated input is accepted or rejected with a location, never a traceback
or a hang.

In CI each format gets ``NARCOFLOW_FUZZ_CASES`` generated inputs (default 50, derandomized) through the
in-process loaders, plus a few real ``narcoflow`` subprocesses. The documented long run
(docs/RELIABILITY.md) sets ``NARCOFLOW_FUZZ_CASES=1700`` (six formats: over 10,000 inputs) and prints
the tally with ``-s``::

    NARCOFLOW_FUZZ_CASES=1700 python -m pytest tests/fuzz -q -s -p no:randomly

The oracle (:func:`_judge`): the call returns, or raises :class:`NarcoFlowError` naming a file and a
line or field; any other exception fails the test (hypothesis shrinks it to a minimal input); a case
running longer than ``HANG_SECONDS`` is interrupted by SIGALRM and fails.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fuzz_mutations import (
    CBP_HEADER,
    CBP_ROWS,
    GAME_HEADER,
    GAME_ROWS,
    HT_ROWS,
    LAUGHS,
    NETWORK,
    csv_texts,
    json_texts,
    posterior_payload,
    scenario_texts,
    set_items,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import narcoflow
from narcoflow.calibrate.posterior import Posterior
from narcoflow.cli import parse_sets
from narcoflow.data.cbp import load_cbp_csv, monthly_series
from narcoflow.errors import NarcoFlowError
from narcoflow.optimize.games import load_game_csv
from narcoflow.optimize.instances import load_instance
from narcoflow.optimize.maxflow import solve_interdiction
from narcoflow.optimize.stackelberg import solve_allocation

CASES = int(os.environ.get("NARCOFLOW_FUZZ_CASES", "50"))
LONG = "NARCOFLOW_FUZZ_CASES" in os.environ
HANG_SECONDS = 10.0
FUZZ = settings(
    max_examples=CASES,
    deadline=None,  # the hang bound is HANG_SECONDS, enforced by SIGALRM
    derandomize=not LONG,
    database=None,
    suppress_health_check=list(HealthCheck),
)

TALLY: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))


class HangError(Exception):
    """A case ran longer than HANG_SECONDS."""


@contextmanager
def _bounded(seconds: float) -> Iterator[None]:
    def on_alarm(signum: int, frame: Any) -> None:
        raise HangError(f"still running after {seconds:g} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _located(e: NarcoFlowError) -> bool:
    return bool(e.file) and (e.line is not None or bool(e.field))


def _judge(fmt: str, call: Callable[[], object]) -> str:
    """Run one case: 'accepted' or 'rejected' (located); anything else fails the test."""
    t0 = time.perf_counter()
    with _bounded(HANG_SECONDS), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call()
            result = "accepted"
        except NarcoFlowError as e:
            assert _located(e), f"{fmt}: a rejection without FILE:LINE or field: {e.format()!r}"
            result = "rejected"
    t = TALLY[fmt]
    t["cases"] += 1
    t[result] += 1
    t["max_seconds"] = max(t["max_seconds"], time.perf_counter() - t0)
    return result


@pytest.fixture(scope="module", autouse=True)
def _print_tally() -> Iterator[None]:
    yield
    if LONG:
        total = sum(t["cases"] for t in TALLY.values())
        print(f"\nfuzz tally: {total:.0f} inputs, 0 tracebacks, 0 hangs over {HANG_SECONDS:g} s")
        for fmt, t in sorted(TALLY.items()):
            print(
                f"  {fmt:<18} {t['cases']:6.0f} inputs  {t['accepted']:6.0f} accepted  {t['rejected']:6.0f} "
                f"rejected (all located)  slowest {t['max_seconds']:.2f} s"
            )


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _short(sc: narcoflow.Scenario) -> narcoflow.Scenario:
    """A few months and firms of an accepted scenario, to run it cheaply."""
    short = sc.model_copy(deep=True)
    short.calendar.months = min(sc.calendar.months, 4)
    short.suppliers.count = min(sc.suppliers.count, 40)
    return short


@FUZZ
@given(text=scenario_texts())
def test_scenario_files(work: Path, text: str) -> None:
    path = work / "mutant.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")

    def load_and_run() -> None:
        sc = narcoflow.load_scenario(path)
        narcoflow.simulate(_short(sc), members=2, seed=0)

    _judge("scenario YAML", load_and_run)


@FUZZ
@given(items=st.lists(set_items(), min_size=1, max_size=3))
def test_set_overrides(items: list[str]) -> None:
    _judge("--set", lambda: narcoflow.load_scenario("baseline", parse_sets(items)))


@FUZZ
@given(text=json_texts(posterior_payload()))
def test_posterior_files(work: Path, baseline: narcoflow.Scenario, text: str) -> None:
    path = work / "posterior.json"
    path.write_text(text, encoding="utf-8")
    _judge("posterior JSON", lambda: Posterior.load(path).check(baseline, file=str(path)))


@FUZZ
@given(text=csv_texts(CBP_HEADER, CBP_ROWS))
def test_cbp_csv(work: Path, text: str) -> None:
    path = work / "cbp.csv"
    path.write_text(text, encoding="utf-8")
    _judge("CBP CSV", lambda: monthly_series(load_cbp_csv(path)))


@FUZZ
@given(
    data=st.one_of(
        json_texts(NETWORK).map(lambda t: ("net.json", t)),
        csv_texts(HT_ROWS[0], HT_ROWS[1:]).map(lambda t: ("net.csv", t)),
    )
)
def test_interdiction_instances(work: Path, data: tuple[str, str]) -> None:
    path = work / data[0]
    path.write_text(data[1], encoding="utf-8")
    _judge("interdiction file", lambda: solve_interdiction(load_instance(path), 2.0, time_limit=5))


@FUZZ
@given(text=csv_texts(GAME_HEADER, GAME_ROWS))
def test_security_games(work: Path, text: str) -> None:
    path = work / "targets.csv"
    path.write_text(text, encoding="utf-8")
    _judge("targets CSV", lambda: solve_allocation(load_game_csv(path), 1.0, time_limit=5))


# --------------------------------------------------------------------------- real subprocesses
LOCATED = re.compile(r"^error: \S.*?(:\d+)?: ", re.M)


def _nf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "narcoflow", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "mutant",
    [
        "name: baseline\nx: &r [*r]\n",
        LAUGHS,
        "x: " + "[" * 600 + "]" * 600 + "\n",
    ],
    ids=["recursive alias", "billion laughs", "deep nesting"],
)
def test_cli_rejects_hostile_files_with_a_location(tmp_path: Path, mutant: str) -> None:
    path = tmp_path / "hostile [draft].yaml"
    path.write_text(mutant, encoding="utf-8")
    t0 = time.perf_counter()
    r = _nf("validate", str(path))
    assert time.perf_counter() - t0 < 60  # a hang bound, not a speed test
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith(f"error: {path}:") and len(r.stderr.strip().splitlines()) <= 2


@settings(
    max_examples=1, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
@given(scenario_text=scenario_texts(), net_text=json_texts(NETWORK))
def test_cli_on_mutants_exits_0_or_a_located_2(work: Path, scenario_text: str, net_text: str) -> None:
    """A scenario mutant, a network mutant and a hostile --set, through the real command."""
    scenario = work / "m.yaml"
    scenario.write_text(scenario_text, encoding="utf-8")
    net = work / "n.json"
    net.write_text(net_text, encoding="utf-8")
    for args in (
        ["validate", str(scenario)],
        ["optimize", "maxflow", "--instance", str(net), "--budget", "1", "--time-limit", "10"],
        ["validate", "baseline", "--set", "suppliers.count=&a [*a]"],
    ):
        r = _nf(*args)
        assert r.returncode in (0, 2) and "Traceback" not in r.stderr, (args, r.stderr)
        if r.returncode == 2:
            assert LOCATED.match(r.stderr), r.stderr


def test_the_tally_counts_every_case() -> None:
    """Runs last in this module: every format was exercised, and nothing ran unjudged."""
    assert {"scenario YAML", "--set", "posterior JSON", "CBP CSV", "interdiction file", "targets CSV"} <= set(
        TALLY
    )
    assert all(t["cases"] == t["accepted"] + t["rejected"] for t in TALLY.values())
    assert json.dumps({k: dict(v) for k, v in TALLY.items()})
