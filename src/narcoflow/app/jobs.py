"""Background jobs: each simulation runs in its own process, so the web process never blocks on one.

:class:`JobManager` keeps a queue, runs at most ``workers`` job processes at once (spawned, not
forked, so they share no state with the web server's threads), reads their progress from the files
they write, ends a job that runs past ``timeout`` seconds, and caches: a request whose key (see
:func:`narcoflow.app.runs.request_key`) already has results is not run again.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from narcoflow.app.runs import RunRequest, execute, request_key

__all__ = ["JobManager"]


def _work(cache: str, request: dict[str, Any], out: str) -> None:
    """A job process: do the request; a failure is written to ``error.json`` for the page to show.

    The process lowers its own priority (``nice`` 10), so that the web server answers pages first when
    jobs keep every core busy.
    """
    from narcoflow.errors import NarcoFlowError

    if hasattr(os, "nice"):
        os.nice(10)

    folder = Path(out)
    try:
        execute(Path(cache), RunRequest.from_json(request), folder)
    except NarcoFlowError as exc:
        (folder / "error.json").write_text(json.dumps({"message": exc.format()}))
    except Exception as exc:  # the page shows it; the web process carries on
        (folder / "error.json").write_text(
            json.dumps({"message": f"internal error: {type(exc).__name__}: {exc}"})
        )


class JobManager:
    """Runs requests in background processes (at lower priority) with a cap on concurrency and a
    time limit."""

    def __init__(self, cache: Path, workers: int = 2, timeout: float = 900.0) -> None:
        self.cache = Path(cache)
        self.workers = max(1, int(workers))
        self.timeout = float(timeout)
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._queue: deque[str] = deque()
        self._running: dict[str, tuple[Any, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="narcoflow-jobs", daemon=True)
        self._thread.start()

    def folder(self, key: str) -> Path:
        """The folder of a run's files."""
        return self.cache / "runs" / key

    def submit(self, req: RunRequest) -> str:
        """Queue a request unless its results are cached or it is already queued or running; its key."""
        key = request_key(self.cache, req)
        done = "evaluation.json" if req.kind == "evaluate" else "summary.json"
        with self._lock:
            folder = self.folder(key)
            if (folder / done).is_file() or key in self._running or key in self._queue:
                return key
            if folder.exists():
                shutil.rmtree(folder)  # an earlier failure or a stopped server's partial files
            folder.mkdir(parents=True)
            (folder / "request.json").write_text(json.dumps(req.to_json()))
            self._queue.append(key)
        return key

    def status(self, key: str) -> dict[str, Any]:
        """``{"state": queued|running|done|failed|unknown, "done", "total", "message"}`` of a job."""
        folder = self.folder(key)
        out: dict[str, Any] = {"state": "unknown", "done": 0, "total": 0, "message": ""}
        with self._lock:
            queued, running = key in self._queue, key in self._running
        if (folder / "error.json").is_file():
            out.update(state="failed", message=json.loads((folder / "error.json").read_text())["message"])
        elif (folder / "summary.json").is_file() or (folder / "evaluation.json").is_file():
            out["state"] = "done"
        elif queued:
            out["state"] = "queued"
        elif running:
            out["state"] = "running"
        with contextlib.suppress(OSError, ValueError):  # not started yet, or being replaced
            out.update(json.loads((folder / "progress.json").read_text()))
        return out

    def busy(self) -> int:
        """Jobs queued or running."""
        with self._lock:
            return len(self._queue) + len(self._running)

    def shutdown(self) -> None:
        """Stop the monitor and end the job processes still running."""
        self._stop.set()
        self._thread.join(timeout=5)
        with self._lock:
            for process, _ in self._running.values():
                process.kill()
                process.join(timeout=5)
            self._running.clear()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._tick()
            time.sleep(0.1)

    def _tick(self) -> None:
        now = time.monotonic()
        with self._lock:
            for key, (process, started) in list(self._running.items()):
                if process.is_alive() and now - started > self.timeout:
                    process.kill()
                    process.join(timeout=5)
                    self._fail(key, f"timed out after {self.timeout:g} s")
                elif not process.is_alive():
                    process.join()
                    if process.exitcode != 0 and not (self.folder(key) / "error.json").exists():
                        self._fail(key, f"the job process ended with exit code {process.exitcode}")
                else:
                    continue
                del self._running[key]
            while self._queue and len(self._running) < self.workers:
                key = self._queue.popleft()
                folder = self.folder(key)
                request = json.loads((folder / "request.json").read_text())
                process = self._ctx.Process(
                    target=_work, args=(str(self.cache), request, str(folder)), name=f"narcoflow-job-{key}"
                )
                process.start()
                self._running[key] = (process, time.monotonic())

    def _fail(self, key: str, message: str) -> None:
        (self.folder(key) / "error.json").write_text(json.dumps({"message": message}))
