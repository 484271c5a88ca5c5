"""Security games: targets, payoffs, attacker types, and the targets CSV format.

A defender spreads coverage ``c_t`` in [0, 1] over targets (``sum c_t <= resources``).  An attacker of
type ``l`` attacking target ``t`` gets ``U_a = c_t * attacker_covered + (1 - c_t) * attacker_uncovered``
and the defender gets ``U_d = c_t * defender_covered + (1 - c_t) * defender_uncovered``.  As usual in
security games, covering a target helps the defender (``defender_covered >= defender_uncovered``) and
deters the attacker (``attacker_uncovered > attacker_covered``); the solvers rely on both.

CSV format (one row per target, or per (type, target) for several attacker types)::

    target,defender_covered,defender_uncovered,attacker_covered,attacker_uncovered[,type,type_weight]

``type_weight`` is the prior probability of the type (relative weights; they are normalised to sum
to 1) and must be the same on every row of a type; every type must list the same targets.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from narcoflow.errors import NarcoFlowError
from narcoflow.inputs import read_text

__all__ = ["PAYOFF_COLUMNS", "SecurityGame", "check_resources", "load_game_csv"]

#: The payoff columns of the targets CSV, in order.
#: Largest payoff magnitude: the DOBSS MILP's big-M constants are differences of payoffs, and HiGHS
#: reads 1e20 as infinity ("Model error" on a payoff of 1e20, found by the fuzz suite).
MAX_PAYOFF = 1e9
PAYOFF_COLUMNS = ("defender_covered", "defender_uncovered", "attacker_covered", "attacker_uncovered")


@dataclass(frozen=True, eq=False)
class SecurityGame:
    """A (Bayesian) security game: payoff arrays of shape ``[types, targets]``.

    Attributes:
        targets: target labels (unique).
        defender_covered, defender_uncovered, attacker_covered, attacker_uncovered:
            ``float64[L, n]`` payoffs for attacker type ``l`` and target ``t``.
        types: the attacker types' labels (length ``L``; ``("attacker",)`` for one type).
        weights: ``float64[L]`` prior probabilities of the types (sum 1).
        name: where the game came from, for messages.
    """

    targets: pd.Index
    defender_covered: np.ndarray
    defender_uncovered: np.ndarray
    attacker_covered: np.ndarray
    attacker_uncovered: np.ndarray
    types: tuple[Hashable, ...]
    weights: np.ndarray
    name: str | None = None

    @property
    def n_targets(self) -> int:
        """Number of targets."""
        return len(self.targets)

    @property
    def n_types(self) -> int:
        """Number of attacker types."""
        return len(self.types)

    def defender_utility(self, coverage: np.ndarray) -> np.ndarray:
        """``U_d[l, t]`` if target ``t`` is attacked by type ``l`` under ``coverage`` (shape ``[n]``)."""
        return self.defender_uncovered + coverage * (self.defender_covered - self.defender_uncovered)

    def attacker_utility(self, coverage: np.ndarray) -> np.ndarray:
        """``U_a[l, t]`` of type ``l`` attacking target ``t`` under ``coverage`` (shape ``[n]``)."""
        return self.attacker_uncovered - coverage * (self.attacker_uncovered - self.attacker_covered)

    def type_game(self, l: int) -> SecurityGame:
        """The single-type game of attacker type number ``l``."""
        return SecurityGame(
            self.targets,
            self.defender_covered[l : l + 1],
            self.defender_uncovered[l : l + 1],
            self.attacker_covered[l : l + 1],
            self.attacker_uncovered[l : l + 1],
            (self.types[l],),
            np.ones(1),
            self.name,
        )

    @classmethod
    def from_arrays(
        cls,
        targets: Sequence[Hashable] | pd.Index,
        defender_covered: Sequence[float] | np.ndarray,
        defender_uncovered: Sequence[float] | np.ndarray,
        attacker_covered: Sequence[float] | np.ndarray,
        attacker_uncovered: Sequence[float] | np.ndarray,
        *,
        types: Sequence[Hashable] | None = None,
        weights: Sequence[float] | np.ndarray | None = None,
        name: str | None = None,
    ) -> SecurityGame:
        """Build and validate a game; payoffs are ``[n]`` (one type) or ``[L, n]`` arrays.

        Raises :class:`~narcoflow.errors.NarcoFlowError` for duplicate targets, non-finite payoffs,
        ``defender_covered < defender_uncovered``, ``attacker_uncovered <= attacker_covered`` or bad
        weights; the field is ``target[label].column`` (with the type for several types).

        Example:
            >>> g = SecurityGame.from_arrays(["a", "b"], [1, 0], [-5, -1], [-2, -1], [4, 1])
            >>> g.n_targets, g.n_types
            (2, 1)
        """
        idx = pd.Index(list(targets), name="target")
        if not idx.is_unique:
            dup = idx[idx.duplicated()][0]
            raise NarcoFlowError(f"target {dup!r} appears more than once", file=name, field="target")
        arrays = _payoff_arrays(
            (defender_covered, defender_uncovered, attacker_covered, attacker_uncovered), len(idx), name
        )
        n_types = arrays[0].shape[0]
        type_labels = _type_labels(types, n_types, name)
        w = _type_weights(weights, n_types, name)
        _check_payoffs(arrays, idx, type_labels, name)
        dc, du, ac, au = arrays
        return cls(idx, dc, du, ac, au, type_labels, w / w.sum(), name)


def _payoff_arrays(
    payoffs: Sequence[Sequence[float] | np.ndarray], n_targets: int, name: str | None
) -> list[np.ndarray]:
    """The four payoffs (in ``PAYOFF_COLUMNS`` order) as ``float64[L, n]`` arrays of one shape."""
    arrays = []
    for col, values in zip(PAYOFF_COLUMNS, payoffs, strict=True):
        arr = np.atleast_2d(np.asarray(values, dtype=np.float64))
        if arr.ndim != 2 or arr.shape[1] != n_targets:
            raise NarcoFlowError(f"expected {n_targets} values per type, got shape {arr.shape}", field=col)
        arrays.append(arr)
    if any(a.shape[0] != arrays[0].shape[0] for a in arrays):
        raise NarcoFlowError("payoff arrays have different numbers of types", file=name)
    return arrays


def _type_labels(types: Sequence[Hashable] | None, n_types: int, name: str | None) -> tuple[Hashable, ...]:
    """The attacker types' labels: as given, ``("attacker",)`` for one type, else ``0 .. L-1``."""
    labels = tuple(types) if types is not None else (("attacker",) if n_types == 1 else tuple(range(n_types)))
    if len(labels) != n_types:
        raise NarcoFlowError(f"{len(labels)} type labels for {n_types} types", file=name, field="type")
    return labels


def _type_weights(weights: Sequence[float] | np.ndarray | None, n_types: int, name: str | None) -> np.ndarray:
    """The types' prior weights as given (not yet normalised), all 1 by default."""
    w = np.ones(n_types) if weights is None else np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.shape != (n_types,) or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise NarcoFlowError(
            "type weights must be positive numbers, one per type", file=name, field="type_weight"
        )
    return w


def _check_payoffs(
    arrays: list[np.ndarray], idx: pd.Index, type_labels: tuple[Hashable, ...], name: str | None
) -> None:
    """Payoffs are finite, within ±``MAX_PAYOFF``, and coverage helps the defender and deters the attacker;
    the first fault is raised with its type and target."""
    where = _first_bad(~np.isfinite(np.stack(arrays)).all(axis=0))
    if where is not None:
        raise NarcoFlowError(
            "payoffs must be finite numbers", file=name, field=_where(idx, type_labels, where)
        )
    where = _first_bad((np.abs(np.stack(arrays)) > MAX_PAYOFF).any(axis=0))
    if where is not None:  # the MILP's big-M constants would reach HiGHS's infinity (1e20)
        raise NarcoFlowError(
            f"payoffs must lie within ±{MAX_PAYOFF:g} (only their ratios matter: rescale them)",
            file=name,
            field=_where(idx, type_labels, where),
        )
    dc, du, ac, au = arrays
    for bad in (_first_bad(dc < du), _first_bad(au <= ac)):
        fault = None if bad is None else _misordered(dc[bad], du[bad], ac[bad], au[bad])
        if bad is not None and fault is not None:
            raise NarcoFlowError(fault[0], file=name, field=f"{_where(idx, type_labels, bad)}.{fault[1]}")


def _misordered(dc: float, du: float, ac: float, au: float) -> tuple[str, str] | None:
    """Why one target's payoffs break the security-game order: (message, column), or None."""
    if dc < du:
        return (
            f"defender_covered ({dc:g}) is below defender_uncovered ({du:g}): covering a target must not "
            "make the defender worse off",
            "defender_covered",
        )
    if au <= ac:
        return (
            f"attacker_uncovered ({au:g}) must exceed attacker_covered ({ac:g}): otherwise coverage does "
            "not deter the attacker",
            "attacker_uncovered",
        )
    return None


def _first_bad(mask: np.ndarray) -> tuple[int, int] | None:
    hits = np.argwhere(mask)
    return (int(hits[0][0]), int(hits[0][1])) if hits.size else None


def _where(idx: pd.Index, types: tuple[Hashable, ...], lt: tuple[int, int]) -> str:
    label = f"target[{idx[lt[1]]}]"
    return label if len(types) == 1 else f"type[{types[lt[0]]}].{label}"


def check_resources(resources: float) -> float:
    """Validate the number of coverage units: a finite number >= 0."""
    if isinstance(resources, bool) or not isinstance(resources, int | float | np.number):
        raise NarcoFlowError(f"expected a number, got {resources!r}", field="resources")
    r = float(resources)
    if not math.isfinite(r) or r < 0:
        raise NarcoFlowError(f"must be a finite number >= 0, got {resources}", field="resources")
    return r


# --------------------------------------------------------------------------------------------- CSV file
#: Largest targets CSV read, bytes.
MAX_GAME_BYTES = 64 * 2**20


def load_game_csv(path: str | Path) -> SecurityGame:
    """Read a targets CSV (format in the module docstring); errors name the file, line and column."""
    p = Path(path)
    where = str(p)
    header, head_line, rows = _csv_rows(read_text(p, MAX_GAME_BYTES), where)
    _check_header(header, head_line, where)
    if not rows:
        raise NarcoFlowError("no target rows after the header", file=where, line=head_line)
    col = {c: k for k, c in enumerate(header)}
    records: dict[Hashable, dict[str, tuple[int, list[float]]]] = {}
    type_weight: dict[Hashable, tuple[int, float]] = {}
    for lineno, cells in rows:
        if len(cells) != len(header):
            raise NarcoFlowError(f"expected {len(header)} values, got {len(cells)}", file=where, line=lineno)
        typ, target, values = _csv_target(cells, col, where, lineno)
        if "type_weight" in col:
            _note_type_weight(type_weight, typ, cells[col["type_weight"]], where, lineno)
        per_type = records.setdefault(typ, {})
        if target in per_type:
            raise NarcoFlowError(
                f"target {target!r} already given on line {per_type[target][0]}"
                + (f" for type {typ!r}" if "type" in col else ""),
                file=where,
                line=lineno,
                field="target",
            )
        fault = _misordered(*values)
        if fault is not None:
            raise NarcoFlowError(fault[0], file=where, line=lineno, field=fault[1])
        per_type[target] = (lineno, values)
    return _game_from_records(records, type_weight if "type_weight" in col else None, where, head_line)


def _csv_rows(text: str, where: str) -> tuple[list[str], int, list[tuple[int, list[str]]]]:
    """The header (its cells and line number) and the non-blank rows after it, cells stripped."""
    header: list[str] | None = None
    head_line = 0
    rows: list[tuple[int, list[str]]] = []
    for lineno, raw in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in raw]
        if not any(cells):
            continue
        if header is None:
            header, head_line = cells, lineno
            continue
        rows.append((lineno, cells))
    if header is None:
        raise NarcoFlowError("empty file: expected a header row", file=where, line=1)
    return header, head_line, rows


def _check_header(header: list[str], head_line: int, where: str) -> None:
    """The required columns are there, each column once, and no unknown one."""
    required = ("target", *PAYOFF_COLUMNS)
    missing = [c for c in required if c not in header]
    if missing:
        raise NarcoFlowError(
            f"missing column(s) {', '.join(missing)}; the header must have {', '.join(required)} "
            "(and optionally type, type_weight)",
            file=where,
            line=head_line,
        )
    unknown = [c for c in header if c not in (*required, "type", "type_weight")]
    if unknown or len(set(header)) != len(header):
        bad = unknown[0] if unknown else next(c for c in header if header.count(c) > 1)
        raise NarcoFlowError(f"unknown or repeated column {bad!r}", file=where, line=head_line)
    if "type_weight" in header and "type" not in header:
        raise NarcoFlowError("column type_weight needs a column type", file=where, line=head_line)


def _csv_target(
    cells: list[str], col: dict[str, int], where: str, lineno: int
) -> tuple[Hashable, str, list[float]]:
    """One row's attacker type (``"attacker"`` without a type column), target and payoffs (numbers)."""
    target = cells[col["target"]]
    if not target:
        raise NarcoFlowError("empty target name", file=where, line=lineno, field="target")
    typ = cells[col["type"]] if "type" in col else "attacker"
    if "type" in col and not typ:
        raise NarcoFlowError("empty type name", file=where, line=lineno, field="type")
    return typ, target, [_cell_float(cells[col[c]], where, lineno, c) for c in PAYOFF_COLUMNS]


def _note_type_weight(
    type_weight: dict[Hashable, tuple[int, float]], typ: Hashable, cell: str, where: str, lineno: int
) -> None:
    """Record a type's weight from one row (with the line it was first given on); it must be > 0 and the
    same on every row of the type."""
    w = _cell_float(cell, where, lineno, "type_weight")
    if w <= 0:
        raise NarcoFlowError(f"must be > 0, got {w:g}", file=where, line=lineno, field="type_weight")
    if typ in type_weight and type_weight[typ][1] != w:
        raise NarcoFlowError(
            f"type {typ!r} has weight {type_weight[typ][1]:g} on line {type_weight[typ][0]} and {w:g} here",
            file=where,
            line=lineno,
            field="type_weight",
        )
    type_weight.setdefault(typ, (lineno, w))


def _game_from_records(
    records: dict[Hashable, dict[str, tuple[int, list[float]]]],
    type_weight: dict[Hashable, tuple[int, float]] | None,
    where: str,
    head_line: int,
) -> SecurityGame:
    """The game of the rows read: every type must list the same targets, several types need weights."""
    type_labels = list(records)
    if len(type_labels) > 1 and type_weight is None:
        raise NarcoFlowError(
            f"{len(type_labels)} attacker types but no type_weight column", file=where, line=head_line
        )
    targets = list(records[type_labels[0]])
    for typ in type_labels[1:]:
        if set(records[typ]) != set(targets):
            odd = sorted(set(records[typ]) ^ set(targets))[0]
            raise NarcoFlowError(
                f"target {odd!r} is listed for some attacker types but not for type {typ!r} "
                f"(or type {type_labels[0]!r}); every type needs every target",
                file=where,
                field="target",
            )
    payoff = np.array([[records[typ][t][1] for t in targets] for typ in type_labels])  # [L, n, 4]
    weights = None if type_weight is None else np.array([type_weight[typ][1] for typ in type_labels])
    return SecurityGame.from_arrays(
        targets,
        payoff[:, :, 0],
        payoff[:, :, 1],
        payoff[:, :, 2],
        payoff[:, :, 3],
        types=type_labels,
        weights=weights,
        name=where,
    )


def _cell_float(cell: str, where: str, lineno: int, column: str) -> float:
    try:
        v = float(cell)
    except ValueError:
        raise NarcoFlowError(
            f"expected a number, got {cell!r}", file=where, line=lineno, field=column
        ) from None
    if not math.isfinite(v):
        raise NarcoFlowError(f"expected a finite number, got {cell!r}", file=where, line=lineno, field=column)
    if column in PAYOFF_COLUMNS and abs(v) > MAX_PAYOFF:
        raise NarcoFlowError(
            f"payoffs must lie within ±{MAX_PAYOFF:g} (only their ratios matter: rescale them), got {cell}",
            file=where,
            line=lineno,
            field=column,
        )
    return v
