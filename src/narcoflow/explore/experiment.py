"""An experiment ready to run: the design, the policies crossed with it, the model and the outcomes.

``load_experiment("spec.yaml")`` (or :func:`resolve` on an :class:`ExperimentSpec` built in Python)
checks everything before any simulation: parameter paths and ranges, the design, the policies against
the scenario, the outcomes against its calendar. Experiment ``e`` is design point ``d`` under policy
``p`` with ``e = p·D + d`` (``D`` design points).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from narcoflow.errors import NarcoFlowError, ScenarioError
from narcoflow.explore.designs import make_design
from narcoflow.explore.models import Batch, FunctionModel, FunctionOfParameters, Model, SimulationModel
from narcoflow.explore.spec import (
    DesignSpec,
    ExperimentSpec,
    Locate,
    line_locator,
    load_spec_file,
    parse_spec,
    spec_error,
)

TARGET_MEMBERS_PER_BATCH = 64


@dataclass
class Experiment:
    """A resolved experiment (see the module docstring)."""

    spec: dict[str, Any]  # the spec as validated (JSON-able)
    names: list[str]  # varied parameters
    bounds: list[tuple[float, float]]
    design: pd.DataFrame  # one row per design point
    policies: list[str]  # policy names
    members: int
    seed: int
    model: Model
    identity: dict[str, Any] = field(default_factory=dict)  # what the fingerprint covers besides the spec

    @property
    def n_points(self) -> int:
        """Design points."""
        return len(self.design)

    @property
    def n_experiments(self) -> int:
        """Design points × policies."""
        return self.n_points * len(self.policies)

    @property
    def outcome_names(self) -> list[str]:
        """The outcomes' names."""
        return list(self.model.outcome_names)

    def table(self) -> pd.DataFrame:
        """experiment_id, design_point, policy and one column per varied parameter."""
        d = self.n_points
        frames = []
        for p, name in enumerate(self.policies):
            head = pd.DataFrame(
                {"experiment_id": np.arange(d) + p * d, "design_point": np.arange(d), "policy": name}
            )
            frames.append(pd.concat([head, self.design.reset_index(drop=True)], axis=1))
        return pd.concat(frames, ignore_index=True)

    def fingerprint(self) -> str:
        """A hash of everything that decides the numbers (spec, scenarios, design, posterior, outcomes)."""
        design = hashlib.sha256(np.ascontiguousarray(self.design.to_numpy(np.float64)).tobytes()).hexdigest()
        payload = {"spec": self.spec, "design": design, **self.identity}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:24]

    def batch_size(self, workers: int = 1) -> int:
        """Experiments per batch: about 64 members per ``simulate`` call, at least 4 batches per worker."""
        size = max(1, TARGET_MEMBERS_PER_BATCH // self.members)
        return max(1, min(size, -(-self.n_experiments // (4 * max(1, workers)))))

    def batches(self, size: int, only: np.ndarray | None = None) -> list[Batch]:
        """Batches of at most ``size`` experiments of one policy (only the experiment ids ``only``)."""
        d = self.n_points
        ids = np.arange(self.n_experiments) if only is None else np.sort(np.asarray(only, dtype=np.int64))
        values = self.design.to_numpy(np.float64)
        out = []
        for p in range(len(self.policies)):
            mine = ids[(ids >= p * d) & (ids < (p + 1) * d)]
            for k in range(0, len(mine), size):
                exp = mine[k : k + size]
                out.append(Batch(policy=p, points=exp - p * d, experiments=exp, values=values[exp - p * d]))
        return out


# ---------------------------------------------------------------- resolving a spec
def _scenario(spec: ExperimentSpec, base_dir: Path, locate: Locate) -> Any:
    from narcoflow.scenario import builtin_scenarios, load_scenario

    source: str | Path = spec.scenario
    if spec.scenario not in builtin_scenarios():
        source = Path(spec.scenario) if Path(spec.scenario).is_absolute() else base_dir / spec.scenario
    try:
        return load_scenario(source, dict(spec.set))
    except ScenarioError as exc:
        if exc.file == "--set":
            key = next((k for k in spec.set if exc.field and exc.field.startswith(k)), None)
            raise spec_error(locate, exc.message, "set", *([key] if key else [])) from None
        if exc.file == str(source) and "no scenario file" in exc.message:
            raise spec_error(locate, exc.message, "scenario") from None
        raise


def _varied(spec: ExperimentSpec, sc: Any, locate: Locate) -> tuple[list[str], list[tuple[float, float]]]:
    from narcoflow.scenario import iter_params

    params = iter_params(sc)
    items = [spec.vary] if isinstance(spec.vary, str) else spec.vary
    names: list[str] = []
    bounds: list[tuple[float, float]] = []
    for i, item in enumerate(items):
        where = ("vary",) if isinstance(spec.vary, str) else ("vary", i)
        if item in ("uncertainties", "levers"):
            kind = item[:-1] if item == "levers" else "uncertainty"
            for n, p in params.items():
                if p.kind == kind and p.range[0] < p.range[1] and n not in names:
                    names.append(n)
                    bounds.append((float(p.range[0]), float(p.range[1])))
            continue
        path, rng = (item, None) if isinstance(item, str) else next(iter(item.items()))
        if not isinstance(item, str) and len(item) != 1:
            raise spec_error(locate, "give one parameter per entry: {path: [low, high]}", *where)
        if path not in params:
            raise spec_error(locate, f"unknown parameter '{path}' (see `narcoflow params`)", *where)
        lo, hi = params[path].range
        low, high = (lo, hi) if rng is None else (float(rng[0]), float(rng[1]))
        if not (lo <= low < high <= hi):
            raise spec_error(
                locate,
                f"range [{low:g}, {high:g}] is not inside {path}'s declared range [{lo:g}, {hi:g}]",
                *where,
            )
        if path in names:
            raise spec_error(locate, f"'{path}' is varied twice", *where)
        names.append(path)
        bounds.append((low, high))
    if not names:
        raise spec_error(locate, "nothing to vary", "vary")
    return names, bounds


def _policies(
    spec: ExperimentSpec, sc: Any, base_dir: Path, lines: dict, locate: Locate
) -> tuple[list, list]:
    from narcoflow.scenario.policy import apply_policy, load_policy, policy_from_data

    file = locate(())[0]
    names, scenarios = [], []
    for i, item in enumerate(spec.policies):
        if isinstance(item, str):
            try:
                pol = load_policy(item, base_dir)
            except ScenarioError as exc:
                if exc.file == item:
                    raise spec_error(locate, exc.message, "policies", i) from None
                raise
        else:
            pol = policy_from_data(item, file or "spec", lines, ("policies", i))
        if pol.name in names:
            raise spec_error(locate, f"policy '{pol.name}' is listed twice", "policies", i)
        names.append(pol.name)
        scenarios.append(apply_policy(sc, pol))
    return names, scenarios


def resolve(
    spec: ExperimentSpec | dict[str, Any],
    base_dir: str | Path = ".",
    lines: dict[tuple[Any, ...], int] | None = None,
    file: str | None = None,
) -> Experiment:
    """Check a spec against its scenario and build the experiment (no simulation runs)."""
    from narcoflow.explore.members import choose_posterior, kept_parameters
    from narcoflow.explore.outcomes import resolve_outcome
    from narcoflow.scenario.loader import scenario_hash

    lines = lines or {}
    locate = line_locator(file, lines)
    spec = parse_spec(spec, locate)
    base = Path(base_dir)
    sc = _scenario(spec, base, locate)
    names, bounds = _varied(spec, sc, locate)
    outcomes = []
    for i, name in enumerate(spec.outcomes):
        try:
            outcomes.append(resolve_outcome(name, sc))
        except NarcoFlowError as exc:
            raise spec_error(locate, exc.message, "outcomes", i) from None
    design = _design(spec.design, names, bounds, base, locate)
    policy_names, scenarios = _policies(spec, sc, base, lines, locate)
    post_arg: Any = spec.posterior
    if isinstance(post_arg, str) and not Path(post_arg).is_absolute():
        post_arg = base / post_arg
    try:
        post, post_file = choose_posterior(sc, post_arg)
    except NarcoFlowError as exc:
        raise spec_error(locate, exc.message, "posterior") from None
    kept = kept_parameters(sc, post, spec.set) if post is not None else []
    model = SimulationModel(
        scenarios=scenarios,
        names=names,
        members=spec.members,
        seed=spec.seed,
        outcomes=outcomes,
        posterior=post,
        exclude=frozenset(kept),
        series=list(spec.series),
    )
    identity = {
        "scenario": scenario_hash(sc),
        "scenarios": [scenario_hash(s) for s in scenarios],
        "posterior": None if post is None else _hash_array(np.r_[post.weights, post.particles.ravel()]),
        "kept": kept,
        "outcomes": [(o.name, o.unit, o.description) for o in outcomes],
    }
    return Experiment(
        spec=spec.model_dump(mode="json"),
        names=names,
        bounds=bounds,
        design=design,
        policies=policy_names,
        members=spec.members,
        seed=spec.seed,
        model=model,
        identity=identity | {"posterior_file": Path(post_file).name if post_file else None},
    )


def _design(d: DesignSpec, names: list[str], bounds: list, base: Path, locate: Locate) -> pd.DataFrame:
    file = None
    if d.method == "csv":
        file = Path(d.file or "")
        file = file if file.is_absolute() else base / file
        if not file.is_file():
            raise spec_error(locate, f"no design file '{d.file}'", "design", "file")
    try:
        return make_design(
            d.method,
            names,
            bounds,
            n=d.n,
            seed=d.seed,
            levels=d.levels,
            second_order=d.second_order,
            file=file,
        )
    except NarcoFlowError as exc:
        if exc.file is not None:
            raise
        raise spec_error(locate, exc.message, *(exc.field or "design").split(".")) from None


def _hash_array(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a, dtype=np.float64).tobytes()).hexdigest()[:16]


def load_experiment(path: str | Path) -> Experiment:
    """Read, validate and resolve an experiment spec file."""
    spec, lines, base = load_spec_file(path)
    return resolve(spec, base, lines, str(path))


def function_experiment(
    fn: FunctionOfParameters,
    parameters: dict[str, tuple[float, float]],
    outcomes: list[str],
    design: dict[str, Any],
    members: int = 1,
    seed: int = 0,
    policies: list[str] | None = None,
) -> Experiment:
    """An experiment over a plain Python function instead of the simulation (a test function, a
    foreign model): ``fn(parameters DataFrame, member indices, seed, policy name) -> {outcome: values}``."""
    d = DesignSpec.model_validate(design)
    names, bounds = list(parameters), [tuple(map(float, b)) for b in parameters.values()]
    table = make_design(
        d.method, names, bounds, n=d.n, seed=d.seed, levels=d.levels, second_order=d.second_order
    )
    policies = policies or ["status-quo"]
    spec = {
        "function": f"{fn.__module__}.{fn.__qualname__}",
        "vary": [{n: list(b)} for n, b in zip(names, bounds, strict=True)],
        "design": d.model_dump(mode="json"),
        "policies": policies,
        "members": members,
        "seed": seed,
        "outcomes": outcomes,
    }
    model = FunctionModel(fn, names, outcomes, members, seed, policies)
    return Experiment(spec, names, bounds, table, policies, members, seed, model)
