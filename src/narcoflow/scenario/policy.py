"""Dated policies: a named set of effects on the scenario's time-varying levels from a start month.

A policy file (YAML)::

    name: border-x2
    description: Triple CBP OFO inspection intensity from January 2026
    start: 2026-01
    effects:
      - {type: scale_level, level: intensity.cbp_ofo, factor: 3}
      - {type: set_level, level: cooperation.us_china, value: 1.0, start: 2026-07}

Effects are ``set_level``, ``scale_level`` (optionally ``until`` a month) and ``ramp_level`` (over
``months``) on a level of :meth:`Scenario.level_names` — or ``set`` on a lever by its parameter path
(``{type: set, parameter: agencies.cbp_ofo.intensity, value: 3}``), which works for the levers that
start a level (``agencies.<a>.intensity``, ``cooperation.<r>``, ``commodities.<c>.control``) and is
refused for the others: the engine changes only levels from a date. An effect may carry its own
``start``. A value is a number or a parameter mapping (``{value: 3, range: [1, 4]}``); a range makes
it a parameter an experiment can vary (``events.policy_border_x2.effects.0.factor``).

A policy compiles to ordinary scenario events (one per start month, id ``policy_<name>``), so the engine
needs nothing new. ``status-quo`` is the built-in policy with no effects.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PrivateAttr, ValidationError, model_validator

from narcoflow.errors import ScenarioError
from narcoflow.scenario.schema import (
    Event,
    Month,
    Param,
    RampLevel,
    ScaleLevel,
    Scenario,
    SetLevel,
    Strict,
    parse_month,
)

if TYPE_CHECKING:
    from narcoflow.scenario.compose import Composed

STATUS_QUO = "status-quo"
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


class PolicyValue(Strict):
    """A policy's number with an optional range (a range makes it a parameter experiments can vary)."""

    value: float
    range: tuple[float, float] | None = None
    unit: str = "1"
    description: str = ""

    @model_validator(mode="after")
    def _in_range(self) -> PolicyValue:
        if self.range is not None:
            lo, hi = self.range
            if not lo <= self.value <= hi:
                raise ValueError(f"value {self.value} is outside its range [{lo}, {hi}]")
        return self


def _number(v: Any) -> Any:
    return {"value": v} if isinstance(v, int | float) and not isinstance(v, bool) else v


Number = Annotated[PolicyValue, BeforeValidator(_number)]


class _Effect(Strict):
    start: Month | None = Field(None, description="Start month of this effect (default: the policy's).")


class SetLevelEffect(_Effect):
    """Set a level to a value from the start month."""

    type: Literal["set_level"]
    level: str
    value: Number


class ScaleLevelEffect(_Effect):
    """Multiply a level by a factor from the start month (until ``until``, if given)."""

    type: Literal["scale_level"]
    level: str
    factor: Number
    until: Month | None = None


class RampLevelEffect(_Effect):
    """Multiply a level by a factor reached linearly over ``months`` months."""

    type: Literal["ramp_level"]
    level: str
    factor: Number
    months: int = Field(12, ge=1, le=240)


class SetLeverEffect(_Effect):
    """Set a lever (by its parameter path) from the start month: only levers that start a level."""

    type: Literal["set"]
    parameter: str
    value: Number


PolicyEffect = Annotated[
    SetLevelEffect | ScaleLevelEffect | RampLevelEffect | SetLeverEffect, Field(discriminator="type")
]


class Policy(Strict):
    """A named set of dated effects."""

    name: str = Field(pattern=_NAME)
    description: str = ""
    start: Month | None = Field(None, description="Start month of every effect that gives none.")
    effects: list[PolicyEffect] = Field(default_factory=list)
    _file: str = PrivateAttr("")
    _lines: dict[tuple[Any, ...], int] = PrivateAttr(default_factory=dict)
    _prefix: tuple[Any, ...] = PrivateAttr(())

    @property
    def slug(self) -> str:
        """The name as an event id part (lower case, ``-`` → ``_``)."""
        return self.name.lower().replace("-", "_")

    def locate(self, *path: Any) -> tuple[str, int | None]:
        """File and line of a key path inside this policy."""
        full = (*self._prefix, *path)
        for n in range(len(full), -1, -1):
            if full[:n] in self._lines:
                return self._file, self._lines[full[:n]]
        return self._file, None

    def error(self, message: str, *path: Any) -> ScenarioError:
        """A located error about this policy."""
        file, line = self.locate(*path)
        dotted = ".".join(map(str, path)) or None
        return ScenarioError(f"policy '{self.name}': {message}", file=file, line=line, field=dotted)


def policy_from_data(
    data: Any, file: str, lines: dict[tuple[Any, ...], int], prefix: tuple[Any, ...] = ()
) -> Policy:
    """Validate a policy mapping; errors name ``file`` and the line of the fault."""

    def line_of(path: tuple[Any, ...]) -> int | None:
        full = (*prefix, *path)
        for n in range(len(full), -1, -1):
            if full[:n] in lines:
                return lines[full[:n]]
        return None

    if not isinstance(data, dict):
        raise ScenarioError("a policy must be a mapping", file=file, line=line_of(()))
    if "name" not in data and not prefix:
        data = {"name": Path(file).stem, **data}
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        loc = tuple(p for p in first["loc"] if p not in ("set_level", "scale_level", "ramp_level", "set"))
        msg = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            msg = "unknown field (not part of a policy)"
        raise ScenarioError(
            msg, file=file, line=line_of(loc), field=".".join(map(str, loc)) or None
        ) from None
    policy._file, policy._lines, policy._prefix = file, lines, prefix
    return policy


def load_policy(name_or_path: str | Path, base_dir: str | Path = ".") -> Policy:
    """A policy by file path (relative to ``base_dir``) or the built-in ``status-quo``."""
    from narcoflow.scenario.loader import parse_yaml

    if str(name_or_path) == STATUS_QUO:
        return Policy(name=STATUS_QUO, description="No change: the scenario as it is")
    path = Path(name_or_path)
    if not path.is_absolute():
        path = Path(base_dir) / path
    if not path.is_file():
        raise ScenarioError(
            f"no policy file '{name_or_path}' (give a YAML file, or '{STATUS_QUO}')", file=str(name_or_path)
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read policy file: {exc}", file=str(path)) from None
    data, lines = parse_yaml(text, str(path))
    return policy_from_data(data, str(path), lines)


def lever_levels(scenario: Scenario) -> dict[str, str]:
    """{lever parameter path: the level it starts} for the levers a policy may set from a date."""
    out = {f"commodities.{c}.control": f"control.{c}" for c in scenario.commodities}
    out |= {f"cooperation.{r}": f"cooperation.{r}" for r in scenario.cooperation}
    out |= {f"agencies.{a}.intensity": f"intensity.{a}" for a in scenario.agencies}
    return out


def _param(v: PolicyValue, policy: Policy, what: str) -> Param:
    return Param(
        value=v.value,
        unit=v.unit,
        range=v.range or (v.value, v.value),
        kind="lever",
        source=f"policy '{policy.name}'",
        description=v.description or what,
    )


def _level(policy: Policy, scenario: Scenario, i: int, eff: Any) -> str:
    levels = scenario.level_names()
    aliases = lever_levels(scenario)
    if isinstance(eff, SetLeverEffect):
        from narcoflow.scenario.parameters import iter_params

        if eff.parameter in aliases:
            return aliases[eff.parameter]
        known = "an unknown parameter" if eff.parameter not in iter_params(scenario) else "not a level"
        raise policy.error(
            f"'{eff.parameter}' is {known}: a policy changes from a date only the time-varying levels "
            f"({', '.join(levels)}; the levers agencies.<a>.intensity, cooperation.<r> and "
            "commodities.<c>.control start the intensity, cooperation and control levels)",
            "effects",
            i,
            "parameter",
        )
    level = aliases.get(eff.level, eff.level)
    if level not in levels:
        raise policy.error(
            f"unknown level '{eff.level}' (time-varying levels: {', '.join(levels)})", "effects", i, "level"
        )
    return level


def _compile_effect(policy: Policy, scenario: Scenario, i: int, eff: Any) -> Any:
    level = _level(policy, scenario, i, eff)
    what = f"{policy.name}: {level}"
    if isinstance(eff, SetLevelEffect | SetLeverEffect):
        return SetLevel(type="set_level", level=level, value=_param(eff.value, policy, what))
    if isinstance(eff, ScaleLevelEffect):
        return ScaleLevel(
            type="scale_level", level=level, factor=_param(eff.factor, policy, what), until=eff.until
        )
    return RampLevel(
        type="ramp_level", level=level, factor=_param(eff.factor, policy, what), months=eff.months
    )


def _check_month(policy: Policy, scenario: Scenario, month: str, *path: Any) -> None:
    y0, m0 = parse_month(scenario.calendar.start)
    y, m = parse_month(month)
    t = (y - y0) * 12 + (m - m0)
    if not 0 <= t < scenario.calendar.months:
        end = y0 * 12 + m0 - 1 + scenario.calendar.months - 1
        last = f"{end // 12}-{end % 12 + 1:02d}"
        raise policy.error(
            f"{month} is outside the scenario's calendar {scenario.calendar.start}..{last}", *path
        )


def policy_events(policy: Policy, scenario: Scenario) -> dict[str, tuple[Event, list[int]]]:
    """The events a policy compiles to: {event id: (event, the policy's effect index of each effect)}."""
    by_start: dict[str, list[int]] = {}
    for i, eff in enumerate(policy.effects):
        start = eff.start or policy.start
        if start is None:
            raise policy.error("no start month (give the policy a start, or the effect one)", "effects", i)
        where = ("effects", i, "start") if eff.start else ("start",)
        _check_month(policy, scenario, start, *where)
        if isinstance(eff, ScaleLevelEffect) and eff.until is not None and eff.until <= start:
            raise policy.error(f"until {eff.until} is not after the start {start}", "effects", i, "until")
        by_start.setdefault(start, []).append(i)
    out = {}
    for start, idx in sorted(by_start.items()):
        eid = f"policy_{policy.slug}" + ("" if len(by_start) == 1 else "_" + start.replace("-", "_"))
        if eid in scenario.events:
            raise policy.error(f"the scenario already has an event '{eid}' (is the policy applied twice?)")
        effects = [_compile_effect(policy, scenario, i, policy.effects[i]) for i in idx]
        desc = policy.description or f"policy {policy.name}"
        src = f"policy '{policy.name}'" + (f" ({policy._file})" if policy._file else "")
        out[eid] = (Event(date=start, description=desc, source=src, effects=effects), idx)
    return out


def apply_policy(scenario: Scenario, policy: Policy) -> Scenario:
    """A copy of the scenario with the policy's events added; errors are located in the policy."""
    events = policy_events(policy, scenario)
    sc = scenario.model_copy(deep=True)
    for eid, (event, _) in events.items():
        sc.events[eid] = event
    for dotted, msg in sc.reference_errors():
        parts = dotted.split(".")
        if parts[0] == "events" and parts[1] in events and len(parts) > 3:
            i = events[parts[1]][1][int(parts[3])]
            raise policy.error(msg, "effects", i, *parts[4:])
    return sc


def apply_policies(scenario: Scenario, policies: list[Policy]) -> Scenario:
    """Apply several policies in order."""
    for p in policies:
        scenario = apply_policy(scenario, p)
    return scenario


def scenario_policies(items: Any, composed: Composed) -> Callable[[Scenario], Scenario]:
    """A scenario file's ``policies:`` list (inline mappings or policy files relative to the file that
    lists them), loaded now and returned as a function that applies them to the validated scenario."""
    if items is None:
        return lambda sc: sc
    file, line = composed.locate(("policies",))
    file = file or "scenario"
    if not isinstance(items, list):
        raise ScenarioError(
            "expected a list of policies (files or mappings)", file=file, line=line, field="policies"
        )
    lines = {k: n for k, (f, n) in composed.origins.items() if f == file}
    policies = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            policies.append(load_policy(item, Path(file).parent))
        else:
            policies.append(policy_from_data(item, file, lines, ("policies", i)))
    return lambda sc: apply_policies(sc, policies)
