"""Terminal output of the ``narcoflow`` command: one place that prints tables, errors and warnings.

Both consoles print plain text: ``markup=False`` and ``highlight=False``, so a user's file name, field
or value (``draft [final].yaml``, ``--set '[/foo]=1'``, an error on line 100) is printed as written,
never interpreted as rich markup or emoji.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from narcoflow.errors import NarcoFlowError

__all__ = ["console", "err_console", "escape", "fail", "warn"]

# A pipe or a log file gets a wide table rather than rich's 80-column default.
console = Console(width=None if sys.stdout.isatty() else 150, markup=False, highlight=False, emoji=False)
err_console = Console(stderr=True, markup=False, highlight=False, emoji=False)


def fail(exc: NarcoFlowError) -> NoReturn:
    """Print ``error: FILE:LINE: field: message`` (plain text) on standard error and exit with status 2."""
    err_console.print(f"error: {exc.format()}", markup=False, highlight=False, emoji=False, soft_wrap=True)
    raise typer.Exit(2)


def warn(message: object) -> None:
    """Print ``warning: message`` (plain text) on standard error."""
    err_console.print(f"warning: {message}", markup=False, highlight=False, emoji=False, soft_wrap=True)
