"""Executors (serial, processes, Dask), the DuckDB results store, and running an experiment with resume.

``run_experiment(experiment, store, executor="dask", workers=2)`` runs the experiments missing from the
store in batches and writes each batch's outcomes as it finishes; every executor gives the same numbers.
"""

from narcoflow.execute.runner import RunSummary, make_executor, run_experiment
from narcoflow.execute.store import DEFAULT_STORE, Store

__all__ = ["DEFAULT_STORE", "RunSummary", "Store", "make_executor", "run_experiment"]
