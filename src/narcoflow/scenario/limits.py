"""Bounds on a scenario file before it is built: size, nesting depth, alias expansion, duplicate keys.

PyYAML composes documents recursively and shares aliased nodes, so without bounds a file nested 500 deep
or a recursive alias (``x: &r [*r]``) raised ``RecursionError``, an alias "billion laughs" bomb of seven
levels took minutes and gigabytes, and a repeated key silently replaced the first. Each of these is now
a :class:`~narcoflow.errors.ScenarioError` naming the file and line:

- :func:`check_events` streams the parser's events (no recursion) and bounds the file's size and its
  written nesting depth;
- :func:`check_graph` walks the composed node graph once (iteratively, each shared node once) and bounds
  the nesting depth and number of values *after* alias expansion, and rejects recursive aliases;
- :func:`duplicate_key` finds a key written twice in one mapping.
"""

from __future__ import annotations

from typing import Any

import yaml

from narcoflow.errors import ScenarioError

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_VALUES",
    "YAML_LOADER",
    "check_events",
    "check_graph",
    "duplicate_key",
    "load_value",
    "size_errors",
]

#: The safe loader, in C (libyaml) where PyYAML was built with it: the same documents, 5-10x faster.
YAML_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Largest scenario file, bytes (the built-in baseline is about 50 kB).
MAX_BYTES = 4 * 2**20
#: Deepest nesting of mappings and sequences, written or through aliases (the baseline needs 7).
MAX_DEPTH = 40
#: Most values (scalars, mappings, sequences) after alias expansion (the baseline has about 4,000).
MAX_VALUES = 200_000
#: Most network nodes, directed edges (after expanding from/to lists), events, organizations and agencies
#: (the baseline: 39, 140, 18, 4 and 7).
MAX_COUNTS = {"nodes": 5_000, "edges": 50_000, "events": 2_000, "organizations": 200, "agencies": 200}
#: Most walks of up to 6 edges (the engine's longest leg) from the source and processing nodes, where the
#: engine's route enumeration starts; its time grows with them (the baseline has 11,510; a 12-node clique
#: of transit nodes added to it, 2.3 million, builds in 3.7 s; a 16-node one, 13.9 million, in 29 s).
MAX_WALKS = 2_500_000


def check_events(text: str, file: str) -> None:
    """Bound the size and written nesting depth of ``text``, streaming its parse events.

    YAML syntax errors pass through as :class:`yaml.YAMLError` (the caller locates them).
    """
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_BYTES:
        line = text[:MAX_BYTES].count("\n") + 1
        raise ScenarioError(
            f"the file is {size:,} bytes, more than the {MAX_BYTES:,} a scenario may have",
            file=file,
            line=line,
        )
    depth = 0
    for event in yaml.parse(text, Loader=YAML_LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError(
                    f"nested more than {MAX_DEPTH} levels deep", file=file, line=event.start_mark.line + 1
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_graph(root: yaml.Node, file: str) -> None:
    """Reject recursive aliases and bound the depth and size of the document once aliases expand.

    An iterative post-order walk that visits each (possibly shared) node once: ``size[n]`` is the number
    of values under ``n`` counting every use of an alias, ``depth[n]`` its expanded nesting depth.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            kids = _children(node)
            on_path.discard(key)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            line = node.start_mark.line + 1
            if depth[key] > MAX_DEPTH + 1:
                raise ScenarioError(f"aliases nest more than {MAX_DEPTH} levels deep", file=file, line=line)
            if size[key] > MAX_VALUES:
                raise ScenarioError(
                    f"aliases expand to more than {MAX_VALUES:,} values (an alias bomb?)",
                    file=file,
                    line=line,
                )
            continue
        if key in size:
            continue
        on_path.add(key)
        stack.append((node, True))
        for kid in _children(node):
            if id(kid) in on_path:
                raise ScenarioError(
                    "recursive alias (a value that contains itself)", file=file, line=kid.start_mark.line + 1
                )
            if id(kid) not in size:
                stack.append((kid, False))


def duplicate_key(node: yaml.MappingNode) -> tuple[Any, int] | None:
    """The first key written twice in this mapping, with the line of its second use, or ``None``."""
    seen: set[Any] = set()
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.value == "<<":
            continue
        k = (key.tag, key.value)
        if k in seen:
            return key.value, key.start_mark.line + 1
        seen.add(k)
    return None


def load_value(text: str, file: str = "--set") -> Any:
    """Parse one YAML value (a ``--set`` value) within the same bounds as a scenario file."""
    try:
        check_events(text, file)
        loader = YAML_LOADER(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            check_graph(node, file)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"not a YAML value: {problem}", file=file) from None


def size_errors(scenario: Any) -> list[tuple[str, str]]:
    """Counts above :data:`MAX_COUNTS`, and networks with more than :data:`MAX_WALKS` short walks.

    Checked before any cross-reference (which expands the edges' from/to lists) so that a huge
    declaration is refused before it is built. Returns (dotted field, message) pairs.
    """
    import numpy as np

    counts = {
        "network.nodes": ("nodes", len(scenario.network.nodes)),
        "network.edges": ("edges", sum(_pair_count(e) for e in scenario.network.edges)),
        "events": ("events", len(scenario.events)),
        "organizations": ("organizations", len(scenario.organizations)),
        "agencies": ("agencies", len(scenario.agencies)),
    }
    for field, (what, n) in counts.items():
        if n > MAX_COUNTS[what]:
            return [(field, f"{n:,} {what}: more than the {MAX_COUNTS[what]:,} a scenario may have")]
    index = {nid: i for i, nid in enumerate(scenario.network.nodes)}
    pairs = np.array(
        [
            (index[a], index[b])
            for e in scenario.network.edges
            for a, b in e.pairs()
            if a in index and b in index
        ],
        dtype=np.int64,
    ).reshape(-1, 2)
    starts = {nid for nid, n in scenario.network.nodes.items() if _role(scenario, n.kind) in STARTS}
    walks, total = np.array([float(nid in starts) for nid in index]), 0.0
    for _ in range(6):
        nxt = np.zeros(len(index))
        np.add.at(nxt, pairs[:, 1], walks[pairs[:, 0]])
        walks = nxt
        total += float(walks.sum())
        if total > MAX_WALKS:
            return [
                (
                    "network.edges",
                    f"more than {MAX_WALKS:,} routes of up to 6 edges from the supplier regions and labs: "
                    "the network is too densely connected to enumerate its routes",
                )
            ]
    return []


STARTS = ("source", "processing")


def _role(scenario: Any, kind: str) -> str | None:
    k = scenario.node_kinds.get(kind)
    return None if k is None else k.role


def _pair_count(edge: Any) -> int:
    n_from = 1 if isinstance(edge.source, str) else len(edge.source)
    n_to = 1 if isinstance(edge.target, str) else len(edge.target)
    return n_from * n_to
