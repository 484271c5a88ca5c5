"""Experiment specs (YAML, validated; also built in Python) and their resolution into an Experiment.

::

    scenario: baseline            # or a path (relative to the spec file)
    set: {harm.naloxone_effect: 0.2}          # optional overrides, as --set
    vary: [uncertainties]         # or levers, or dotted parameter paths, optionally with a range:
                                  #   [agencies.cbp_ofo.capacity, {regulator.scrutiny_share: [0, 0.5]}]
    design: {method: lhs, n: 256, seed: 1}   # lhs | sobol | morris | factorial | csv
    policies: [status-quo, border-x2.yaml]   # optional, crossed with the design
    members: 20                   # Monte Carlo members per experiment
    seed: 0                       # root seed of the simulations
    outcomes: [deaths_t404_2025_2030, delivered_kg_2026_2030, seizures_lbs_fy2027, violence_2026]
    posterior: true               # draw non-varied calibrated parameters from the scenario's posterior
    series: [deaths_final]        # optional monthly series stored as Parquet

Everything is checked before any experiment runs; errors name the spec file, line and field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from narcoflow.errors import NarcoFlowError
from narcoflow.scenario.schema import Strict

MONTHLY_SERIES = (
    "deaths_final",
    "deaths_total",
    "delivered_kg",
    "delivered_made_kg",
    "phi",
    "price",
    "purity",
    "violence",
)


class DesignSpec(Strict):
    """How design points are drawn."""

    method: Literal["lhs", "sobol", "morris", "factorial", "csv"]
    n: int | None = Field(
        None, gt=0, le=1_000_000, description="lhs: points; sobol: base samples (2^k); morris: trajectories."
    )
    seed: int = Field(0, ge=0, description="Seed of the design's sampler.")
    levels: int = Field(4, ge=2, le=100, description="factorial: values per parameter; morris: grid levels.")
    second_order: bool = Field(False, description="sobol: also second-order indices (n·(2d+2) points).")
    file: str | None = Field(None, description="csv: the design file (relative to the spec file).")

    @model_validator(mode="after")
    def _needs(self) -> DesignSpec:
        if self.method in ("lhs", "sobol", "morris") and self.n is None:
            raise ValueError(f"design method '{self.method}' needs n")
        if self.method == "csv" and not self.file:
            raise ValueError("design method 'csv' needs file")
        return self


class ExperimentSpec(Strict):
    """An experiment: a design over parameters, crossed with policies, each point run for ``members``."""

    scenario: str = "baseline"
    set: dict[str, Any] = Field(default_factory=dict, description="Overrides, as --set.")
    vary: Literal["uncertainties", "levers"] | list[str | dict[str, tuple[float, float]]]
    design: DesignSpec
    policies: list[str | dict[str, Any]] = Field(default_factory=lambda: ["status-quo"])
    members: int = Field(20, ge=1, le=100_000)
    seed: int = Field(0, ge=0, lt=2**63)
    outcomes: list[str] = Field(min_length=1)
    posterior: bool | str = True
    series: list[Literal[MONTHLY_SERIES]] = Field(default_factory=list)  # type: ignore[valid-type]


Locate = Any  # Callable[[tuple], tuple[str | None, int | None]]


def _no_location(_: tuple[Any, ...]) -> tuple[str | None, int | None]:
    return None, None


def spec_error(locate: Locate, message: str, *path: Any) -> NarcoFlowError:
    """A user error at a key path of the spec."""
    file, line = locate(tuple(path))
    return NarcoFlowError(message, file=file, line=line, field=".".join(map(str, path)) or None)


def parse_spec(data: Any, locate: Locate = _no_location) -> ExperimentSpec:
    """Validate spec data (a mapping); errors located with ``locate(key path) -> (file, line)``."""
    if isinstance(data, ExperimentSpec):
        return data
    if not isinstance(data, dict):
        raise spec_error(locate, "an experiment spec must be a mapping")
    try:
        return ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        errs = exc.errors(include_url=False)
        first = errs[0]
        loc: list[Any] = []
        cur: Any = data
        for part in first["loc"]:
            if (isinstance(cur, dict) and part in cur) or (isinstance(cur, list) and isinstance(part, int)):
                loc.append(part)
                cur = cur[part]
        if first["loc"] and (not loc or loc[-1] != first["loc"][-1]) and isinstance(first["loc"][-1], str):
            loc.append(first["loc"][-1])
        msg = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            msg = "unknown field (not part of an experiment spec)"
        raise spec_error(locate, msg, *loc) from None


def line_locator(file: str | None, lines: dict[tuple[Any, ...], int]) -> Locate:
    """A locator over a YAML line map: key path → (file, line of it or its nearest ancestor)."""

    def locate(key: tuple[Any, ...]) -> tuple[str | None, int | None]:
        for n in range(len(key), -1, -1):
            if key[:n] in lines:
                return file, lines[key[:n]]
        return file, None

    return locate


def load_spec_file(path: str | Path) -> tuple[ExperimentSpec, dict[tuple[Any, ...], int], Path]:
    """Read and validate a spec file: the spec, its YAML line map and its directory."""
    from narcoflow.scenario.loader import parse_yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NarcoFlowError("experiment spec not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise NarcoFlowError(f"cannot read the experiment spec: {exc}", file=str(path)) from None
    data, lines = parse_yaml(text, str(path))
    return parse_spec(data, line_locator(str(path), lines)), lines, path.parent
