"""The one error type for mistakes a user can make (bad scenario, option or data file)."""

from __future__ import annotations


class NarcoFlowError(Exception):
    """A user error: bad scenario, bad option or unreadable data file.

    Carries where the fault is (``file``, ``line``, ``field``) so that the CLI can print it as
    ``FILE:LINE: field.path: message`` and exit with status 2, without a traceback.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.format())

    def format(self) -> str:
        """Return ``FILE:LINE: field: message`` with the parts that are known."""
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class ScenarioError(NarcoFlowError):
    """A scenario file or override that does not validate."""


class SimulationError(NarcoFlowError):
    """A run that produced an impossible state (a NaN, a negative quantity, a broken mass balance): it
    names the member, month and quantity. Extreme parameter values can cause it; so can a model bug."""
