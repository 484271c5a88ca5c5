"""Calling HiGHS (through ``scipy.optimize.milp``) without stray output on standard output.

HiGHS 1.12, as vendored in SciPy, sometimes prints the debug line
``HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();`` straight to the C-level
standard output, whatever the log options (ERGO-Code/HiGHS#2783).  That would corrupt the JSON the CLI
prints, so solves run with file descriptor 1 pointed at the null device for their duration.

HiGHS checks its ``time_limit`` only now and then (under load it overran a 10 s command limit by a
second or more on a 100,000-arc instance), so :func:`milp_within` also runs the solve in a forked child
process and stops it at a hard deadline: the caller then has no plan, but keeps its time limit.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from collections.abc import Iterator
from typing import Any

from scipy.optimize import OptimizeResult, milp

__all__ = ["milp_within", "quiet_milp"]


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        saved = os.dup(fd)
    except (AttributeError, OSError, ValueError):  # no real file descriptor (e.g. some notebooks)
        yield
        return
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def quiet_milp(*args: Any, **kwargs: Any) -> OptimizeResult:
    """``scipy.optimize.milp(*args, **kwargs)`` with the process's standard output silenced."""
    with _stdout_silenced():
        return milp(*args, **kwargs)


def _child(conn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    res = quiet_milp(*args, **kwargs)
    keep = ("status", "x", "fun", "mip_gap", "message", "success")
    conn.send(OptimizeResult({k: res.get(k) for k in keep}))
    conn.close()


def milp_within(seconds: float, *args: Any, **kwargs: Any) -> OptimizeResult | None:
    """:func:`quiet_milp` in a forked process, stopped after ``seconds``: its result, or ``None``.

    Where ``fork`` is not available the solve runs in this process, bounded by HiGHS's own limit only.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return quiet_milp(*args, **kwargs)
    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(there, args, kwargs), daemon=True)
    proc.start()
    there.close()
    try:
        if here.poll(max(seconds, 0.0)):
            with contextlib.suppress(EOFError):
                return here.recv()
        return None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        here.close()
