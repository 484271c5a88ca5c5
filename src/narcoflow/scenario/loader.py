"""Load scenario files (YAML) with line numbers, apply ``--set`` overrides, validate.

Errors a user can cause become :class:`~narcoflow.errors.ScenarioError` naming the file, the line and
the dotted field path, e.g. ``baseline.yaml:42: suppliers.count: Input should be greater than 0``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from narcoflow.errors import ScenarioError
from narcoflow.scenario.limits import (
    MAX_BYTES,
    YAML_LOADER,
    check_events,
    check_graph,
    duplicate_key,
    load_value,
    size_errors,
)
from narcoflow.scenario.schema import Scenario

BUILTIN_PACKAGE = "narcoflow.scenario.builtin"

LineMap = dict[tuple[Any, ...], int]


def builtin_scenarios() -> dict[str, str]:
    """Return {name: one-line description} of the scenarios shipped with NarcoFlow."""
    out: dict[str, str] = {}
    for entry in sorted(resources.files(BUILTIN_PACKAGE).iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            data = yaml.load(entry.read_text(encoding="utf-8"), Loader=YAML_LOADER)
            out[entry.name[:-5]] = str(data.get("description", "")).strip().splitlines()[0]
    return out


def _resolve(name_or_path: str | Path) -> tuple[str, str, str]:
    """Return (display name of the file, its text, its directory) for a built-in name or a path."""
    text_name = str(name_or_path)
    res = resources.files(BUILTIN_PACKAGE).joinpath(f"{text_name}.yaml")
    if isinstance(name_or_path, str) and "/" not in text_name and res.is_file():
        return f"{text_name}.yaml", res.read_text(encoding="utf-8"), str(Path(str(res)).parent)
    path = Path(name_or_path)
    if path.is_file():
        if path.stat().st_size > MAX_BYTES:
            raise ScenarioError(
                f"the file is more than the {MAX_BYTES:,} bytes a scenario may have", file=str(path)
            )
        try:
            return str(path), path.read_text(encoding="utf-8"), str(path.resolve().parent)
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"cannot read scenario file: {exc}", file=str(path)) from exc
    known = ", ".join(builtin_scenarios())
    raise ScenarioError(
        f"no scenario file or built-in scenario named '{text_name}' (built-ins: {known})",
        file=text_name,
    )


def _line_map(node: yaml.Node, path: tuple[Any, ...], out: LineMap, file: str = "") -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        if (dup := duplicate_key(node)) is not None:
            field = ".".join(map(str, (*path, dup[0])))
            raise ScenarioError(
                "duplicate key (also set earlier in this mapping)", file=file, line=dup[1], field=field
            )
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise ScenarioError(
                    "a key must be a plain value, not a mapping or a list",
                    file=file,
                    line=key.start_mark.line + 1,
                    field=".".join(map(str, path)) or None,
                )
            k = key.value
            out[(*path, k)] = key.start_mark.line + 1
            _line_map(value, (*path, k), out, file)
            out[(*path, k)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, (*path, i), out, file)


def parse_yaml(text: str, file: str) -> tuple[dict[str, Any], LineMap]:
    """Parse YAML text into data and a map from key paths to line numbers.

    Bounded (:mod:`narcoflow.scenario.limits`): file size, nesting depth, alias expansion; recursive
    aliases and keys written twice are errors. Every error names the file and a line.
    """
    lines: LineMap = {}
    try:
        check_events(text, file)
        loader = YAML_LOADER(text)
        try:
            node = loader.get_single_node()
            if not isinstance(node, yaml.MappingNode):
                raise ScenarioError("a scenario file must be a YAML mapping", file=file, line=1)
            check_graph(node, file)
            _line_map(node, (), lines, file)  # before construction, which flattens merge keys in place
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"YAML syntax error: {problem}", file=file, line=line) from None
    if not isinstance(data, dict):
        raise ScenarioError("a scenario file must be a YAML mapping", file=file, line=1)
    return data, lines


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Keep the parts of a pydantic error location that exist in the data (drops union tags)."""
    out: list[Any] = []
    cur = data
    for part in loc:
        in_dict = isinstance(cur, dict) and part in cur
        in_list = isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur)
        if in_dict or in_list:
            cur = cur[part]
            out.append(part)
    # The location named a field that is missing: name it, though it has no line of its own.
    if loc and (not out or out[-1] != loc[-1]) and isinstance(loc[-1], str):
        out.append(loc[-1])
    return tuple(out)


def _split(dotted: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in dotted.split("."))


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> set[tuple[Any, ...]]:
    """Apply ``{dotted.path: value}`` overrides in place; return the paths set.

    A path must name an existing field (a field the file leaves at its default may be set; the schema
    then rejects names it does not know). Setting a parameter (a mapping with ``value``) to a scalar
    sets its value. String values are parsed as YAML scalars (``"0.3"`` → 0.3, ``"false"`` → False).
    """
    touched: set[tuple[Any, ...]] = set()
    for dotted, raw in overrides.items():
        try:
            value = load_value(raw) if isinstance(raw, str) else raw
        except ScenarioError as exc:
            raise ScenarioError(exc.message, file="--set", field=dotted) from None
        parts = _split(dotted)
        cur: Any = data
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            ok = (isinstance(cur, dict) and (part in cur or (last and isinstance(part, str)))) or (
                isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur)
            )
            if not ok:
                raise ScenarioError(
                    "unknown parameter path (no such field in the scenario)", file="--set", field=dotted
                )
            if last:
                target = cur.get(part) if isinstance(cur, dict) else cur[part]
                if isinstance(target, dict) and "value" in target and not isinstance(value, dict):
                    target["value"] = value
                    touched.add((*parts, "value"))
                else:
                    cur[part] = value
                    touched.add(parts)
            else:
                cur = cur[part]
    return touched


def load_scenario(name_or_path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load and validate a scenario: a built-in name (e.g. ``"baseline"``) or a YAML file path.

    ``overrides`` maps dotted field paths to values (``{"suppliers.count": 2000}``); each is
    validated like the file. Raises :class:`ScenarioError` on any user error.
    """
    from narcoflow.scenario.compose import compose
    from narcoflow.scenario.policy import scenario_policies

    file, text, base_dir = _resolve(name_or_path)
    data, lines = parse_yaml(text, file)
    composed = compose(data, lines, file, base_dir)
    data = composed.data
    policies = scenario_policies(data.pop("policies", None), composed)
    touched = apply_overrides(data, dict(overrides or {}))

    def where(path: tuple[Any, ...]) -> tuple[str, int | None]:
        n = len(path)
        if any(path[: len(t)] == t or (n and t[:n] == path) for t in touched):
            return "--set", None
        f, line = composed.locate(path)
        return f or file, line

    try:
        scenario = Scenario.model_validate(copy.deepcopy(data))
    except RecursionError:  # bounded by the loader's limits; kept as a last guard
        raise ScenarioError("nested too deeply", file=file, line=1) from None
    except ValidationError as exc:
        errs = exc.errors(include_url=False)
        first = errs[0]
        path = _data_path(data, tuple(first["loc"]))
        msg = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            msg = "unknown field (not part of the scenario schema)"
        if len(errs) > 1:
            msg += f" (and {len(errs) - 1} more error{'s' if len(errs) > 2 else ''})"
        f, line = where(path)
        raise ScenarioError(msg, file=f, line=line, field=".".join(map(str, path)) or None) from None
    refs = size_errors(scenario) or scenario.reference_errors()
    if not refs and not any(
        t[:1] == ("calendar",) for t in touched
    ):  # a calendar shortened by --set drops events
        refs += scenario.calendar_errors()
    if refs:
        dotted, msg = refs[0]
        path = _split(dotted)
        if len(refs) > 1:
            msg += f" (and {len(refs) - 1} more error{'s' if len(refs) > 2 else ''})"
        f, line = where(path)
        raise ScenarioError(msg, file=f, line=line, field=dotted)
    _check_builds(scenario, where)
    scenario._base_dir = base_dir
    scenario._origin = file
    if composed.parents:
        from narcoflow.scenario.parameters import iter_params

        scenario._extends = tuple(composed.parents)
        scenario._changed = tuple(composed.changed_parameters(list(iter_params(scenario))))
    return policies(scenario)


def _check_builds(scenario: Scenario, where: Any) -> None:
    """Build the engine's layout once, so that the checks it makes (an edge declared twice, no path from
    a supplier to a market, a node under two agencies) are located like the schema's."""
    from narcoflow.model.layout import build_layout

    try:
        build_layout(scenario)
    except ScenarioError as exc:
        if exc.file:
            raise
        path = _split(exc.field) if exc.field else ()
        f, line = where(path)
        raise ScenarioError(exc.message, file=f, line=line, field=exc.field) from None


def scenario_hash(scenario: Scenario) -> str:
    """A short, stable hash of a scenario's content (after overrides)."""
    payload = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
