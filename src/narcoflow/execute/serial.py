"""The serial executor: batches run one after another in this process."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from narcoflow.explore.models import Batch, BatchResult, Model


class SerialExecutor:
    """Runs batches in order, in the calling process."""

    name = "serial"

    def __init__(self) -> None:
        self.workers = 1

    def run(self, model: Model, batches: Iterable[Batch]) -> Iterator[BatchResult]:
        """Yield each batch's result as it is computed."""
        for batch in batches:
            yield model.run(batch)

    def close(self) -> None:
        """Nothing to release."""
