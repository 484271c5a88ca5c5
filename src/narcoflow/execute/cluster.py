"""The Dask executor (dask.distributed): a LocalCluster of worker processes on 127.0.0.1 by default, or
an existing scheduler at an address, so the same command scales from a laptop to a cluster.

The model is scattered to every worker once; batches are submitted as tasks and their results yielded
in completion order. An unreachable scheduler fails after ``CONNECT_TIMEOUT`` seconds.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from narcoflow.errors import NarcoFlowError
from narcoflow.explore.models import Batch, BatchResult, Model

CONNECT_TIMEOUT = 10  # seconds to reach a scheduler
WORKER_TIMEOUT = 15  # seconds to wait for its first worker


@contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Start worker processes with Ctrl-C ignored (they inherit it): the terminal's SIGINT goes to the
    whole process group, and this process, not each worker, stops the run and closes the cluster."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _run_batch(model: Model, batch: Batch) -> BatchResult:
    return model.run(batch)


class DaskExecutor:
    """Runs batches on a Dask cluster (a local one unless ``scheduler`` names one)."""

    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        self.scheduler = scheduler
        self.workers = workers or 0
        self.cluster: Any = None
        self.client: Any = None

    def connect(self) -> Any:
        """Start the local cluster or reach the scheduler; return the client."""
        from distributed import Client, LocalCluster

        if self.client is not None:
            return self.client
        if self.scheduler is None:
            with _workers_ignore_ctrl_c():
                self.cluster = LocalCluster(
                    n_workers=self.workers or None,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(self.scheduler, timeout=f"{CONNECT_TIMEOUT}s")
            except (OSError, TimeoutError) as exc:
                raise NarcoFlowError(
                    f"cannot reach the Dask scheduler within {CONNECT_TIMEOUT} s ({type(exc).__name__}); "
                    "is it running, and is the address tcp://HOST:PORT?",
                    field=f"--scheduler {self.scheduler}",
                ) from None
            try:
                self.client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
            except (OSError, TimeoutError):
                self.close()
                raise NarcoFlowError(
                    f"the Dask scheduler has no workers (waited {WORKER_TIMEOUT} s)",
                    field=f"--scheduler {self.scheduler}",
                ) from None
        self.workers = len(self.client.scheduler_info()["workers"])
        return self.client

    def run(self, model: Model, batches: Iterable[Batch]) -> Iterator[BatchResult]:
        """Submit every batch as a task; yield results as they complete."""
        from distributed import as_completed

        client = self.connect()
        [remote] = client.scatter([model], broadcast=True)
        futures = [client.submit(_run_batch, remote, b, pure=False) for b in batches]
        for fut in as_completed(futures):
            result = fut.result()
            fut.release()
            yield result

    def close(self) -> None:
        """Close the client and the local cluster (if this executor made it)."""
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
