"""Run an experiment into a store: the experiments it is missing, in batches, on an executor.

Each finished batch is written in one transaction before the next result is taken, so after Ctrl-C,
``kill -9`` or a lost machine, ``resume=True`` runs exactly the experiments whose outcomes are not in
the store — none lost, none run twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from narcoflow.errors import NarcoFlowError
from narcoflow.execute.store import DEFAULT_STORE, Store
from narcoflow.explore.experiment import Experiment

EXECUTORS = ("serial", "processes", "dask")
Progress = Callable[[int, int], None]


@dataclass
class RunSummary:
    """What an ``explore`` invocation did."""

    store: Path
    total: int  # experiments in the spec
    before: int  # already stored when it started
    ran: int  # stored by this invocation
    batches: int
    executor: str
    workers: int
    seconds: float
    failed: int = 0  # experiments of this invocation whose simulation failed its checks (NULL outcomes)


def make_executor(kind: str, workers: int | None = None, scheduler: str | None = None) -> Any:
    """An executor by name: ``serial``, ``processes`` or ``dask`` (``scheduler``: an existing one)."""
    if scheduler is not None and kind != "dask":
        raise NarcoFlowError("--scheduler needs --executor dask", field="--scheduler")
    if workers is not None and workers < 1:
        raise NarcoFlowError("must be at least 1", field="--workers")
    if kind == "serial":
        from narcoflow.execute.serial import SerialExecutor

        return SerialExecutor()
    if kind == "processes":
        from narcoflow.execute.processes import ProcessExecutor

        return ProcessExecutor(workers)
    if kind == "dask":
        from narcoflow.execute.cluster import DaskExecutor

        return DaskExecutor(workers, scheduler)
    raise NarcoFlowError(f"unknown executor '{kind}' (one of {', '.join(EXECUTORS)})", field="--executor")


def open_store(path: Path, experiment: Experiment, resume: bool) -> Store:
    """The store to write: a new one, or (``resume``) the existing one of the same experiment."""
    if not path.exists():
        return Store.create(path, experiment)
    store = Store.open(path, experiment)
    if not resume:
        n = len(store.done())
        store.close()
        raise NarcoFlowError(
            f"the store already holds {n} of {experiment.n_experiments} experiments of this spec: pass "
            "--resume to run the missing ones, or choose another --store",
            file=str(path),
        )
    return store


def run_experiment(
    experiment: Experiment,
    store: str | Path = DEFAULT_STORE,
    executor: str | Any = "serial",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    batch_size: int | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Run the experiments missing from ``store`` and write their outcomes as batches finish.

    ``executor`` is a name (``serial``, ``processes``, ``dask``) or an executor object. Outcomes do not
    depend on the executor, the number of workers, the batch size or the order batches finish in.
    """
    t0 = time.perf_counter()
    ex = make_executor(executor, workers, scheduler) if isinstance(executor, str) else executor
    path = Path(store)
    st = open_store(path, experiment, resume)
    total = experiment.n_experiments
    try:
        st.remove_orphan_series()
        done = st.done()
        missing = np.setdiff1d(np.arange(total), done)
        summary = RunSummary(path, total, len(done), 0, 0, ex.name, ex.workers, 0.0)
        if progress is not None:
            progress(len(done), total)
        if missing.size == 0:
            return summary
        if hasattr(ex, "connect"):
            ex.connect()
        size = batch_size or experiment.batch_size(ex.workers)
        batches = experiment.batches(size, missing)
        summary.batches, summary.workers = len(batches), ex.workers
        run_id = st.begin_run(experiment, ex.name, ex.workers, experiment.identity.get("scenario", ""))
        try:
            for result in ex.run(experiment.model, batches):
                st.write(result, experiment.outcome_names)
                summary.ran += len(result.experiments)
                summary.failed += len(result.failures)
                if progress is not None:
                    progress(len(done) + summary.ran, total)
        finally:
            ex.close()
        st.end_run(run_id, summary.ran)
        summary.seconds = time.perf_counter() - t0
        return summary
    finally:
        st.close()
