"""Network-interdiction instances: the problem type and loaders for its file formats.

Three inputs give the same :class:`InterdictionProblem`:

* plain arrays (``InterdictionProblem.from_arrays``), e.g. the simulator's compiled network;
* a generic JSON file (``load_json_instance``)::

      {"source": "s", "sink": "t",
       "nodes": ["s", "a", "t"],                       # optional; if given, arcs must use these ids
       "arcs": [{"tail": "s", "head": "a", "capacity": 4, "cost": 1},
                {"tail": "a", "head": "t", "capacity": null, "cost": 2, "interdictable": true}]}

  Node ids are strings or integers (``1`` and ``"1"`` are different ids).  ``capacity`` is a number
  >= 0, or ``null`` / ``"inf"`` / ``"infinity"`` for an arc of unlimited capacity.  ``cost`` is the
  budget an interdiction of the arc uses (a number >= 0); it is required for interdictable arcs and
  defaults to 0 for arcs with ``"interdictable": false``.  ``interdictable`` defaults to true;
* the CSV files of Lopes da Silva, Sharkey & Song (INFORMS J. Computing, 2025), auto-detected from the
  header row (``load_csv_instance``):

  - human-trafficking networks (``HT/...``): header ``s, t``; arcs
    ``i, j, capacity, cost, special, trafficker, bottom, victim``;
  - layered networks (``Type1/...``, ``Type2/...``): header ``s, t, special_level``; arcs
    ``i, j, capacity, cost, special, level``.

  In both, the last row is the return arc t -> s of the authors' formulation; it is dropped (only if it
  is t -> s).  Capacities >= ``infinite_capacity`` (default 10000, the value the files use for an
  unlimited arc) are read as infinite.  Every arc is interdictable at its ``cost``: with these
  conventions the optima in the archive's ``known_optima.csv`` are reproduced exactly.

:func:`load_instance` picks the loader from the file's suffix (``.json``) or its first character.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from narcoflow.errors import NarcoFlowError
from narcoflow.inputs import read_text

__all__ = [
    "DATASET_INFINITE_CAPACITY",
    "InterdictionProblem",
    "load_csv_instance",
    "load_instance",
    "load_json_instance",
]

#: Capacity the Lopes da Silva et al. CSV files use for an arc of unlimited capacity.
DATASET_INFINITE_CAPACITY = 10_000.0

#: Largest finite capacity or cost: HiGHS reads 1e20 as infinity, so a capacity of 1e300 made a finite
#: max flow "unbounded" (an unlimited arc is ``null``/``"inf"`` in JSON).
MAX_NUMBER = 1e15

_HT_COLUMNS = ("tail", "head", "capacity", "cost", "special", "trafficker", "bottom", "victim")
_LAYERED_COLUMNS = ("tail", "head", "capacity", "cost", "special", "level")


@dataclass(frozen=True, eq=False)
class InterdictionProblem:
    """A directed network with arc capacities and interdiction costs, a source and a sink.

    Arcs are positions in the arrays (parallel arcs and self-loops are allowed); nodes are the
    positions of ``nodes``, the user's ids.  ``capacity`` holds ``numpy.inf`` for an unlimited arc.

    Attributes:
        nodes: node ids, in order of first appearance.
        tails, heads: ``int64[m]`` node positions of each arc's tail and head.
        capacity: ``float64[m]`` capacities (>= 0, ``inf`` allowed).
        cost: ``float64[m]`` interdiction costs (>= 0, finite).
        interdictable: ``bool[m]``.
        source, sink: node positions.
        name: where the instance came from (a file name), for messages.
        attributes: extra per-arc columns of the source file (e.g. ``special``, ``level``).
        metadata: extra values of the source file's header (e.g. ``special_level``).
    """

    nodes: tuple[Hashable, ...]
    tails: np.ndarray
    heads: np.ndarray
    capacity: np.ndarray
    cost: np.ndarray
    interdictable: np.ndarray
    source: int
    sink: int
    name: str | None = None
    attributes: dict[str, np.ndarray] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.nodes)

    @property
    def n_arcs(self) -> int:
        """Number of arcs."""
        return int(self.tails.shape[0])

    def arc_ids(self, index: np.ndarray | Sequence[int] | None = None) -> list[tuple[Hashable, Hashable]]:
        """``(tail id, head id)`` of the arcs at ``index`` (all arcs by default)."""
        idx = np.arange(self.n_arcs) if index is None else np.asarray(index, dtype=np.int64)
        return [
            (self.nodes[int(i)], self.nodes[int(j)])
            for i, j in zip(self.tails[idx], self.heads[idx], strict=True)
        ]

    @classmethod
    def from_arrays(
        cls,
        tails: Sequence[Hashable] | np.ndarray,
        heads: Sequence[Hashable] | np.ndarray,
        capacity: Sequence[float] | np.ndarray,
        cost: Sequence[float] | np.ndarray,
        source: Hashable,
        sink: Hashable,
        interdictable: Sequence[bool] | np.ndarray | None = None,
        *,
        nodes: Sequence[Hashable] | None = None,
        name: str | None = None,
    ) -> InterdictionProblem:
        """Build and validate a problem from plain arrays of arc data.

        ``tails`` and ``heads`` hold node ids (any hashable: the simulator's integer node indices, or
        strings).  If ``nodes`` is given, every arc end and the source and sink must be in it (extra
        nodes may be isolated); otherwise the nodes are the arc ends, and the source and sink must
        each be the end of some arc.  ``interdictable`` defaults to all true.  Raises
        :class:`~narcoflow.errors.NarcoFlowError` for negative or NaN capacities, negative or
        non-finite costs, source = sink, an unknown node or arrays of different lengths.

        Example:
            >>> p = InterdictionProblem.from_arrays([0, 1], [1, 2], [3, float("inf")], [1, 1], 0, 2)
            >>> p.n_nodes, p.n_arcs
            (3, 2)
        """
        where = name
        tail_list = list(np.asarray(tails, dtype=object).tolist()) if len(tails) else []
        head_list = list(np.asarray(heads, dtype=object).tolist()) if len(heads) else []
        m = len(tail_list)
        cap = np.asarray(capacity, dtype=np.float64).reshape(-1)
        cst = np.asarray(cost, dtype=np.float64).reshape(-1)
        inter = np.ones(m, dtype=bool) if interdictable is None else np.asarray(interdictable, dtype=bool)
        for label, arr in (("heads", head_list), ("capacity", cap), ("cost", cst), ("interdictable", inter)):
            if len(arr) != m:
                raise NarcoFlowError(
                    f"has {len(arr)} entries but there are {m} tails", file=where, field=label
                )
        _check_arc_numbers(cap, cst, where)
        if _same_id(source, sink):
            raise NarcoFlowError(f"source and sink are the same node {source!r}", file=where, field="sink")
        if nodes is not None:
            node_list, index = _declared_nodes(nodes, tail_list, head_list, source, sink, where)
        else:
            node_list, index = _arc_end_nodes(tail_list, head_list, source, sink, where)
        t_idx = np.fromiter((index[_key(v)] for v in tail_list), dtype=np.int64, count=m)
        h_idx = np.fromiter((index[_key(v)] for v in head_list), dtype=np.int64, count=m)
        return cls(
            nodes=tuple(node_list),
            tails=t_idx,
            heads=h_idx,
            capacity=cap.copy(),
            cost=cst.copy(),
            interdictable=inter.copy(),
            source=index[_key(source)],
            sink=index[_key(sink)],
            name=name,
        )


def _check_arc_numbers(cap: np.ndarray, cst: np.ndarray, where: str | None) -> None:
    """Capacities are >= 0 and at most ``MAX_NUMBER`` (or infinite); costs are finite, >= 0, at most
    ``MAX_NUMBER``.  The first bad arc is named."""
    bad = np.flatnonzero(np.isnan(cap) | (cap < 0) | (np.isfinite(cap) & (cap > MAX_NUMBER)))
    if bad.size:
        raise NarcoFlowError(
            f"capacity must be >= 0 and at most {MAX_NUMBER:g} (or inf), got {cap[bad[0]]}",
            file=where,
            field=f"arcs[{bad[0]}].capacity",
        )
    bad = np.flatnonzero(~np.isfinite(cst) | (cst < 0) | (cst > MAX_NUMBER))
    if bad.size:
        raise NarcoFlowError(
            f"cost must be a finite number >= 0 and at most {MAX_NUMBER:g}, got {cst[bad[0]]}",
            file=where,
            field=f"arcs[{bad[0]}].cost",
        )


def _declared_nodes(
    nodes: Sequence[Hashable],
    tail_list: list[Hashable],
    head_list: list[Hashable],
    source: Hashable,
    sink: Hashable,
    where: str | None,
) -> tuple[list[Hashable], dict[tuple[str, Any], int]]:
    """The given node list and each id's position; every arc end, the source and the sink must be in it."""
    node_list = list(nodes)
    index = {_key(v): k for k, v in enumerate(node_list)}
    if len(index) != len(node_list):
        raise NarcoFlowError("node ids must be unique", file=where, field="nodes")
    for a, ends in enumerate(zip(tail_list, head_list, strict=True)):
        for label, v in zip(("tail", "head"), ends, strict=True):
            if _key(v) not in index:
                raise NarcoFlowError(
                    f"unknown node {v!r} (not in 'nodes')", file=where, field=f"arcs[{a}].{label}"
                )
    for label, v in (("source", source), ("sink", sink)):
        if _key(v) not in index:
            raise NarcoFlowError(f"unknown node {v!r} (not in 'nodes')", file=where, field=label)
    return node_list, index


def _arc_end_nodes(
    tail_list: list[Hashable], head_list: list[Hashable], source: Hashable, sink: Hashable, where: str | None
) -> tuple[list[Hashable], dict[tuple[str, Any], int]]:
    """The arc ends in order of first appearance (tails, then heads) and each id's position; the source
    and the sink must be among them."""
    node_list: list[Hashable] = []
    index: dict[tuple[str, Any], int] = {}
    for v in (*tail_list, *head_list):
        k = _key(v)
        if k not in index:
            index[k] = len(node_list)
            node_list.append(v)
    for label, v in (("source", source), ("sink", sink)):
        if _key(v) not in index:
            raise NarcoFlowError(
                f"unknown node {v!r}: it is not the tail or head of any arc", file=where, field=label
            )
    return node_list, index


def _key(v: Any) -> tuple[str, Any]:
    """Dictionary key for a node id that keeps ``1`` and ``"1"`` (and ``True``) apart."""
    if isinstance(v, np.generic):
        v = v.item()
    return (type(v).__name__, v)


def _same_id(a: Any, b: Any) -> bool:
    return _key(a) == _key(b)


# ------------------------------------------------------------------------------------------------ files
def load_instance(
    path: str | Path, *, infinite_capacity: float = DATASET_INFINITE_CAPACITY
) -> InterdictionProblem:
    """Load an instance from a JSON or CSV file (chosen by the suffix, else by the first character).

    ``infinite_capacity`` applies to CSV files only (see :func:`load_csv_instance`).
    """
    p = Path(path)
    text = _read_text(p)
    if p.suffix.lower() == ".json" or (p.suffix.lower() != ".csv" and text.lstrip().startswith("{")):
        return _parse_json(text, str(p))
    return _parse_csv(text, str(p), infinite_capacity)


def load_json_instance(path: str | Path) -> InterdictionProblem:
    """Load a generic JSON instance (format in the module docstring)."""
    p = Path(path)
    return _parse_json(_read_text(p), str(p))


def load_csv_instance(
    path: str | Path, *, infinite_capacity: float = DATASET_INFINITE_CAPACITY
) -> InterdictionProblem:
    """Load a Lopes da Silva et al. CSV network, HT or layered format, detected from the header row.

    Capacities ``>= infinite_capacity`` become ``inf`` (pass ``math.inf`` to keep them as numbers).
    The extra columns (``special``, ``trafficker``, ...) are kept in ``problem.attributes``.
    """
    p = Path(path)
    return _parse_csv(_read_text(p), str(p), infinite_capacity)


#: Largest instance file read, bytes (a 100,000-arc JSON instance is about 6 MB).
MAX_INSTANCE_BYTES = 256 * 2**20


def _read_text(p: Path) -> str:
    return read_text(p, MAX_INSTANCE_BYTES)


def _parse_json(text: str, where: str) -> InterdictionProblem:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NarcoFlowError(
            f"invalid JSON: {exc.msg} (column {exc.colno})", file=where, line=exc.lineno
        ) from None
    if not isinstance(doc, dict):
        raise NarcoFlowError("expected a JSON object with 'source', 'sink' and 'arcs'", file=where, line=1)
    unknown = sorted(set(doc) - {"source", "sink", "arcs", "nodes", "name", "description"})
    if unknown:
        raise NarcoFlowError(
            "unknown key (allowed: source, sink, nodes, arcs, name)", file=where, field=unknown[0]
        )
    for key in ("source", "sink", "arcs"):
        if key not in doc:
            raise NarcoFlowError("missing", file=where, field=key)
    source = _node_id(doc["source"], where, "source")
    sink = _node_id(doc["sink"], where, "sink")
    nodes = None
    if "nodes" in doc:
        if not isinstance(doc["nodes"], list):
            raise NarcoFlowError("expected a list of node ids", file=where, field="nodes")
        nodes = [_node_id(v, where, f"nodes[{k}]") for k, v in enumerate(doc["nodes"])]
    arcs = doc["arcs"]
    if not isinstance(arcs, list):
        raise NarcoFlowError("expected a list of arc objects", file=where, field="arcs")
    tails: list[Hashable] = []
    heads: list[Hashable] = []
    cap = np.empty(len(arcs))
    cost = np.empty(len(arcs))
    inter = np.empty(len(arcs), dtype=bool)
    for a, arc in enumerate(arcs):
        f = f"arcs[{a}]"
        if not isinstance(arc, dict):
            raise NarcoFlowError("expected an object with tail, head, capacity, cost", file=where, field=f)
        extra = sorted(set(arc) - {"tail", "head", "capacity", "cost", "interdictable"})
        if extra:
            raise NarcoFlowError(
                "unknown key (allowed: tail, head, capacity, cost, interdictable)",
                file=where,
                field=f"{f}.{extra[0]}",
            )
        for key in ("tail", "head", "capacity"):
            if key not in arc:
                raise NarcoFlowError("missing", file=where, field=f"{f}.{key}")
        tails.append(_node_id(arc["tail"], where, f"{f}.tail"))
        heads.append(_node_id(arc["head"], where, f"{f}.head"))
        it = arc.get("interdictable", True)
        if not isinstance(it, bool):
            raise NarcoFlowError(
                f"expected true or false, got {it!r}", file=where, field=f"{f}.interdictable"
            )
        inter[a] = it
        cap[a] = _capacity(arc["capacity"], where, f"{f}.capacity")
        if "cost" not in arc and it:
            raise NarcoFlowError("missing (required for an interdictable arc)", file=where, field=f"{f}.cost")
        cost[a] = _number(arc.get("cost", 0.0), where, f"{f}.cost", "cost")
    return InterdictionProblem.from_arrays(
        tails, heads, cap, cost, source, sink, inter, nodes=nodes, name=where
    )


def _node_id(v: Any, where: str, f: str) -> Hashable:
    if isinstance(v, bool) or not isinstance(v, str | int):
        raise NarcoFlowError(f"node ids must be strings or integers, got {v!r}", file=where, field=f)
    return v


def _number(v: Any, where: str, f: str, what: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise NarcoFlowError(f"expected a finite number, got {v!r}", file=where, field=f)
    if v < 0:
        raise NarcoFlowError(f"{what} must be >= 0, got {v!r}", file=where, field=f)
    return float(v)


def _capacity(v: Any, where: str, f: str) -> float:
    if v is None or (isinstance(v, str) and v.strip().lower() in {"inf", "infinity"}):
        return math.inf
    if isinstance(v, float) and math.isinf(v) and v > 0:  # JSON 'Infinity'
        return math.inf
    if isinstance(v, bool) or not isinstance(v, int | float) or math.isnan(v):
        raise NarcoFlowError(f'expected a number >= 0, null or "inf", got {v!r}', file=where, field=f)
    if v < 0:
        raise NarcoFlowError(f"capacity must be >= 0, got {v!r}", file=where, field=f)
    return float(v)


def _parse_csv(text: str, where: str, infinite_capacity: float) -> InterdictionProblem:
    rows: list[tuple[int, list[str]]] = []
    for lineno, raw in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in raw]
        while cells and cells[-1] == "":  # the files end every row with a comma
            cells.pop()
        if cells:
            rows.append((lineno, cells))
    if not rows:
        raise NarcoFlowError(
            "empty file: expected a header row 's, t' or 's, t, special_level'", file=where, line=1
        )
    head_line, header = rows[0]
    if len(header) == 2:
        columns, kind = _HT_COLUMNS, "HT"
    elif len(header) == 3:
        columns, kind = _LAYERED_COLUMNS, "layered"
    else:
        raise NarcoFlowError(
            f"header row has {len(header)} values; expected 's, t' (HT format) or 's, t, special_level' "
            "(layered format)",
            file=where,
            line=head_line,
        )
    source = _csv_id(header[0], where, head_line, "column 1 (source)")
    sink = _csv_id(header[1], where, head_line, "column 2 (sink)")
    meta: dict[str, Any] = {}
    if kind == "layered":
        meta["special_level"] = _csv_float(header[2], where, head_line, "column 3 (special_level)")
    body = rows[1:]
    if not body:
        raise NarcoFlowError("no arc rows after the header", file=where, line=head_line)
    tails: list[Hashable] = []
    heads: list[Hashable] = []
    values = np.empty((len(body), len(columns) - 2))
    for r, (lineno, cells) in enumerate(body):
        if len(cells) != len(columns):
            raise NarcoFlowError(
                f"expected {len(columns)} values ({', '.join(columns)}) in the {kind} format, "
                f"got {len(cells)}",
                file=where,
                line=lineno,
            )
        tails.append(_csv_id(cells[0], where, lineno, "column 1 (tail)"))
        heads.append(_csv_id(cells[1], where, lineno, "column 2 (head)"))
        for c in range(2, len(columns)):
            values[r, c - 2] = _csv_float(cells[c], where, lineno, f"column {c + 1} ({columns[c]})")
        for c, label in ((2, "capacity"), (3, "cost")):
            if values[r, c - 2] < 0:
                raise NarcoFlowError(
                    f"{label} must be >= 0, got {cells[c]}",
                    file=where,
                    line=lineno,
                    field=f"column {c + 1} ({label})",
                )
    # the authors' return arc t -> s closes the circulation; it is not part of the network
    if _same_id(tails[-1], sink) and _same_id(heads[-1], source):
        tails, heads, values = tails[:-1], heads[:-1], values[:-1]
    cap = values[:, 0].copy()
    cap[cap >= infinite_capacity] = np.inf
    try:
        problem = InterdictionProblem.from_arrays(tails, heads, cap, values[:, 1], source, sink, name=where)
    except NarcoFlowError as exc:  # the only ones left: source = sink, or unknown source/sink
        raise NarcoFlowError(exc.message, file=where, line=head_line, field=exc.field) from None
    attrs = {name: values[:, c - 2].copy() for c, name in enumerate(columns) if c >= 4}
    return dataclasses.replace(problem, attributes=attrs, metadata={"format": kind, **meta})


def _csv_id(cell: str, where: str, lineno: int, f: str) -> Hashable:
    if cell == "":
        raise NarcoFlowError("empty node id", file=where, line=lineno, field=f)
    try:
        return int(cell)
    except ValueError:
        return cell


def _csv_float(cell: str, where: str, lineno: int, f: str) -> float:
    try:
        v = float(cell)
    except ValueError:
        raise NarcoFlowError(f"expected a number, got {cell!r}", file=where, line=lineno, field=f) from None
    if math.isnan(v):
        raise NarcoFlowError("expected a number, got NaN", file=where, line=lineno, field=f)
    return v
