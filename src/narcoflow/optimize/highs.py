"""Calling HiGHS (through ``scipy.optimize.milp``) without stray output on standard output.

HiGHS 1.12, as vendored in SciPy, sometimes prints the debug line
``HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();`` straight to the C-level
standard output, whatever the log options (ERGO-Code/HiGHS#2783).  That would corrupt the JSON the CLI
prints, so solves run with file descriptor 1 pointed at the null device for their duration.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

from scipy.optimize import OptimizeResult, milp

__all__ = ["quiet_milp"]


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
