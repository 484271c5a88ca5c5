"""The process executor: a pool of local worker processes (``concurrent.futures``, spawned).

The model travels to each worker once (cloudpickle, so user-registered outcomes work too); batches are
submitted all at once and their results yielded in completion order.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any

from narcoflow.explore.models import Batch, BatchResult, Model

_MODEL: Any = None


def _init(payload: bytes) -> None:
    import cloudpickle

    global _MODEL
    _MODEL = cloudpickle.loads(payload)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """Stop this worker when the process that started it is gone (e.g. killed with SIGKILL), instead
    of computing its queued batches for nobody."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _run(batch: Batch) -> BatchResult:
    return _MODEL.run(batch)


class ProcessExecutor:
    """Runs batches on ``workers`` local processes."""

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[BatchResult]] = []

    def run(self, model: Model, batches: Iterable[Batch]) -> Iterator[BatchResult]:
        """Submit every batch; yield results as they complete."""
        import cloudpickle

        self.pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init,
            initargs=(cloudpickle.dumps(model),),
        )
        self.futures = [self.pool.submit(_run, b) for b in batches]
        for fut in as_completed(self.futures):
            yield fut.result()

    def close(self) -> None:
        """Cancel what has not started and stop the workers."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
