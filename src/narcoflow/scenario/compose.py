"""Scenario composition: a file that says ``extends: baseline`` (or a path) gives only what differs.

The parent (a built-in name, or a path relative to the child's file) is loaded as raw YAML data,
itself composed if it extends another file, and the child's data is merged onto it:

- mappings merge key by key (``events: {new_event: {...}}`` adds an event, ``events: {x: {enabled:
  false}}`` disables one);
- a scalar given where the parent has a parameter (a mapping with ``value``) sets its value, as
  ``--set`` does (``harm: {naloxone_effect: 0.3}``);
- ``null`` removes a key (an event, an optional parameter); lists and other values replace the
  parent's.

Every key path of the result remembers the file and line that gave it (:class:`Origins`), so that a
validation error names the file that holds the fault. The parent's posterior file stays the parent's
(its path is made absolute), and the parameters the children change are recorded: those members keep
the child's value instead of drawing it from the posterior.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narcoflow.errors import ScenarioError

Key = tuple[Any, ...]
Origins = dict[Key, tuple[str, int]]

MAX_DEPTH = 16


@dataclass
class Composed:
    """Scenario data merged along its ``extends`` chain, with where every key path came from."""

    data: dict[str, Any]
    origins: Origins
    parents: list[str] = field(default_factory=list)
    changed: set[Key] = field(default_factory=set)

    def locate(self, path: Key) -> tuple[str | None, int | None]:
        """The file and line that gave ``path`` (or its nearest ancestor)."""
        for n in range(len(path), -1, -1):
            if path[:n] in self.origins:
                return self.origins[path[:n]]
        return None, None

    def changed_parameters(self, names: list[str]) -> list[str]:
        """Which of the parameter paths ``names`` a child file set (its value, range or anything)."""
        out = []
        for name in names:
            key = tuple(int(p) if p.isdigit() else p for p in name.split("."))
            if any(c[: len(key)] == key for c in self.changed):
                out.append(name)
        return out


def _drop_under(origins: Origins, path: Key) -> None:
    for k in [k for k in origins if k[: len(path)] == path]:
        del origins[k]


def _is_param(value: Any) -> bool:
    return isinstance(value, dict) and "value" in value


def _merge(base: dict[str, Any], over: dict[str, Any], path: Key, origins: Origins) -> None:
    """Merge ``over`` into ``base`` in place; drop the origins of whatever ``over`` replaces."""
    for key, value in over.items():
        here = (*path, key)
        old = base.get(key)
        if value is None:
            base.pop(key, None)
            _drop_under(origins, here)
        elif isinstance(old, dict) and isinstance(value, dict):
            _merge(old, value, here, origins)
        elif _is_param(old) and not isinstance(value, list | dict):
            old["value"] = value
            _drop_under(origins, here)
        else:
            base[key] = copy.deepcopy(value)
            _drop_under(origins, here)


def _parent_source(ref: Any, child_file: str, base_dir: str, line: int | None) -> str | Path:
    """A built-in name stays a name; anything else is a path relative to the child's directory."""
    from narcoflow.scenario.loader import builtin_scenarios

    if not isinstance(ref, str) or not ref.strip():
        raise ScenarioError(
            "extends: expected a built-in scenario name or a file path", file=child_file, line=line
        )
    if ref in builtin_scenarios():
        return ref
    path = Path(ref)
    return path if path.is_absolute() else Path(base_dir) / path


def compose(
    data: dict[str, Any],
    lines: dict[Key, int],
    file: str,
    base_dir: str,
    _chain: tuple[str, ...] = (),
) -> Composed:
    """Resolve ``data``'s ``extends`` (recursively) and merge; return the data with its origins."""
    from narcoflow.scenario.loader import _resolve, parse_yaml

    origins: Origins = {k: (file, n) for k, n in lines.items()}
    if "extends" not in data:
        return Composed(data, origins)
    line = lines.get(("extends",))
    source = _parent_source(data["extends"], file, base_dir, line)
    p_file, p_text, p_dir = _resolve(source)
    key = str(Path(p_dir) / Path(p_file).name)
    if key in _chain or len(_chain) >= MAX_DEPTH:
        raise ScenarioError(
            f"extends: '{data['extends']}' makes a cycle (or a chain deeper than {MAX_DEPTH})",
            file=file,
            line=line,
            field="extends",
        )
    p_data, p_lines = parse_yaml(p_text, p_file)
    parent = compose(p_data, p_lines, p_file, p_dir, (*_chain, key))
    merged = parent.data
    post = (
        merged.get("calibration", {}).get("posterior")
        if isinstance(merged.get("calibration"), dict)
        else None
    )
    if isinstance(post, str) and not Path(post).is_absolute():
        merged["calibration"]["posterior"] = str(Path(p_dir) / post)
    child = {k: v for k, v in data.items() if k != "extends"}
    child.setdefault("name", Path(file).stem)
    child.setdefault("description", f"{Path(file).stem}: extends {data['extends']}")
    origins = dict(parent.origins)
    _merge(merged, child, (), origins)
    origins.update({k: (file, n) for k, n in lines.items() if k != ("extends",)})
    sets_posterior = isinstance(data.get("calibration"), dict) and "posterior" in data["calibration"]
    changed = set() if sets_posterior else set(parent.changed)
    changed |= {k for k in lines if k and k[0] not in ("extends", "name", "description")}
    return Composed(merged, origins, [*parent.parents, p_file], changed)
