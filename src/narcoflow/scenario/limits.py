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
]

#: The safe loader, in C (libyaml) where PyYAML was built with it: the same documents, 5-10x faster.
YAML_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Largest scenario file, bytes (the built-in baseline is about 50 kB).
MAX_BYTES = 4 * 2**20
#: Deepest nesting of mappings and sequences, written or through aliases (the baseline needs 7).
MAX_DEPTH = 40
#: Most values (scalars, mappings, sequences) after alias expansion (the baseline has about 4,000).
MAX_VALUES = 200_000


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
